import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OtpMessage, SendResult } from '../../src/providers/adapter.js';
import { splashifyAdapter } from '../../src/providers/splashify/adapter.js';
import { splashify } from '../../src/providers/splashify/index.js';
import { parseConfig } from '../../src/simulator/config.js';
import { createAdminClient } from '../../src/testing/index.js';
import { call, useSimulator } from '../helpers/http.js';

const CODE = '482913';
const KEY = 'sk_live_waotpdemo00000000000000000000000';
const signal = () => AbortSignal.timeout(5000);
const otp = (to: string, extra: Partial<OtpMessage> = {}): OtpMessage => ({
  to,
  code: CODE,
  reference: 'login:42',
  ...extra,
});
const failed = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

describe('splashifyAdapter', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const adapter = () => splashifyAdapter.create(splashifyAdapter.simulator(s.url));

  it('sends a request the simulator accepts (201 in its journal) and returns the uuid id', async () => {
    const r = await adapter().send(otp('12015550101'), { signal: signal() });
    expect(r).toEqual({
      ok: true,
      provider: 'splashify',
      status: 201,
      providerMessageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const [entry] = (await call(`${s.url}/__admin/requests?limit=1`)).body.requests;
    expect(entry).toMatchObject({ provider: 'splashify', status: 201, outcome: 'accepted' });
    // The journal redacts credentials; the pinned-key test below proves the raw key is sent.
    expect(entry.request.headers.authorization).toMatch(/^Basic sk_l/);
    expect(entry.request.body).toEqual({
      fullPhoneNumber: '12015550101',
      callbackData: 'login:42',
      type: 'Template',
      template: { name: 'auth_copy_code', languageCode: 'en', bodyValues: [CODE], buttonValues: { '0': [CODE] } },
    });
  });

  it('puts the code in the inbox for the recipient, with the message id the adapter returned', async () => {
    const r = await adapter().send(otp('12015550102'), { signal: signal() });
    const message = await createAdminClient(s.url).latestMessage('12015550102');
    expect(message).toMatchObject({
      provider: 'splashify',
      to: '12015550102',
      code: CODE,
      template: 'auth_copy_code',
      language: 'en',
    });
    expect(r.ok && r.providerMessageId).toBe(message!.providerMessageId);
  });

  it('uses the configured template and language, not the message locale', async () => {
    const config = splashifyAdapter.config.parse({
      baseUrl: s.url,
      apiKey: 'sk_live_other',
      templateName: 'auth_copy_code_id',
      languageCode: 'id',
    });
    await splashifyAdapter.create(config).send(otp('12015550103', { locale: 'en' }), { signal: signal() });
    expect(await createAdminClient(s.url).latestMessage('12015550103')).toMatchObject({
      template: 'auth_copy_code_id',
      language: 'id',
    });
  });

  it('defaults the base URL to the production API and the language to en', () => {
    expect(splashifyAdapter.config.parse({ apiKey: 'k', templateName: 't' })).toEqual({
      baseUrl: 'https://apis.splashifypro.com',
      apiKey: 'k',
      templateName: 't',
      languageCode: 'en',
    });
    expect(splashifyAdapter.config.safeParse({ templateName: 't' }).success).toBe(false);
  });

  it('sends E.164 digits even when given a + or spaces, and truncates callbackData to 512 characters', async () => {
    await adapter().send(otp('+1 201 555 0104', { reference: 'x'.repeat(600) }), { signal: signal() });
    const [entry] = (await call(`${s.url}/__admin/requests?limit=1`)).body.requests;
    expect(entry.status).toBe(201);
    expect(entry.request.body.fullPhoneNumber).toBe('12015550104');
    expect(entry.request.body.callbackData).toHaveLength(512);
  });

  it('refuses a message without a code without calling Splashify, which never generates one', async () => {
    const r = failed(await adapter().send({ to: '12015550105', reference: 'r' }, { signal: signal() }));
    expect(r).toMatchObject({ kind: 'invalid_request', retryable: false });
    expect((await call(`${s.url}/__admin/requests?limit=1`)).body.requests).toEqual([]);
  });

  it.each([
    ['12035550100', 'invalid_request', false, 400],
    ['12055550100', 'unauthorized', false, 401],
    ['12065550100', 'insufficient_quota', false, 402],
    ['12075550100', 'blocked_recipient', false, 400],
    ['12085550100', 'rate_limited', true, 429],
    ['12095550100', 'provider_error', true, 500],
  ] as const)('maps the reply for %s to %s', async (to, kind, retryable, status) => {
    const r = failed(await adapter().send(otp(to), { signal: signal() }));
    expect(r).toMatchObject({ provider: 'splashify', kind, retryable, status });
    expect(r.message).toMatch(new RegExp(`^Splashify ${status}: `));
  });

  it('tells a blocked recipient from other 400s only by the text', async () => {
    const blocked = failed(await adapter().send(otp('12075550101'), { signal: signal() }));
    const invalid = failed(await adapter().send(otp('12035550101'), { signal: signal() }));
    expect([blocked.status, invalid.status]).toEqual([400, 400]);
    expect(blocked.message).toContain('Recipient has blocked this business number');
    expect([blocked.kind, invalid.kind]).toEqual(['blocked_recipient', 'invalid_request']);
  });

  it('reads Retry-After on a rate limit', async () => {
    const r = failed(await adapter().send(otp('12085550101'), { signal: signal() }));
    expect(r.retryAfterMs).toBe(1000);
  });

  it('maps a rejection by the simulator itself (OTP over 15 characters) to invalid_request', async () => {
    const r = failed(await adapter().send(otp('12015550106', { code: '1234567890123456' }), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(r.message).toMatch(/at most 15/);
    expect(r.message).not.toContain('1234567890123456');
  });

  it('maps an armed 429 then accepts: the retry the core would make goes through', async () => {
    await createAdminClient(s.url).arm({ provider: 'splashify', outcomes: ['rate_limited', 'accepted'] });
    expect(failed(await adapter().send(otp('12015550107'), { signal: signal() })).kind).toBe('rate_limited');
    expect((await adapter().send(otp('12015550107'), { signal: signal() })).ok).toBe(true);
  });

  it('times out when Splashify does not answer', async () => {
    const r = failed(await adapter().send(otp('12105550100'), { signal: AbortSignal.timeout(300) }));
    expect(r).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('reports a reset connection as a network failure', async () => {
    const r = failed(await adapter().send(otp('12135550100'), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'network', retryable: true });
  });

  it('reports a truncated 2xx body as a provider error', async () => {
    const r = failed(await adapter().send(otp('12145550100'), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'provider_error', retryable: true, status: 201 });
  });

  it('never puts the code or the key in a failure message', async () => {
    for (const to of [
      '12035550102',
      '12055550102',
      '12065550102',
      '12075550102',
      '12085550102',
      '12095550102',
      '12135550102',
      '12145550102',
    ]) {
      const r = failed(await adapter().send(otp(to), { signal: signal() }));
      expect(r.message).not.toContain(CODE);
      expect(r.message).not.toContain(KEY);
    }
  });
});

describe('splashifyAdapter against a configured simulator', () => {
  const config = parseConfig(
    {
      providers: {
        splashify: {
          credentials: [{ key: 'sk_live_pinned' }],
          templates: ['auth_copy_code'],
          blocked: ['6281234567890'],
        },
      },
    },
    [splashify],
  );
  const s = useSimulator({ config });
  beforeEach(() => s.sim.simulator.reset());
  const create = (extra: Record<string, string> = {}) =>
    splashifyAdapter.create(
      splashifyAdapter.config.parse({ ...splashifyAdapter.simulator(s.url), apiKey: 'sk_live_pinned', ...extra }),
    );

  it('is accepted with the pinned key sent raw after Basic', async () => {
    expect((await create().send(otp('6281234567891'), { signal: signal() })).ok).toBe(true);
  });

  it('is unauthorized with a key Splashify does not know', async () => {
    const r = failed(await create({ apiKey: 'sk_live_wrong' }).send(otp('6281234567891'), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'unauthorized', retryable: false, status: 401 });
    expect(r.message).not.toContain('sk_live_wrong');
  });

  it('maps an unknown template to invalid_request', async () => {
    const r = failed(await create({ templateName: 'nope' }).send(otp('6281234567891'), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(r.message).toMatch(/Template not found/);
  });

  it('maps a number on the blocked list to blocked_recipient', async () => {
    const r = failed(await create().send(otp('6281234567890'), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'blocked_recipient', retryable: false });
  });
});

describe('splashifyAdapter replies the simulator does not give', () => {
  const reply = (status: number, body: string, headers: Record<string, string> = {}) =>
    splashifyAdapter.create(splashifyAdapter.simulator('http://splashify.test/'), {
      fetch: async () => new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } }),
      now: () => Date.parse('2026-01-15T08:00:00Z'),
    });

  it('accepts a 200 and an id that is not a strict uuid rather than retrying a sent OTP', async () => {
    const r = await reply(
      200,
      JSON.stringify({ result: true, message: 'Message created successfully', id: 'msg-1' }),
    ).send(otp('6281234567890'), { signal: signal() });
    expect(r).toEqual({ ok: true, provider: 'splashify', status: 200, providerMessageId: 'msg-1' });
  });

  it('reads a 2xx with result:false as a refusal', async () => {
    const r = failed(
      await reply(
        200,
        JSON.stringify({ result: false, message: 'Please correct the following error - Template not found' }),
      ).send(otp('6281234567890'), { signal: signal() }),
    );
    expect(r).toMatchObject({ kind: 'invalid_request', retryable: false, status: 200 });
  });

  it('maps a 503 with an HTML body to provider_error with its Retry-After', async () => {
    const r = failed(
      await reply(503, '<html>Service Unavailable</html>', { 'retry-after': 'Thu, 15 Jan 2026 08:00:30 GMT' }).send(
        otp('6281234567890'),
        { signal: signal() },
      ),
    );
    expect(r).toMatchObject({ kind: 'provider_error', retryable: true, status: 503, retryAfterMs: 30_000 });
    expect(r.message).toBe('Splashify 503 without its error body');
  });

  it('maps a 413 to invalid_request and a 403 to unauthorized', async () => {
    expect(
      failed(
        await reply(
          413,
          JSON.stringify({ result: false, message: 'Please correct the following error - Request body is too large' }),
        ).send(otp('1'), { signal: signal() }),
      ).kind,
    ).toBe('invalid_request');
    expect(
      failed(
        await reply(403, JSON.stringify({ result: false, message: 'Public API is not available on your plan' })).send(
          otp('1'),
          { signal: signal() },
        ),
      ).kind,
    ).toBe('unauthorized');
  });

  it('scrubs the code and key if the provider echoes them', async () => {
    const r = failed(
      await reply(
        400,
        JSON.stringify({
          result: false,
          message: `Please correct the following error - bad value ${CODE} for key ${KEY}`,
        }),
      ).send(otp('6281234567890'), { signal: signal() }),
    );
    expect(r.message).toBe('Splashify 400: Please correct the following error - bad value *** for key ***');
  });
});

describe('splashifyAdapter.parseCallback', () => {
  const parse = splashifyAdapter.parseCallback!;
  const request = (body: unknown, event?: string) => ({
    method: 'POST',
    query: {},
    headers: {
      'content-type': 'application/json',
      'x-webhook-source': 'splashifypro',
      ...(event && { 'x-webhook-event': event }),
    },
    body,
  });
  const delivered = {
    event: 'message.delivered',
    timestamp: '2026-01-15T08:21:47Z',
    data: {
      message_id: '9d2f6a10-3b7c-4e58-a1f2-6c0b8e4d2a91',
      channel: 'whatsapp',
      status: 'delivered',
      phone_number: '6281234567890',
      callback_data: 'login:7f3a9c',
      timestamp: '2026-01-15T08:21:47Z',
    },
  };

  it("reads the fact sheet's delivered example", () => {
    expect(parse(request(delivered, 'message.delivered'))).toEqual([
      { providerMessageId: '9d2f6a10-3b7c-4e58-a1f2-6c0b8e4d2a91', state: 'delivered', at: '2026-01-15T08:21:47Z' },
    ]);
  });

  it('reads a failure with its Meta error code', () => {
    const body = {
      ...delivered,
      event: 'message.failed',
      data: { ...delivered.data, status: 'failed', error: { code: 131026, message: 'Message undeliverable' } },
    };
    expect(parse(request(body, 'message.failed'))).toEqual([
      {
        providerMessageId: delivered.data.message_id,
        state: 'failed',
        at: '2026-01-15T08:21:47Z',
        error: { code: 131026, message: 'Message undeliverable' },
      },
    ]);
  });

  it.each(['message.sent', 'message.read', 'message_read', 'message.delivered'])('reads the event name %s', (event) => {
    const body = { event, timestamp: 'T', data: { message_id: 'm1' } };
    expect(parse(request(body))).toEqual([
      { providerMessageId: 'm1', state: event.replace(/^message[._]/, ''), at: 'T' },
    ]);
  });

  it('takes the event from X-Webhook-Event when the body has none, and from data.status for a generic event', () => {
    expect(parse(request({ data: { message_id: 'm1' } }, 'message.read'))[0]?.state).toBe('read');
    expect(parse(request({ event: 'message.status', data: { message_id: 'm1', status: 'sent' } }))[0]?.state).toBe(
      'sent',
    );
  });

  it('reads a body that arrives as JSON text', () => {
    expect(parse(request(JSON.stringify(delivered)))).toHaveLength(1);
  });

  it.each([
    ['an inbound message', { event: 'message.received', data: { message_id: 'm1', status: 'read', wa_id: '62812' } }],
    ['a conversation event', { event: 'conversation.closed', data: { message_id: 'm1', status: 'delivered' } }],
    ['an unknown status', { event: 'message.queued', data: { message_id: 'm1', status: 'queued' } }],
    ['no message id', { event: 'message.delivered', data: { status: 'delivered' } }],
    ['no data', { event: 'message.delivered' }],
    ['a non-object', 'not json'],
    ['null', null],
  ])('returns no events for %s', (_, body) => {
    expect(parse(request(body))).toEqual([]);
  });
});

describe('any adapter, on a provider that answers with a redirect', () => {
  it('does not follow it: the OTP goes nowhere else, and the send fails as a network error that says why', async () => {
    const elsewhere: string[] = [];
    const target = createServer((req, res) => {
      elsewhere.push(`${req.method} ${req.url}`);
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"result":true}');
    });
    const redirecting = createServer((_req, res) => {
      const { port } = target.address() as AddressInfo;
      res.writeHead(307, { location: `http://127.0.0.1:${port}/api/v1/public/message` }).end();
    });
    await Promise.all([target, redirecting].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    try {
      const base = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
      const r = failed(
        await splashifyAdapter.create({ ...splashifyAdapter.simulator(base) }).send(otp('12015550199'), {
          signal: signal(),
        }),
      );
      expect(r).toMatchObject({ kind: 'network', message: expect.stringMatching(/redirect/) });
      expect(elsewhere).toEqual([]);
    } finally {
      await Promise.all([target, redirecting].map((s) => new Promise((r) => s.close(r))));
    }
  });
});
