import { beforeEach, describe, expect, it } from 'vitest';
import { messcat } from '../../src/providers/messcat/index.js';
import { actionFireRecordSchema, errorSchema } from '../../src/providers/messcat/schema.js';
import { REJECTIONS } from '../../src/providers/outcomes.js';
import { parseConfig } from '../../src/simulator/config.js';
import { createIds } from '../../src/simulator/ids.js';
import { call, useSimulator } from '../helpers/http.js';

const BOT = 'bot_8d3b30d69965baf7';
const TOKEN = 'apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW';
const path = (bot = BOT) => `/bots/${bot}/fire`;
const auth = { authorization: `Bearer ${TOKEN}` };
const fire = (code: unknown = '482913', toContact = '6281234567890') => ({
  toContact,
  parameters: { verificationCode: code },
});
const boom = (statusCode: number, error: string, message: string) => ({ statusCode, error, message });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A ChatDaddy-style access token: scopes as a bit string indexed by scope number (58 = TO_ASSIGNED, 59 = TO_ALL). */
const jwt = (payload: Record<string, unknown>) => `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJl`;
const scopeBits = (...bits: number[]) => Array.from({ length: 92 }, (_, i) => (bits.includes(i) ? '1' : '0')).join('');

describe('messcat', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const send = (json: unknown, { bot = BOT, headers = auth as Record<string, string> } = {}) =>
    call(s.url + path(bot), { method: 'POST', headers, json });
  const latest = async (to: string) => (await call(`${s.url}/__admin/messages/latest?to=${to}`)).body;

  it('accepts the seed example request as written (comma fixed) with 200 and a pending ActionFireRecord', async () => {
    const r = await call(`${s.url}/bots/bot_8d3b30d69965baf7/fire`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        Authorization: 'Bearer apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW',
      },
      body: JSON.stringify({
        accountId: 'acc_36dce712-a9eb-4275-96_ca8s',
        toContact: '918074906794',
        parameters: { verificationCode: '123456' },
      }),
    });
    expect(r.status).toBe(200);
    expect(actionFireRecordSchema.parse(r.body)).toEqual({
      id: expect.any(Number),
      actionId: expect.stringMatching(/^act_[A-Za-z0-9]{12}$/),
      botId: BOT,
      status: 'pending',
      contactId: '918074906794',
      accountId: 'acc_36dce712-a9eb-4275-96_ca8s',
      inputParameters: { verificationCode: '123456' },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      isStart: true,
      isFinal: true,
      messages: [{ statusCode: 200, body: { id: expect.stringMatching(/^3EB0[0-9A-F]{16}$/), status: 'pending' } }],
    });
  });

  it('captures the OTP of the seed example with the flow text and the message id', async () => {
    const r = await send({
      accountId: 'acc_36dce712-a9eb-4275-96_ca8s',
      toContact: '918074906794',
      parameters: { verificationCode: '123456' },
    });
    expect(await latest('%2B918074906794')).toMatchObject({
      provider: 'messcat',
      to: '918074906794',
      code: '123456',
      text: 'Hello !\nHere is your OTP: 123456',
      template: BOT,
      providerMessageId: r.body.messages[0].body.id,
    });
  });

  it('renders parameters.name into the flow text', async () => {
    await send({ toContact: '6281234567890', parameters: { verificationCode: '482913', name: 'Rina' } });
    expect((await latest('6281234567890')).text).toBe('Hello Rina !\nHere is your OTP: 482913');
  });

  it('takes a numeric verificationCode as its digits', async () => {
    expect((await send(fire(482913))).status).toBe(200);
    expect((await latest('6281234567890')).code).toBe('482913');
  });

  it('serves the same endpoint under /messcat', async () => {
    const r = await call(`${s.url}/messcat${path()}`, { method: 'POST', headers: auth, json: fire() });
    expect(r.status).toBe(200);
    expect(r.body.botId).toBe(BOT);
  });

  it('numbers fire records with increasing integer ids', async () => {
    const first = (await send(fire())).body.id;
    const second = (await send(fire())).body.id;
    expect(Number.isInteger(first)).toBe(true);
    expect(second).toBe(first + 1);
  });

  it('reproduces record ids, action ids and message ids after a reset with the same seed', async () => {
    const before = (await send(fire())).body;
    s.sim.simulator.reset();
    const after = (await send(fire())).body;
    expect([after.id, after.actionId, after.messages[0].body.id]).toEqual([
      before.id,
      before.actionId,
      before.messages[0].body.id,
    ]);
  });

  it('gives a bot the same starting action on every fire, and another bot its own', async () => {
    const a1 = (await send(fire())).body.actionId;
    const a2 = (await send(fire())).body.actionId;
    const other = (await send(fire(), { bot: 'bot_0000000000000001' })).body.actionId;
    expect(a2).toBe(a1);
    expect(other).not.toBe(a1);
  });

  it('sends from the default acc_ channel when accountId is left out', async () => {
    const first = (await send(fire())).body;
    expect(first.accountId).toMatch(/^acc_[0-9a-f-]{36}$/);
    expect((await send(fire())).body.accountId).toBe(first.accountId);
  });

  it('echoes every parameter in inputParameters', async () => {
    const r = await send({
      toContact: '6281234567890',
      parameters: { verificationCode: '482913', name: 'Rina', orderId: 77 },
    });
    expect(r.body.inputParameters).toEqual({ verificationCode: '482913', name: 'Rina', orderId: 77 });
  });

  it('uses messageSendOptions.messageId as the message id', async () => {
    const r = await send({ ...fire(), messageSendOptions: { messageId: 'otp-42', simulateTyping: false } });
    expect(r.body.messages[0].body.id).toBe('otp-42');
    expect((await latest('6281234567890')).providerMessageId).toBe('otp-42');
  });

  it('accepts a number without WhatsApp as pending and captures the message as failing', async () => {
    const r = await send(fire('482913', '12025550100'));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('pending');
    expect(await latest('12025550100')).toMatchObject({
      outcome: 'not_on_whatsapp',
      code: '482913',
      failure: { title: 'contact not on WhatsApp' },
    });
  });

  it.each([
    ['500', 'scenario=provider_error', 500, boom(500, 'Internal Server Error', 'An internal server error occurred')],
    ['503', 'code=503', 503, boom(503, 'Service Unavailable', 'Service Unavailable')],
    ['403', 'code=403', 403, boom(403, 'Forbidden', 'missing scopes: MESSAGES_SEND_TO_ALL')],
    ['404', 'code=404', 404, boom(404, 'Not Found', 'bot not found')],
  ])('answers %s when asked with Prefer: %s', async (_, prefer, status, body) => {
    const r = await send(fire(), { headers: { ...auth, prefer } });
    expect(r.status).toBe(status);
    expect(r.body).toEqual(body);
  });

  describe('auth', () => {
    it('answers 401 "Missing authentication" without an Authorization header', async () => {
      const r = await send(fire(), { headers: {} });
      expect(r.status).toBe(401);
      expect(r.body).toEqual(boom(401, 'Unauthorized', 'Missing authentication'));
    });

    it.each([
      ['a token that is neither apit_ nor a JWT', { authorization: 'Bearer KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW' }],
      ['"Bearer" written twice', { authorization: `Bearer Bearer ${TOKEN}` }],
      ['the Basic scheme', { authorization: `Basic ${TOKEN}` }],
      ['a JWT whose payload is not JSON', { authorization: 'Bearer abc.def.ghi' }],
    ])('answers 401 "Invalid token" for %s', async (_, headers) => {
      const r = await send(fire(), { headers });
      expect(r.status).toBe(401);
      expect(r.body).toEqual(boom(401, 'Unauthorized', 'Invalid token'));
    });

    it('accepts a JWT access token carrying MESSAGES_SEND_TO_ALL', async () => {
      const token = jwt({ scope: scopeBits(59), exp: Math.floor(Date.now() / 1000) + 3600 });
      expect((await send(fire(), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    });

    it('accepts a JWT access token carrying only MESSAGES_SEND_TO_ASSIGNED', async () => {
      const token = jwt({ scope: scopeBits(58) });
      expect((await send(fire(), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    });

    it('answers 403 for a JWT access token without a send scope', async () => {
      const token = jwt({ scope: scopeBits(3, 15) });
      const r = await send(fire(), { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(403);
      expect(r.body).toEqual(boom(403, 'Forbidden', 'missing scopes: MESSAGES_SEND_TO_ALL'));
    });

    it('answers 401 "Token expired" once the simulator clock passes the JWT exp', async () => {
      const token = jwt({ scope: scopeBits(59), exp: Math.floor(s.sim.simulator.clock.now() / 1000) + 3600 });
      expect((await send(fire(), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      s.sim.simulator.clock.advance(3600_000);
      const r = await send(fire(), { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(401);
      expect(r.body).toEqual(boom(401, 'Unauthorized', 'Token expired'));
    });

    it('checks the token before the body', async () => {
      const r = await send({}, { headers: {} });
      expect(r.status).toBe(401);
    });
  });

  describe('validation', () => {
    it.each([
      [
        'no toContact',
        { parameters: { verificationCode: '1' } },
        "request/body must have required property 'toContact'",
      ],
      [
        'a numeric toContact',
        { toContact: 918074906794, parameters: { verificationCode: '1' } },
        'request/body/toContact must be string',
      ],
      [
        'a + in toContact',
        fire('1', '+918074906794'),
        'request/body/toContact must match pattern "^[1-9][0-9]{6,14}$"',
      ],
      [
        'a national toContact with a leading 0',
        fire('1', '08123456789'),
        'request/body/toContact must match pattern "^[1-9][0-9]{6,14}$"',
      ],
      ['a numeric accountId', { ...fire(), accountId: 7 }, 'request/body/accountId must be string'],
      [
        'parameters as an array',
        { toContact: '6281234567890', parameters: ['123456'] },
        'request/body/parameters must be object',
      ],
      [
        'a non-boolean simulateTyping',
        { ...fire(), messageSendOptions: { simulateTyping: 'yes' } },
        'request/body/messageSendOptions/simulateTyping must be boolean',
      ],
      [
        'a scheduleAt that is no date-time',
        { ...fire(), messageSendOptions: { scheduleAt: 'tomorrow' } },
        'request/body/messageSendOptions/scheduleAt must match format "date-time"',
      ],
      ['a JSON array body', [fire()], 'request/body must be object'],
    ])('answers 400 in Ajv wording for %s', async (_, json, message) => {
      const r = await send(json);
      expect(r.status).toBe(400);
      expect(r.body).toEqual(boom(400, 'Bad Request', message));
    });

    it.each([
      [
        'no parameters.verificationCode',
        { toContact: '6281234567890', parameters: { name: 'Rina' } },
        "request/body/parameters must have required property 'verificationCode'",
      ],
      [
        'an empty verificationCode',
        fire(''),
        'request/body/parameters/verificationCode must NOT have fewer than 1 characters',
      ],
      ['an object verificationCode', fire({ value: '1' }), 'request/body/parameters/verificationCode must be string'],
    ])('refuses a fire with %s with 400 and sends nothing', async (_, json, message) => {
      const r = await send(json);
      expect(r.status).toBe(400);
      expect(r.body).toEqual(boom(400, 'Bad Request', message));
      expect((await call(`${s.url}/__admin/messages/latest?to=6281234567890`)).status).toBe(404);
    });

    it('answers an empty body as the validator sees {}: toContact is required', async () => {
      const r = await call(s.url + path(), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '',
      });
      expect(r.status).toBe(400);
      expect(r.body).toEqual(boom(400, 'Bad Request', "request/body must have required property 'toContact'"));
    });

    it('answers malformed JSON with 400 and the parser message', async () => {
      const r = await call(s.url + path(), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"toContact":"918074906794"\n"parameters":{}}',
      });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('Bad Request');
      expect(r.body.message).toMatch(/JSON/);
      expect(r.body.message).not.toMatch(/^body is not valid JSON/);
    });

    it('answers a non-JSON content type with 415', async () => {
      const r = await call(s.url + path(), {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: JSON.stringify(fire()),
      });
      expect(r.status).toBe(415);
      expect(r.body).toEqual(boom(415, 'Unsupported Media Type', 'unsupported media type text/plain'));
    });

    it('answers a body over 1 MB with 413', async () => {
      const r = await send({ ...fire(), parameters: { verificationCode: '1', padding: 'x'.repeat(1024 * 1024) } });
      expect(r.status).toBe(413);
      expect(r.body).toEqual(
        boom(413, 'Request Entity Too Large', 'Payload content length greater than maximum allowed: 1048576'),
      );
    });
  });
});

describe('messcat with a config file', () => {
  const s = useSimulator({
    config: {
      providers: {
        messcat: {
          credentials: [
            { token: 'apit_pinned_all', scopes: ['MESSAGES_SEND_TO_ALL'] },
            { token: 'apit_pinned_assigned', scopes: ['MESSAGES_SEND_TO_ASSIGNED'] },
            { token: 'apit_pinned_readonly', scopes: ['CONTACTS_READ_ALL', 'TEMPLATES_READ'] },
            { token: 'Bearer apit_pinned_as_shown' },
          ],
          templates: [BOT, 'bot_empty00000000000'],
          quota: 2,
          blocked: ['6281111111111'],
          options: { botsWithoutStartingAction: ['bot_empty00000000000'] },
        },
      },
    },
  });
  beforeEach(() => s.sim.simulator.reset());
  const send = (token: string, json: unknown = fire(), bot = BOT) =>
    call(s.url + path(bot), { method: 'POST', headers: { authorization: `Bearer ${token}` }, json });

  it('accepts a pinned token with MESSAGES_SEND_TO_ALL', async () => {
    expect((await send('apit_pinned_all')).status).toBe(200);
  });

  it('accepts a pinned token with only MESSAGES_SEND_TO_ASSIGNED', async () => {
    expect((await send('apit_pinned_assigned')).status).toBe(200);
  });

  it('gives a pinned token written with its "Bearer " prefix and no scopes MESSAGES_SEND_TO_ALL', async () => {
    expect((await send('apit_pinned_as_shown')).status).toBe(200);
  });

  it('answers 401 for an apit_ token that is not pinned', async () => {
    const r = await send(TOKEN);
    expect(r.status).toBe(401);
    expect(r.body).toEqual(boom(401, 'Unauthorized', 'Invalid token'));
  });

  it('answers 403 "missing scopes" for a pinned token without a send scope', async () => {
    const r = await send('apit_pinned_readonly');
    expect(r.status).toBe(403);
    expect(r.body).toEqual(boom(403, 'Forbidden', 'missing scopes: MESSAGES_SEND_TO_ALL'));
  });

  it('answers 404 "bot not found" for a bot id that is not pinned', async () => {
    const r = await send('apit_pinned_all', fire(), 'bot_ffffffffffffffff');
    expect(r.status).toBe(404);
    expect(r.body).toEqual(boom(404, 'Not Found', 'bot not found'));
  });

  it('answers 400 "bot has no starting action" for a bot configured without one', async () => {
    const r = await send('apit_pinned_all', fire(), 'bot_empty00000000000');
    expect(r.status).toBe(400);
    expect(r.body).toEqual(boom(400, 'Bad Request', 'bot has no starting action'));
  });

  it('refuses a blocked contact with 400', async () => {
    const r = await send('apit_pinned_all', fire('1', '6281111111111'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual(boom(400, 'Bad Request', 'contact has blocked this account'));
  });

  it('answers 402 once the quota of sends is used up', async () => {
    expect((await send('apit_pinned_all')).status).toBe(200);
    expect((await send('apit_pinned_all')).status).toBe(200);
    const r = await send('apit_pinned_all');
    expect(r.status).toBe(402);
    expect(r.body).toEqual(boom(402, 'Payment Required', 'insufficient credits to send message'));
  });
});

describe('messcat with a rate limit', () => {
  const s = useSimulator({ config: { providers: { messcat: { rateLimit: { limit: 3, windowMs: 60_000 } } } } });
  beforeEach(() => s.sim.simulator.reset());
  const send = () => call(s.url + path(), { method: 'POST', headers: auth, json: fire() });

  it('answers 429 with Retry-After over the configured rate limit, and recovers when the window passes', async () => {
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    const r = await send();
    expect(r.status).toBe(429);
    expect(r.body).toEqual(boom(429, 'Too Many Requests', 'Too Many Requests'));
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    s.sim.simulator.clock.advance(60_000);
    expect((await send()).status).toBe(200);
  });
});

describe('messcat config', () => {
  it('validates pinned credentials as {token, scopes?}', () => {
    expect(() =>
      parseConfig(
        { providers: { messcat: { credentials: [{ token: 'apit_x', scopes: ['MESSAGES_SEND_TO_ALL'] }] } } },
        [messcat],
      ),
    ).not.toThrow();
    expect(() => parseConfig({ providers: { messcat: { credentials: [{ key: 'apit_x' }] } } }, [messcat])).toThrow(
      /credentials\[0\]/,
    );
  });

  it('refuses unknown provider options when the state is made', () => {
    const settings = { options: { botsWithoutStart: ['bot_x'] } };
    expect(() => messcat.createState({ now: Date.now, ids: createIds(1), settings })).toThrow(
      /providers\.messcat\.options/,
    );
  });
});

describe('messcat.reject', () => {
  const send = messcat.endpoints[0]!;

  it.each(REJECTIONS)('renders %s with a documented 4xx/5xx status and a Boom body', (outcome) => {
    const reply = messcat.reject(outcome);
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(send.responses).map(Number)).toContain(reply.status);
    expect(errorSchema.parse(reply.body).statusCode).toBe(reply.status);
  });

  it.each([
    ['unauthorized', 403],
    ['invalid_request', 404],
    ['invalid_request', 413],
    ['invalid_request', 415],
    ['provider_error', 502],
    ['provider_error', 503],
    ['provider_error', 504],
  ] as const)('renders %s with status %i when asked, as documented', (outcome, status) => {
    const reply = messcat.reject(outcome, { status });
    expect(reply.status).toBe(status);
    expect(Object.keys(send.responses).map(Number)).toContain(status);
    expect(errorSchema.parse(reply.body).statusCode).toBe(status);
  });

  it('falls back to 500 for a server error status it does not document', () => {
    expect(messcat.reject('provider_error', { status: 507 }).status).toBe(500);
  });

  it('sets Retry-After from the reason', () => {
    expect(messcat.reject('rate_limited', { retryAfter: 7 }).headers).toEqual({ 'retry-after': '7' });
  });
});
