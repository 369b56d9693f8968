/**
 * The simulator's notion of time: wall time plus an offset tests move forward through the admin API.
 * Everything time-based (OTP expiry, token expiry, rate-limit windows) reads this clock, never Date.now().
 * @module
 */

export interface Clock {
  /** Current simulated time in epoch milliseconds. */
  now(): number;
  /** Moves simulated time forward; returns the new now(). */
  advance(ms: number): number;
  /** How far simulated time is ahead of wall time, in ms. */
  offset(): number;
  reset(): void;
}

/**
 * Creates a clock that follows wall time until advanced.
 * @example
 * const clock = createClock();
 * clock.advance(10 * 60_000); // ten minutes later, for every expiry check
 */
export function createClock({ wall = Date.now }: { wall?: () => number } = {}): Clock {
  let offset = 0;
  return {
    now: () => wall() + offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
      offset += ms;
      return wall() + offset;
    },
    offset: () => offset,
    reset() {
      offset = 0;
    },
  };
}
