import { describe, expect, it } from 'vitest';
import { createLimits } from '../../src/simulator/limits.js';

function setup() {
  let now = 10_000;
  return { limits: createLimits(() => now), tick: (ms: number) => (now += ms) };
}

describe('limits', () => {
  it('allows `limit` hits per window, then refuses with the seconds left (at least 1)', () => {
    const { limits, tick } = setup();
    const rate = { limit: 2, windowMs: 10_000 };
    expect(limits.hit('k', rate)).toEqual({ ok: true });
    expect(limits.hit('k', rate)).toEqual({ ok: true });
    tick(2500);
    expect(limits.hit('k', rate)).toEqual({ ok: false, retryAfter: 8 });
    tick(7499);
    expect(limits.hit('k', rate)).toEqual({ ok: false, retryAfter: 1 });
  });

  it('opens a fresh window once the old one has passed, aligned to the first', () => {
    const { limits, tick } = setup();
    const rate = { limit: 1, windowMs: 1000 };
    expect(limits.hit('k', rate).ok).toBe(true);
    tick(2500);
    expect(limits.hit('k', rate).ok).toBe(true);
    // The window began at 2000 ms, not at 2500: 500 ms later it is over.
    tick(500);
    expect(limits.hit('k', rate).ok).toBe(true);
  });

  it('counts each key apart', () => {
    const { limits } = setup();
    const rate = { limit: 1, windowMs: 1000 };
    expect(limits.hit('a', rate).ok).toBe(true);
    expect(limits.hit('b', rate).ok).toBe(true);
    expect(limits.hit('a', rate).ok).toBe(false);
  });

  it('spends quota per key until it is used up, and reset forgets everything', () => {
    const { limits } = setup();
    expect(limits.hasQuota('acct', 2)).toBe(true);
    limits.spend('acct');
    limits.spend('acct');
    expect(limits.hasQuota('acct', 2)).toBe(false);
    expect(limits.hasQuota('other', 2)).toBe(true);
    limits.hit('acct', { limit: 0, windowMs: 1000 });
    limits.reset();
    expect(limits.hasQuota('acct', 2)).toBe(true);
    expect(limits.hit('acct', { limit: 1, windowMs: 1000 }).ok).toBe(true);
  });
});
