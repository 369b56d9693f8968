import { beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../../src/providers/index.js';
import { messcatCallbacks } from '../../src/providers/messcat/callbacks.js';
import { splashifyCallbacks } from '../../src/providers/splashify/callbacks.js';
import { callbackQuerySchema } from '../../src/providers/verihubs/callbacks.js';
import { whatsappOnpremCallbacks } from '../../src/providers/whatsapp-onprem/callbacks.js';
import { createSimulator } from '../../src/simulator/app.js';
import type { CallbackRecord } from '../../src/simulator/dispatcher.js';
import { call, useSimulator } from '../helpers/http.js';
import { useOwnSimulator, useReceiver } from '../helpers/receiver.js';

// Speed 10: sent at 10 ms, delivered at 30 ms, read at 80 ms after the send (failed at 30 ms).
const FAST = { speed: 10, retryDelayMs: 50, timeoutMs: 2000 };
const PLAIN = '6281234567890';
const NOT_ON_WHATSAPP = '12025550107';
const VERIHUBS_HEADERS = { 'App-ID': 'app-1', 'API-Key': 'key-1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the provider's own sample request to `to`, with body fields and headers added. */
function send(
  base: string,
  id: string,
  to: string,
  { body = {}, headers = {} }: { body?: Record<string, unknown>; headers?: Record<string, string> } = {},
) {
  const endpoint = providers.find((p) => p.id === id)!.endpoints.find((e) => e.kind === 'send')!;
  const sample = endpoint.sample!(to);
  return call(base + sample.path, {
    method: endpoint.method,
    headers: { ...sample.headers, ...headers },
    json: { ...(sample.body as object), ...body },
  });
}

const attempts = async (base: string, query = '', headers: Record<string, string> = {}) =>
  (await call(`${base}/__admin/callbacks${query}`, { headers })).body.callbacks as CallbackRecord[];

describe('delivery callbacks', () => {
  const s = useSimulator({ callbacks: FAST });
  const receiver = useReceiver(s);

  describe('verihubs', () => {
    const sendOtp = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      send(s.url, 'verihubs', PLAIN, {
        body: { callback_url: `${receiver.url}/hooks/verihubs?tenant=a`, ...body },
        headers,
      });
    const verify = (otp: string) =>
      call(`${s.url}/v2/whatsapp/otp/verify`, {
        method: 'POST',
        headers: VERIHUBS_HEADERS,
        json: { msisdn: PLAIN, otp, challenge: 'login' },
      });

    it("GETs callback_url?session_id=…&status=N with 0, 1, 2, 3, keeping the URL's own query", async () => {
      const sent = await sendOtp();
      expect(sent.status).toBe(201);
      const got = await receiver.waitFor(4);
      expect(got.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET']);
      expect(got.map((r) => r.path)).toEqual(Array(4).fill('/hooks/verihubs'));
      for (const r of got) {
        expect(callbackQuerySchema.safeParse(r.query).success).toBe(true);
        expect(r.query).toMatchObject({ tenant: 'a', session_id: sent.body.session_id });
      }
      // 10 ms apart at speed 10: concurrent deliveries may overtake each other (the plan's order is timeline.test.ts').
      expect(got.map((r) => r.query.status).sort()).toEqual(['0', '1', '2', '3']);
    });

    it('sends 4 once the code is verified, after the read report', async () => {
      const sent = await sendOtp();
      expect((await verify(sent.body.otp)).status).toBe(200);
      const got = await receiver.waitFor(5);
      expect(
        got
          .map((r) => r.query.status)
          .slice(0, 4)
          .sort(),
      ).toEqual(['0', '1', '2', '3']);
      expect(got[4]!.query.status).toBe('4');
      await sleep(100);
      expect(receiver.received).toHaveLength(5);
    });

    it('sends 5 when the clock is advanced past time_limit without a verify, and never 4', async () => {
      await sendOtp({ time_limit: '60' });
      await receiver.waitFor(4);
      await sleep(30);
      expect(receiver.received).toHaveLength(4);
      const moved = await call(`${s.url}/__admin/clock`, { method: 'POST', json: { advance: '61s' } });
      expect(moved.status).toBe(200);
      const got = await receiver.waitFor(5);
      expect(got.map((r) => r.query.status)).toEqual(['0', '1', '2', '3', '5']);
    });

    it('does not send 5 for a code verified in time', async () => {
      const sent = await sendOtp({ time_limit: '60' });
      await verify(sent.body.otp);
      await receiver.waitFor(5);
      s.sim.simulator.clock.advance(120_000);
      await sleep(50);
      const statuses = receiver.received.map((r) => r.query.status);
      expect(statuses.slice(0, 4).sort()).toEqual(['0', '1', '2', '3']);
      expect(statuses.slice(4)).toEqual(['4']);
    });

    it('sends 0 then 6 alone for a number without WhatsApp', async () => {
      await send(s.url, 'verihubs', NOT_ON_WHATSAPP, { body: { callback_url: `${receiver.url}/v` } });
      await receiver.waitFor(2);
      await sleep(100);
      expect(receiver.received.map((r) => r.query.status)).toEqual(['0', '6']);
    });

    it('sends nothing without a callback_url, and records a callback_url that is not a URL as an error', async () => {
      await send(s.url, 'verihubs', PLAIN);
      await send(s.url, 'verihubs', '6281234567891', { body: { callback_url: 'your-callback-url.com/callback' } });
      await sleep(120);
      const records = await attempts(s.url);
      expect(records).toHaveLength(4);
      expect(records.every((r) => r.error?.startsWith('invalid URL') && r.status === undefined)).toBe(true);
      expect(receiver.received).toHaveLength(0);
    });
  });

  describe('whatsapp-onprem', () => {
    const patch = (application: unknown) =>
      call(`${s.url}/v1/settings/application`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer t' },
        json: application,
      });

    it('POSTs {statuses:[…]} to the webhook PATCH /v1/settings/application set, sent only when on', async () => {
      await patch({ webhooks: { url: `${receiver.url}/wa` } });
      const first = await send(s.url, 'whatsapp-onprem', PLAIN);
      let got = await receiver.waitFor(2);
      await sleep(30);
      expect(receiver.received.map((r) => r.body.statuses[0].status)).toEqual(['delivered', 'read']);

      receiver.clear();
      await patch({ webhooks: { message: { sent: true } } });
      const second = await send(s.url, 'whatsapp-onprem', PLAIN);
      got = await receiver.waitFor(3);
      expect(got.map((r) => r.body.statuses[0].status)).toEqual(['sent', 'delivered', 'read']);
      for (const r of got) {
        expect(r.method).toBe('POST');
        expect(r.path).toBe('/wa');
        expect(r.headers['content-type']).toContain('application/json');
        expect(whatsappOnpremCallbacks.body!.safeParse(r.body).success).toBe(true);
        expect(r.body.statuses[0]).toMatchObject({
          id: second.body.messages[0].id,
          recipient_id: PLAIN,
          timestamp: expect.stringMatching(/^\d{10}$/),
        });
      }
      expect(first.body.messages[0].id).not.toBe(second.body.messages[0].id);
    });

    it('reports an undeliverable message as one failed status carrying the error', async () => {
      await patch({ webhooks: { url: `${receiver.url}/wa` } });
      await send(s.url, 'whatsapp-onprem', NOT_ON_WHATSAPP);
      const [failed] = await receiver.waitFor(1);
      await sleep(100);
      expect(receiver.received).toHaveLength(1);
      expect(whatsappOnpremCallbacks.body!.safeParse(failed!.body).success).toBe(true);
      expect(failed!.body.statuses[0]).toMatchObject({
        status: 'failed',
        errors: [{ code: 1013, title: 'User is not valid' }],
      });
    });

    it('retries a receiver that fails twice: the third attempt gets through', async () => {
      await patch({ webhooks: { url: `${receiver.url}/wa` } });
      let failures = 0;
      receiver.answer = (r) => (r.body.statuses[0].status === 'delivered' && failures++ < 2 ? 500 : 200);
      await send(s.url, 'whatsapp-onprem', PLAIN);
      const delivered = await receiver.waitFor(3, 3000, (r) => r.body.statuses[0].status === 'delivered');
      expect(delivered).toHaveLength(3);
      const records = (await attempts(s.url, '?provider=whatsapp-onprem'))
        .filter((r) => r.event === 'delivered')
        .reverse();
      expect(records.map((r) => [r.attempt, r.status])).toEqual([
        [1, 500],
        [2, 500],
        [3, 200],
      ]);
      expect(records[0]!.error).toBe('receiver answered 500');
      expect(records[2]!.error).toBeUndefined();
    });

    it('gives up after the documented number of attempts', async () => {
      await patch({ webhooks: { url: `${receiver.url}/wa` } });
      receiver.answer = () => 503;
      await send(s.url, 'whatsapp-onprem', NOT_ON_WHATSAPP);
      // 5, 10, 20, 40 ms between attempts (50 ms doubling, at speed 10).
      const got = await receiver.waitFor(5, 3000);
      await sleep(150);
      expect(got).toHaveLength(whatsappOnpremCallbacks.delivery.attempts);
      expect(receiver.received).toHaveLength(5);
    });
  });

  describe('splashify', () => {
    const target = (url: string | null) =>
      call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: url } });

    it(
      'POSTs {event,timestamp,data} with its X-Webhook headers and the callbackData, ' +
        'to the target set through the admin API',
      async () => {
        expect((await target(`${receiver.url}/splashify`)).body).toEqual({ splashify: `${receiver.url}/splashify` });
        const sent = await send(s.url, 'splashify', PLAIN, { body: { callbackData: 'login:7f3a9c' } });
        const got = await receiver.waitFor(3);
        expect(got.map((r) => r.body.event)).toEqual(['message.sent', 'message.delivered', 'message.read']);
        for (const r of got) {
          expect(splashifyCallbacks.body!.safeParse(r.body).success).toBe(true);
          expect(r.headers['x-webhook-event']).toBe(r.body.event);
          expect(r.headers['x-webhook-source']).toBe('splashifypro');
          expect(r.body.data).toMatchObject({
            message_id: sent.body.id,
            channel: 'whatsapp',
            phone_number: PLAIN,
            callback_data: 'login:7f3a9c',
          });
          expect(r.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
        }
      },
    );

    it('does not retry: one attempt per event even when the receiver fails', async () => {
      await target(`${receiver.url}/splashify`);
      receiver.answer = () => 500;
      await send(s.url, 'splashify', PLAIN);
      await receiver.waitFor(3);
      await sleep(200);
      expect(receiver.received.map((r) => r.body.event)).toEqual(['message.sent', 'message.delivered', 'message.read']);
      const records = await attempts(s.url, '?provider=splashify');
      expect(records.map((r) => [r.attempt, r.status])).toEqual([
        [1, 500],
        [1, 500],
        [1, 500],
      ]);
    });

    it('sends message.failed with an error for a number without WhatsApp', async () => {
      await target(`${receiver.url}/splashify`);
      await send(s.url, 'splashify', NOT_ON_WHATSAPP);
      const [failed] = await receiver.waitFor(1);
      expect(failed!.body).toMatchObject({
        event: 'message.failed',
        data: { status: 'failed', error: { code: 131026 } },
      });
    });

    it('sends nothing without a target, and refuses targets for providers that take none', async () => {
      await send(s.url, 'splashify', PLAIN);
      await sleep(120);
      expect(await attempts(s.url)).toEqual([]);
      expect(
        (await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { verihubs: receiver.url } })).status,
      ).toBe(400);
      expect(
        (await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { botcake: receiver.url } })).status,
      ).toBe(400);
      expect(
        (await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: 'ftp://x' } })).status,
      ).toBe(400);
    });
  });

  describe('botcake', () => {
    it('sends no callbacks, though the inbox still follows the delivery', async () => {
      const sent = await send(s.url, 'botcake', PLAIN);
      expect(sent.status).toBe(200);
      await sleep(120);
      expect(await attempts(s.url)).toEqual([]);
      const message = (await call(`${s.url}/__admin/messages/latest?provider=botcake`)).body;
      expect(message.status).toBe('read');
      expect(message.events.map((e: { state: string }) => e.state)).toEqual(['sent', 'delivered', 'read']);
    });
  });

  describe('the inbox and the attempt list', () => {
    it('records every attempt on the message and moves its status along', async () => {
      await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: `${receiver.url}/s` } });
      await send(s.url, 'splashify', PLAIN);
      await receiver.waitFor(3);
      await sleep(20);
      const message = (await call(`${s.url}/__admin/messages/latest?provider=splashify`)).body;
      expect(message.status).toBe('read');
      expect(message.events.map((e: { state: string }) => e.state)).toEqual(['sent', 'delivered', 'read']);
      expect(message.callbacks).toHaveLength(3);
      expect(message.callbacks[0]).toMatchObject({
        event: 'sent',
        url: `${receiver.url}/s`,
        method: 'POST',
        attempt: 1,
        status: 200,
        request: { headers: { 'x-webhook-event': 'message.sent' }, body: { event: 'message.sent' } },
      });
      expect(message.callbacks[0].durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(message.callbacks[0].at)).not.toBeNaN();
    });

    it('lists attempts newest first, by provider, message and session', async () => {
      await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: `${receiver.url}/s` } });
      await send(s.url, 'splashify', PLAIN, { headers: { 'x-waotp-session': 'a' } });
      await send(s.url, 'splashify', '6281234567891', { headers: { 'x-waotp-session': 'b' } });
      await receiver.waitFor(6);
      await sleep(20);
      const all = await attempts(s.url);
      expect(all).toHaveLength(6);
      expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort().reverse());
      const a = await attempts(s.url, '', { 'x-waotp-session': 'a' });
      expect(a.map((r) => r.session)).toEqual(['a', 'a', 'a']);
      expect(await attempts(s.url, `?message=${a[0]!.messageId}`)).toHaveLength(3);
      expect(await attempts(s.url, '?provider=verihubs')).toEqual([]);
      expect(await attempts(s.url, '?limit=2')).toHaveLength(2);
      await call(`${s.url}/__admin/reset`, { method: 'POST', headers: { 'x-waotp-session': 'a' } });
      expect((await attempts(s.url)).map((r) => r.session)).toEqual(['b', 'b', 'b']);
    });
  });

  describe('messcat', () => {
    const m = useSimulator({
      callbacks: FAST,
      config: { providers: { messcat: { options: { webhookUrl: 'http://127.0.0.1:1/placeholder' } } } },
    });
    beforeEach(() => m.sim.simulator.reset());

    it('POSTs message-update events to the configured webhook, and error for an undeliverable message', async () => {
      // The config names the URL; the admin target wins over it, which points this test at its receiver.
      await call(`${m.url}/__admin/callbacks/targets`, { method: 'PUT', json: { messcat: `${receiver.url}/messcat` } });
      const fired = await send(m.url, 'messcat', PLAIN);
      const got = await receiver.waitFor(3);
      for (const r of got) expect(messcatCallbacks.body!.safeParse(r.body).success).toBe(true);
      expect(got.map((r) => r.body.data[0].status)).toEqual(['sent', 'delivered', 'read']);
      expect(got[0]!.body.data[0]).toMatchObject({
        id: fired.body.messages[0].body.id,
        fromMe: true,
        chatId: `${PLAIN}@s.whatsapp.net`,
      });

      receiver.clear();
      await send(m.url, 'messcat', NOT_ON_WHATSAPP);
      const [failed] = await receiver.waitFor(1);
      expect(failed!.body).toMatchObject({
        event: 'message-update',
        data: [{ status: 'error', error: { message: expect.any(String) } }],
      });
    });

    it('uses options.webhookUrl from the config when no admin target is set', async () => {
      await send(m.url, 'messcat', PLAIN);
      await sleep(120);
      const records = await attempts(m.url, '?provider=messcat');
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => r.url === 'http://127.0.0.1:1/placeholder')).toBe(true);
    });

    it(
      'resolves options.webhookUrl into the typed webhookUrl setting, ' +
        'and refuses one that is not http(s) at start',
      () => {
        expect(m.sim.simulator.runtime('messcat').settings.webhookUrl).toBe('http://127.0.0.1:1/placeholder');
        expect(() =>
          createSimulator({ config: { providers: { splashify: { options: { webhookUrl: 'ftp://x/y' } } } } }),
        ).toThrow(/providers\.splashify\.options\.webhookUrl must be an http\(s\) URL/);
      },
    );
  });

  describe('timeline variants', () => {
    beforeEach(async () => {
      await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: `${receiver.url}/s` } });
    });
    const events = (got: { body: { event: string } }[]) => got.map((r) => r.body.event.replace('message.', ''));

    it('duplicate, armed with a rule: the delivered report comes twice', async () => {
      const rule = await call(`${s.url}/__admin/scenarios`, {
        method: 'POST',
        json: { provider: 'splashify', outcomes: ['accepted'], timeline: 'duplicate' },
      });
      expect(rule.status).toBe(201);
      expect(rule.body.timeline).toBe('duplicate');
      await send(s.url, 'splashify', PLAIN);
      expect(events(await receiver.waitFor(4))).toEqual(['sent', 'delivered', 'delivered', 'read']);
    });

    it('out_of_order, asked with Prefer: delivered comes before sent', async () => {
      await send(s.url, 'splashify', PLAIN, { headers: { prefer: 'timeline=out_of_order' } });
      expect(events(await receiver.waitFor(3))).toEqual(['delivered', 'sent', 'read']);
    });

    it(
      'late: only sent on time; delivered and read once the OTP has expired ' +
        '(5 minutes where the send names no expiry)',
      async () => {
        await send(s.url, 'splashify', PLAIN, { headers: { prefer: 'scenario=accepted, timeline=late' } });
        await receiver.waitFor(1);
        await sleep(150);
        expect(events(receiver.received)).toEqual(['sent']);
        s.sim.simulator.clock.advance(4 * 60_000);
        await sleep(50);
        expect(events(receiver.received)).toEqual(['sent']);
        s.sim.simulator.clock.advance(60_000 + 100);
        expect(events(await receiver.waitFor(3)).sort()).toEqual(['delivered', 'read', 'sent']);
      },
    );

    it('late on Verihubs: delivered and read come after its time_limit, after 5', async () => {
      await send(s.url, 'verihubs', PLAIN, {
        body: { callback_url: `${receiver.url}/v`, time_limit: '60' },
        headers: { prefer: 'timeline=late' },
      });
      await receiver.waitFor(2);
      await sleep(150);
      expect(receiver.received.map((r) => r.query.status)).toEqual(['0', '1']);
      s.sim.simulator.clock.advance(60_000 + 100);
      const got = await receiver.waitFor(5);
      expect(got.map((r) => r.query.status).sort()).toEqual(['0', '1', '2', '3', '5']);
      const message = (await call(`${s.url}/__admin/messages/latest?provider=verihubs`)).body;
      expect(message.events.map((e: { state: string }) => e.state)).toEqual([
        'requested',
        'sent',
        'unverified',
        'delivered',
        'read',
      ]);
    });

    it('missing: no callbacks at all, not even for a verified code', async () => {
      const sent = await send(s.url, 'verihubs', PLAIN, {
        body: { callback_url: `${receiver.url}/v`, challenge: 'login' },
        headers: { prefer: 'timeline=missing' },
      });
      await send(s.url, 'splashify', PLAIN, { headers: { prefer: 'timeline=missing' } });
      await call(`${s.url}/v2/whatsapp/otp/verify`, {
        method: 'POST',
        headers: VERIHUBS_HEADERS,
        json: { msisdn: PLAIN, otp: sent.body.otp, challenge: 'login' },
      });
      await sleep(150);
      expect(receiver.received).toEqual([]);
      expect(await attempts(s.url)).toEqual([]);
      expect((await call(`${s.url}/__admin/messages/latest?provider=splashify`)).body.status).toBe('accepted');
    });

    it('answers an unknown timeline with a problem naming the known ones', async () => {
      const r = await send(s.url, 'splashify', PLAIN, { headers: { prefer: 'timeline=eventually' } });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.detail).toContain('out_of_order');
      expect(
        (
          await call(`${s.url}/__admin/scenarios`, {
            method: 'POST',
            json: { outcomes: ['accepted'], timeline: 'eventually' },
          })
        ).status,
      ).toBe(400);
    });
  });
});

describe('callback dispatcher under trouble', () => {
  const own = useOwnSimulator();

  it('keeps sends fast while the receiver hangs', async () => {
    const sim = await own.start({ port: 0, seed: 1, callbacks: { speed: 10, timeoutMs: 5000, concurrency: 4 } });
    own.receiver.answer = () => 'hang';
    await call(`${sim.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: own.receiver.url } });
    await send(sim.url, 'splashify', PLAIN);
    await own.receiver.waitFor(2);
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const started = performance.now();
      expect((await send(sim.url, 'splashify', `62812345678${String(i).padStart(2, '0')}`)).status).toBe(201);
      latencies.push(performance.now() - started);
      await sleep(5);
    }
    // Every slot is taken by a hanging callback, and deliveries queue up behind them.
    expect(own.receiver.received.length).toBeGreaterThanOrEqual(4);
    expect(sim.simulator.callbacks.pending).toBeGreaterThan(4);
    latencies.sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(50);
    expect(latencies.at(-1)).toBeLessThan(250);
  });

  it('records an attempt at a hanging receiver as timed out', async () => {
    const sim = await own.start({ port: 0, seed: 1, callbacks: { speed: 10, timeoutMs: 100 } });
    own.receiver.answer = () => 'hang';
    await call(`${sim.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: own.receiver.url } });
    await send(sim.url, 'splashify', NOT_ON_WHATSAPP);
    await own.receiver.waitFor(1);
    await sleep(200);
    expect((await attempts(sim.url))[0]).toMatchObject({
      event: 'failed',
      error: 'no answer within 100 ms',
      attempt: 1,
    });
  });

  it('sends only to allowed hosts; a refused URL is recorded, not sent', async () => {
    const sim = await own.start({
      port: 0,
      seed: 1,
      callbacks: { speed: 10, allow: ['hooks.example.com', `127.0.0.1:${new URL(own.receiver.url).port}`] },
    });
    await send(sim.url, 'verihubs', PLAIN, { body: { callback_url: `${own.receiver.url}/ok` } });
    await send(sim.url, 'verihubs', '6281234567891', {
      body: { callback_url: `http://localhost:${new URL(own.receiver.url).port}/blocked` },
    });
    await own.receiver.waitFor(4);
    await sleep(100);
    expect(own.receiver.received.map((r) => r.path)).toEqual(['/ok', '/ok', '/ok', '/ok']);
    const refused = (await attempts(sim.url)).filter((r) => r.url.includes('/blocked'));
    expect(refused).toHaveLength(4);
    expect(
      refused.every((r) => r.status === undefined && r.error?.startsWith('refused by the callback allow-list')),
    ).toBe(true);
  });

  it('drains pending callbacks on close', async () => {
    const sim = await own.start({ port: 0, seed: 1, callbacks: { speed: 2 } });
    await send(sim.url, 'verihubs', PLAIN, { body: { callback_url: `${own.receiver.url}/v` } });
    // 0 "Requested" is due at the send itself; nothing later has gone out yet.
    expect(own.receiver.received.filter((r) => r.query.status !== '0')).toHaveLength(0);
    const started = Date.now();
    await own.close();
    // read is due 400 ms after the send at speed 2; the drain waits for it, and not for the 5 due in 5 minutes.
    expect(own.receiver.received.map((r) => r.query.status)).toEqual(['0', '1', '2', '3']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('drops what is not sent by the drain deadline', async () => {
    const sim = await own.start({ port: 0, seed: 1, callbacks: { speed: 1, drainMs: 150 } });
    await send(sim.url, 'verihubs', PLAIN, { body: { callback_url: `${own.receiver.url}/v` } });
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(400);
    await sleep(800);
    expect(own.receiver.received.map((r) => r.query.status)).toEqual(['0', '1']);
  });
});
