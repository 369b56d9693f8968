import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../../src/providers/index.js';
import { MAX_RULES } from '../../src/simulator/admin-limits.js';
import { createSimulator } from '../../src/simulator/app.js';
import { loadRulePack } from '../../src/simulator/catalogue.js';
import { exposureWarning } from '../../src/simulator/server.js';
import { call, useSimulator } from '../helpers/http.js';
import { useOwnSimulator, useReceiver } from '../helpers/receiver.js';

const PLAIN = '6281234567890';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

const nested = (depth: number, leaf: string) => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;

describe('callback delivery that cannot wedge', () => {
  const own = useOwnSimulator();

  it('ends each attempt at a hung receiver at its timeout, frees its slot and socket, and drains', async () => {
    const sim = await own.start({ port: 0, seed: 1, callbacks: { speed: 10, timeoutMs: 150, concurrency: 2 } });
    own.receiver.answer = () => 'hang';
    await call(`${sim.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: own.receiver.url } });
    for (let i = 0; i < 4; i++) expect((await send(sim.url, 'splashify', `6281234567${800 + i}`)).status).toBe(201);
    // 12 reports through 2 slots held 150 ms each: all attempted in well under the time a wedge would take.
    await expect
      .poll(async () => (await call(`${sim.url}/__admin/callbacks`)).body.attempts.timedOut, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(12);
    const listed = await call(`${sim.url}/__admin/callbacks`);
    expect(listed.body).toMatchObject({ pending: 0, inFlight: 0, dropped: 0 });
    expect(listed.body.callbacks.every((r: { error?: string }) => r.error === 'no answer within 150 ms')).toBe(true);
    // The receiver saw every socket closed: nothing of a hung exchange is kept.
    await expect.poll(() => sim.simulator.callbacks.stats().sockets, { timeout: 3000 }).toBe(0);
  });

  it('never has more callbacks open than its concurrency, even when many fall due at once', async () => {
    const sim = await own.start({ port: 0, seed: 1, callbacks: { speed: 1, timeoutMs: 5000, concurrency: 2 } });
    own.receiver.answer = () => 'hang';
    await call(`${sim.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: own.receiver.url } });
    for (let i = 0; i < 4; i++) expect((await send(sim.url, 'splashify', `6281234567${810 + i}`)).status).toBe(201);
    // All 12 reports fall due in the same instant; only two may be sent while the receiver holds them.
    sim.simulator.clock.advance(1000);
    await own.receiver.waitFor(2);
    await sleep(300);
    expect(own.receiver.received).toHaveLength(2);
    expect(sim.simulator.callbacks.stats()).toMatchObject({ inFlight: 2, pending: 12 });
  });

  it(
    'drops the oldest report when the queue truly overflows, counts it, ' +
      'and shows it on /__admin/callbacks and /__admin/health',
    async () => {
      const sim = await own.start({
        port: 0,
        seed: 1,
        callbacks: { speed: 1, timeoutMs: 2000, capacity: 4, concurrency: 1 },
      });
      own.receiver.answer = () => 'hang';
      await call(`${sim.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: own.receiver.url } });
      // 3 sends: 9 reports, 1 in flight at most, 4 waiting at most.
      for (let i = 0; i < 3; i++) await send(sim.url, 'splashify', `6281234567${800 + i}`);
      const listed = await call(`${sim.url}/__admin/callbacks`);
      expect(listed.body.dropped).toBeGreaterThanOrEqual(4);
      expect(listed.body.callbacks.some((r: { error?: string }) => r.error?.startsWith('callback queue full'))).toBe(
        true,
      );
      expect(listed.body.pending).toBeLessThanOrEqual(5);
      const health = await call(`${sim.url}/__admin/health`);
      expect(health.body).toMatchObject({ status: 'ok', callbacks: { dropped: listed.body.dropped } });
    },
  );

  it('keeps reports that still have room: none is dropped below capacity', async () => {
    const sim = await own.start({ port: 0, seed: 1, callbacks: { speed: 10, timeoutMs: 2000 } });
    own.receiver.answer = (_r, i) => (i % 3 === 0 ? 500 : 200);
    await call(`${sim.url}/__admin/callbacks/targets`, { method: 'PUT', json: { splashify: own.receiver.url } });
    for (let i = 0; i < 10; i++) await send(sim.url, 'splashify', `6281234567${800 + i}`);
    await own.receiver.waitFor(30, 5000);
    expect(own.receiver.received).toHaveLength(30);
    expect((await call(`${sim.url}/__admin/callbacks`)).body).toMatchObject({
      dropped: 0,
      attempts: { delivered: 20, rejected: 10 },
    });
  });
});

describe('bounded memory, by bytes', () => {
  it('evicts the oldest inbox messages and journal entries once their bytes pass the cap', async () => {
    const sim = createSimulator({ seed: 1, config: { inbox: { maxBytes: 200_000 }, journal: { maxBytes: 200_000 } } });
    const { path, headers, body } = providers
      .find((p) => p.id === 'splashify')!
      .endpoints.find((e) => e.kind === 'send')!.sample!(PLAIN);
    const big = 'x'.repeat(8_000);
    for (let i = 0; i < 60; i++) {
      await sim.app.request(path, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'x-padding': big },
        body: JSON.stringify(body),
      });
    }
    expect(sim.journal.total).toBe(60);
    expect(sim.journal.size).toBeLessThan(20);
    expect(sim.inbox.bytes).toBeLessThanOrEqual(200_000);
    expect((await sim.app.request('/__admin/requests')).status).toBe(200);
  });

  it(
    'disconnects an event-stream client that stops reading, with a final comment, ' +
      'once its unsent buffer passes the cap',
    async () => {
      const sim = createSimulator({ seed: 1, admin: { sseBufferBytes: 16 * 1024 } });
      const response = await sim.app.request('/__admin/events');
      // Nothing is read while 200 messages are captured: the stream's buffer fills.
      for (let i = 0; i < 200; i++) {
        sim.inbox.add({
          to: PLAIN,
          code: '123456',
          text: 'y'.repeat(200),
          provider: 'splashify',
          session: null,
          outcome: 'accepted',
          status: 'accepted',
          createdAt: new Date().toISOString(),
          requestId: 'req',
        });
      }
      const text = await response.text();
      expect(text.startsWith('event: ready')).toBe(true);
      expect(text.trimEnd().split('\n').at(-1)).toMatch(/^: disconnected: more than 16384 bytes waited unsent/);
      expect(Buffer.byteLength(text)).toBeLessThan(16 * 1024 + 2_000);
    },
  );
});

describe('hostile JSON', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());

  it("answers a Messcat send whose parameters nest 10,000 deep with Messcat's own 400, not a 500", async () => {
    const sample = providers.find((p) => p.id === 'messcat')!.endpoints.find((e) => e.kind === 'send')!.sample!(PLAIN);
    const text = JSON.stringify(sample.body).replace(/}$/, `,"parameters":{"a":${nested(10_000, '1')}}}`);
    const r = await call(`${s.url}${sample.path}`, {
      method: 'POST',
      headers: { ...sample.headers, 'content-type': 'application/json' },
      body: text,
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).not.toContain('problem+json');
  });

  it('keeps GET /__admin/requests answering after a body of 5,000-deep arrays', async () => {
    const sample = providers.find((p) => p.id === 'verihubs')!.endpoints.find((e) => e.kind === 'send')!.sample!(PLAIN);
    const r = await call(`${s.url}${sample.path}`, {
      method: 'POST',
      headers: { ...sample.headers, 'content-type': 'application/json' },
      body: nested(5_000, '0'),
    });
    expect(r.status).toBe(400);
    const journal = await call(`${s.url}/__admin/requests`);
    expect(journal.status).toBe(200);
    expect(typeof journal.body.requests[0].request.body).toBe('string');
    expect((await call(`${s.url}/__admin/messages`)).status).toBe(200);
    expect((await call(`${s.url}/__admin/callbacks`)).status).toBe(200);
  });

  it('answers too-deep admin JSON with a problem+json 400', async () => {
    const r = await call(`${s.url}/__admin/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"outcomes":${nested(100, '"accepted"')}}`,
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toMatch(/deeper than 64/);
  });

  it('refuses a 64 MB admin body with 413 without reading it', async () => {
    const url = new URL(`${s.url}/__admin/scenarios`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write('{"outcomes":["accepted"],"label":"');
      req.write('x'.repeat(256 * 1024));
    });
    expect(status).toBe(413);
  });

  it('refuses the next rule past the cap with a clear 409', async () => {
    for (let i = 0; i < MAX_RULES; i++)
      s.sim.simulator.scenarios.arm({ outcomes: ['accepted'], to: `62800000${i}` } as never, null);
    const r = await call(`${s.url}/__admin/scenarios`, { method: 'POST', json: { outcomes: ['provider_error'] } });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain(String(MAX_RULES));
  });

  it('refuses a rule pack nested deeper than the limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waotp-'));
    const file = join(dir, 'deep.json');
    writeFileSync(file, `{"rules":[{"outcomes":["accepted"],"label":${nested(200, '"x"')}}]}`);
    expect(() => loadRulePack(file)).toThrow(/deeper than 64/);
  });
});

describe('admin and page safety', () => {
  const s = useSimulator();
  const reset = (headers: Record<string, string> = {}, body?: string) =>
    call(`${s.url}/__admin/reset`, { method: 'POST', headers, ...(body !== undefined && { body }) });

  it('refuses state changes from another origin or a cross-site fetch, with 403', async () => {
    expect((await reset({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await reset({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(
      (
        await call(`${s.url}/__admin/clock`, {
          method: 'POST',
          headers: { origin: 'http://localhost:3000' },
          json: { advance: '1h' },
        })
      ).status,
    ).toBe(403);
    expect(s.sim.simulator.clock.offset()).toBe(0);
  });

  it('refuses text/plain and form bodies (CORS simple requests) with 415', async () => {
    expect((await reset({ 'content-type': 'text/plain' }, '{}')).status).toBe(415);
    const form = await call(`${s.url}/__admin/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcomes=provider_error',
    });
    expect(form.status).toBe(415);
    expect(s.sim.simulator.scenarios.rules()).toEqual([]);
  });

  it('lets curl, test clients and the page itself work: a bodiless reset and same-origin JSON', async () => {
    expect((await reset()).status).toBe(204);
    expect((await reset({ origin: s.url })).status).toBe(204);
    expect(
      (
        await call(`${s.url}/__admin/scenarios`, {
          method: 'POST',
          headers: { origin: s.url, 'sec-fetch-site': 'same-origin' },
          json: { outcomes: ['accepted'] },
        })
      ).status,
    ).toBe(201);
    await reset();
  });

  it('grants no preflight to other origins', async () => {
    const r = await call(`${s.url}/__admin/reset`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 403 to a Host that is not loopback, the bound address or an allowed name (DNS rebinding)', async () => {
    const get = (host: string, path = '/__admin/messages') =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${s.url}${path}`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await get('attacker.example:80')).toBe(403);
    expect(await get('attacker.example', '/')).toBe(403);
    expect(await get(`localhost:${s.sim.port}`)).toBe(200);
    // Provider routes stay open, whatever the Host.
    expect(await get('attacker.example', '/v1/health')).not.toBe(403);
    const allowed = createSimulator({ admin: { allowHosts: ['sim.internal'] } });
    expect((await allowed.app.request('http://sim.internal/__admin/messages')).status).toBe(200);
    expect((await allowed.app.request('http://other.internal/__admin/messages')).status).toBe(403);
  });

  it('keeps provider routes open and lenient to any origin', async () => {
    const r = await send(s.url, 'splashify', PLAIN, {
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(r.status).toBe(201);
  });
});

describe('the admin token', () => {
  const s = useSimulator({ admin: { token: 's3cret' } });

  it('is required on /__admin and the page, as a Bearer header', async () => {
    expect((await call(`${s.url}/__admin/messages`)).status).toBe(401);
    expect((await call(`${s.url}/`)).status).toBe(401);
    expect((await call(`${s.url}/__admin/messages`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await call(`${s.url}/__admin/messages`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    // A readiness probe carries no token; health tells nothing secret.
    expect((await call(`${s.url}/__admin/health`)).status).toBe(200);
    // Provider routes stay open.
    expect((await send(s.url, 'splashify', PLAIN)).status).toBe(201);
  });

  it('is kept in a cookie set from /?token= for the page and its event stream', async () => {
    const opened = await fetch(`${s.url}/?token=s3cret`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    expect(opened.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await call(`${s.url}/`, { headers: { cookie } })).status).toBe(200);
    expect((await call(`${s.url}/__admin/messages`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${s.url}/?token=nope`, { redirect: 'manual' })).status).toBe(401);
  });

  it('is read from WAOTP_ADMIN_TOKEN by the CLI, and a bind beyond loopback without one warns loudly', async () => {
    const { adminOptions } = await import('../../src/cli/sim.js');
    const saved = process.env.WAOTP_ADMIN_TOKEN;
    process.env.WAOTP_ADMIN_TOKEN = 'from-env';
    try {
      expect(adminOptions(undefined, ['a.test,b.test'])).toEqual({
        token: 'from-env',
        allowHosts: ['a.test', 'b.test'],
      });
      expect(adminOptions('flag', undefined)).toEqual({ token: 'flag' });
    } finally {
      if (saved === undefined) delete process.env.WAOTP_ADMIN_TOKEN;
      else process.env.WAOTP_ADMIN_TOKEN = saved;
    }
    expect(exposureWarning('0.0.0.0', undefined)).toMatch(/WITHOUT an admin token/);
    expect(exposureWarning('0.0.0.0', 'x')).toBeUndefined();
    expect(exposureWarning('127.0.0.1', undefined)).toBeUndefined();
  });
});

describe('callback targets', () => {
  const s = useSimulator({ callbacks: { speed: 10, timeoutMs: 2000, retryDelayMs: 20 } });
  const receiver = useReceiver(s);

  it('never calls the simulator itself: an On-Prem webhook set to /__admin/reset is refused and recorded', async () => {
    await call(`${s.url}/v1/settings/application`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer any' },
      json: { webhooks: { url: `${s.url}/__admin/reset` } },
    });
    await send(s.url, 'whatsapp-onprem', PLAIN);
    await sleep(300);
    const records = (await call(`${s.url}/__admin/callbacks`)).body.callbacks;
    expect(records.length).toBeGreaterThan(0);
    expect(
      records.every(
        (r: { error?: string; status?: number }) =>
          /the simulator itself/.test(r.error ?? '') && r.status === undefined,
      ),
    ).toBe(true);
    // Not retried, and the inbox survived.
    expect(records.every((r: { attempt: number }) => r.attempt === 1)).toBe(true);
    expect((await call(`${s.url}/__admin/messages`)).body.messages).toHaveLength(1);
  });

  it('never calls link-local or metadata addresses, and records why', async () => {
    await send(s.url, 'verihubs', PLAIN, { body: { callback_url: 'http://169.254.169.254/latest/meta-data/' } });
    await send(s.url, 'verihubs', '6281234567891', {
      body: { callback_url: 'http://metadata.google.internal/computeMetadata/v1/' },
    });
    await sleep(300);
    const errors = (await call(`${s.url}/__admin/callbacks`)).body.callbacks.map((r: { error: string }) => r.error);
    // Four reports a send (Verihubs' requested, sent, delivered, read), each refused.
    expect(errors.length).toBe(8);
    expect(errors.filter((e: string) => /link-local/.test(e))).toHaveLength(4);
    expect(errors.filter((e: string) => /metadata name/.test(e))).toHaveLength(4);
  });

  it('does not follow a redirect from a receiver', async () => {
    receiver.answer = () => 302;
    await send(s.url, 'verihubs', PLAIN, { body: { callback_url: `${receiver.url}/r` } });
    await receiver.waitFor(4);
    await sleep(100);
    // Verihubs' four reports, each once at /r: no request followed the redirect.
    expect(receiver.received.map((r) => r.path)).toEqual(['/r', '/r', '/r', '/r']);
    receiver.answer = () => 200;
  });
});

describe('slow clients', () => {
  const s = useSimulator({
    config: { server: { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300 } },
  });
  const closedWithin = (socket: Socket, ms: number) =>
    new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - started);
      });
    });
  const open = () => connect(s.sim.port, '127.0.0.1');

  it('closes a socket that sends its headers one byte at a time', async () => {
    const socket = open();
    const header = `GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(100)}`;
    let i = 0;
    const drip = setInterval(() => !socket.destroyed && socket.write(header[i++ % header.length]!), 50);
    try {
      expect(await closedWithin(socket, 8000)).toBeGreaterThanOrEqual(300);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes connections that send nothing', async () => {
    const sockets = Array.from({ length: 50 }, open);
    await Promise.all(sockets.map((socket) => closedWithin(socket, 8000)));
  });

  it('closes a kept-alive connection once idle', async () => {
    const socket = open();
    socket.write('GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const answered = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(String(chunk))));
    expect(await answered).toMatch(/^HTTP\/1.1 200/);
    await closedWithin(socket, 8000);
  });
});
