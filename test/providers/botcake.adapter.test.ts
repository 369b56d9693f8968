import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { OtpMessage, SendResult } from '../../src/providers/adapter.js';
import { type BotcakeConfig, botcakeAdapter } from '../../src/providers/botcake/adapter.js';
import { botcake } from '../../src/providers/botcake/index.js';
import { createAdminClient } from '../../src/testing/index.js';
import { useSimulator } from '../helpers/http.js';

const CODE = '482913';
const message = (to: string, code: string | undefined = CODE): OtpMessage => ({ to, code, reference: 'ver_1' });
const signal = () => ({ signal: AbortSignal.timeout(5000) });
type Failure = Extract<SendResult, { ok: false }>;

/** A fetch that answers one fixed reply and records what it was asked. */
function stub(status: number, body: string, headers: Record<string, string> = {}) {
  return vi.fn(
    async (_url: string | URL | Request, _init?: RequestInit) =>
      new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } }),
  );
}
const stubbed = (fetch: ReturnType<typeof stub>, config: Partial<BotcakeConfig> = {}, now?: () => number) =>
  botcakeAdapter.create(
    { ...botcakeAdapter.simulator('http://botcake.test'), ...config },
    { fetch: fetch as typeof globalThis.fetch, ...(now && { now }) },
  );

describe('botcakeAdapter against the simulator', () => {
  const s = useSimulator();
  const admin = () => createAdminClient(s.url);
  const adapter = () => botcakeAdapter.create(botcakeAdapter.simulator(s.url));
  /** Adds a request header to every call, e.g. Prism's `Prefer: code=503`. */
  const withHeader =
    (name: string, value: string): typeof fetch =>
    (url, init) =>
      fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), [name]: value } });
  const failures: Failure[] = [];
  const fail = async (to: string, options = signal(), custom = adapter()) => {
    const result = await custom.send(message(to), options);
    expect(result.ok).toBe(false);
    failures.push(result as Failure);
    return result as Failure;
  };
  beforeEach(() => s.sim.simulator.reset());

  it('sends a request the simulator accepts, answering ok with no message id', async () => {
    const result = await adapter().send(message('12015550100'), signal());
    expect(result).toEqual({ ok: true, provider: 'botcake', status: 200 });
    const [entry] = await admin().requests({ limit: 1 });
    expect(entry).toMatchObject({
      provider: 'botcake',
      operationId: 'sendFlow',
      status: 200,
      path: '/api/public_api/v1/pages/waba_1029384756102938/flows/send_flow',
      request: { body: { psid: 'wa_12015550100', flow_id: 7731, payload: { code: CODE } } },
    });
    expect(entry!.request.headers['access-token']).toBeDefined();
  });

  it('delivers the code to the wa_ psid digits in the inbox', async () => {
    await adapter().send(message('6281219110199'), signal());
    expect(await admin().latestMessage('6281219110199')).toMatchObject({
      provider: 'botcake',
      to: '6281219110199',
      code: CODE,
      template: '7731',
    });
  });

  it('puts the code under the configured codeKey', async () => {
    const custom = botcakeAdapter.create({ ...botcakeAdapter.simulator(s.url), codeKey: 'otp' });
    expect((await custom.send(message('12015550101', '135790'), signal())).ok).toBe(true);
    const [entry] = await admin().requests({ limit: 1 });
    expect(entry!.request.body).toEqual({ psid: 'wa_12015550101', flow_id: 7731, payload: { otp: '135790' } });
    expect(await admin().latestOtp('12015550101')).toBe('135790');
  });

  it('reports not_on_whatsapp as accepted: Botcake answers 200 and never says more', async () => {
    expect(await adapter().send(message('12025550100'), signal())).toEqual({
      ok: true,
      provider: 'botcake',
      status: 200,
    });
  });

  it.each([
    ['invalid_request', '12035550100', 400, false],
    ['unauthorized', '12055550100', 401, false],
    ['insufficient_quota', '12065550100', 402, false],
    ['blocked_recipient', '12075550100', 403, false],
    ['provider_error', '12095550100', 500, true],
  ] as const)('maps the native %s reply to its kind', async (kind, to, status, retryable) => {
    expect(await fail(to)).toMatchObject({ ok: false, provider: 'botcake', kind, status, retryable });
  });

  it('maps 429 to rate_limited with Retry-After as retryAfterMs', async () => {
    expect(await fail('12085550100')).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      retryable: true,
      retryAfterMs: 1000,
    });
  });

  it('maps 503 to a retryable provider_error', async () => {
    const custom = botcakeAdapter.create(botcakeAdapter.simulator(s.url), { fetch: withHeader('prefer', 'code=503') });
    expect(await fail('12015550102', signal(), custom)).toMatchObject({
      kind: 'provider_error',
      status: 503,
      retryable: true,
      message: 'HTTP 503: service unavailable',
    });
  });

  it('maps 413 to invalid_request', async () => {
    const custom = botcakeAdapter.create(botcakeAdapter.simulator(s.url), { fetch: withHeader('prefer', 'code=413') });
    expect(await fail('12015550103', signal(), custom)).toMatchObject({
      kind: 'invalid_request',
      status: 413,
      retryable: false,
    });
  });

  it('names the native error text in the failure message', async () => {
    expect((await fail('12075550101')).message).toBe('HTTP 403: customer has blocked this page');
    expect((await fail('12035550101')).message).toBe('HTTP 400: your params wrong');
  });

  it('turns a reply that never comes into timeout', async () => {
    expect(await fail('12105550100', { signal: AbortSignal.timeout(300) })).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
  });

  it('turns a closed connection into network', async () => {
    expect(await fail('12135550100')).toMatchObject({ kind: 'network', retryable: true });
  });

  it('turns a truncated 2xx body into provider_error', async () => {
    expect(await fail('12145550100')).toMatchObject({ kind: 'provider_error', status: 200, retryable: true });
  });

  it('never puts the code or the token in a failure message', () => {
    expect(failures.length).toBeGreaterThanOrEqual(10);
    const token = botcakeAdapter.simulator(s.url).accessToken;
    for (const { message } of failures) {
      expect(message).not.toContain(CODE);
      expect(message).not.toContain(token);
    }
  });
});

describe('botcakeAdapter against a simulator with pinned credentials', () => {
  const s = useSimulator({
    config: { providers: { botcake: { credentials: [{ token: 'tok_right', page: 'waba_1029384756102938' }] } } },
  });

  it('maps a token the page does not know to unauthorized without naming it', async () => {
    const adapter = botcakeAdapter.create({ ...botcakeAdapter.simulator(s.url), accessToken: 'tok_wrong_secret' });
    const result = (await adapter.send(message('6281219110199'), signal())) as Failure;
    expect(result).toMatchObject({
      ok: false,
      kind: 'unauthorized',
      status: 401,
      retryable: false,
      message: 'HTTP 401: invalid access token',
    });
    expect(result.message).not.toContain('tok_wrong_secret');
  });

  it('sends with the pinned token', async () => {
    const adapter = botcakeAdapter.create({ ...botcakeAdapter.simulator(s.url), accessToken: 'tok_right' });
    expect((await adapter.send(message('6281219110199'), signal())).ok).toBe(true);
  });
});

describe('botcakeAdapter replies', () => {
  it('treats 200 with success false as a retryable provider_error naming the text', async () => {
    const result = await stubbed(stub(200, '{"success":false,"message":"flow is paused"}')).send(
      message('6281219110199'),
      signal(),
    );
    expect(result).toEqual({
      ok: false,
      provider: 'botcake',
      kind: 'provider_error',
      retryable: true,
      status: 200,
      message: 'HTTP 200 with success not true: flow is paused',
    });
  });

  it('treats 200 without success true as a provider_error', async () => {
    for (const body of ['{}', '{"success":"true"}', '{"success":null}']) {
      expect(await stubbed(stub(200, body)).send(message('6281219110199'), signal())).toMatchObject({
        ok: false,
        kind: 'provider_error',
        status: 200,
      });
    }
  });

  it('treats a 2xx that is not a JSON object as malformed', async () => {
    for (const body of ['<html>ok</html>', '[]', '', 'true']) {
      expect(await stubbed(stub(200, body)).send(message('6281219110199'), signal())).toMatchObject({
        ok: false,
        kind: 'provider_error',
        status: 200,
      });
    }
  });

  it('reads a 403 that does not speak of a block as unauthorized', async () => {
    const result = await stubbed(stub(403, '{"success":false,"message":"permission denied"}')).send(
      message('6281219110199'),
      signal(),
    );
    expect(result).toMatchObject({ kind: 'unauthorized', status: 403, retryable: false });
  });

  it('classifies by status when the error body is not Botcake JSON', async () => {
    const send = (status: number) =>
      stubbed(stub(status, '<html>nginx</html>')).send(message('6281219110199'), signal());
    expect(await send(400)).toMatchObject({ kind: 'invalid_request', message: 'HTTP 400' });
    expect(await send(413)).toMatchObject({ kind: 'invalid_request' });
    expect(await send(502)).toMatchObject({ kind: 'provider_error', retryable: true });
  });

  it('reads an HTTP-date Retry-After against the injected clock', async () => {
    const now = () => Date.parse('2025-01-01T00:00:00Z');
    const fetch = stub(429, '{"success":false,"message":"too many requests"}', {
      'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT',
    });
    expect(await stubbed(fetch, {}, now).send(message('6281219110199'), signal())).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 30_000,
    });
  });

  it('scrubs the code and the token from provider text that echoes them', async () => {
    const token = botcakeAdapter.simulator('http://x').accessToken;
    const fetch = stub(400, JSON.stringify({ success: false, message: `bad payload ${CODE} for ${token}` }));
    const result = (await stubbed(fetch).send(message('6281219110199'), signal())) as Failure;
    expect(result.message).toBe('HTTP 400: bad payload *** for ***');
  });

  it('sends the documented request: access-token header, wa_ psid, integer flow_id', async () => {
    const fetch = stub(200, '{"success":true}');
    await stubbed(fetch, { baseUrl: 'https://botcake.io', pageId: 'waba_42424242', flowId: 99 }).send(
      message('6281219110199'),
      signal(),
    );
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('https://botcake.io/api/public_api/v1/pages/waba_42424242/flows/send_flow');
    expect(init!.method).toBe('POST');
    expect((init!.headers as Record<string, string>)['access-token']).toBe(
      botcakeAdapter.simulator('http://x').accessToken,
    );
    expect((init!.headers as Record<string, string>).authorization).toBeUndefined();
    expect(JSON.parse(init!.body as string)).toEqual({
      psid: 'wa_6281219110199',
      flow_id: 99,
      payload: { code: CODE },
    });
  });

  it.each([['+6281219110199'], ['62 812 1911 0199'], ['wa_6281219110199'], ['abc'], [''], ['0812191101']])(
    'refuses recipient %j as invalid_request without calling Botcake',
    async (to) => {
      const fetch = stub(200, '{"success":true}');
      expect(await stubbed(fetch).send(message(to), signal())).toMatchObject({
        ok: false,
        kind: 'invalid_request',
        retryable: false,
      });
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  it.each([[undefined], ['']])(
    'refuses a message with code %j as invalid_request without calling Botcake',
    async (code) => {
      const fetch = stub(200, '{"success":true}');
      expect(await stubbed(fetch).send({ to: '6281219110199', code, reference: 'ver_1' }, signal())).toMatchObject({
        ok: false,
        kind: 'invalid_request',
      });
      expect(fetch).not.toHaveBeenCalled();
    },
  );
});

describe('botcakeAdapter definition', () => {
  it('has no parseCallback: Botcake documents no delivery webhook', () => {
    expect(botcakeAdapter.parseCallback).toBeUndefined();
  });

  it('is wired into the botcake slice', () => {
    expect(botcake.adapter).toBe(botcakeAdapter);
  });

  it('builds its simulator config from the slice demo credentials and sample flow', () => {
    const config = botcakeAdapter.simulator('http://127.0.0.1:4010/');
    const sample = botcake.endpoints[0]!.sample!('6281219110199');
    expect(config).toEqual({
      baseUrl: 'http://127.0.0.1:4010',
      accessToken: botcake.demoCredentials['access-token'],
      pageId: botcake.demoCredentials.page_id,
      flowId: (sample.body as { flow_id: number }).flow_id,
      codeKey: 'code',
    });
  });

  it('defaults baseUrl to botcake.io and codeKey to code', () => {
    expect(botcakeAdapter.config.parse({ accessToken: 't', pageId: 'waba_1', flowId: 1 })).toEqual({
      baseUrl: 'https://botcake.io',
      accessToken: 't',
      pageId: 'waba_1',
      flowId: 1,
      codeKey: 'code',
    });
  });

  it.each([
    ['a numeric Facebook page', { pageId: '104857600123456' }],
    ['a string flow id', { flowId: '7731' }],
    ['an empty token', { accessToken: '' }],
    ['a base URL that is not a URL', { baseUrl: 'botcake' }],
  ])('refuses %s', (_, patch) => {
    expect(botcakeAdapter.config.safeParse({ accessToken: 't', pageId: 'waba_1', flowId: 1, ...patch }).success).toBe(
      false,
    );
  });
});
