import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/core/stores/memory.js';
import { createRedisStore } from '../../src/core/stores/redis.js';
import type { OtpStore, VerificationRecord } from '../../src/core/stores/types.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

const T0 = 1_800_000_000_000;
let sequence = 0;
const record = (overrides: Partial<VerificationRecord> = {}): VerificationRecord => ({
  id: `VE${++sequence}`,
  to: '6281234567890',
  status: 'pending',
  codeHash: 'ab'.repeat(32),
  attempts: 0,
  maxAttempts: 3,
  createdAt: T0,
  expiresAt: T0 + 60_000,
  delivery: [],
  ...overrides,
});

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const stores: [string, () => Promise<OtpStore>][] = [
  ['memory', async () => createMemoryStore({ now: () => T0 })],
  ['redis', async () => createRedisStore({ url: redis.url, prefix: `test${++sequence}:` })],
];

describe.each(stores)('%s store', (_, open) => {
  let store: OtpStore;
  beforeEach(async () => {
    store = await open();
    return () => store.close();
  });

  it('reads back what it stored, and the number its active verification', async () => {
    const r = record();
    await store.create(r, 120_000);
    expect(await store.get(r.id)).toEqual(r);
    expect((await store.active(r.to))?.id).toBe(r.id);
    expect(await store.get('VEnope')).toBeUndefined();
  });

  it('keeps one active verification per number, canceling the one it replaces', async () => {
    const first = record();
    const second = record();
    await store.create(first, 120_000);
    await store.create(second, 120_000);
    expect((await store.active(first.to))?.id).toBe(second.id);
    expect((await store.get(first.id))?.status).toBe('canceled');
  });

  it('spends attempts up to the maximum, then reports max_attempts_reached', async () => {
    const r = record();
    await store.create(r, 120_000);
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push((await store.consumeAttempt(r.id, T0)).verdict);
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'max_attempts_reached']);
    expect(await store.approve(r.id)).toBe(true);
    expect((await store.get(r.id))?.attempts).toBe(3);
  });

  it('reports expired once the expiry passes, without spending a check', async () => {
    const r = record();
    await store.create(r, 120_000);
    expect((await store.consumeAttempt(r.id, T0 + 60_000)).verdict).toBe('expired');
    expect((await store.consumeAttempt(r.id, T0 + 70_000)).verdict).toBe('expired');
    expect((await store.get(r.id))?.attempts).toBe(0);
  });

  it('approves exactly once among many concurrent callers', async () => {
    const r = record();
    await store.create(r, 120_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.approve(r.id)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.consumeAttempt(r.id, T0)).verdict).toBe('approved');
  });

  it('counts concurrent attempts without losing any', async () => {
    const r = record({ maxAttempts: 10 });
    await store.create(r, 120_000);
    const verdicts = await Promise.all(Array.from({ length: 15 }, () => store.consumeAttempt(r.id, T0)));
    expect(verdicts.filter((v) => v.verdict === 'ok')).toHaveLength(10);
    expect((await store.get(r.id))?.attempts).toBe(10);
  });

  it('merges updates and appends delivery events', async () => {
    const r = record();
    await store.create(r, 120_000);
    await store.update(r.id, { provider: 'verihubs', providerMessageId: 'sess-1' });
    await store.addDelivery(r.id, { provider: 'verihubs', state: 'sent', at: 'x' });
    await store.addDelivery(r.id, { provider: 'verihubs', state: 'delivered', at: 'y' });
    const got = await store.get(r.id);
    expect(got).toMatchObject({ provider: 'verihubs', providerMessageId: 'sess-1', status: 'pending' });
    expect(got?.delivery.map((d) => d.state)).toEqual(['sent', 'delivered']);
  });

  it('finds a verification by its provider message id', async () => {
    await store.linkProviderMessage('splashify', 'msg-9', 'VE9', 60_000);
    expect(await store.byProviderMessage('splashify', 'msg-9')).toBe('VE9');
    expect(await store.byProviderMessage('verihubs', 'msg-9')).toBeUndefined();
  });

  it('enforces the resend cooldown and the window maximum', async () => {
    const limits = { windowMs: 600_000, max: 3, cooldownMs: 30_000 };
    expect(await store.reserveSend('62811', T0, limits)).toMatchObject({ ok: true });
    expect(await store.reserveSend('62811', T0 + 10_000, limits)).toEqual({
      ok: false,
      reason: 'cooldown',
      retryAfterMs: 20_000,
    });
    expect(await store.reserveSend('62811', T0 + 30_000, limits)).toMatchObject({ ok: true });
    expect(await store.reserveSend('62811', T0 + 60_000, limits)).toMatchObject({ ok: true });
    expect(await store.reserveSend('62811', T0 + 90_000, limits)).toEqual({
      ok: false,
      reason: 'too_many',
      retryAfterMs: 510_000,
    });
    expect(await store.reserveSend('62811', T0 + 600_001, limits)).toMatchObject({ ok: true });
  });

  it('releases a reservation whose send never went out, lifting its cooldown', async () => {
    const limits = { windowMs: 600_000, max: 3, cooldownMs: 30_000 };
    const first = await store.reserveSend('62812', T0, limits);
    if (!first.ok) throw new Error('first reservation refused');
    expect(await store.reserveSend('62812', T0 + 1000, limits)).toMatchObject({ ok: false, reason: 'cooldown' });
    await store.releaseSend('62812', first.hold);
    expect(await store.reserveSend('62812', T0 + 2000, limits)).toMatchObject({ ok: true });
  });

  it('hands an idempotency key to its first claimant only', async () => {
    expect(await store.claimIdempotencyKey('k1', 'VE1', 60_000)).toBe('VE1');
    expect(await store.claimIdempotencyKey('k1', 'VE2', 60_000)).toBe('VE1');
  });
});

describe('two clients on one Redis', () => {
  it('see one state: what one creates, the other approves, once', async () => {
    const prefix = `shared${++sequence}:`;
    const a = await createRedisStore({ url: redis.url, prefix });
    const b = await createRedisStore({ url: redis.url, prefix });
    try {
      const r = record();
      await a.create(r, 60_000);
      expect((await b.active(r.to))?.id).toBe(r.id);
      const [x, y] = await Promise.all([a.approve(r.id), b.approve(r.id)]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
