import { beforeEach, describe, expect, it } from 'vitest';
import type { Adapter, OtpMessage, SendResult } from '../../src/providers/adapter.js';
import { messcatAdapter } from '../../src/providers/messcat/adapter.js';
import { messcat } from '../../src/providers/messcat/index.js';
import { messageUpdate } from '../../src/providers/messcat/schema.js';
import { createAdminClient } from '../../src/testing/index.js';
import { useSimulator } from '../helpers/http.js';

const BOT = 'bot_8d3b30d69965baf7';
const TOKEN = 'apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW';
const CODE = '482913';
const otp = (to: string, extra: Partial<OtpMessage> = {}): OtpMessage => ({
  to,
  code: CODE,
  locale: 'en',
  reference: 'v_1',
  ...extra,
});
const signal = () => AbortSignal.timeout(5000);

/** A fetch that adds headers to every request: `Prefer` picks a native status the adapter cannot ask for itself. */
const withHeaders =
  (headers: Record<string, string>): typeof fetch =>
  (input, init = {}) =>
    fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } });

/** A fetch that answers one canned reply, for shapes the simulator never gives. */
const canned =
  (status: number, body: string, headers: Record<string, string> = {}): typeof fetch =>
  async () =>
    new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });

const failed = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

describe('messcatAdapter', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const adapter = (
    deps: { fetch?: typeof fetch; now?: () => number } = {},
    config: Record<string, unknown> = {},
  ): Adapter =>
    messcatAdapter.create(messcatAdapter.config.parse({ ...messcatAdapter.simulator(s.url), ...config }), deps);
  const lastRequest = async () => (await createAdminClient(s.url).requests({ limit: 1 }))[0]!;

  it('is wired into the messcat provider definition', () => {
    expect(messcat.adapter).toBe(messcatAdapter);
  });

  it('fires the bot with a request the simulator accepts, and returns the message id of the record', async () => {
    const r = await adapter().send(otp('6281234567890'), { signal: signal() });
    const entry = await lastRequest();
    expect(entry).toMatchObject({
      provider: 'messcat',
      operationId: 'botsFire',
      path: `/bots/${BOT}/fire`,
      status: 200,
    });
    expect(entry.request.body).toEqual({ toContact: '6281234567890', parameters: { verificationCode: CODE } });
    const messageId = (entry.reply.body as { messages: { body: { id: string } }[] }).messages[0]!.body.id;
    expect(r).toEqual({ ok: true, provider: 'messcat', status: 200, providerMessageId: messageId });
  });

  it('delivers the code to the recipient, filed under the message id the webhooks will carry', async () => {
    const r = await adapter().send(otp('918074906794'), { signal: signal() });
    const message = await createAdminClient(s.url).latestMessage('918074906794');
    expect(message).toMatchObject({ provider: 'messcat', to: '918074906794', code: CODE, template: BOT });
    expect(r.ok && r.providerMessageId).toBe(message!.providerMessageId);
  });

  it('sends accountId when configured, and strips a "Bearer " prefix pasted into the token', async () => {
    const a = adapter({}, { accountId: 'acc_36dce712-a9eb-4275-96_ca8s', token: `Bearer ${TOKEN}` });
    expect((await a.send(otp('6281234567890'), { signal: signal() })).ok).toBe(true);
    const entry = await lastRequest();
    expect(entry.status).toBe(200);
    expect(entry.request.body).toMatchObject({
      accountId: 'acc_36dce712-a9eb-4275-96_ca8s',
      toContact: '6281234567890',
    });
  });

  it('sends toContact as digits only', async () => {
    expect((await adapter().send(otp('+62 812-3456-7890'), { signal: signal() })).ok).toBe(true);
    expect((await lastRequest()).request.body).toMatchObject({ toContact: '6281234567890' });
  });

  it('refuses a message without a code before calling Messcat, which generates none', async () => {
    const before = s.sim.simulator.journal.total;
    const r = failed(await adapter().send(otp('6281234567890', { code: undefined }), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'invalid_request', retryable: false });
    expect(s.sim.simulator.journal.total).toBe(before);
  });

  it.each([
    ['invalid_request', '12035550100', 400, false],
    ['unauthorized', '12055550101', 401, false],
    ['insufficient_quota', '12065550102', 402, false],
    ['blocked_recipient', '12075550103', 400, false],
    ['rate_limited', '12085550104', 429, true],
    ['provider_error', '12095550105', 500, true],
  ] as const)('maps the %s magic number to its kind', async (kind, to, status, retryable) => {
    const r = failed(await adapter().send(otp(to), { signal: signal() }));
    expect(r).toMatchObject({ provider: 'messcat', kind, status, retryable });
    expect(r.retryAfterMs).toBe(kind === 'rate_limited' ? 1000 : undefined);
  });

  it('reads a 400 "contact has blocked this account" as blocked_recipient, other 400s as invalid_request', async () => {
    const blocked = failed(await adapter().send(otp('12075550110'), { signal: signal() }));
    expect(blocked.message).toContain('contact has blocked this account');
    const invalid = failed(await adapter().send(otp('12035550110'), { signal: signal() }));
    expect(invalid.kind).toBe('invalid_request');
    expect(invalid.message).toMatch(/^messcat HTTP 400/);
  });

  it.each([
    ['code=403', 403, 'unauthorized'],
    ['code=404', 404, 'invalid_request'],
    ['code=413', 413, 'invalid_request'],
    ['code=415', 415, 'invalid_request'],
    ['code=502', 502, 'provider_error'],
    ['code=503', 503, 'provider_error'],
    ['code=504', 504, 'provider_error'],
  ] as const)('maps a native reply forced with Prefer: %s to %s', async (prefer, status, kind) => {
    const r = failed(
      await adapter({ fetch: withHeaders({ prefer }) }).send(otp('6281234567890'), { signal: signal() }),
    );
    expect(r).toMatchObject({ kind, status });
  });

  it('gives up with timeout when the attempt times out', async () => {
    const r = failed(await adapter().send(otp('12105550100'), { signal: AbortSignal.timeout(300) }));
    expect(r).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('reports a reset connection as network', async () => {
    const r = failed(await adapter().send(otp('12135550100'), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'network', retryable: true });
  });

  it('reports a 200 with a truncated body as provider_error', async () => {
    const r = failed(await adapter().send(otp('12145550100'), { signal: signal() }));
    expect(r).toMatchObject({ kind: 'provider_error', retryable: true, status: 200 });
  });

  it('keeps the code and the token out of every failure message', async () => {
    const numbers = [
      '12035550120',
      '12055550120',
      '12065550120',
      '12075550120',
      '12085550120',
      '12095550120',
      '12135550120',
      '12145550120',
    ];
    for (const to of numbers) {
      const r = failed(await adapter().send(otp(to), { signal: signal() }));
      expect(r.message).not.toContain(CODE);
      expect(r.message).not.toContain(TOKEN);
      expect(r.message).not.toContain('KjLAhu');
    }
  });

  it('redacts the code and the token when an error text echoes the request', async () => {
    const echo = JSON.stringify({
      statusCode: 400,
      error: 'Bad Request',
      message: `Unexpected token in "{"verificationCode":"${CODE}"}" for Bearer ${TOKEN}`,
    });
    const r = failed(await adapter({ fetch: canned(400, echo) }).send(otp('6281234567890'), { signal: signal() }));
    expect(r.kind).toBe('invalid_request');
    expect(r.message).not.toContain(CODE);
    expect(r.message).not.toContain(TOKEN);
    expect(r.message).toContain('***');
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const now = Date.parse('2026-01-15T08:00:00Z');
    const body = JSON.stringify({ statusCode: 429, error: 'Too Many Requests', message: 'Too Many Requests' });
    const fetch = canned(429, body, { 'retry-after': 'Thu, 15 Jan 2026 08:00:30 GMT' });
    expect(
      failed(await adapter({ fetch, now: () => now }).send(otp('6281234567890'), { signal: signal() })),
    ).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
  });

  it('classifies an error without a Boom body by its status', async () => {
    const r = failed(
      await adapter({ fetch: canned(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' }) }).send(
        otp('6281234567890'),
        { signal: signal() },
      ),
    );
    expect(r).toMatchObject({ kind: 'provider_error', status: 502, message: 'messcat HTTP 502' });
  });

  it('falls back to the record id when the record names no message id', async () => {
    const record = {
      id: 90817,
      actionId: 'act_auth_otp',
      botId: BOT,
      status: 'pending',
      contactId: '6281234567890',
      accountId: 'acc_x',
      inputParameters: {},
      createdAt: '2026-01-15T08:21:44.512Z',
      isStart: true,
      isFinal: true,
      messages: [],
    };
    const r = await adapter({ fetch: canned(200, JSON.stringify(record)) }).send(otp('6281234567890'), {
      signal: signal(),
    });
    expect(r).toEqual({ ok: true, provider: 'messcat', status: 200, providerMessageId: '90817' });
  });

  it('reports a 200 that is JSON but not an ActionFireRecord as provider_error', async () => {
    const r = failed(
      await adapter({ fetch: canned(200, '{"success":true}') }).send(otp('6281234567890'), { signal: signal() }),
    );
    expect(r).toMatchObject({ kind: 'provider_error', status: 200 });
  });
});

describe('messcatAdapter against a configured Messcat', () => {
  const s = useSimulator({
    config: {
      providers: {
        messcat: {
          credentials: [
            { token: 'apit_pinned_all', scopes: ['MESSAGES_SEND_TO_ALL'] },
            { token: 'apit_pinned_readonly', scopes: ['CONTACTS_READ_ALL'] },
          ],
          templates: [BOT, 'bot_empty00000000000'],
          quota: 1,
          blocked: ['6281111111111'],
          options: { botsWithoutStartingAction: ['bot_empty00000000000'] },
        },
      },
    },
  });
  beforeEach(() => s.sim.simulator.reset());
  const send = (config: Record<string, unknown>, to = '6281234567890') =>
    messcatAdapter
      .create(messcatAdapter.config.parse({ baseUrl: s.url, token: 'apit_pinned_all', botId: BOT, ...config }))
      .send(otp(to), { signal: signal() });

  it('maps 401 "Invalid token" to unauthorized', async () => {
    expect(failed(await send({ token: TOKEN }))).toMatchObject({ kind: 'unauthorized', status: 401, retryable: false });
  });

  it('maps 403 "missing scopes" to unauthorized', async () => {
    const r = failed(await send({ token: 'apit_pinned_readonly' }));
    expect(r).toMatchObject({ kind: 'unauthorized', status: 403, retryable: false });
    expect(r.message).toContain('missing scopes');
  });

  it('maps 404 "bot not found" to invalid_request', async () => {
    expect(failed(await send({ botId: 'bot_ffffffffffffffff' }))).toMatchObject({
      kind: 'invalid_request',
      status: 404,
      message: 'messcat HTTP 404: bot not found',
    });
  });

  it('maps 400 "bot has no starting action" to invalid_request', async () => {
    expect(failed(await send({ botId: 'bot_empty00000000000' }))).toMatchObject({
      kind: 'invalid_request',
      status: 400,
    });
  });

  it('maps a blocked contact to blocked_recipient', async () => {
    expect(failed(await send({}, '6281111111111'))).toMatchObject({
      kind: 'blocked_recipient',
      status: 400,
      retryable: false,
    });
  });

  it('maps 402 after the quota is used up to insufficient_quota', async () => {
    expect((await send({})).ok).toBe(true);
    expect(failed(await send({}))).toMatchObject({ kind: 'insufficient_quota', status: 402, retryable: false });
  });
});

describe('messcatAdapter.parseCallback', () => {
  const parse = (body: unknown) =>
    messcatAdapter.parseCallback!({ method: 'POST', query: {}, headers: { 'content-type': 'application/json' }, body });
  const item = (status: string, extra: Record<string, unknown> = {}) => ({
    chatId: '6281234567890@s.whatsapp.net',
    accountId: 'acc_4b0d77e2-1c9a-4f53-9e11-aa07c2d5be10',
    id: '3EB0A1C2D3E4F5A6B7C8',
    fromMe: true,
    timestamp: '2026-01-15T08:21:45.000Z',
    status,
    ...extra,
  });

  it('reads sent, delivered and read, one event per item, in order', () => {
    expect(parse({ event: 'message-update', data: [item('sent'), item('delivered'), item('read')] })).toEqual([
      { providerMessageId: '3EB0A1C2D3E4F5A6B7C8', state: 'sent', at: '2026-01-15T08:21:45.000Z' },
      { providerMessageId: '3EB0A1C2D3E4F5A6B7C8', state: 'delivered', at: '2026-01-15T08:21:45.000Z' },
      { providerMessageId: '3EB0A1C2D3E4F5A6B7C8', state: 'read', at: '2026-01-15T08:21:45.000Z' },
    ]);
  });

  it('reads status "error" as failed with its error', () => {
    const body = {
      event: 'message-update',
      data: [item('error', { error: { statusCode: 404, message: 'contact not on WhatsApp', retries: 0 } })],
    };
    expect(parse(body)).toEqual([
      {
        providerMessageId: '3EB0A1C2D3E4F5A6B7C8',
        state: 'failed',
        at: '2026-01-15T08:21:45.000Z',
        error: { code: 404, message: 'contact not on WhatsApp' },
      },
    ]);
  });

  it('reads an error without details as failed all the same', () => {
    expect(parse({ event: 'message-update', data: [{ id: 'm1', status: 'error' }] })).toEqual([
      { providerMessageId: 'm1', state: 'failed', error: { code: 'error', message: 'message failed' } },
    ]);
  });

  it('skips pending and note, and reads cancelled as failed', () => {
    const events = parse({
      event: 'message-update',
      data: [item('pending'), item('note', { id: 'n1' }), item('cancelled', { id: 'c1' })],
    });
    expect(events).toEqual([
      {
        providerMessageId: 'c1',
        state: 'failed',
        at: '2026-01-15T08:21:45.000Z',
        error: { code: 'cancelled', message: 'message cancelled' },
      },
    ]);
  });

  it('keeps the readable items of a batch and skips the rest, and updates of incoming messages', () => {
    const events = parse({
      event: 'message-update',
      data: [
        { status: 'sent' },
        item('delivered', { id: 'a' }),
        item('read', { id: 'b', fromMe: false }),
        'x',
        item('bogus'),
      ],
    });
    expect(events.map((e) => e.providerMessageId)).toEqual(['a']);
  });

  it('builds with messageUpdate() what it reads', () => {
    expect(parse(messageUpdate([{ id: 'm2', status: 'delivered' }]))).toEqual([
      { providerMessageId: 'm2', state: 'delivered' },
    ]);
  });

  it('reads a body still given as JSON text', () => {
    expect(parse(JSON.stringify(messageUpdate([{ id: 'm3', status: 'sent' }])))).toEqual([
      { providerMessageId: 'm3', state: 'sent' },
    ]);
  });

  it('returns no events for other events or anything unrecognised', () => {
    for (const body of [
      undefined,
      null,
      'nope',
      '{',
      [],
      {},
      { event: 'message-insert', data: [item('sent')] },
      { event: 'message-update', data: {} },
      { event: 'message-update' },
    ]) {
      expect(parse(body)).toEqual([]);
    }
  });
});
