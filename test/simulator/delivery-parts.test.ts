import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { refusedAddress, refusedUrl } from '../../src/simulator/callback-policy.js';
import { createScheduler } from '../../src/simulator/callback-scheduler.js';
import { buildCallbackRequest, createSender } from '../../src/simulator/callback-sender.js';
import { createClock } from '../../src/simulator/clock.js';
import { deliveryState, withFollowUp } from '../../src/simulator/delivery-state.js';
import { parseJsonText, tooDeep, valueTooDeep } from '../../src/simulator/json-limits.js';
import { createReportRegistry } from '../../src/simulator/report-registry.js';
import { createRing } from '../../src/simulator/ring.js';

const open = { allow: [], self: {} };

describe('deliveryState', () => {
  const plan = [
    { state: 'sent' as const, at: 100 },
    { state: 'delivered' as const, at: 300 },
    { state: 'read' as const, at: 800 },
  ];
  it('shows only the reports due by now, and the status they reach', () => {
    expect(deliveryState(plan, [], 50)).toEqual({ status: 'accepted' });
    expect(deliveryState(plan, [], 300)).toEqual({
      status: 'delivered',
      events: [
        { state: 'sent', at: new Date(100).toISOString() },
        { state: 'delivered', at: new Date(300).toISOString() },
      ],
    });
  });
  it('never moves a status back for a late or repeated report', () => {
    const outOfOrder = [
      { state: 'delivered' as const, at: 100 },
      { state: 'sent' as const, at: 300 },
    ];
    expect(deliveryState(outOfOrder, [], 1000).status).toBe('delivered');
  });
  it('is pure: the same inputs give the same answer, and the inputs are not touched', () => {
    const frozen = Object.freeze(plan.map((r) => Object.freeze({ ...r })));
    expect(deliveryState(frozen, [], 900)).toEqual(deliveryState(frozen, [], 900));
  });
  it('lists callback attempts as given', () => {
    expect(deliveryState([], [{ attempt: 1 }], 0)).toEqual({ status: 'accepted', callbacks: [{ attempt: 1 }] });
  });
  it('adds a follow-up after everything planned and withdraws an expiry not yet due', () => {
    const next = withFollowUp([...plan, { state: 'unverified', at: 60_000 }], 'verified', 500, 50);
    expect(next.map((r) => [r.state, r.at])).toEqual([
      ['sent', 100],
      ['delivered', 300],
      ['read', 800],
      ['verified', 850],
    ]);
  });
});

describe('createScheduler', () => {
  it('gives items out when the virtual clock reaches them, oldest due first', () => {
    const clock = createClock({ wall: () => 0 });
    const taken: string[] = [];
    let readyCalls = 0;
    const scheduler = createScheduler<string>({ clock, capacity: 10, onReady: () => readyCalls++, onDrop: () => {} });
    scheduler.add(300, 'b');
    scheduler.add(100, 'a');
    expect(scheduler.take()).toBeUndefined();
    expect(scheduler.nextAt()).toBe(100);
    clock.advance(500);
    expect(readyCalls).toBe(2);
    for (let item: string | undefined; (item = scheduler.take()); ) taken.push(item);
    expect(taken).toEqual(['a', 'b']);
    expect(scheduler.size).toBe(0);
  });
  it('drops the oldest waiting item past its capacity, and says which', () => {
    const clock = createClock({ wall: () => 0 });
    const dropped: number[] = [];
    const scheduler = createScheduler<number>({
      clock,
      capacity: 3,
      onReady: () => {},
      onDrop: (n) => dropped.push(n),
    });
    for (let i = 1; i <= 5; i++) scheduler.add(1000 + i, i);
    expect(dropped).toEqual([1, 2]);
    expect(scheduler.size).toBe(3);
  });
  it('cancels matching items, due or not', () => {
    const clock = createClock({ wall: () => 0 });
    const scheduler = createScheduler<number>({ clock, capacity: 10, onReady: () => {}, onDrop: () => {} });
    scheduler.add(0, 1);
    scheduler.add(500, 2);
    scheduler.add(500, 3);
    expect(scheduler.cancel((n) => n !== 3)).toEqual([1, 2]);
    clock.advance(1000);
    expect(scheduler.take()).toBe(3);
    expect(scheduler.take()).toBeUndefined();
  });
});

describe('createReportRegistry', () => {
  it('finds remembered messages and forgets the oldest past its capacity', () => {
    const registry = createReportRegistry(2);
    registry.remember('verihubs', 'a', { messageId: 'm1', missing: false });
    registry.remember('verihubs', 'b', { messageId: 'm2', missing: true });
    expect(registry.find('verihubs', 'b')).toEqual({ messageId: 'm2', missing: true });
    registry.remember('verihubs', 'c', { messageId: 'm3', missing: false });
    expect(registry.find('verihubs', 'a')).toBeUndefined();
    expect(registry.size).toBe(2);
    registry.clear();
    expect(registry.find('verihubs', 'c')).toBeUndefined();
  });
});

describe('createRing by bytes', () => {
  it('evicts the oldest items once their estimated bytes pass maxBytes, keeping the newest', () => {
    const evicted: string[] = [];
    const ring = createRing<string>(100, { maxBytes: 10, sizeOf: (s) => s.length, onEvict: (s) => evicted.push(s) });
    ring.push('aaaa');
    ring.push('bbbb');
    ring.push('cccc');
    expect(evicted).toEqual(['aaaa']);
    expect(ring.bytes).toBe(8);
    ring.push('x'.repeat(50));
    expect(ring.newest()).toEqual(['x'.repeat(50)]);
  });
});

describe('JSON nesting limit', () => {
  it('refuses deep nesting without recursing, and ignores brackets inside strings', () => {
    expect(tooDeep('['.repeat(100_000))).toBe(true);
    expect(tooDeep(`{"a":"${'['.repeat(500)}"}`)).toBe(false);
    expect(tooDeep('[[[1]]]', 3)).toBe(false);
    expect(parseJsonText(`${'['.repeat(65)}${']'.repeat(65)}`)).toMatchObject({ ok: false, tooDeep: true });
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(valueTooDeep(deep)).toBe(true);
  });
});

describe('callback target policy', () => {
  it('refuses link-local, metadata names and addresses, and the simulator itself', () => {
    expect(refusedUrl(new URL('http://169.254.169.254/latest/meta-data'), open)).toMatch(/link-local/);
    expect(refusedUrl(new URL('http://metadata.google.internal/computeMetadata/v1'), open)).toMatch(/metadata/);
    expect(refusedUrl(new URL('http://[fd00:ec2::254]/latest'), open)).toMatch(/fd00:ec2::\/64/);
    expect(refusedUrl(new URL('http://[fe80::1]/'), open)).toMatch(/link-local/);
    const self = { allow: [], self: { host: '127.0.0.1', port: 4010 } };
    expect(refusedUrl(new URL('http://localhost:4010/__admin/reset'), self)).toMatch(/the simulator itself/);
    expect(refusedUrl(new URL('http://127.0.0.1:4010/'), self)).toMatch(/the simulator itself/);
    expect(refusedUrl(new URL('http://127.0.0.1:4011/hooks'), self)).toBeUndefined();
    expect(refusedAddress('::ffff:169.254.169.254', 80, {})).toMatch(/link-local/);
  });
  it('narrows further with the allow-list', () => {
    expect(refusedUrl(new URL('http://127.0.0.1:9/x'), { allow: ['hooks.example.com'], self: {} })).toMatch(
      /allow-list/,
    );
    expect(
      refusedUrl(new URL('http://hooks.example.com/x'), { allow: ['hooks.example.com'], self: {} }),
    ).toBeUndefined();
  });
});

describe('callback sender', () => {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
    server = createServer(handler);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  };
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  it('builds a GET callback with its query, and a POST with its JSON body and length', () => {
    const get = buildCallbackRequest(
      'http://h.example/cb?t=a',
      { method: 'GET', headers: {}, query: { status: '2' } },
      open,
    );
    expect(get.request).toMatchObject({ url: 'http://h.example/cb?t=a&status=2', method: 'GET' });
    const post = buildCallbackRequest(
      'http://h.example/cb',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: { a: 1 } },
      open,
    );
    expect(post.request).toMatchObject({
      body: '{"a":1}',
      headers: { 'content-length': '7', 'user-agent': 'waotp-simulator' },
    });
    expect(buildCallbackRequest('nope', { method: 'GET', headers: {} }, open).refused).toMatch(/^invalid URL/);
  });

  it('ends an attempt at a receiver that never answers within its timeout, and closes the socket', async () => {
    const url = await listen(() => {});
    const sender = createSender({ policy: open });
    const started = performance.now();
    const result = await sender.send({ url, method: 'GET', headers: {} }, 200).result;
    expect(result).toMatchObject({ kind: 'timeout', error: 'no answer within 200 ms' });
    expect(performance.now() - started).toBeLessThan(5000);
    await expect.poll(() => sockets.size, { timeout: 3000 }).toBe(0);
    expect(sender.sockets).toBe(0);
    sender.close();
  });

  it('ends an attempt whose receiver answers headers and then stalls the body', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const sender = createSender({ policy: open });
    expect(await sender.send({ url, method: 'GET', headers: {} }, 200).result).toMatchObject({ kind: 'timeout' });
    await expect.poll(() => sockets.size, { timeout: 3000 }).toBe(0);
    sender.close();
  });

  it('does not follow redirects, and can be cancelled', async () => {
    const url = await listen((req, res) => {
      if (req.url === '/hang') return;
      res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    });
    const sender = createSender({ policy: open });
    expect(await sender.send({ url, method: 'GET', headers: {} }, 2000).result).toMatchObject({
      kind: 'answered',
      status: 302,
    });
    const hanging = sender.send({ url: `${url}/hang`, method: 'GET', headers: {} }, 60_000);
    hanging.cancel();
    expect(await hanging.result).toMatchObject({ kind: 'cancelled' });
    sender.close();
  });
});

describe('createInbox', () => {
  it("shows a message's delivery state as of now, worked out on read; reading changes nothing stored", async () => {
    const { createInbox } = await import('../../src/simulator/inbox.js');
    let now = 0;
    const inbox = createInbox({ now: () => now });
    const plan = [
      { state: 'sent' as const, at: 100 },
      { state: 'read' as const, at: 800 },
    ];
    const added = inbox.add({
      to: '1',
      code: '1',
      text: 't',
      provider: 'p',
      session: null,
      outcome: 'accepted',
      status: 'accepted',
      createdAt: '',
      requestId: 'r',
      plan,
    });
    expect(added.status).toBe('accepted');
    expect(added).not.toHaveProperty('plan');
    now = 500;
    const before = JSON.stringify(inbox.plan(added.id));
    expect(inbox.get(added.id)!.status).toBe('sent');
    expect(inbox.list()[0]!.events).toHaveLength(1);
    expect(JSON.stringify(inbox.plan(added.id))).toBe(before);
    now = 1000;
    expect(inbox.latest()!.status).toBe('read');
  });
});

describe('the event stream and the virtual clock', () => {
  it('pushes a message again when one of its planned reports falls due, also when the clock is advanced', async () => {
    const { createSimulator } = await import('../../src/simulator/app.js');
    const { providers } = await import('../../src/providers/index.js');
    const sim = createSimulator({ seed: 1 });
    const reader = (await sim.app.request('/__admin/events')).body!.getReader();
    const { path, headers, body } = providers.find((p) => p.id === 'botcake')!.endpoints.find((e) => e.kind === 'send')!
      .sample!('6281234567890');
    expect(
      (
        await sim.app.request(path, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status,
    ).toBe(200);
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    };
    // `sent` falls due 100 ms after the send, in real time.
    await readUntil('"status":"sent"');
    // A jump of the clock past the rest wakes the stream at once, with the state as of the new now.
    sim.clock.advance(60_000);
    await readUntil('"status":"read"');
    const statuses = [...text.matchAll(/"status":"(\w+)"/g)].map((m) => m[1]);
    expect(statuses.slice(0, 2)).toEqual(['accepted', 'sent']);
    expect(statuses.at(-1)).toBe('read');
    expect(text).toMatch(/"events":\[\{"state":"sent".*\{"state":"delivered".*\{"state":"read"/);
    await reader.cancel();
  });
});
