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
  /** Spends one unit of `quota` under `key`; false when none is left. */
  spend(key: string, quota: number): boolean;
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
    spend(key, quota) {
      const used = spent.get(key) ?? 0;
      if (used >= quota) return false;
      spent.set(key, used + 1);
      return true;
    },
    reset() {
      windows.clear();
      spent.clear();
    },
  };
}
