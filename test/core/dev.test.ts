import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDev } from '../../src/testing/dev.js';
import { createAdminClient } from '../../src/testing/index.js';
import { call } from '../helpers/http.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

type Dev = Awaited<ReturnType<typeof startDev>>;

describe('waotp dev, end to end over HTTP', () => {
  let dev: Dev;
  const admin = () => createAdminClient(dev.simulator.url);
  const send = (to: string, headers: Record<string, string> = {}) =>
    call(`${dev.core.url}/v1/verifications`, { method: 'POST', headers, json: { to } });
  const check = (to: string, code: string) =>
    call(`${dev.core.url}/v1/verifications/check`, { method: 'POST', json: { to, code } });
  let n = 0;
  const phone = () => `+62812300${String(++n).padStart(5, '0')}`;

  beforeAll(async () => {
    dev = await startDev({ port: 0, simulatorPort: 0, config: { policy: { ttl: '2s' } } });
  });
  afterAll(() => dev.close());
  beforeEach(() => admin().reset());

  it('sends a code that reaches the inbox, and approves it once', async () => {
    const to = phone();
    const sent = await send(to);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ to, status: 'pending', provider: 'verihubs' });
    const code = await admin().latestOtp(to, { wait: 2000 });
    expect((await check(to, code)).body.status).toBe('approved');
    const again = await check(to, code);
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('leaves a wrong code pending, and locks after five', async () => {
    const to = phone();
    await send(to);
    const code = await admin().latestOtp(to);
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await check(to, wrong)).body).toMatchObject({ status: 'pending', attemptsLeft: 4 });
    for (let i = 0; i < 4; i++) await check(to, wrong);
    const locked = await check(to, code);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ verificationStatus: 'max_attempts_reached' });
  });

  it('expires on time', async () => {
    const to = phone();
    await send(to);
    const code = await admin().latestOtp(to);
    await new Promise((r) => setTimeout(r, 2100));
    const late = await check(to, code);
    expect(late.status).toBe(404);
    expect(late.body).toMatchObject({ type: '/problems/verification-not-found', verificationStatus: 'expired' });
  });

  it('fails over to the next provider when the first answers insufficient_quota', async () => {
    await admin().arm({ provider: 'verihubs', outcomes: ['insufficient_quota'] });
    const to = phone();
    const sent = await send(to);
    expect(sent.body.provider).toBe('splashify');
    const requests = (await admin().requests()).reverse();
    expect(requests.map((r) => [r.provider, r.status])).toEqual([
      ['verihubs', 403],
      ['splashify', 201],
    ]);
    expect((await check(to, await admin().latestOtp(to))).body.status).toBe('approved');
  });

  it('retries rate_limited after the Retry-After delay', async () => {
    await admin().arm({ provider: 'verihubs', outcomes: ['rate_limited', 'accepted'] });
    const to = phone();
    expect((await send(to)).body.provider).toBe('verihubs');
    const [second, first] = await admin().requests({ provider: 'verihubs' });
    expect(first!.status).toBe(429);
    expect(second!.status).toBe(201);
    expect(Date.parse(second!.time) - Date.parse(first!.time)).toBeGreaterThanOrEqual(1000);
  });

  it('answers an invalid phone number with a 400 problem that says so', async () => {
    const r = await send('+1 555');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toMatch(/not a valid phone number/);
  });

  it('returns the same verification for a repeated Idempotency-Key', async () => {
    const to = phone();
    const a = await send(to, { 'idempotency-key': 'order-42' });
    const b = await send(to, { 'idempotency-key': 'order-42' });
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(await admin().messages({ to })).toHaveLength(1);
  });

  it('answers a resend within the cooldown with 429 and Retry-After', async () => {
    const to = phone();
    await send(to);
    const again = await send(to);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('records a provider delivery callback on the verification', async () => {
    const to = phone();
    const sent = await send(to);
    const sessionId = (await admin().requests({ provider: 'verihubs', limit: 1 }))[0]!.reply.body as {
      session_id: string;
    };
    const cb = await call(
      `${dev.core.url}/v1/callbacks/verihubs/${dev.core.service.reportToken}` +
        `?session_id=${sessionId.session_id}&status=2`,
    );
    expect(cb.body).toEqual({ received: 1, matched: 1 });
    const v = await call(`${dev.core.url}/v1/verifications/${sent.body.id}`);
    expect(v.body.delivery).toMatchObject([{ provider: 'verihubs', state: 'delivered' }]);
  });

  it('answers health with each provider circuit', async () => {
    const r = await call(`${dev.core.url}/health`);
    expect(r.body).toMatchObject({ status: 'ok', store: 'memory' });
    expect(r.body.providers.map((p: { id: string }) => p.id)).toEqual([
      'verihubs',
      'splashify',
      'whatsapp-onprem',
      'messcat',
      'botcake',
      'whatsapp-cloud',
    ]);
  });
});

describe('waotp dev wires delivery reports back to the core', () => {
  let dev: Dev;
  const until = async <T>(probe: () => Promise<T | undefined>, ms = 5000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  beforeAll(async () => {
    dev = await startDev({ port: 0, simulatorPort: 0 });
  });
  afterAll(() => dev.close());

  it("records the provider's sent, delivered and read reports on the verification", async () => {
    const sent = await call(`${dev.core.url}/v1/verifications`, { method: 'POST', json: { to: '+6281255550001' } });
    const delivery = await until(async () => {
      const v = await call(`${dev.core.url}/v1/verifications/${sent.body.id}`);
      return v.body.delivery.length >= 3 ? v.body.delivery : undefined;
    });
    expect(delivery.map((d: { provider: string; state: string }) => `${d.provider}:${d.state}`)).toEqual([
      'verihubs:sent',
      'verihubs:delivered',
      'verihubs:read',
    ]);
  });

  it('resends a fresh code through the next providers when a delivery fails, and the last code approves', async () => {
    const to = '+12025550177';
    const sent = await call(`${dev.core.url}/v1/verifications`, { method: 'POST', json: { to } });
    expect(sent.body.provider).toBe('verihubs');
    // The number has no WhatsApp: each provider reports a failure, and the core moves on,
    // ending with Botcake (no reports).
    const final = await until(async () => {
      const v = await call(`${dev.core.url}/v1/verifications/${sent.body.id}`);
      return v.body.provider === 'botcake' ? v.body : undefined;
    });
    expect(final.delivery.map((d: { provider: string; state: string }) => `${d.provider}:${d.state}`)).toEqual([
      'verihubs:failed',
      'splashify:failed',
      'whatsapp-onprem:failed',
      'messcat:failed',
    ]);
    const admin = createAdminClient(dev.simulator.url);
    const messages = await admin.messages({ to });
    expect(new Set(messages.map((m) => m.provider))).toEqual(
      new Set(['verihubs', 'splashify', 'whatsapp-onprem', 'messcat', 'botcake']),
    );
    const latest = await admin.latestOtp(to);
    expect(
      (await call(`${dev.core.url}/v1/verifications/check`, { method: 'POST', json: { to, code: latest } })).body
        .status,
    ).toBe('approved');
  });
});

describe('an API key', () => {
  let dev: Dev;
  beforeAll(async () => {
    dev = await startDev({ port: 0, simulatorPort: 0, config: { apiKey: 'k-0123456789' } });
  });
  afterAll(() => dev.close());

  it('is required on /v1/verifications when configured', async () => {
    const json = { to: '+6281234567890' };
    expect((await call(`${dev.core.url}/v1/verifications`, { method: 'POST', json })).status).toBe(401);
    expect(
      (
        await call(`${dev.core.url}/v1/verifications`, {
          method: 'POST',
          json,
          headers: { authorization: 'Bearer wrong' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call(`${dev.core.url}/v1/verifications`, {
          method: 'POST',
          json,
          headers: { authorization: 'Bearer k-0123456789' },
        })
      ).status,
    ).toBe(201);
  });
});

describe('two waotp dev instances on one Redis', () => {
  let redis: RedisServer;
  let a: Dev;
  let b: Dev;
  beforeAll(async () => {
    redis = await startRedis();
    const secret = 'shared-by-both-instances-0123';
    a = await startDev({ port: 0, simulatorPort: 0, store: redis.url, secret });
    b = await startDev({ port: 0, simulatorPort: 0, store: redis.url, secret });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it("approve each other's codes, once", async () => {
    const to = '+6281277770001';
    expect((await call(`${a.core.url}/v1/verifications`, { method: 'POST', json: { to } })).status).toBe(201);
    const code = await createAdminClient(a.simulator.url).latestOtp(to);
    const viaB = await call(`${b.core.url}/v1/verifications/check`, { method: 'POST', json: { to, code } });
    expect(viaB.body.status).toBe('approved');
    const viaA = await call(`${a.core.url}/v1/verifications/check`, { method: 'POST', json: { to, code } });
    expect(viaA.status).toBe(404);
  });

  it('share the resend cooldown', async () => {
    const to = '+6281277770002';
    expect((await call(`${a.core.url}/v1/verifications`, { method: 'POST', json: { to } })).status).toBe(201);
    expect((await call(`${b.core.url}/v1/verifications`, { method: 'POST', json: { to } })).status).toBe(429);
  });
});
