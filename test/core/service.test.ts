import { describe, expect, it } from 'vitest';
import {
  CooldownError,
  DeliveryFailedError,
  InvalidPhoneError,
  TooManySendsError,
  UnknownProviderError,
} from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { createOtpService, type OtpServiceOptions } from '../../src/core/service.js';
import { createMemoryStore } from '../../src/core/stores/memory.js';
import {
  type Adapter,
  failure,
  type OtpMessage,
  type ProviderCheck,
  type SendResult,
} from '../../src/providers/adapter.js';

const SECRET = 'test-secret-0123456789';
const PHONE = '+6281234567890';

/** An adapter that answers from a script and remembers every message it was given. */
function scripted(provider: string, script: (SendResult | ((m: OtpMessage) => SendResult))[] = []) {
  const sent: OtpMessage[] = [];
  const adapter: Adapter = {
    provider,
    async send(message) {
      sent.push(message);
      const next =
        script.length > 1
          ? script.shift()!
          : (script[0] ?? { ok: true, provider, status: 201, providerMessageId: `${provider}-${sent.length}` });
      return typeof next === 'function' ? next(message) : next;
    },
  };
  return { adapter, sent, lastCode: () => sent[sent.length - 1]?.code };
}

function setup(overrides: Partial<OtpServiceOptions> = {}, providers = ['first', 'second']) {
  let now = 1_800_000_000_000;
  const clock = { now: () => now };
  const fakes = providers.map((p) => scripted(p));
  const service = createOtpService({
    secret: SECRET,
    adapters: fakes.map((f) => f.adapter),
    clock,
    store: createMemoryStore({ now: clock.now }),
    delivery: { initialBackoffMs: 1, maxBackoffMs: 5 },
    ...overrides,
  });
  return { service, fakes, advance: (ms: number) => (now += ms), code: () => fakes[0]!.lastCode()! };
}

describe('send', () => {
  it('returns a pending verification with its provider and expiry', async () => {
    const { service } = setup();
    const v = await service.send({ to: '+62 812-3456-7890' });
    expect(v).toMatchObject({ to: PHONE, status: 'pending', provider: 'first', attemptsLeft: 5 });
    expect(Date.parse(v.expiresAt) - Date.parse(v.createdAt)).toBe(10 * 60_000);
    expect(v.id).toMatch(/^VE[0-9a-f]{32}$/);
  });

  it('sends a 6-digit numeric code by default, and the configured length', async () => {
    const a = setup();
    await a.service.send({ to: PHONE });
    expect(a.code()).toMatch(/^\d{6}$/);
    const b = setup({ policy: { codeLength: 8 } });
    await b.service.send({ to: PHONE });
    expect(b.code()).toMatch(/^\d{8}$/);
  });

  it('refuses a code length outside 4-10', () => {
    expect(() => setup({ policy: { codeLength: 3 } })).toThrow();
    expect(() => setup({ policy: { codeLength: 11 } })).toThrow();
  });

  it('refuses an invalid phone number with a typed error that says so', async () => {
    const { service } = setup();
    await expect(service.send({ to: '12345' })).rejects.toBeInstanceOf(InvalidPhoneError);
    await expect(service.send({ to: 'not a phone' })).rejects.toThrow(/not a valid phone number/);
  });

  it('refuses an unknown provider', async () => {
    const { service } = setup();
    await expect(service.send({ to: PHONE, provider: 'twilio' })).rejects.toBeInstanceOf(UnknownProviderError);
  });

  it('starts with the asked-for provider', async () => {
    const { service } = setup();
    expect((await service.send({ to: PHONE, provider: 'second' })).provider).toBe('second');
  });

  it('holds a resend for 30 s, then allows it', async () => {
    const { service, advance } = setup();
    await service.send({ to: PHONE });
    advance(29_000);
    const error = await service.send({ to: PHONE }).catch((e) => e);
    expect(error).toBeInstanceOf(CooldownError);
    expect(error.retryAfterMs).toBe(1000);
    advance(1000);
    await expect(service.send({ to: PHONE })).resolves.toMatchObject({ status: 'pending' });
  });

  it('allows at most 5 sends per number per 10 minutes', async () => {
    const { service, advance } = setup();
    for (let i = 0; i < 5; i++) {
      await service.send({ to: PHONE });
      advance(30_000);
    }
    await expect(service.send({ to: PHONE })).rejects.toBeInstanceOf(TooManySendsError);
    advance(10 * 60_000);
    await expect(service.send({ to: PHONE })).resolves.toBeDefined();
  });

  it('returns the same verification for a repeated Idempotency-Key, sending once', async () => {
    const { service, fakes } = setup();
    const [a, b] = await Promise.all([
      service.send({ to: PHONE, idempotencyKey: 'k-1' }),
      service.send({ to: PHONE, idempotencyKey: 'k-1' }),
    ]);
    expect(b.id).toBe(a.id);
    expect(fakes[0]!.sent).toHaveLength(1);
  });

  it('keeps one active verification per number: a new send retires the old code', async () => {
    const { service, advance, code } = setup();
    const first = await service.send({ to: PHONE });
    const oldCode = code();
    advance(30_000);
    await service.send({ to: PHONE });
    expect((await service.get(first.id)).status).toBe('canceled');
    expect((await service.check({ id: first.id, code: oldCode })).status).toBe('canceled');
  });
});

describe('check', () => {
  it('approves the right code once', async () => {
    const { service, code } = setup();
    await service.send({ to: PHONE });
    expect(await service.check({ to: PHONE, code: code() })).toMatchObject({ status: 'approved', to: PHONE });
    expect((await service.check({ to: PHONE, code: code() })).status).toBe('not_found');
  });

  it('leaves a wrong code pending with the attempts left', async () => {
    const { service, code } = setup();
    await service.send({ to: PHONE });
    const wrong = code() === '000000' ? '111111' : '000000';
    expect(await service.check({ to: PHONE, code: wrong })).toMatchObject({ status: 'pending', attemptsLeft: 4 });
    expect((await service.check({ to: PHONE, code: code() })).status).toBe('approved');
  });

  it('locks after five wrong codes, even against the right one', async () => {
    const { service, code } = setup();
    await service.send({ to: PHONE });
    const wrong = code() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await service.check({ to: PHONE, code: wrong });
    expect((await service.check({ to: PHONE, code: code() })).status).toBe('max_attempts_reached');
  });

  it('expires after ten minutes', async () => {
    const { service, code, advance } = setup();
    await service.send({ to: PHONE });
    advance(10 * 60_000);
    expect((await service.check({ to: PHONE, code: code() })).status).toBe('expired');
  });

  it('approves once among many concurrent checks with the right code', async () => {
    const { service, code } = setup();
    await service.send({ to: PHONE });
    const results = await Promise.all(Array.from({ length: 10 }, () => service.check({ to: PHONE, code: code() })));
    expect(results.filter((r) => r.status === 'approved')).toHaveLength(1);
  });

  it('answers not_found for a number with no verification', async () => {
    const { service } = setup();
    expect((await service.check({ to: PHONE, code: '123456' })).status).toBe('not_found');
  });

  it('never stores the code: only its keyed hash', async () => {
    const store = createMemoryStore();
    const { service, code } = setup({ store });
    const v = await service.send({ to: PHONE });
    const record = await store.get(v.id);
    expect(JSON.stringify(record)).not.toContain(code());
    expect(record!.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cancels', async () => {
    const { service, code } = setup();
    const v = await service.send({ to: PHONE });
    expect((await service.cancel(v.id)).status).toBe('canceled');
    expect((await service.check({ id: v.id, code: code() })).status).toBe('canceled');
  });
});

describe('delivery', () => {
  it('fails over to the next provider on insufficient_quota', async () => {
    const quota = scripted('first', [failure('first', 'insufficient_quota', 'Quota insufficient', { status: 403 })]);
    const ok = scripted('second');
    const service = createOtpService({
      secret: SECRET,
      adapters: [quota.adapter, ok.adapter],
      delivery: { initialBackoffMs: 1 },
    });
    const v = await service.send({ to: PHONE });
    expect(v.provider).toBe('second');
    expect(quota.sent).toHaveLength(1);
    expect(ok.sent[0]!.code).toMatch(/^\d{6}$/);
  });

  it('retries a rate-limited provider no sooner than Retry-After', async () => {
    const times: number[] = [];
    const limited = scripted('first', [
      () => {
        times.push(Date.now());
        return failure('first', 'rate_limited', 'slow down', { status: 429, retryAfterMs: 300 });
      },
      () => {
        times.push(Date.now());
        return { ok: true, provider: 'first', status: 201 };
      },
    ]);
    const service = createOtpService({
      secret: SECRET,
      adapters: [limited.adapter],
      delivery: { initialBackoffMs: 1, maxBackoffMs: 5 },
    });
    await service.send({ to: PHONE });
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(290);
  });

  it('gives up with a typed error listing each attempt, without the code', async () => {
    const down = scripted('first', [failure('first', 'provider_error', 'HTTP 500', { status: 500 })]);
    const service = createOtpService({
      secret: SECRET,
      adapters: [down.adapter],
      delivery: { retries: 2, initialBackoffMs: 1, maxBackoffMs: 2 },
    });
    const error = (await service.send({ to: PHONE }).catch((e) => e)) as DeliveryFailedError;
    expect(error).toBeInstanceOf(DeliveryFailedError);
    expect(error.attempts.map((a) => a.kind)).toEqual(['provider_error', 'provider_error', 'provider_error']);
    expect(JSON.stringify(error.details())).not.toContain(down.sent[0]!.code!);
    expect((await service.get(error.verificationId)).status).toBe('failed');
  });

  it('does not fail over when the recipient is not on WhatsApp', async () => {
    const first = scripted('first', [failure('first', 'not_on_whatsapp', '1013')]);
    const second = scripted('second');
    const service = createOtpService({ secret: SECRET, adapters: [first.adapter, second.adapter] });
    await expect(service.send({ to: PHONE })).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(second.sent).toHaveLength(0);
  });

  it('opens a provider circuit after repeated failures and skips it', async () => {
    const down = scripted('first', [failure('first', 'unauthorized', '401', { status: 401 })]);
    const ok = scripted('second');
    let now = 1_800_000_000_000;
    const service = createOtpService({
      secret: SECRET,
      adapters: [down.adapter, ok.adapter],
      // Time moves between sends, not within one: the delivery deadline reads the same clock.
      clock: { now: () => now },
      policy: { maxSends: 100 },
      delivery: { breaker: { failures: 3, halfOpenAfterMs: 60_000 } },
    });
    for (let i = 0; i < 5; i++) {
      now += 60_000;
      await service.send({ to: `+628123456789${i}` });
    }
    expect(down.sent).toHaveLength(3);
    expect(ok.sent).toHaveLength(5);
    expect(service.delivery.circuit('first')).toBe('open');
  });

  it('stops at the deadline', async () => {
    const hang: Adapter = {
      provider: 'first',
      send: (_m, { signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(failure('first', 'timeout', 'timed out'))),
        ),
    };
    const service = createOtpService({
      secret: SECRET,
      adapters: [hang],
      delivery: { attemptTimeoutMs: 10_000, deadlineMs: 200, retries: 0 },
    });
    const started = Date.now();
    await expect(service.send({ to: PHONE })).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('delegated codes (the provider generates and checks)', () => {
  function delegating(checks: ProviderCheck[]) {
    const sent: OtpMessage[] = [];
    const adapter: Adapter = {
      provider: 'verihubs',
      delegatesCodes: true,
      async send(message) {
        sent.push(message);
        return { ok: true, provider: 'verihubs', status: 201, providerMessageId: 'sess-1', code: '4821' };
      },
      check: async () => checks.shift() ?? 'failed',
    };
    return { adapter, sent };
  }

  it('asks the provider, and approves once', async () => {
    const { adapter } = delegating(['wrong_code', 'approved']);
    const service = createOtpService({ secret: SECRET, adapters: [adapter] });
    await service.send({ to: PHONE });
    expect(await service.check({ to: PHONE, code: '0000' })).toMatchObject({ status: 'pending', attemptsLeft: 4 });
    expect((await service.check({ to: PHONE, code: '4821' })).status).toBe('approved');
    expect((await service.check({ to: PHONE, code: '4821' })).status).toBe('not_found');
  });
});

describe('logs', () => {
  it('never carry the code or the secret', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      info: (f, m) => lines.push(JSON.stringify([f, m])),
      warn: (f, m) => lines.push(JSON.stringify([f, m])),
      error: (f, m) => lines.push(JSON.stringify([f, m])),
    };
    const { service, code } = setup({ logger });
    await service.send({ to: PHONE });
    await service.check({ to: PHONE, code: '999999' });
    await service.check({ to: PHONE, code: code() });
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    expect(all).not.toContain(code());
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('81234567890');
  });
});

describe('delivery reports', () => {
  const report = (id: string, state: string) => ({ method: 'GET', query: { id, state }, headers: {}, body: undefined });
  const parse = (request: { query: Record<string, string> }) => [
    { providerMessageId: request.query.id!, state: request.query.state as 'failed' },
  ];

  it('records them, and resends a fresh code through the next provider when delivery fails', async () => {
    const first = scripted('first');
    const second = scripted('second');
    const service = createOtpService({
      secret: SECRET,
      adapters: [first.adapter, second.adapter],
      callbackParsers: { first: parse, second: parse },
    });
    const v = await service.send({ to: PHONE });
    const oldCode = first.lastCode()!;
    expect(
      await service.handleCallback('first', report('first-1', 'sent'), { token: service.reportToken, rawBody: '' }),
    ).toEqual({ events: 1, matched: 1 });
    await service.handleCallback('first', report('first-1', 'failed'), { token: service.reportToken, rawBody: '' });
    expect(second.sent).toHaveLength(1);
    const newCode = second.lastCode()!;
    const after = await service.get(v.id);
    expect(after.provider).toBe('second');
    expect(after.delivery.map((d) => `${d.provider}:${d.state}`)).toEqual(['first:sent', 'first:failed']);
    if (newCode !== oldCode) expect((await service.check({ to: PHONE, code: oldCode })).status).toBe('pending');
    expect((await service.check({ to: PHONE, code: newCode })).status).toBe('approved');
  });

  it('does not resend when switched off, and ignores reports for unknown messages', async () => {
    const first = scripted('first');
    const second = scripted('second');
    const service = createOtpService({
      secret: SECRET,
      adapters: [first.adapter, second.adapter],
      callbackParsers: { first: parse },
      resendOnDeliveryFailure: false,
    });
    await service.send({ to: PHONE });
    await service.handleCallback('first', report('first-1', 'failed'), { token: service.reportToken, rawBody: '' });
    expect(second.sent).toHaveLength(0);
    expect(
      await service.handleCallback('first', report('nope', 'delivered'), { token: service.reportToken, rawBody: '' }),
    ).toEqual({ events: 1, matched: 0 });
  });
});
