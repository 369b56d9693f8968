import { beforeEach, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src/providers/adapter.js';
import { type VerihubsConfig, verihubsAdapter } from '../../src/providers/verihubs/adapter.js';
import { CALLBACK_STATUSES } from '../../src/providers/verihubs/callbacks.js';
import { createAdminClient } from '../../src/testing/index.js';
import { call, useSimulator } from '../helpers/http.js';

const MSISDN = '6281234567890';
const CODE = '482913';
const SESSION_ID = '6b0e9c1a-2f4d-4e8b-9a77-1c3d5e7f9a20';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const signal = () => ({ signal: AbortSignal.timeout(5000) });

/** A fetch that answers every request with one fixed reply, for statuses no scenario renders. */
const fixedFetch = (status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch =>
  (async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    })) as typeof fetch;

describe('verihubsAdapter', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());

  const adapterFor = (overrides: Partial<VerihubsConfig> = {}) =>
    verihubsAdapter.create({ ...verihubsAdapter.simulator(s.url), ...overrides });
  const lastRequest = async () => (await call(`${s.url}/__admin/requests?limit=1`)).body.requests[0];
  const latest = async (to: string) => (await call(`${s.url}/__admin/messages/latest?to=${to}`)).body;

  describe('send', () => {
    it('sends the code to the v2 path and returns the session_id', async () => {
      const result = await adapterFor().send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal());
      expect(result).toEqual({
        ok: true,
        provider: 'verihubs',
        status: 201,
        providerMessageId: expect.stringMatching(UUID),
      });
      const entry = await lastRequest();
      expect(entry).toMatchObject({ status: 201, path: '/v2/whatsapp/otp/send', operationId: 'sendWhatsappOtpV2' });
      expect(entry.request.body).toEqual({ msisdn: MSISDN, content: [], otp: CODE, time_limit: '600' });
    });

    it('puts the code on the recipient phone', async () => {
      const result = await adapterFor().send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal());
      const message = await latest(MSISDN);
      expect(message).toMatchObject({ provider: 'verihubs', to: MSISDN, code: CODE });
      expect(result.ok && result.providerMessageId).toBe(message.providerMessageId);
    });

    it('sends the configured template, language, challenge, callback and content on v1', async () => {
      const adapter = adapterFor({
        version: 'v1',
        templateName: 'otp_login',
        langCode: 'en',
        challenge: 'login',
        callbackUrl: 'https://otp.example.com/hooks/verihubs',
        content: ['Masuk'],
        timeLimitSeconds: 300,
      });
      const result = await adapter.send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal());
      expect(result.ok).toBe(true);
      const entry = await lastRequest();
      expect(entry).toMatchObject({ status: 201, path: '/v1/whatsapp/otp/send' });
      expect(entry.request.body).toEqual({
        msisdn: MSISDN,
        content: ['Masuk'],
        otp: CODE,
        challenge: 'login',
        time_limit: '300',
        lang_code: 'en',
        template_name: 'otp_login',
        callback_url: 'https://otp.example.com/hooks/verihubs',
      });
    });

    it("prefers the message's locale, reduced to its language, over the configured langCode", async () => {
      await adapterFor({ langCode: 'en' }).send(
        { to: MSISDN, code: CODE, locale: 'id-ID', reference: 'ver_1' },
        signal(),
      );
      expect((await lastRequest()).request.body.lang_code).toBe('id');
    });

    it('sends the App-ID and API-Key headers', async () => {
      await adapterFor({ appId: 'app-42', apiKey: 'secret-key-42' }).send(
        { to: MSISDN, code: CODE, reference: 'ver_1' },
        signal(),
      );
      const entry = await lastRequest();
      expect(entry.status).toBe(201);
      expect(entry.request.headers['app-id']).toBe('app-42');
      expect(JSON.stringify(entry.request.headers)).not.toContain('secret-key-42');
    });

    it('refuses to send without a code when delegation is off, without calling Verihubs', async () => {
      const result = await adapterFor().send({ to: MSISDN, reference: 'ver_1' }, signal());
      expect(result).toMatchObject({ ok: false, kind: 'invalid_request', retryable: false });
      expect((await call(`${s.url}/__admin/requests`)).body.requests).toHaveLength(0);
    });
  });

  describe('rejections', () => {
    it.each([
      ['12035550100', 'invalid_request', 400, false],
      ['12055550100', 'unauthorized', 401, false],
      ['12065550100', 'insufficient_quota', 403, false],
      ['12075550100', 'blocked_recipient', 409, false],
      ['12095550100', 'provider_error', 500, true],
    ] as const)('maps %s to %s', async (to, kind, status, retryable) => {
      const result = await adapterFor().send({ to, code: CODE, reference: 'ver_1' }, signal());
      expect(result).toMatchObject({ ok: false, provider: 'verihubs', kind, status, retryable });
    });

    it('maps 429 to rate_limited with Retry-After in ms', async () => {
      const result = await adapterFor().send({ to: '12085550100', code: CODE, reference: 'ver_1' }, signal());
      expect(result).toMatchObject({
        ok: false,
        kind: 'rate_limited',
        status: 429,
        retryable: true,
        retryAfterMs: 1000,
      });
    });

    it('maps the real per-App-ID rate limit to rate_limited', async () => {
      const adapter = adapterFor({ appId: 'app-rate' });
      const results = await Promise.all(
        Array.from({ length: 55 }, (_, i) =>
          adapter.send({ to: `62812345${String(i).padStart(5, '0')}`, code: CODE, reference: `ver_${i}` }, signal()),
        ),
      );
      expect(results.filter((r) => !r.ok)).not.toHaveLength(0);
      for (const r of results.filter((r) => !r.ok))
        expect(r).toMatchObject({ kind: 'rate_limited', retryAfterMs: expect.any(Number) });
    });

    it('maps an armed quota rule to insufficient_quota', async () => {
      await createAdminClient(s.url).arm({ provider: 'verihubs', outcome: 'insufficient_quota' });
      const result = await adapterFor().send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal());
      expect(result).toMatchObject({
        ok: false,
        kind: 'insufficient_quota',
        message: 'Verihubs answered HTTP 403: Quota insufficient',
      });
    });

    it('maps a timeout to timeout', async () => {
      const result = await adapterFor().send(
        { to: '12105550100', code: CODE, reference: 'ver_1' },
        { signal: AbortSignal.timeout(300) },
      );
      expect(result).toMatchObject({ ok: false, kind: 'timeout', retryable: true });
    });

    it('maps a reset connection to network', async () => {
      const result = await adapterFor().send({ to: '12135550100', code: CODE, reference: 'ver_1' }, signal());
      expect(result).toMatchObject({ ok: false, kind: 'network', retryable: true });
    });

    it('maps a malformed success body to provider_error', async () => {
      const result = await adapterFor().send({ to: '12145550100', code: CODE, reference: 'ver_1' }, signal());
      expect(result).toMatchObject({ ok: false, kind: 'provider_error', retryable: true, status: 201 });
    });

    it.each([
      [413, { message: 'Request entity too large' }, 'invalid_request'],
      [503, { message: 'Service unavailable' }, 'provider_error'],
      [403, { message: 'Forbidden' }, 'unauthorized'],
      [409, { message: 'Conflict' }, 'invalid_request'],
      [404, 'not json', 'invalid_request'],
      [402, {}, 'insufficient_quota'],
    ] as const)('maps HTTP %i %j to %s', async (status, body, kind) => {
      const adapter = verihubsAdapter.create(verihubsAdapter.simulator('http://verihubs.test'), {
        fetch: fixedFetch(status, body),
      });
      expect(await adapter.send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal())).toMatchObject({
        ok: false,
        kind,
        status,
      });
    });

    it('reads an HTTP-date Retry-After against the injected clock', async () => {
      const now = () => Date.parse('2030-01-01T00:00:00Z');
      const fetch = fixedFetch(
        429,
        { message: 'Too many request in the allowed time frame' },
        { 'retry-after': 'Tue, 01 Jan 2030 00:00:05 GMT' },
      );
      const adapter = verihubsAdapter.create(verihubsAdapter.simulator('http://verihubs.test'), { fetch, now });
      expect(await adapter.send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal())).toMatchObject({
        kind: 'rate_limited',
        retryAfterMs: 5000,
      });
    });

    it('treats a 201 without a session_id as malformed', async () => {
      const adapter = verihubsAdapter.create(verihubsAdapter.simulator('http://verihubs.test'), {
        fetch: fixedFetch(201, { message: 'OTP sent successfully' }),
      });
      expect(await adapter.send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal())).toMatchObject({
        ok: false,
        kind: 'provider_error',
      });
    });

    it('accepts a 201 whose message is worded differently', async () => {
      const adapter = verihubsAdapter.create(verihubsAdapter.simulator('http://verihubs.test'), {
        fetch: fixedFetch(201, { message: 'OTP sent', session_id: SESSION_ID }),
      });
      expect(await adapter.send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal())).toMatchObject({
        ok: true,
        providerMessageId: SESSION_ID,
      });
    });

    it('never puts the code or the credentials in a failure message', async () => {
      const config = { appId: 'app-secret-id', apiKey: 'key-secret-value' };
      const adapter = adapterFor(config);
      const numbers = [
        '12035550100',
        '12055550100',
        '12065550100',
        '12075550100',
        '12085550100',
        '12095550100',
        '12135550100',
        '12145550100',
      ];
      const results: SendResult[] = await Promise.all(
        numbers.map((to) => adapter.send({ to, code: CODE, reference: 'ver_1' }, signal())),
      );
      const echoing = verihubsAdapter.create(
        { ...verihubsAdapter.simulator('http://verihubs.test'), ...config },
        {
          fetch: fixedFetch(400, { message: `bad otp ${CODE} for key-secret-value` }),
        },
      );
      results.push(await echoing.send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal()));
      for (const result of results) {
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        for (const secret of [CODE, config.appId, config.apiKey]) expect(result.message).not.toContain(secret);
      }
    });
  });

  describe('delegation', () => {
    it('lets Verihubs generate the code and returns it', async () => {
      const adapter = adapterFor({ delegate: true });
      expect(adapter.delegatesCodes).toBe(true);
      const result = await adapter.send({ to: MSISDN, reference: 'ver_1' }, signal());
      expect(result).toMatchObject({
        ok: true,
        status: 201,
        providerMessageId: expect.stringMatching(UUID),
        code: expect.stringMatching(/^\d{4}$/),
      });
      const entry = await lastRequest();
      expect(entry.status).toBe(201);
      expect(entry.request.body).not.toHaveProperty('otp');
      expect((await latest(MSISDN)).code).toBe(result.ok && result.code);
    });

    it('omits a code the core passed anyway', async () => {
      await adapterFor({ delegate: true }).send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal());
      expect((await lastRequest()).request.body).not.toHaveProperty('otp');
      expect((await latest(MSISDN)).code).not.toBe(CODE);
    });

    it('does not return the echoed code when the core made it', async () => {
      const result = await adapterFor().send({ to: MSISDN, code: CODE, reference: 'ver_1' }, signal());
      expect(result).not.toHaveProperty('code');
    });

    it('approves the inbox code once and calls a wrong code wrong_code', async () => {
      const adapter = adapterFor({ delegate: true, challenge: 'login' });
      await adapter.send({ to: MSISDN, reference: 'ver_1' }, signal());
      const code = (await latest(MSISDN)).code;
      const wrong = code === '0000' ? '1111' : '0000';
      expect(await adapter.check!({ to: MSISDN, code: wrong }, signal())).toBe('wrong_code');
      expect(await adapter.check!({ to: MSISDN, code }, signal())).toBe('approved');
      expect((await lastRequest()).request.body).toEqual({ msisdn: MSISDN, otp: code, challenge: 'login' });
      expect(await adapter.check!({ to: MSISDN, code }, signal())).toBe('wrong_code');
    });

    it('calls the right code expired after time_limit', async () => {
      const adapter = adapterFor({ delegate: true, timeLimitSeconds: 120 });
      await adapter.send({ to: MSISDN, reference: 'ver_1' }, signal());
      const code = (await latest(MSISDN)).code;
      s.sim.simulator.clock.advance(121_000);
      expect(await adapter.check!({ to: MSISDN, code }, signal())).toBe('expired');
    });

    it('checks on the configured version', async () => {
      const adapter = adapterFor({ delegate: true, version: 'v1' });
      await adapter.send({ to: MSISDN, reference: 'ver_1' }, signal());
      expect(await adapter.check!({ to: MSISDN, code: (await latest(MSISDN)).code }, signal())).toBe('approved');
      expect((await lastRequest()).path).toBe('/v1/whatsapp/otp/verify');
    });

    it.each([
      ['a rate limit', '12085550100'],
      ['a provider error', '12095550100'],
      ['a reset connection', '12135550100'],
    ])('calls %s failed', async (_, to) => {
      expect(await adapterFor({ delegate: true }).check!({ to, code: '1234' }, signal())).toBe('failed');
    });

    it('does not approve on a 200 whose body is unreadable', async () => {
      const adapter = adapterFor({ delegate: true });
      const to = '12145550100';
      // The malformed send still stores the session, so the right code gets the truncated 200.
      expect(await adapter.send({ to, reference: 'ver_1' }, signal())).toMatchObject({
        ok: false,
        kind: 'provider_error',
      });
      expect(await adapter.check!({ to, code: (await latest(to)).code }, signal())).toBe('failed');
      expect((await lastRequest()).status).toBe(200);
    });

    it('calls a timeout failed', async () => {
      expect(
        await adapterFor({ delegate: true }).check!(
          { to: '12105550100', code: '1234' },
          { signal: AbortSignal.timeout(300) },
        ),
      ).toBe('failed');
    });
  });

  describe('parseCallback', () => {
    const callback = (query: Record<string, string>, extra: { method?: string; body?: unknown } = {}) =>
      verihubsAdapter.parseCallback!({ method: extra.method ?? 'GET', query, headers: {}, body: extra.body });

    it("reads the fact sheet's example callback", () => {
      expect(callback({ session_id: SESSION_ID, status: '2' })).toEqual([
        { providerMessageId: SESSION_ID, state: 'delivered' },
      ]);
    });

    it.each([
      ['1', 'sent'],
      ['2', 'delivered'],
      ['3', 'read'],
      ['4', 'verified'],
      ['5', 'unverified'],
    ])('maps status %s to %s', (status, state) => {
      expect(callback({ session_id: SESSION_ID, status })).toEqual([{ providerMessageId: SESSION_ID, state }]);
    });

    it.each(CALLBACK_STATUSES.filter((s) => s.code >= 6).map((s) => [s.code, s.name] as const))(
      'maps status %i to failed "%s"',
      (code, name) => {
        expect(callback({ session_id: SESSION_ID, status: String(code) })).toEqual([
          { providerMessageId: SESSION_ID, state: 'failed', error: { code, message: name } },
        ]);
      },
    );

    it('skips 0 Requested', () => {
      expect(callback({ session_id: SESSION_ID, status: '0' })).toEqual([]);
    });

    it.each([
      ['an unknown status', { session_id: SESSION_ID, status: '11' }],
      ['a non-numeric status', { session_id: SESSION_ID, status: 'delivered' }],
      ['no session_id', { status: '2' }],
      ['no status', { session_id: SESSION_ID }],
      ['nothing', {}],
    ])('returns nothing for %s', (_, query) => {
      expect(callback(query as Record<string, string>)).toEqual([]);
    });

    it('reads the same fields from a POST body', () => {
      expect(callback({}, { method: 'POST', body: { session_id: SESSION_ID, status: 3 } })).toEqual([
        { providerMessageId: SESSION_ID, state: 'read' },
      ]);
      expect(callback({}, { method: 'POST', body: `session_id=${SESSION_ID}&status=6` })).toMatchObject([
        { state: 'failed' },
      ]);
    });

    it('never throws on garbage', () => {
      for (const body of [null, 42, 'x', [], { status: {} }])
        expect(callback({}, { method: 'POST', body })).toEqual([]);
      expect(
        verihubsAdapter.parseCallback!({ method: 'GET', query: undefined as never, headers: {}, body: undefined }),
      ).toEqual([]);
    });
  });

  describe('config', () => {
    it('fills the defaults', () => {
      expect(verihubsAdapter.config.parse({ appId: 'a', apiKey: 'k' })).toEqual({
        baseUrl: 'https://api.verihubs.com',
        appId: 'a',
        apiKey: 'k',
        version: 'v2',
        timeLimitSeconds: 600,
        content: [],
        delegate: false,
      });
    });

    it('rejects a missing key and an unknown version', () => {
      expect(verihubsAdapter.config.safeParse({ appId: 'a' }).success).toBe(false);
      expect(verihubsAdapter.config.safeParse({ appId: 'a', apiKey: 'k', version: 'v3' }).success).toBe(false);
    });
  });
});
