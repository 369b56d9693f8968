/**
 * Per-account counters of the simulated providers: fixed-window rate limits and send quotas,
 * both on the simulator's clock so tests can move past a window.
 * @module
 */
import type { RateLimit } from '../providers/define.js';

export type RateVerdict = { ok: true } | { ok: false; retryAfter: number };

export interface Limits {
  /** Counts one request against `limit` under `key`. */
  hit(key: string, limit: RateLimit): RateVerdict;
  /** Whether `key` has any of `quota` left. */
  hasQuota(key: string, quota: number): boolean;
  /** Spends one unit under `key`. */
  spend(key: string): void;
  reset(): void;
}

/**
 * Creates the counters.
 * @example
 * const limits = createLimits(clock.now);
 * limits.hit('verihubs:app-1:v1', { limit: 30, windowMs: 1000 });
 */
export function createLimits(now: () => number): Limits {
  const windows = new Map<string, { start: number; count: number }>();
  const spent = new Map<string, number>();
  return {
    hit(key, { limit, windowMs }) {
      const t = now();
      let window = windows.get(key);
      if (!window || t - window.start >= windowMs) {
        window = { start: t - ((t - (window?.start ?? t)) % windowMs), count: 0 };
        windows.set(key, window);
      }
      window.count++;
      if (window.count <= limit) return { ok: true };
      return { ok: false, retryAfter: Math.max(1, Math.ceil((window.start + windowMs - t) / 1000)) };
    },
    hasQuota: (key, quota) => (spent.get(key) ?? 0) < quota,
    spend(key) {
      spent.set(key, (spent.get(key) ?? 0) + 1);
    },
    reset() {
      windows.clear();
      spent.clear();
    },
  };
}
