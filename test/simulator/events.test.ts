import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { providers } from '../../src/providers/index.js';
import { createEventsHandler } from '../../src/simulator/events.js';
import { createInbox } from '../../src/simulator/inbox.js';
import { call, useSimulator } from '../helpers/http.js';

const splashify = providers.find((p) => p.id === 'splashify')!;
const sample = splashify.endpoints.find((e) => e.kind === 'send')!.sample!;

/** Sends Splashify's sample request to a number, optionally in a session. */
function send(url: string, to: string, session?: string) {
  const { path, headers, body } = sample(to);
  return call(`${url}${path}`, {
    method: 'POST',
    headers: { ...headers, ...(session && { 'x-waotp-session': session }) },
    json: body,
  });
}

interface SseEvent {
  event: string;
  data: any;
}

/** Opens the stream over real HTTP and collects its events, until `close()`. */
function openEvents(
  url: string,
  { headers = {}, path = '/__admin/events' }: { headers?: Record<string, string>; path?: string } = {},
) {
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let raw = '';
  let status = 0;
  let contentType = '';
  const req = request(`${url}${path}`, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type']);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      raw += chunk;
      let end: number;
      while ((end = raw.indexOf('\n\n')) >= 0) {
        const block = raw.slice(0, end);
        raw = raw.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
        if (event) events.push({ event, data: data ? JSON.parse(data) : undefined });
        else if (block.startsWith(':')) events.push({ event: 'comment', data: block });
        waiters.splice(0).forEach((wake) => wake());
      }
    });
  });
  req.on('error', () => {});
  req.end();
  const next = (event: string, timeoutMs = 3000): Promise<SseEvent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no "${event}" event within ${timeoutMs} ms; got ${events.map((e) => e.event).join(', ')}`)),
        timeoutMs,
      );
      const check = () => {
        const index = events.findIndex((e) => e.event === event);
        if (index >= 0) {
          clearTimeout(timer);
          resolve(events.splice(index, 1)[0]!);
        } else waiters.push(check);
      };
      check();
    });
  return { next, events, close: () => req.destroy(), status: () => status, contentType: () => contentType };
}

/**
 * The next message event matching `match`: delivery updates of messages from earlier tests (their timelines
 * still play on a loaded machine) are skipped rather than mistaken for this test's event.
 */
async function nextMessage(stream: ReturnType<typeof openEvents>, match: (data: any) => boolean): Promise<SseEvent> {
  for (let i = 0; i < 50; i++) {
    const event = await stream.next('message');
    if (match(event.data)) return event;
  }
  throw new Error('no matching message event among the next 50');
}

describe('GET /__admin/events', () => {
  const s = useSimulator();
  // A stream also reports the delivery of messages sent before it connected: each test starts empty.
  beforeEach(() => s.sim.simulator.reset());

  it('streams a message event for a message added after it connects', async () => {
    const stream = openEvents(s.url);
    try {
      await stream.next('ready');
      expect(stream.status()).toBe(200);
      expect(stream.contentType()).toMatch(/^text\/event-stream/);
      expect((await send(s.url, '6281234500001')).status).toBe(201);
      const { data } = await nextMessage(stream, (d) => d.change === 'added');
      expect(data).toMatchObject({
        change: 'added',
        message: { to: '6281234500001', code: '482913', provider: 'splashify', status: 'accepted' },
      });
    } finally {
      stream.close();
    }
  });

  it('streams updates and clears', async () => {
    const stream = openEvents(s.url);
    try {
      await stream.next('ready');
      await send(s.url, '6281234500002');
      const added = (await nextMessage(stream, (d) => d.change === 'added' && d.message.to === '6281234500002')).data
        .message;
      s.sim.simulator.inbox.update(added.id, (m) => {
        m.status = 'delivered';
      });
      const updated = await nextMessage(
        stream,
        (d) => d.change === 'updated' && d.message.id === added.id && d.message.status === 'delivered',
      );
      expect(updated.data).toMatchObject({ change: 'updated', message: { id: added.id, status: 'delivered' } });
      await call(`${s.url}/__admin/messages`, { method: 'DELETE' });
      await stream.next('cleared');
    } finally {
      stream.close();
    }
  });

  it.each([
    ['the x-waotp-session header', { headers: { 'x-waotp-session': 'worker-1' } }],
    ['?session= (EventSource cannot send headers)', { path: '/__admin/events?session=worker-1' }],
  ])('sends only one session’s messages, given %s', async (_, how) => {
    const stream = openEvents(s.url, how);
    try {
      expect((await stream.next('ready')).data).toEqual({ session: 'worker-1' });
      await send(s.url, '6281234500003', 'worker-2');
      await send(s.url, '6281234500004', 'worker-1');
      const added = await nextMessage(stream, (d) => d.change === 'added');
      expect(added.data.message).toMatchObject({ to: '6281234500004', session: 'worker-1' });
      expect(stream.events.filter((e) => e.event === 'message' && e.data.message.session !== 'worker-1')).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('unsubscribes from the inbox when the client disconnects', async () => {
    const inbox = s.sim.simulator.inbox;
    const listeners = new Set<unknown>();
    const original = inbox.subscribe.bind(inbox);
    const spy = vi.spyOn(inbox, 'subscribe').mockImplementation((listener) => {
      listeners.add(listener);
      const unsubscribe = original(listener);
      return () => {
        listeners.delete(listener);
        return unsubscribe();
      };
    });
    try {
      const streams = [openEvents(s.url), openEvents(s.url), openEvents(s.url)];
      await Promise.all(streams.map((stream) => stream.next('ready')));
      expect(listeners.size).toBe(3);
      streams.forEach((stream) => stream.close());
      await vi.waitFor(() => expect(listeners.size).toBe(0), { timeout: 3000, interval: 20 });
      // Nothing is left writing to the closed streams: the inbox goes on as before.
      expect((await send(s.url, '6281234500005')).status).toBe(201);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('createEventsHandler', () => {
  it('sends a keep-alive comment while idle', async () => {
    const app = new Hono().get('/__admin/events', createEventsHandler({ inbox: createInbox(), heartbeatMs: 50 }));
    let server: ServerType | undefined;
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
    });
    const stream = openEvents(`http://127.0.0.1:${port}`);
    try {
      await stream.next('ready');
      expect((await stream.next('comment', 2000)).data).toBe(': keep-alive');
    } finally {
      stream.close();
      await new Promise((resolve) => server!.close(resolve));
    }
  });
});
