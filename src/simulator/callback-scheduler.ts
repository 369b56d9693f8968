/**
 * What is due when, on the virtual clock: callback deliveries waiting for their time (or for a retry),
 * then for a free sending slot. Bounded: past `capacity` the oldest waiting delivery is dropped and
 * handed to `onDrop`, so the newest reports always get their turn.
 * @module
 */
import type { Clock } from './clock.js';

export interface SchedulerOptions<T> {
  clock: Clock;
  /** Deliveries waiting (for their time or for a slot) at most. */
  capacity: number;
  /** Something became due: take() has more to give. */
  onReady(): void;
  /** A delivery dropped to make room. */
  onDrop(item: T): void;
}

export interface Scheduler<T> {
  /** Waits `item` until simulated time `at` (at once when already past). */
  add(at: number, item: T): void;
  /** The next due delivery, oldest due first; undefined when none is. */
  take(): T | undefined;
  /** Removes every waiting delivery that matches; returns them. */
  cancel(match: (item: T) => boolean): T[];
  /** Earliest time a waiting delivery is due (-Infinity when one is due now, Infinity when none waits). */
  nextAt(): number;
  /** Deliveries waiting, due or not. */
  readonly size: number;
  /** Deliveries due and waiting for a slot. */
  readonly due: number;
}

interface Entry<T> {
  item: T;
  at: number;
  /** Cancels its clock task; absent once due. */
  unschedule?: () => void;
}

/**
 * Creates a scheduler.
 * @example
 * const scheduler = createScheduler<string>({ clock, capacity: 100, onReady: pump, onDrop: (x) => log(x) });
 * scheduler.add(clock.now() + 300, 'delivered'); // take() returns it once the clock reaches it
 */
export function createScheduler<T>({ clock, capacity, onReady, onDrop }: SchedulerOptions<T>): Scheduler<T> {
  // Insertion order is age: the first entry is the one dropped on overflow.
  const entries = new Map<number, Entry<T>>();
  // Keys of due entries, oldest first; a key whose entry is gone is skipped.
  let ready: number[] = [];
  let head = 0;
  let key = 0;
  let dueCount = 0;

  const markDue = (k: number, entry: Entry<T>) => {
    entry.unschedule = undefined;
    ready.push(k);
    dueCount++;
  };
  const remove = (k: number, entry: Entry<T>) => {
    entries.delete(k);
    if (entry.unschedule) entry.unschedule();
    else dueCount--;
  };

  return {
    add(at, item) {
      if (entries.size >= capacity) {
        const [oldest, entry] = entries.entries().next().value!;
        remove(oldest, entry);
        onDrop(entry.item);
      }
      const k = ++key;
      const entry: Entry<T> = { item, at };
      entries.set(k, entry);
      if (at <= clock.now()) {
        markDue(k, entry);
        onReady();
        return;
      }
      entry.unschedule = clock.schedule(at, () => {
        if (entries.get(k) !== entry) return;
        markDue(k, entry);
        onReady();
      });
    },
    take() {
      while (head < ready.length) {
        const k = ready[head++]!;
        const entry = entries.get(k);
        if (!entry || entry.unschedule) continue;
        entries.delete(k);
        dueCount--;
        if (head > 1024 && head * 2 > ready.length) {
          ready = ready.slice(head);
          head = 0;
        }
        return entry.item;
      }
      ready = [];
      head = 0;
      return undefined;
    },
    cancel(match) {
      const removed: T[] = [];
      for (const [k, entry] of entries) {
        if (!match(entry.item)) continue;
        remove(k, entry);
        removed.push(entry.item);
      }
      return removed;
    },
    nextAt() {
      if (dueCount > 0) return -Infinity;
      let next = Infinity;
      for (const entry of entries.values()) if (entry.at < next) next = entry.at;
      return next;
    },
    get size() {
      return entries.size;
    },
    get due() {
      return dueCount;
    },
  };
}
