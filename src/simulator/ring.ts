/**
 * A fixed-capacity list that evicts its oldest item, so the inbox and journal stay bounded under load.
 * @module
 */

export interface Ring<T> {
  /** Adds an item; returns the oldest one when it had to make room. */
  push(item: T): T | undefined;
  /** Newest first, filtered, at most `limit` items. */
  newest(match?: (item: T) => boolean, limit?: number): T[];
  find(match: (item: T) => boolean): T | undefined;
  /** How many stored items match. */
  count(match: (item: T) => boolean): number;
  /** Keeps only the items for which `keep` is true. */
  retain(keep: (item: T) => boolean): void;
  /** Empties the ring and zeroes its counters: a reset forgets what it counted too. */
  clear(): void;
  readonly size: number;
  /** Items pushed since the last clear, evicted ones included. */
  readonly total: number;
  /** Items dropped to make room since the last clear. */
  readonly evicted: number;
  readonly capacity: number;
}

/**
 * Creates a ring buffer of `capacity` items.
 * @example
 * const ring = createRing<number>(2); ring.push(1); ring.push(2); ring.push(3); ring.newest(); // [3, 2]
 */
export function createRing<T>(capacity: number): Ring<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('ring capacity must be a positive integer');
  let items: (T | undefined)[] = new Array(capacity);
  let start = 0;
  let size = 0;
  let total = 0;
  let evicted = 0;
  const at = (i: number) => items[(start + i) % capacity] as T;
  return {
    push(item) {
      total++;
      if (size < capacity) {
        items[(start + size) % capacity] = item;
        size++;
        return undefined;
      }
      const oldest = items[start];
      items[start] = item;
      start = (start + 1) % capacity;
      evicted++;
      return oldest;
    },
    newest(match, limit = Infinity) {
      const out: T[] = [];
      for (let i = size - 1; i >= 0 && out.length < limit; i--) {
        const item = at(i);
        if (!match || match(item)) out.push(item);
      }
      return out;
    },
    find(match) {
      for (let i = size - 1; i >= 0; i--) {
        const item = at(i);
        if (match(item)) return item;
      }
      return undefined;
    },
    count(match) {
      let n = 0;
      for (let i = 0; i < size; i++) if (match(at(i))) n++;
      return n;
    },
    retain(keep) {
      const kept: T[] = [];
      for (let i = 0; i < size; i++) if (keep(at(i))) kept.push(at(i));
      items = new Array(capacity);
      kept.forEach((item, i) => (items[i] = item));
      start = 0;
      size = kept.length;
    },
    clear() {
      items = new Array(capacity);
      start = size = total = evicted = 0;
    },
    get size() {
      return size;
    },
    get total() {
      return total;
    },
    get evicted() {
      return evicted;
    },
    capacity,
  };
}
