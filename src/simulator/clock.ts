/**
 * The simulator's notion of time: wall time plus an offset tests move forward through the admin API.
 * Everything time-based (OTP expiry, token expiry, rate-limit windows, delivery callbacks) reads this
 * clock, never Date.now().
 * @module
 */

export interface Clock {
  /** Current simulated time in epoch milliseconds. */
  now(): number;
  /** Moves simulated time forward, running every task it reaches; returns the new now(). */
  advance(ms: number): number;
  /** How far simulated time is ahead of wall time, in ms. */
  offset(): number;
  /**
   * Runs `task` when simulated time reaches `atMs`: on a real timer as time passes, or at once when
   * `advance` jumps past it. Returns a function that cancels the task.
   */
  schedule(atMs: number, task: () => void): () => void;
  reset(): void;
}

interface Task {
  at: number;
  seq: number;
  run: (() => void) | undefined;
}

/** setTimeout's longest delay; a later task is simply looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Creates a clock that follows wall time until advanced.
 * @example
 * const clock = createClock();
 * clock.schedule(clock.now() + 60_000, () => console.log('a simulated minute later'));
 * clock.advance(10 * 60_000); // ten minutes later, for every expiry check; the task runs now
 */
export function createClock({ wall = Date.now }: { wall?: () => number } = {}): Clock {
  let offset = 0;
  let seq = 0;
  // A binary min-heap on (at, seq); cancelled tasks lose `run` and are skipped when they surface.
  let heap: Task[] = [];
  let cancelled = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;
  const now = () => wall() + offset;
  const before = (a: Task, b: Task) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

  const push = (task: Task) => {
    let i = heap.push(task) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = (): Task | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && before(heap[l]!, heap[min]!)) min = l;
        if (r < heap.length && before(heap[r]!, heap[min]!)) min = r;
        if (min === i) break;
        [heap[i], heap[min]] = [heap[min]!, heap[i]!];
        i = min;
      }
    }
    return top;
  };
  const peek = () => {
    while (heap[0] && !heap[0].run) {
      pop();
      cancelled--;
    }
    return heap[0];
  };

  const arm = () => {
    const next = peek();
    if (timer !== undefined && next?.at === timerAt) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
    if (!next) return;
    timerAt = next.at;
    timer = setTimeout(runDue, Math.min(Math.max(1, next.at - now()), MAX_TIMER_MS));
    // Pending tasks alone must not keep a process alive; a server or a drain does that.
    timer.unref?.();
  };
  const runDue = () => {
    timer = undefined;
    timerAt = Infinity;
    for (let next = peek(); next && next.at <= now(); next = peek()) {
      const task = pop()!;
      const { run } = task;
      // Marked done, so a late cancel() does not count it as a cancelled task still in the heap.
      task.run = undefined;
      try {
        run?.();
      } catch (error) {
        console.error(error);
      }
    }
    arm();
  };

  return {
    now,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
      offset += ms;
      runDue();
      return now();
    },
    offset: () => offset,
    schedule(atMs, run) {
      const task: Task = { at: atMs, seq: ++seq, run };
      push(task);
      if (atMs < timerAt) arm();
      return () => {
        if (!task.run) return;
        task.run = undefined;
        // Lazily deleted; rebuilt once mostly cancelled, so a stream of cancelled far-future tasks stays small.
        if (++cancelled > 1024 && cancelled > heap.length / 2) {
          const live = heap.filter((t) => t.run);
          heap = [];
          cancelled = 0;
          live.forEach(push);
        }
      };
    },
    reset() {
      offset = 0;
      arm();
    },
  };
}
