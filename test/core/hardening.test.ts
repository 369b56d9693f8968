import { describe, expect, it } from 'vitest';
import { LIMIT_DEFAULTS, resolveLimits } from '../../src/core/config.js';
import {
  CooldownError,
  LimitReachedError,
  ReportRefusedError,
  ShuttingDownError,
  TooManySendsError,
} from '../../src/core/errors.js';
import { createOtpHttp } from '../../src/core/http.js';
import { createOtpService, type OtpServiceOptions } from '../../src/core/service.js';
import { createMemoryStore } from '../../src/core/stores/memory.js';
import type { Adapter, CallbackRequest, OtpMessage, SendResult } from '../../src/providers/adapter.js';
import { startDev } from '../../src/testing/dev.js';
import { call } from '../helpers/http.js';

const SECRET = 'test-secret-0123456789';
const PHONE = '+6281234567890';

function fake(provider: string, answer?: (m: OtpMessage, signal: AbortSignal) => Promise<SendResult>) {
  const sent: OtpMessage[] = [];
  const adapter: Adapter = {
    provider,
    async send(message, { signal }) {
      sent.push(message);
      return answer
        ? answer(message, signal)
        : { ok: true, provider, status: 201, providerMessageId: `${provider}-${sent.length}` };
    },
  };
  return { adapter, sent };
}

// Reports carry `?id=<message id>&state=<state>`; the parser is the provider's, the proof is the core's business.
const parse = (request: CallbackRequest) => [
  { providerMessageId: request.query.id!, state: request.query.state as 'failed' },
];
const report = (id: string, state: string): CallbackRequest => ({
  method: 'GET',
  query: { id, state },
  headers: {},
  body: undefined,
});

function setup(overrides: Partial<OtpServiceOptions> = {}) {
  let now = 1_800_000_000_000;
  const clock = { now: () => now };
  const first = fake('first');
  const second = fake('second');
  const store = createMemoryStore({ now: clock.now });
  const service = createOtpService({
    secret: SECRET,
    adapters: [first.adapter, second.adapter],
    callbackParsers: { first: parse, second: parse },
    clock,
    store,
    delivery: { initialBackoffMs: 1, maxBackoffMs: 5 },
    ...overrides,
  });
  return { service, store, first, second, advance: (ms: number) => (now += ms) };
}

describe('delivery reports', () => {
  it('refuses a report without the token (401) or with a wrong one (403), with no side effect', async () => {
    const { service, second } = setup();
    const v = await service.send({ to: PHONE });
    await expect(service.handleCallback('first', report('first-1', 'failed'), { rawBody: '' })).rejects.toMatchObject({
      status: 401,
    });
    const wrong = service.reportToken.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    await expect(
      service.handleCallback('first', report('first-1', 'failed'), { rawBody: '', token: wrong }),
    ).rejects.toBeInstanceOf(ReportRefusedError);
    await expect(
      service.handleCallback('first', report('first-1', 'failed'), { rawBody: '', token: 'short' }),
    ).rejects.toMatchObject({ status: 403 });
    expect(second.sent).toHaveLength(0);
    expect((await service.get(v.id)).delivery).toEqual([]);
  });

  it('accepts a report carrying the token, and ignores one naming a message this core never sent', async () => {
    const { service, second } = setup();
    const v = await service.send({ to: PHONE });
    const proof = { rawBody: '', token: service.reportToken };
    expect(await service.handleCallback('first', report('first-1', 'delivered'), proof)).toEqual({
      events: 1,
      matched: 1,
    });
    expect(await service.handleCallback('first', report('first-999', 'failed'), proof)).toEqual({
      events: 1,
      matched: 0,
    });
    // A message the other provider carried is not this provider's to report on.
    expect(await service.handleCallback('second', report('first-1', 'failed'), proof)).toEqual({
      events: 1,
      matched: 0,
    });
    expect(second.sent).toHaveLength(0);
    expect((await service.get(v.id)).delivery.map((d) => d.state)).toEqual(['delivered']);
  });

  it("uses a provider's signature check in place of the token when the provider signs", async () => {
    const { service } = setup({
      reportVerifiers: { first: (raw, headers) => headers['x-signature'] === `signed:${raw}` },
    });
    await service.send({ to: PHONE });
    const signed = { ...report('first-1', 'delivered'), headers: { 'x-signature': 'signed:{}' } };
    expect(await service.handleCallback('first', signed, { rawBody: '{}' })).toMatchObject({ matched: 1 });
    await expect(
      service.handleCallback('first', report('first-1', 'failed'), { rawBody: '{}', token: service.reportToken }),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('derives one token per deployment from the secret', () => {
    const a = setup().service.reportToken;
    expect(setup().service.reportToken).toBe(a);
    expect(setup({ secret: 'another-secret-0123456789' }).service.reportToken).not.toBe(a);
    expect(a.length).toBeGreaterThanOrEqual(24);
  });
});

describe('a resend after a failed delivery', () => {
  it('happens once per verification per provider, however often the report is repeated', async () => {
    const { service, second } = setup();
    await service.send({ to: PHONE });
    const proof = { rawBody: '', token: service.reportToken };
    await Promise.all([1, 2, 3].map(() => service.handleCallback('first', report('first-1', 'failed'), proof)));
    expect(second.sent).toHaveLength(1);
  });

  it("counts against the number's send limit", async () => {
    const { service, second, advance } = setup({ policy: { maxSends: 2 } });
    await service.send({ to: PHONE });
    await service.handleCallback('first', report('first-1', 'failed'), { rawBody: '', token: service.reportToken });
    expect(second.sent).toHaveLength(1);
    advance(60_000);
    await expect(service.send({ to: PHONE })).rejects.toBeInstanceOf(TooManySendsError);
  });

  it('is refused when the number has no sends left', async () => {
    const { service, second } = setup({ policy: { maxSends: 1 } });
    await service.send({ to: PHONE });
    await service.handleCallback('first', report('first-1', 'failed'), { rawBody: '', token: service.reportToken });
    expect(second.sent).toHaveLength(0);
  });
});

describe('limits beyond the number', () => {
  const window = { max: 2, windowMs: 60_000 };

  it('caps sends per client IP, with a retry delay', async () => {
    const { service } = setup({ limits: { sendsPerIp: window } });
    await service.send({ to: '+6281200000001', clientIp: '203.0.113.7' });
    await service.send({ to: '+6281200000002', clientIp: '203.0.113.7' });
    const refused = await service.send({ to: '+6281200000003', clientIp: '203.0.113.7' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LimitReachedError);
    expect(refused).toMatchObject({ status: 429, type: 'ip-send-limit' });
    expect((refused as LimitReachedError).retryAfterMs).toBeGreaterThan(0);
    await expect(service.send({ to: '+6281200000003', clientIp: '203.0.113.8' })).resolves.toMatchObject({
      status: 'pending',
    });
  });

  it('caps all sends by a global budget, and a refused send leaves the number free', async () => {
    const { service, first } = setup({ limits: { sendBudget: window } });
    await service.send({ to: '+6281200000001', clientIp: 'a' });
    await service.send({ to: '+6281200000002', clientIp: 'b' });
    await expect(service.send({ to: '+6281200000003', clientIp: 'c' })).rejects.toMatchObject({ type: 'send-budget' });
    expect(first.sent).toHaveLength(2);
  });

  it('a refusal by the number gives the per-IP slot back', async () => {
    const { service } = setup({ limits: { sendsPerIp: { max: 2, windowMs: 600_000 } } });
    await service.send({ to: PHONE, clientIp: 'x' });
    for (let i = 0; i < 3; i++)
      await expect(service.send({ to: PHONE, clientIp: 'x' })).rejects.toBeInstanceOf(CooldownError);
    await expect(service.send({ to: '+6281200000009', clientIp: 'x' })).resolves.toMatchObject({ status: 'pending' });
  });

  it('caps checks per client IP', async () => {
    const { service } = setup({ limits: { checksPerIp: window } });
    await service.send({ to: PHONE });
    await service.check({ to: PHONE, code: '000000', clientIp: 'x' });
    await service.check({ to: PHONE, code: '000000', clientIp: 'x' });
    await expect(service.check({ to: PHONE, code: '000000', clientIp: 'x' })).rejects.toMatchObject({
      status: 429,
      type: 'ip-check-limit',
    });
  });

  it('are on by default for serve and off for dev unless configured; false switches one off', () => {
    expect(resolveLimits(undefined, true)).toEqual(LIMIT_DEFAULTS);
    expect(resolveLimits(undefined, false)).toEqual({});
    expect(resolveLimits({ sendsPerIp: { max: 3, window: 1000 } }, false)).toEqual({
      sendsPerIp: { max: 3, windowMs: 1000 },
    });
    expect(resolveLimits({ sendBudget: false }, true)).not.toHaveProperty('sendBudget');
  });
});

describe('limits over real HTTP', () => {
  it('see the client address of the connection, and answer 429 problem+json with Retry-After', async () => {
    const dev = await startDev({
      port: 0,
      simulatorPort: 0,
      config: { limits: { sendsPerIp: { max: 2, window: '1m' }, checksPerIp: { max: 1, window: '1m' } } },
    });
    try {
      const send = (to: string) => call(`${dev.core.url}/v1/verifications`, { method: 'POST', json: { to } });
      expect((await send('+6281277000001')).status).toBe(201);
      expect((await send('+6281277000002')).status).toBe(201);
      const refused = await send('+6281277000003');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ type: '/problems/ip-send-limit' });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const check = () =>
        call(`${dev.core.url}/v1/verifications/check`, {
          method: 'POST',
          json: { to: '+6281277000001', code: '000000' },
        });
      expect((await check()).status).toBe(200);
      expect((await check()).status).toBe(429);
    } finally {
      await dev.close();
    }
  });

  it('are off under waotp dev unless configured: a test suite may send many codes from 127.0.0.1', async () => {
    const dev = await startDev({ port: 0, simulatorPort: 0 });
    try {
      const over = LIMIT_DEFAULTS.sendsPerIp.max + 1;
      for (let i = 0; i < over; i++) {
        const r = await call(`${dev.core.url}/v1/verifications`, {
          method: 'POST',
          json: { to: `+62812771${String(i).padStart(5, '0')}` },
        });
        expect(r.status).toBe(201);
      }
    } finally {
      await dev.close();
    }
  });

  it('take the last X-Forwarded-For entry only when told to trust the proxy', async () => {
    const { service } = setup({ limits: { sendsPerIp: { max: 1, windowMs: 60_000 } } });
    const send = (app: ReturnType<typeof createOtpHttp>, to: string, from: string) =>
      app.request('/v1/verifications', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.9, ${from}` },
        body: JSON.stringify({ to }),
      });
    const proxied = createOtpHttp(service, { trustProxy: true });
    expect((await send(proxied, '+6281277100001', '198.51.100.1')).status).toBe(201);
    expect((await send(proxied, '+6281277100002', '198.51.100.2')).status).toBe(201);
    expect((await send(proxied, '+6281277100003', '198.51.100.1')).status).toBe(429);
    // Not trusted, the header is the client's own word and is ignored.
    expect((await send(createOtpHttp(service), '+6281277100004', '198.51.100.1')).status).toBe(201);
  });
});

describe('a send cut by shutdown', () => {
  it('answers ShuttingDown and releases its cooldown', async () => {
    const hang = fake(
      'first',
      (_, signal) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () =>
            resolve({ ok: false, provider: 'first', kind: 'timeout', retryable: true, message: 'aborted' }),
          ),
        ),
    );
    const store = createMemoryStore();
    const service = createOtpService({ secret: SECRET, adapters: [hang.adapter], store });
    const sending = service.send({ to: PHONE }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    service.abort();
    expect(await sending).toBeInstanceOf(ShuttingDownError);
    // The same number may be sent to at once (as another instance sharing the store would).
    expect(
      await store.reserveSend(PHONE.slice(1), Date.now(), { windowMs: 600_000, max: 5, cooldownMs: 30_000 }),
    ).toMatchObject({ ok: true });
  });
});

describe('the HTTP API input limits', () => {
  const { service } = setup();
  const app = createOtpHttp(service);
  const post = (path: string, body: string, type = 'application/json') =>
    app.request(path, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers a body over 16 KB with 413 problem+json', async () => {
    const r = await post('/v1/verifications', JSON.stringify({ to: PHONE, pad: 'x'.repeat(17 * 1024) }));
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('takes its body limit from the options', async () => {
    const small = createOtpHttp(service, { maxBodyBytes: 1024 });
    const r = await small.request('/v1/verifications', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: PHONE, pad: 'x'.repeat(2000) }),
    });
    expect(r.status).toBe(413);
  });

  it('answers deeply nested JSON with 400 before parsing it', async () => {
    const r = await post('/v1/verifications', `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { detail: string }).detail).toMatch(/nests deeper/);
  });

  it('answers text/plain and form bodies with 415', async () => {
    expect((await post('/v1/verifications', JSON.stringify({ to: PHONE }), 'text/plain')).status).toBe(415);
    expect((await post('/v1/verifications/check', 'to=1&code=2', 'application/x-www-form-urlencoded')).status).toBe(
      415,
    );
    expect(
      (await app.request('/v1/verifications', { method: 'POST', body: JSON.stringify({ to: PHONE }) })).status,
    ).toBe(415);
  });

  it('lets a provider callback route take what the provider sends', async () => {
    const r = await post(
      `/v1/callbacks/first/${service.reportToken}?id=x&state=sent`,
      'id=x',
      'application/x-www-form-urlencoded',
    );
    expect(r.status).toBe(200);
  });

  it('answers a forged report 401/403 problem+json and counts it in /health', async () => {
    expect((await app.request('/v1/callbacks/first?id=first-1&state=failed')).status).toBe(401);
    const r = await app.request('/v1/callbacks/first/not-the-token?id=first-1&state=failed');
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(
      ((await (await app.request('/health')).json()) as { refusedReports: number }).refusedReports,
    ).toBeGreaterThanOrEqual(2);
  });

  it('answers a check for a verification that does not exist with 404 problem+json', async () => {
    const r = await post('/v1/verifications/check', JSON.stringify({ to: '+6281299999999', code: '123456' }));
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers a check for a canceled verification with 404, saying why', async () => {
    const sent = (await (await post('/v1/verifications', JSON.stringify({ to: '+6281299999998' }))).json()) as {
      id: string;
    };
    expect((await app.request(`/v1/verifications/${sent.id}/cancel`, { method: 'POST' })).status).toBe(200);
    const r = await post('/v1/verifications/check', JSON.stringify({ id: sent.id, code: '123456' }));
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ verificationStatus: 'canceled', id: sent.id });
  });
});
