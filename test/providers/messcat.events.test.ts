import { beforeEach, describe, expect, it } from 'vitest';
import { messcatCallbacks } from '../../src/providers/messcat/callbacks.js';
import { MAX_SUBSCRIPTIONS } from '../../src/providers/messcat/subscriptions.js';
import { call, useSimulator } from '../helpers/http.js';
import { useReceiver } from '../helpers/receiver.js';

const BOT = 'bot_8d3b30d69965baf7';
const TOKEN = 'apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW';
const auth = { authorization: `Bearer ${TOKEN}` };
const boom = (statusCode: number, error: string, message: string) => ({ statusCode, error, message });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: Record<string, unknown>) => `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJl`;
const scopeBits = (...bits: number[]) => Array.from({ length: 92 }, (_, i) => (bits.includes(i) ? '1' : '0')).join('');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('messcat paths', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const fire = { toContact: '6281234567890', parameters: { verificationCode: '482913' } };

  it.each(['/bots/bots/:id/fire', '/messcat/bots/bots/:id/fire', '/bots/:id/fire'])('fires at %s', async (path) => {
    const r = await call(s.url + path.replace(':id', BOT), { method: 'POST', headers: auth, json: fire });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ botId: BOT, status: 'pending' });
  });

  it.each(['/bots/bots/:id/bulk-fire', '/bots/:id/bulk-fire'])(
    'bulk-fires at %s, one record and one message per recipient',
    async (path) => {
      const json = {
        recipients: [{ id: '6281234567891' }, { id: '6281234567892', parameters: { verificationCode: '2' } }],
        parameters: { verificationCode: '1' },
      };
      const r = await call(s.url + path.replace(':id', BOT), { method: 'POST', headers: auth, json });
      expect(r.status).toBe(200);
      expect(r.body.records.map((record: { contactId: string }) => record.contactId)).toEqual([
        '6281234567891',
        '6281234567892',
      ]);
      expect((await call(`${s.url}/__admin/messages/latest?to=6281234567891`)).body.code).toBe('1');
      expect((await call(`${s.url}/__admin/messages/latest?to=6281234567892`)).body.code).toBe('2');
    },
  );

  it('refuses a bulk fire with no recipients, and one whose recipient has an empty code, in Ajv words', async () => {
    const empty = await call(`${s.url}/bots/${BOT}/bulk-fire`, {
      method: 'POST',
      headers: auth,
      json: { recipients: [] },
    });
    expect(empty.body).toEqual(boom(400, 'Bad Request', 'request/body/recipients must NOT have fewer than 1 items'));
    const bad = await call(`${s.url}/bots/${BOT}/bulk-fire`, {
      method: 'POST',
      headers: auth,
      json: { recipients: [{ id: '6281234567891', parameters: { verificationCode: '' } }] },
    });
    expect(bad.body).toEqual(
      boom(
        400,
        'Bad Request',
        'request/body/recipients/0/parameters/verificationCode must NOT have fewer than 1 characters',
      ),
    );
  });

  it.each([
    ['GET', `/bots/${BOT}/fire`],
    ['POST', `/bots/${BOT}/launch`],
    ['POST', '/bots/bots'],
    ['GET', '/events/ws'],
    ['PATCH', '/subscriptions/x'],
    ['POST', '/messcat/anything'],
  ])("answers %s %s, which no route serves, with hapi's Boom 404", async (method, path) => {
    const r = await call(s.url + path, { method, headers: auth });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(r.body).toEqual(boom(404, 'Not Found', 'Not Found'));
    // Still explained in the unmatched-request log.
    const unmatched = (await call(`${s.url}/__admin/requests/unmatched`)).body;
    expect(JSON.stringify(unmatched)).toContain(path);
  });

  it("leaves paths of no provider to waotp's problem+json", async () => {
    const r = await call(`${s.url}/nothing/here`, { method: 'POST' });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('messcat events service', () => {
  const s = useSimulator({
    callbacks: { speed: 10 },
    config: {
      providers: {
        messcat: { credentials: [{ token: 'apit_send_only', scopes: ['MESSAGES_SEND_TO_ALL'] }, { token: TOKEN }] },
      },
    },
  });
  const receiver = useReceiver(s);
  const subscribe = (json: unknown, headers: Record<string, string> = auth, base = '') =>
    call(`${s.url}${base}/subscriptions`, { method: 'POST', headers, json });
  const fire = (accountId?: string) =>
    call(`${s.url}/bots/${BOT}/fire`, {
      method: 'POST',
      headers: auth,
      json: { toContact: '6281234567890', ...(accountId && { accountId }), parameters: { verificationCode: '1' } },
    });

  it('delivers message-update items with chatId and accountId to a subscription made at /subscriptions', async () => {
    const made = await subscribe({ enabled: true, events: ['message-update'], url: `${receiver.url}/hook` });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({
      id: expect.any(String),
      enabled: true,
      userId: expect.any(String),
      type: 'webhook',
      events: ['message-update'],
    });
    const fired = await fire('acc_team');
    const got = await receiver.waitFor(3);
    for (const request of got) {
      expect(messcatCallbacks.body!.safeParse(request.body).success).toBe(true);
      expect(request.body.data[0]).toMatchObject({
        id: fired.body.messages[0].body.id,
        accountId: 'acc_team',
        chatId: '6281234567890@s.whatsapp.net',
        fromMe: true,
      });
    }
  });

  it('reports the default channel as accountId when the fire names none', async () => {
    await subscribe({ enabled: true, url: `${receiver.url}/hook` }, auth, '/events');
    const fired = await fire();
    const [first] = await receiver.waitFor(1);
    expect(first!.body.data[0].accountId).toBe(fired.body.accountId);
    expect(fired.body.accountId).toMatch(/^acc_[0-9a-f-]{36}$/);
  });

  it('sends nothing to a disabled subscription, one to other events, or one for other accounts', async () => {
    await subscribe({ enabled: false, events: ['message-update'], url: `${receiver.url}/disabled` });
    await subscribe({ enabled: true, events: ['chat-update'], url: `${receiver.url}/chats` });
    await subscribe({
      enabled: true,
      events: ['message-update'],
      accounts: ['acc_other'],
      url: `${receiver.url}/other`,
    });
    await fire('acc_team');
    await sleep(200);
    expect(receiver.received).toEqual([]);
    await fire('acc_other');
    const got = await receiver.waitFor(3);
    expect(got.map((r) => r.path)).toEqual(['/other', '/other', '/other']);
  });

  it('lists subscriptions filtered by accountId and deletes them; an unknown id is a Boom 404', async () => {
    const a = (await subscribe({ enabled: true, url: 'https://a.example.com/h', accounts: ['acc_a'] })).body;
    const b = (await subscribe({ enabled: true, url: 'https://b.example.com/h' })).body;
    const listed = await call(`${s.url}/events/subscriptions?accountId=acc_b`, { headers: auth });
    expect(listed.body.subscriptions.map((sub: { id: string }) => sub.id)).toEqual([b.id]);
    expect((await call(`${s.url}/subscriptions/${a.id}`, { method: 'DELETE', headers: auth })).body).toEqual({
      success: true,
    });
    const missing = await call(`${s.url}/subscriptions/${a.id}`, { method: 'DELETE', headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(boom(404, 'Not Found', 'subscription not found'));
  });

  it('needs CHATDADDY_HOOK: a send-only pinned token gets 403, a JWT with bit 65 passes', async () => {
    const denied = await subscribe(
      { enabled: true, url: 'https://a.example.com/h' },
      { authorization: 'Bearer apit_send_only' },
    );
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(boom(403, 'Forbidden', 'missing scopes: CHATDADDY_HOOK'));
    expect((await call(`${s.url}/subscriptions`, { headers: {} })).body).toEqual(
      boom(401, 'Unauthorized', 'Missing authentication'),
    );
  });

  it('refuses a subscription without url, or with one that is not a URL, in Ajv words', async () => {
    expect((await subscribe({ enabled: true })).body).toEqual(
      boom(400, 'Bad Request', "request/body must have required property 'url'"),
    );
    expect((await subscribe({ enabled: true, url: 'not a url' })).body).toEqual(
      boom(400, 'Bad Request', 'request/body/url must match format "uri"'),
    );
  });

  it(`keeps at most ${MAX_SUBSCRIPTIONS} subscriptions`, async () => {
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++)
      expect((await subscribe({ enabled: false, url: `https://h${i}.example.com/` })).status).toBe(200);
    const over = await subscribe({ enabled: true, url: 'https://one-more.example.com/' });
    expect(over.status).toBe(400);
    expect(over.body.message).toMatch(/at most 50 subscriptions/);
  });
});

describe('messcat events service with JWT access tokens', () => {
  const s = useSimulator();
  it('accepts a JWT whose scope claim has bit 65 (CHATDADDY_HOOK) and refuses one without it', async () => {
    const hook = jwt({ scope: scopeBits(65) });
    const send = jwt({ scope: scopeBits(59) });
    const json = { enabled: true, url: 'https://a.example.com/h' };
    expect(
      (await call(`${s.url}/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${hook}` }, json }))
        .status,
    ).toBe(200);
    expect(
      (await call(`${s.url}/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${send}` }, json }))
        .status,
    ).toBe(403);
  });
});
