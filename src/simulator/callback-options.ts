/**
 * Delivery callback settings (`callbacks:` in the config file) and their defaults.
 * @module
 */
import { DEFAULT_LATE_AFTER_MS, type TimelineDelays } from './timeline.js';

export interface CallbackOptions {
  /** Hosts callbacks may go to (`host`, `host:port` or `*.domain`); empty = any URL the default policy allows. */
  allow: string[];
  /** 2 plays timelines and retry backoff twice as fast. */
  speed: number;
  /** Overrides every provider's documented wait for one attempt. */
  timeoutMs?: number;
  /** The first retry's wait; each later one doubles it. */
  retryDelayMs: number;
  /** Deliveries waiting (scheduled, due, or between retries); past it the oldest is dropped. */
  capacity: number;
  /** Attempts in flight at once. */
  concurrency: number;
  /** Attempts kept for `GET /__admin/callbacks`. */
  history: number;
  /** Estimated bytes the kept attempts may take. */
  historyBytes: number;
  /** How long a shutdown waits for pending callbacks before dropping them. */
  drainMs: number;
  /** Where the send names no OTP expiry, the `late` timeline reports this long after it. */
  lateAfterMs: number;
  delays?: Partial<TimelineDelays>;
}

export const DEFAULT_CALLBACK_OPTIONS: CallbackOptions = {
  allow: [],
  speed: 1,
  retryDelayMs: 250,
  capacity: 10_000,
  concurrency: 128,
  history: 1000,
  historyBytes: 8 * 1024 * 1024,
  drainMs: 5000,
  lateAfterMs: DEFAULT_LATE_AFTER_MS,
};

/**
 * The wait after a report's attempt `attempt` failed, before the next: `retryDelayMs`, doubling each time,
 * played `speed` times faster.
 * @example
 * retryDelayAfter(3, 250); // 1000
 */
export function retryDelayAfter(attempt: number, retryDelayMs: number, speed = 1): number {
  return (retryDelayMs * 2 ** (attempt - 1)) / speed;
}
