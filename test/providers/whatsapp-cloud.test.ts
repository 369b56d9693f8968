import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { whatsappCloudAdapter } from '../../src/providers/whatsapp-cloud/adapter.js';
import { renderStatus } from '../../src/providers/whatsapp-cloud/callbacks.js';
import { DEMO } from '../../src/providers/whatsapp-cloud/demo.js';
import { whatsappCloud } from '../../src/providers/whatsapp-cloud/index.js';
import { errorSchema, statusWebhookSchema } from '../../src/providers/whatsapp-cloud/schema.js';
import { verifyPayloadSignature } from '../../src/providers/whatsapp-cloud/signature.js';
import { createSimulator } from '../../src/simulator/app.js';
import type { CallbackRecord } from '../../src/simulator/dispatcher.js';
import { startDev } from '../../src/testing/dev.js';
import { call, useSimulator } from '../helpers/http.js';

const FAST = { speed: 10, retryDelayMs: 50, timeoutMs: 2000 };
const NOT_ON_WHATSAPP = '12025550107';
const BEARER = { authorization: `Bearer ${DEMO.token}`, 'content-type': 'application/json' };
const sample = (to = '6281234567890') => whatsappCloud.endpoints[0]!.sample!(to);
const withTemplate = (patch: (t: any) => void, to = '6281234567890') => {
  const body = structuredClone(sample(to).body) as any;
  patch(body.template);
  return body;
};

/** A webhook receiver that keeps raw bytes and answers the handshake with `answer(challenge)`. */
async function startHookReceiver() {
  const posts: { raw: string; headers: IncomingHttpHeaders }[] = [];
  const gets: Record<string, string>[] = [];
  const hook = {
    url: '',
    posts,
    gets,
    answer: (challenge: string) => challenge,
    close: () => new Promise<void>((d) => server.close(() => d())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET') {
        const query = Object.fromEntries(url.searchParams);
        gets.push(query);
        res.writeHead(200, { 'content-type': 'text/plain' }).end(hook.answer(query['hub.challenge'] ?? ''));
        return;
      }
      posts.push({ raw: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return hook;
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('whatsapp-cloud simulator: send', () => {
  const sim = createSimulator({ seed: 3 });
  const post = (path: string, body: unknown, headers: Record<string, string> = BEARER) =>
    sim.app.request(path, { method: 'POST', headers, body: JSON.stringify(body) });

  it.each(['v18.0', 'v20.0', 'v24.0'])('accepts the authentication template on %s', async (version) => {
    const r = await post(`/${version}/${DEMO.phoneNumberId}/messages`, sample().body);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await r.json()) as any;
    expect(body).toMatchObject({
      messaging_product: 'whatsapp',
      contacts: [{ input: '6281234567890', wa_id: '6281234567890' }],
      messages: [{ message_status: 'accepted' }],
    });
    expect(body.messages[0].id).toMatch(/^wamid\.[A-Za-z0-9+/]+=*$/);
  });

  it('accepts index 0 or "0", with or without language.policy, and `to` with or without +', async () => {
    for (const body of [
      withTemplate((t) => (t.components[1].index = 0)),
      withTemplate((t) => (t.language = { code: 'en_US', policy: 'deterministic' })),
      { ...(sample().body as object), to: '+6281234567890' },
    ]) {
      const r = await post(sample().path, body);
      expect(r.status, JSON.stringify(body)).toBe(200);
    }
    const latest = await (await sim.app.request('/__admin/messages/latest?to=6281234567890')).json();
    expect(latest).toMatchObject({ provider: 'whatsapp-cloud', code: '482913' });
  });

  it('answers a missing Bearer token with 401 Graph code 190', async () => {
    const r = await post(sample().path, sample().body, { 'content-type': 'application/json' });
    expect(r.status).toBe(401);
    const body = (await r.json()) as any;
    expect(errorSchema.safeParse(body).success).toBe(true);
    expect(body.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(body.error.error_data).toBeUndefined();
  });

  it('answers a non-numeric phone-number id with 400 code 100 subcode 33', async () => {
    const r = await post(`/${DEMO.version}/not-a-number/messages`, sample().body);
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error).toMatchObject({
      code: 100,
      error_subcode: 33,
      type: 'GraphMethodException',
    });
  });

  it('answers a button without its parameter with 400 and details, the OTP body with the code', async () => {
    const r = await post(
      sample().path,
      withTemplate((t) => t.components.pop()),
    );
    expect(r.status).toBe(400);
    const { error } = (await r.json()) as any;
    expect(error.message).toMatch(/^\(#13100[89]\) /);
    expect(error.error_data).toEqual({
      messaging_product: 'whatsapp',
      details: expect.stringContaining('Button at index 0'),
    });
  });

  it('throttles with HTTP 400 code 130429, never 429', async () => {
    // The catalogue's magic numbers for rate_limited: +1 208 555 0100-0199.
    const r = await post(sample().path, { ...(sample().body as object), to: '12085550142' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error.code).toBe(130429);
  });

  it('maps an unknown (unpinned) template to 404 code 132001', async () => {
    const pinned = createSimulator({ config: { providers: { 'whatsapp-cloud': { templates: ['login_otp'] } } } });
    const r = await pinned.app.request(sample().path, {
      method: 'POST',
      headers: BEARER,
      body: JSON.stringify(withTemplate((t) => (t.name = 'nope'))),
    });
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).error.code).toBe(132001);
  });

  it('pins all four: token, phone-number id, app secret and verify token', async () => {
    const pinned = createSimulator({
      config: {
        providers: {
          'whatsapp-cloud': {
            credentials: [{ token: 'tok-1', phoneNumberId: 555001 }],
            options: { appSecret: 's3cret', verifyToken: 'vt-1' },
          },
        },
      },
    });
    const send = (token: string, phone: string) =>
      pinned.app.request(`/v21.0/${phone}/messages`, {
        method: 'POST',
        headers: { ...BEARER, authorization: `Bearer ${token}` },
        body: JSON.stringify(sample().body),
      });
    expect((await send('tok-1', '555001')).status).toBe(200);
    expect((await send('other', '555001')).status).toBe(401);
    expect((await send('tok-1', '555002')).status).toBe(400);
    expect(pinned.runtime('whatsapp-cloud').state).toMatchObject({ appSecret: 's3cret', verifyToken: 'vt-1' });
  });

  it('shows the demo app secret and verify token in /__admin/providers', async () => {
    const list = (await (await sim.app.request('/__admin/providers')).json()) as any;
    const cloud = (list.providers ?? list).find((p: { id: string }) => p.id === 'whatsapp-cloud');
    expect(cloud.demoCredentials).toMatchObject({
      appSecret: DEMO.appSecret,
      verifyToken: DEMO.verifyToken,
      phone_number_id: DEMO.phoneNumberId,
    });
  });
});

describe('whatsapp-cloud simulator: webhooks', () => {
  const s = useSimulator({ callbacks: FAST });
  let hook: Awaited<ReturnType<typeof startHookReceiver>>;
  beforeAll(async () => {
    hook = await startHookReceiver();
  });
  afterAll(() => hook.close());
  beforeEach(() => {
    s.sim.simulator.reset();
    hook.posts.length = 0;
    hook.gets.length = 0;
    hook.answer = (c) => c;
  });
  const target = () =>
    call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { 'whatsapp-cloud': hook.url } });
  const send = (to: string) =>
    call(s.url + sample(to).path, { method: 'POST', headers: BEARER, json: sample(to).body });

  it('performs the verification handshake once, then posts one signed status per request', async () => {
    await target();
    const sent = await send('6281234567890');
    expect(sent.status).toBe(200);
    await until(() => hook.posts.length >= 3);
    expect(hook.gets).toHaveLength(1);
    expect(hook.gets[0]).toMatchObject({
      'hub.mode': 'subscribe',
      'hub.verify_token': DEMO.verifyToken,
      'hub.challenge': expect.stringMatching(/^\d+$/),
    });
    const statuses = hook.posts.map(({ raw, headers }) => {
      expect(Number(headers['content-length'])).toBe(Buffer.byteLength(raw));
      expect(headers['x-hub-signature-256']).toBe(
        `sha256=${createHmac('sha256', DEMO.appSecret).update(raw).digest('hex')}`,
      );
      const payload = statusWebhookSchema.parse(JSON.parse(raw));
      expect(payload.entry[0]!.id).toBe(DEMO.wabaId);
      const value = payload.entry[0]!.changes[0]!.value;
      expect(value.metadata.phone_number_id).toBe(DEMO.phoneNumberId);
      expect(value.statuses).toHaveLength(1);
      return value.statuses![0]!;
    });
    expect(statuses.map((x) => x.status).sort()).toEqual(['delivered', 'read', 'sent']);
    expect(statuses.find((x) => x.status === 'sent')).toMatchObject({
      id: sent.body.messages[0].id,
      recipient_id: '6281234567890',
      timestamp: expect.stringMatching(/^\d+$/),
      pricing: { billable: true, pricing_model: 'CBP', category: 'authentication' },
    });
  });

  it('reports a number not on WhatsApp as a failed status with 131026 after a 200', async () => {
    await target();
    expect((await send(NOT_ON_WHATSAPP)).status).toBe(200);
    await until(() => hook.posts.some((p) => p.raw.includes('"failed"')));
    const failed = hook.posts
      .map((p) => JSON.parse(p.raw).entry[0].changes[0].value.statuses[0])
      .find((x) => x.status === 'failed');
    expect(failed.errors[0]).toMatchObject({
      code: 131026,
      title: 'Message undeliverable',
      error_data: { details: expect.any(String) },
    });
  });

  it('records a wrong handshake answer and sends nothing', async () => {
    hook.answer = () => 'not the challenge';
    await target();
    await send('6281234567890');
    let records: CallbackRecord[] = [];
    await until(() => (records = s.sim.simulator.callbacks.list({ provider: 'whatsapp-cloud' })).length > 0);
    expect(records[0]!.error).toMatch(/verification handshake failed/);
    expect(hook.gets.length).toBeGreaterThan(0);
    expect(hook.posts).toHaveLength(0);
  });

  it('escapes non-ASCII as \\uXXXX in the signed body', () => {
    const native = renderStatus(
      {
        state: 'failed',
        at: 1_768_468_513_000,
        message: {
          to: '6281234567890',
          providerMessageId: 'wamid.x',
          failure: { code: 131026, title: 'Message undeliverable', details: 'número não é válido — ✓' },
        },
      },
      { appSecret: 'k', verifyToken: 'v', wabaId: '1', displayPhoneNumber: '2' },
    );
    expect(native.rawBody).toMatch(/^[\x00-\x7f]*$/);
    expect(native.rawBody).toContain('n\\u00famero n\\u00e3o \\u00e9 v\\u00e1lido \\u2014 \\u2713');
    expect(JSON.parse(native.rawBody!)).toEqual(native.body);
    expect(verifyPayloadSignature(native.rawBody!, native.headers['x-hub-signature-256'], 'k')).toBe(true);
  });
});

describe('whatsapp-cloud adapter and the core receiver', () => {
  it('reads Graph errors: a 400 throttle is rate_limited, 190 unauthorized, 131026 not_on_whatsapp', async () => {
    const replies: Record<string, [number, unknown]> = {
      throttled: [
        400,
        {
          error: {
            message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
            type: 'OAuthException',
            code: 131056,
            fbtrace_id: 'A',
          },
        },
      ],
      token: [
        401,
        {
          error: {
            message: 'Invalid OAuth access token',
            type: 'OAuthException',
            code: 190,
            error_subcode: 467,
            fbtrace_id: 'A',
          },
        },
      ],
      gone: [
        400,
        {
          error: {
            message: '(#131026) Message undeliverable',
            type: 'OAuthException',
            code: 131026,
            fbtrace_id: 'A',
          },
        },
      ],
      template: [
        404,
        {
          error: {
            message: '(#132001) Template name does not exist in the translation',
            type: 'OAuthException',
            code: 132001,
            fbtrace_id: 'A',
          },
        },
      ],
    };
    const kinds: Record<string, string | undefined> = {};
    for (const [name, [status, body]] of Object.entries(replies)) {
      const fetch = async () =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      const adapter = whatsappCloudAdapter.create(whatsappCloudAdapter.simulator('http://sim.invalid'), { fetch });
      const result = await adapter.send(
        { to: '6281234567890', code: '482913', reference: 'v1' },
        { signal: AbortSignal.timeout(5000) },
      );
      kinds[name] = result.ok ? 'ok' : result.kind;
    }
    expect(kinds).toEqual({
      throttled: 'rate_limited',
      token: 'unauthorized',
      gone: 'not_on_whatsapp',
      template: 'invalid_request',
    });
  });

  it('answers the handshake and reads signed reports end to end in waotp dev; ' +
    'refuses a bad signature with 401 and no side effect', async () => {
    const dev = await startDev({ simulatorPort: 0, port: 0, simulator: { callbacks: FAST } });
    try {
      const receiver = `${dev.core.url}/v1/callbacks/whatsapp-cloud`;
      const ok = await fetch(
        `${receiver}?hub.mode=subscribe&hub.verify_token=${DEMO.verifyToken}&hub.challenge=1158201444`,
      );
      expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
      expect((await fetch(`${receiver}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);

      const sent = await call(`${dev.core.url}/v1/verifications`, {
        method: 'POST',
        json: { to: '+6281234567890', provider: 'whatsapp-cloud' },
      });
      expect(sent.status).toBe(201);
      const records = () => dev.simulator.simulator.callbacks.list({ provider: 'whatsapp-cloud' });
      await until(() => records().filter((r) => r.status === 200).length >= 3);
      expect(records().filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(3);
      const delivered = await call(`${dev.core.url}/v1/verifications/${sent.body.id}`);
      expect(delivered.body.delivery.map((d: { state: string }) => d.state)).toEqual(
        expect.arrayContaining(['sent', 'delivered', 'read']),
      );

      const forged = renderStatus(
        {
          state: 'failed',
          at: Date.now(),
          message: { to: '6281234567890', providerMessageId: records()[0]!.providerMessageId! },
        },
        {
          appSecret: 'not-the-app-secret',
          verifyToken: '',
          wabaId: DEMO.wabaId,
          displayPhoneNumber: DEMO.displayPhoneNumber,
        },
      );
      const before = await call(`${dev.core.url}/v1/verifications/${sent.body.id}`);
      const refused = await call(receiver, { method: 'POST', headers: forged.headers, body: forged.rawBody! });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
      const after = await call(`${dev.core.url}/v1/verifications/${sent.body.id}`);
      expect(after.body).toEqual(before.body);
    } finally {
      await dev.close();
    }
  }, 30_000);
});
