import { beforeEach, describe, expect, it } from 'vitest';
import type { AdapterDeps, OtpMessage, SendResult } from '../../src/providers/adapter.js';
import {
  whatsappOnpremAdapter as definition,
  whatsappOnpremConfigSchema,
} from '../../src/providers/whatsapp-onprem/adapter.js';
import { whatsappOnprem } from '../../src/providers/whatsapp-onprem/index.js';
import { createAdminClient } from '../../src/testing/index.js';
import { call, useSimulator } from '../helpers/http.js';

const CODE = '482913';
const otp = (to: string, extra: Partial<OtpMessage> = {}): OtpMessage => ({
  to,
  code: CODE,
  reference: 'v_test',
  ...extra,
});
const signal = () => ({ signal: AbortSignal.timeout(5000) });
const failed = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

/** Real fetch, with every request's method, path and Authorization kept for assertions. */
function recordingFetch() {
  const seen: { method: string; path: string; authorization: string; body: any }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({
      method: init?.method ?? 'GET',
      path: new URL(String(input)).pathname,
      authorization: headers.get('authorization') ?? '',
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return fetch(input, init);
  };
  const logins = () => seen.filter((r) => r.path.endsWith('/v1/users/login'));
  const sends = () => seen.filter((r) => r.path.endsWith('/v1/messages'));
  return { fetch: fetchImpl, seen, logins, sends };
}

describe('whatsapp-onprem adapter: config', () => {
  it('defaults the language to en and keeps newPassword optional', () => {
    const config = whatsappOnpremConfigSchema.parse({
      baseUrl: 'https://wa.internal:9090',
      username: 'u',
      password: 'p',
      namespace: 'ns',
      templateName: 'login_otp',
    });
    expect(config.language).toBe('en');
    expect(config.newPassword).toBeUndefined();
  });

  it('refuses a config without namespace or template', () => {
    expect(
      whatsappOnpremConfigSchema.safeParse({ baseUrl: 'https://wa.internal', username: 'u', password: 'p' }).success,
    ).toBe(false);
  });

  it('gives a simulator config the schema accepts, wired into the provider definition', () => {
    expect(whatsappOnpremConfigSchema.parse(definition.simulator('http://127.0.0.1:4010'))).toMatchObject({
      baseUrl: 'http://127.0.0.1:4010',
      language: 'en',
    });
    expect(whatsappOnprem.adapter).toBe(definition);
  });
});

describe('whatsapp-onprem adapter: sending', () => {
  const s = useSimulator();
  const admin = () => createAdminClient(s.url);
  beforeEach(() => s.sim.simulator.reset());
  const adapter = (deps: AdapterDeps = {}, config: Record<string, unknown> = {}) =>
    definition.create(definition.config.parse({ ...definition.simulator(s.url), ...config }), {
      now: () => s.sim.simulator.clock.now(),
      ...deps,
    });

  it('logs in, then sends a request the simulator accepts with 201 and returns its message id', async () => {
    const rec = recordingFetch();
    const r = await adapter({ fetch: rec.fetch }).send(otp('12015550101'), signal());
    expect(r).toEqual({
      ok: true,
      provider: 'whatsapp-onprem',
      status: 201,
      providerMessageId: expect.stringMatching(/^gBEG/),
    });
    const journal = (await call(`${s.url}/__admin/requests?limit=2`)).body.requests;
    expect(journal.map((e: any) => [e.operationId, e.status])).toEqual([
      ['sendMessage', 201],
      ['login', 200],
    ]);
    expect(rec.logins()[0]!.authorization).toBe(`Basic ${Buffer.from('waotp:Waotp-demo-1').toString('base64')}`);
    expect(rec.sends()[0]!.authorization).toMatch(/^Bearer [A-Za-z0-9]{64}$/);
  });

  it('sends the authentication template with the code in the body and the url button', async () => {
    const rec = recordingFetch();
    await adapter({ fetch: rec.fetch }).send(otp('12015550102'), signal());
    expect(rec.sends()[0]!.body).toEqual({
      to: '12015550102',
      type: 'template',
      template: {
        namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2f3a4b5c6',
        name: 'login_otp',
        language: { code: 'en', policy: 'deterministic' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: CODE }] },
          { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: CODE }] },
        ],
      },
    });
  });

  it('puts the code and recipient in the inbox', async () => {
    const r = await adapter().send(otp('12015550103'), signal());
    const message = await admin().latestMessage('12015550103');
    expect(message).toMatchObject({
      provider: 'whatsapp-onprem',
      to: '12015550103',
      code: CODE,
      template: 'login_otp',
      language: 'en',
    });
    expect(message!.providerMessageId).toBe(r.ok && r.providerMessageId);
  });

  it('uses the message locale as the template language, in WhatsApp form', async () => {
    const rec = recordingFetch();
    await adapter({ fetch: rec.fetch }).send(otp('12015550104', { locale: 'pt-BR' }), signal());
    expect(rec.sends()[0]!.body.template.language).toEqual({ code: 'pt_BR', policy: 'deterministic' });
  });

  it('refuses a message without a code, without calling the Webapp', async () => {
    const rec = recordingFetch();
    const r = failed(await adapter({ fetch: rec.fetch }).send(otp('12015550105', { code: undefined }), signal()));
    expect(r).toMatchObject({ kind: 'invalid_request', retryable: false });
    expect(rec.seen).toHaveLength(0);
  });

  it('reports not_on_whatsapp numbers as accepted: On-Prem fails them later on the webhook (1013)', async () => {
    const r = await adapter().send(otp('12025550101'), signal());
    expect(r).toMatchObject({ ok: true, status: 201 });
    expect((await admin().latestMessage('12025550101'))!.code).toBe(CODE);
  });

  it.each([
    ['12035550101', 'invalid_request', 400, false],
    ['12065550101', 'insufficient_quota', 402, false],
    ['12075550101', 'blocked_recipient', 400, false],
    ['12095550101', 'provider_error', 500, true],
  ] as const)('maps %s to %s', async (to, kind, status, retryable) => {
    const r = failed(await adapter().send(otp(to), signal()));
    expect(r).toMatchObject({ kind, status, retryable });
    expect(r.retryAfterMs).toBeUndefined();
  });

  it('maps 429 1015 to rate_limited with the wait named in details as retryAfterMs', async () => {
    const r = failed(await adapter().send(otp('12085550101'), signal()));
    expect(r).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true, retryAfterMs: 1000 });
  });

  it('answers 404 1006 unknown contact with a contacts check (wait, force_check) and one more send', async () => {
    const rec = recordingFetch();
    const r = await adapter({ fetch: rec.fetch }).send(otp('12155550101'), signal());
    expect(r).toMatchObject({ ok: true, status: 201, providerMessageId: expect.stringMatching(/^gBEG/) });
    expect(rec.seen.map((q) => q.path)).toEqual(['/v1/users/login', '/v1/messages', '/v1/contacts', '/v1/messages']);
    expect(rec.seen[2]!.body).toEqual({ blocking: 'wait', contacts: ['+12155550101'], force_check: true });
    expect(await admin().latestOtp('12155550101')).toBe(CODE);
  });

  it('maps a 503 1011 (Coreapp not ready) to provider_error', async () => {
    // Prism's Prefer: code=503 asks the simulator for its 503 rendering.
    const prefer503: typeof fetch = (input, init) =>
      fetch(
        input,
        String(input).endsWith('/v1/messages')
          ? { ...init, headers: { ...(init?.headers as Record<string, string>), prefer: 'code=503' } }
          : init,
      );
    const r = failed(await adapter({ fetch: prefer503 }).send(otp('12015550106'), signal()));
    expect(r).toMatchObject({ kind: 'provider_error', status: 503, retryable: true });
    expect(r.message).toContain('1011');
  });

  it('maps 413 (body over 1 MB) to invalid_request', async () => {
    const r = failed(await adapter({}, { templateName: 'x'.repeat(1_100_000) }).send(otp('12015550107'), signal()));
    expect(r).toMatchObject({ kind: 'invalid_request', status: 413, retryable: false });
    expect(r.message).toContain('1001');
  });

  it('maps a 401 that persists after one re-login to unauthorized, trying exactly twice', async () => {
    const rec = recordingFetch();
    const r = failed(await adapter({ fetch: rec.fetch }).send(otp('12055550101'), signal()));
    expect(r).toMatchObject({ kind: 'unauthorized', status: 401, retryable: false });
    expect(rec.seen.map((x) => x.path)).toEqual(['/v1/users/login', '/v1/messages', '/v1/users/login', '/v1/messages']);
  });

  it('gives timeout when the Webapp does not answer before the signal', async () => {
    const r = failed(await adapter().send(otp('12105550101'), { signal: AbortSignal.timeout(300) }));
    expect(r).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('gives network when the connection is reset', async () => {
    const r = failed(await adapter().send(otp('12135550101'), signal()));
    expect(r).toMatchObject({ kind: 'network', retryable: true });
  });

  it('gives provider_error for a 201 with a truncated body', async () => {
    const r = failed(await adapter().send(otp('12145550101'), signal()));
    expect(r).toMatchObject({ kind: 'provider_error', status: 201, retryable: true });
  });

  it('never puts the code, the password or the token in a failure message', async () => {
    const rec = recordingFetch();
    const a = adapter({ fetch: rec.fetch });
    const numbers = [
      '12035550102',
      '12055550102',
      '12065550102',
      '12075550102',
      '12085550102',
      '12095550102',
      '12135550102',
      '12145550102',
    ];
    const results = await Promise.all(numbers.map((to) => a.send(otp(to), signal())));
    const tokens = rec.sends().map((x) => x.authorization.slice('Bearer '.length));
    for (const r of results.map(failed)) {
      for (const secret of [CODE, 'Waotp-demo-1', ...tokens, Buffer.from('waotp:Waotp-demo-1').toString('base64')])
        expect(r.message).not.toContain(secret);
    }
  });
});

describe('whatsapp-onprem adapter: the token', () => {
  const TTL = 3600;
  const s = useSimulator({ config: { providers: { 'whatsapp-onprem': { options: { tokenTtlSeconds: TTL } } } } });
  beforeEach(() => s.sim.simulator.reset());
  const adapter = (deps: AdapterDeps = {}, config: Record<string, unknown> = {}) =>
    definition.create(definition.config.parse({ ...definition.simulator(s.url), ...config }), {
      now: () => s.sim.simulator.clock.now(),
      ...deps,
    });
  const clock = () => s.sim.simulator.clock;

  it('logs in once and reuses the token for later sends', async () => {
    const rec = recordingFetch();
    const a = adapter({ fetch: rec.fetch });
    for (const to of ['12015550110', '12015550111', '12015550112'])
      expect((await a.send(otp(to), signal())).ok).toBe(true);
    expect(rec.logins()).toHaveLength(1);
    expect(new Set(rec.sends().map((x) => x.authorization)).size).toBe(1);
  });

  it('shares one in-flight login between concurrent sends', async () => {
    const rec = recordingFetch();
    const a = adapter({ fetch: rec.fetch });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => a.send(otp(`120155501${20 + i}`), signal())));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(rec.logins()).toHaveLength(1);
  });

  it('replaces an expired token before sending, without a 401', async () => {
    const rec = recordingFetch();
    const a = adapter({ fetch: rec.fetch });
    expect((await a.send(otp('12015550130'), signal())).ok).toBe(true);
    clock().advance((TTL + 1) * 1000);
    expect((await a.send(otp('12015550131'), signal())).ok).toBe(true);
    expect(rec.seen.map((x) => x.path)).toEqual(['/v1/users/login', '/v1/messages', '/v1/users/login', '/v1/messages']);
    const [first, second] = rec.sends();
    expect(second!.authorization).not.toBe(first!.authorization);
    const statuses = (await createAdminClient(s.url).requests({ provider: 'whatsapp-onprem' })).map((e) => e.status);
    expect(statuses).toEqual([201, 200, 201, 200]);
    // The old token really is dead on the Webapp: the refresh was needed.
    expect(
      (
        await call(`${s.url}/v1/messages`, {
          method: 'POST',
          headers: { authorization: first!.authorization },
          json: first!.body,
        })
      ).status,
    ).toBe(401);
  });

  it('refreshes a token within the margin before its expiry, while it still works', async () => {
    const rec = recordingFetch();
    const a = adapter({ fetch: rec.fetch });
    await a.send(otp('12015550132'), signal());
    clock().advance((TTL - 120) * 1000);
    expect((await a.send(otp('12015550133'), signal())).ok).toBe(true);
    expect(rec.logins()).toHaveLength(2);
    const [first] = rec.sends();
    expect(
      (
        await call(`${s.url}/v1/messages`, {
          method: 'POST',
          headers: { authorization: first!.authorization },
          json: first!.body,
        })
      ).status,
    ).toBe(201);
  });

  it('keeps the token well before the margin', async () => {
    const rec = recordingFetch();
    const a = adapter({ fetch: rec.fetch });
    await a.send(otp('12015550134'), signal());
    clock().advance(TTL * 500); // half the lifetime
    await a.send(otp('12015550135'), signal());
    expect(rec.logins()).toHaveLength(1);
  });

  it('logs in again once when a logged-out token gets 401, and the send goes through', async () => {
    const rec = recordingFetch();
    const a = adapter({ fetch: rec.fetch });
    await a.send(otp('12015550136'), signal());
    const revoked = rec.sends()[0]!.authorization;
    expect(
      (await call(`${s.url}/v1/users/logout`, { method: 'POST', headers: { authorization: revoked } })).status,
    ).toBe(200);
    const r = await a.send(otp('12015550137'), signal());
    expect(r).toMatchObject({ ok: true, status: 201 });
    expect(rec.seen.slice(2).map((x) => x.path)).toEqual(['/v1/messages', '/v1/users/login', '/v1/messages']);
    expect(rec.sends()[1]!.authorization).toBe(revoked);
    expect(rec.sends()[2]!.authorization).not.toBe(revoked);
    // The fresh token is kept: the next send needs no login.
    await a.send(otp('12015550138'), signal());
    expect(rec.logins()).toHaveLength(2);
  });

  it("sets newPassword on the factory admin's first login, and a later instance logs in with it", async () => {
    const config = { username: 'admin', password: 'secret', newPassword: 'Str0ng!pass' };
    const first = recordingFetch();
    expect((await adapter({ fetch: first.fetch }, config).send(otp('12015550140'), signal())).ok).toBe(true);
    expect(first.logins()[0]!.body).toEqual({ new_password: 'Str0ng!pass' });
    // A restarted service still has password: secret in its config; the Webapp now wants the new one.
    const second = recordingFetch();
    expect((await adapter({ fetch: second.fetch }, config).send(otp('12015550141'), signal())).ok).toBe(true);
    expect(second.logins().map((x) => x.authorization)).toEqual([
      `Basic ${Buffer.from('admin:secret').toString('base64')}`,
      `Basic ${Buffer.from('admin:Str0ng!pass').toString('base64')}`,
    ]);
  });

  it('returns unauthorized, not a throw, when the factory admin logs in without newPassword', async () => {
    const rec = recordingFetch();
    const r = failed(
      await adapter({ fetch: rec.fetch }, { username: 'admin', password: 'secret' }).send(otp('12015550142'), signal()),
    );
    expect(r).toMatchObject({ kind: 'unauthorized', status: 401, retryable: false });
    expect(r.message).toContain('1024');
    expect(r.message).not.toContain('secret');
    expect(rec.sends()).toHaveLength(0);
  });
});

describe('whatsapp-onprem adapter: pinned credentials', () => {
  const s = useSimulator({
    config: { providers: { 'whatsapp-onprem': { credentials: [{ username: 'ops', password: 'Right-pass-1' }] } } },
  });
  beforeEach(() => s.sim.simulator.reset());

  it('turns a refused login into unauthorized without sending, and names no password', async () => {
    const rec = recordingFetch();
    const a = definition.create(
      definition.config.parse({ ...definition.simulator(s.url), username: 'ops', password: 'Wrong-pass-1' }),
      { fetch: rec.fetch },
    );
    const r = failed(await a.send(otp('12015550150'), signal()));
    expect(r).toMatchObject({ kind: 'unauthorized', status: 401, retryable: false });
    expect(r.message).toMatch(/login rejected: HTTP 401 1005 Access denied/);
    expect(r.message).not.toContain('Wrong-pass-1');
    expect(rec.sends()).toHaveLength(0);
  });

  it('tries the login again on the next send after a failed one', async () => {
    const rec = recordingFetch();
    const a = definition.create(
      definition.config.parse({ ...definition.simulator(s.url), username: 'ops', password: 'Wrong-pass-1' }),
      { fetch: rec.fetch },
    );
    await a.send(otp('12015550151'), signal());
    await a.send(otp('12015550152'), signal());
    expect(rec.logins()).toHaveLength(2);
  });

  it('sends with the pinned user', async () => {
    const a = definition.create(
      definition.config.parse({ ...definition.simulator(s.url), username: 'ops', password: 'Right-pass-1' }),
    );
    expect(await a.send(otp('12015550153'), signal())).toMatchObject({ ok: true, status: 201 });
  });
});

describe('whatsapp-onprem adapter: replies the simulator does not render', () => {
  const login = () =>
    new Response(
      JSON.stringify({
        users: [{ token: 'tok-abc', expires_after: '2099-01-01 00:00:00+00:00' }],
        meta: { api_status: 'stable', version: 'v2.45.1' },
      }),
      { status: 200 },
    );
  const stub = (status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch =>
    (async (input: string | URL | Request) =>
      String(input).endsWith('/v1/users/login')
        ? login()
        : new Response(JSON.stringify(body), {
            status,
            headers: { 'content-type': 'application/json', ...headers },
          })) as typeof fetch;
  const send = (fetchImpl: typeof fetch) =>
    definition
      .create(definition.config.parse(definition.simulator('http://wa.test')), { fetch: fetchImpl })
      .send(otp('6281234567890'), signal());
  const errors = (code: number, title: string, details = '') => ({ errors: [{ code, title, details }] });

  it('maps a synchronous 400 1013 (older Webapps) to not_on_whatsapp', async () => {
    expect(failed(await send(stub(400, errors(1013, 'User is not valid'))))).toMatchObject({
      kind: 'not_on_whatsapp',
      retryable: false,
      status: 400,
    });
  });

  it('maps 400 1008 to invalid_request', async () => {
    expect(
      failed(await send(stub(400, errors(1008, 'Required parameter is missing', 'template.namespace is required')))),
    ).toMatchObject({ kind: 'invalid_request' });
  });

  it('maps a 1006 whose contacts check says invalid to not_on_whatsapp, without sending again', async () => {
    const paths: string[] = [];
    const fetchImpl = (async (input: string | URL | Request) => {
      const path = new URL(String(input)).pathname;
      paths.push(path);
      if (path === '/v1/users/login') return login();
      const body =
        path === '/v1/contacts'
          ? { contacts: [{ input: '+6281234567890', status: 'invalid' }] }
          : errors(1006, 'Resource not found', 'unknown contact');
      return new Response(JSON.stringify(body), {
        status: path === '/v1/contacts' ? 200 : 404,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    expect(failed(await send(fetchImpl))).toMatchObject({ kind: 'not_on_whatsapp', retryable: false });
    expect(paths).toEqual(['/v1/users/login', '/v1/messages', '/v1/contacts']);
  });

  it('maps a synchronous 471 Spam Rate limit hit to rate_limited', async () => {
    expect(failed(await send(stub(400, errors(471, 'Spam Rate limit hit'))))).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
    });
  });

  it('reads the wait from 1015 details when there is no Retry-After', async () => {
    expect(
      failed(await send(stub(429, errors(1015, 'Too many requests', 'Too many requests. Retry after 3 seconds.')))),
    ).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
  });

  it('masks a code the Webapp echoes in its details', async () => {
    const r = failed(
      await send(stub(400, errors(1009, 'Parameter value is not valid', `text ${CODE} is not valid; token tok-abc`))),
    );
    expect(r.message).not.toContain(CODE);
    expect(r.message).not.toContain('tok-abc');
  });

  it('accepts a 201 without meta, and reads an error body without meta', async () => {
    expect(await send(stub(201, { messages: [{ id: 'gBEGabc' }] }))).toMatchObject({
      ok: true,
      providerMessageId: 'gBEGabc',
    });
    expect(failed(await send(stub(400, errors(1007, 'Recipient blocked to receive message'))))).toMatchObject({
      kind: 'blocked_recipient',
    });
  });
});

describe('whatsapp-onprem adapter: parseCallback', () => {
  const parse = (body: unknown) => definition.parseCallback!({ method: 'POST', query: {}, headers: {}, body });

  it('reads a delivered status with its Unix-seconds timestamp', () => {
    const body = {
      statuses: [
        {
          id: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU',
          recipient_id: '6281234567890',
          status: 'delivered',
          timestamp: '1768468512',
          conversation: { id: '6f1c0e3a9b2d4c5e8f7a1b2c3d4e5f60', origin: { type: 'authentication' } },
          pricing: { billable: true, pricing_model: 'CBP', category: 'authentication' },
        },
      ],
    };
    expect(parse(body)).toEqual([
      {
        providerMessageId: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU',
        state: 'delivered',
        at: new Date(1768468512 * 1000).toISOString(),
      },
    ]);
  });

  it('reads a failed status with its first error', () => {
    const body = {
      statuses: [
        {
          id: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU',
          recipient_id: '6281234567890',
          status: 'failed',
          timestamp: '1768468513',
          type: 'message',
          message: { recipient_id: '+6281234567890' },
          errors: [
            {
              code: 1026,
              title: 'Receiver Incapable',
              href: 'https://developers.facebook.com/docs/whatsapp/api/errors/',
            },
          ],
        },
      ],
    };
    expect(parse(body)).toEqual([
      {
        providerMessageId: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU',
        state: 'failed',
        at: '2026-01-15T09:15:13.000Z',
        error: { code: 1026, message: 'Receiver Incapable' },
      },
    ]);
  });

  it('reads several statuses, skipping deleted and malformed entries', () => {
    const body = {
      statuses: [
        { id: 'a', status: 'sent', timestamp: '1768468500', recipient_id: '1' },
        { id: 'b', status: 'deleted', timestamp: '1768468501', recipient_id: '1' },
        { status: 'read', timestamp: '1768468502' },
        { id: 'c', status: 'read', timestamp: '1768468503', recipient_id: '1' },
      ],
    };
    expect(parse(body).map((e) => [e.providerMessageId, e.state])).toEqual([
      ['a', 'sent'],
      ['c', 'read'],
    ]);
  });

  it('reads a raw JSON string body too', () => {
    expect(parse(JSON.stringify({ statuses: [{ id: 'a', status: 'sent', timestamp: '1768468500' }] }))).toHaveLength(1);
  });

  it('ignores inbound messages and system error notifications', () => {
    expect(
      parse({
        contacts: [{ profile: { name: 'A' }, wa_id: '6281234567890' }],
        messages: [{ from: '6281234567890', id: 'ABGG', text: { body: 'hi' }, timestamp: '1768468512', type: 'text' }],
      }),
    ).toEqual([]);
    expect(parse({ errors: [{ code: 1014, title: 'Internal error', details: 'Coreapp restarted' }] })).toEqual([]);
  });

  it.each([undefined, null, 'not json', 42, [], { statuses: 'no' }, { statuses: [null, 1] }])(
    'returns [] for %j',
    (body) => {
      expect(parse(body)).toEqual([]);
    },
  );
});
