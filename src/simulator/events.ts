/**
 * `GET /__admin/events`: the inbox as a Server-Sent Events stream, for the inbox page and any other
 * live viewer. Events:
 * - `ready` once subscribed (`{"session": …}`): load a snapshot after this and no change is missed;
 * - `message` for every message added or updated (`{"change":"added"|"updated","message":{…}}`);
 * - `cleared` when the inbox (or a session's part of it) is emptied: reload the list.
 * A comment line every `heartbeatMs` keeps proxies and idle timers from closing the stream.
 * @module
 */
import type { Context } from 'hono';
import type { Inbox } from './inbox.js';
import { SESSION_HEADER } from './pipeline.js';

export interface EventsOptions {
  inbox: Inbox;
  /** Milliseconds between keep-alive comments. */
  heartbeatMs?: number;
}

/**
 * Creates the SSE handler. The session comes from `x-waotp-session` or, because `EventSource` cannot
 * send headers, from `?session=`; with one, only that session's messages are sent.
 * @example
 * app.get('/__admin/events', createEventsHandler({ inbox }));
 * new EventSource('/__admin/events?session=worker-1').addEventListener('message', (e) => JSON.parse(e.data));
 */
export function createEventsHandler({ inbox, heartbeatMs = 15_000 }: EventsOptions) {
  return async (c: Context) => {
    const session = c.req.header(SESSION_HEADER) ?? c.req.query('session') ?? undefined;
    // Loaded on first use: the simulator's start-up time is budgeted.
    const { streamSSE } = await import('hono/streaming');
    return streamSSE(c, async (stream) => {
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      // Serialised at once: a message is updated in place, and the write happens later.
      const send = (event: string, data: unknown) => {
        if (!stream.aborted) void stream.writeSSE({ event, data: JSON.stringify(data) });
      };
      const unwatch = inbox.watch();
      const unsubscribe = inbox.subscribe((message, change) => {
        if (change === 'cleared') return send('cleared', {});
        if (message && (session === undefined || message.session === session)) send('message', { change, message });
      });
      const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n'), heartbeatMs);
      heartbeat.unref();
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        unsubscribe();
        unwatch();
        stop();
      };
      stream.onAbort(end);
      c.req.raw.signal.addEventListener('abort', end, { once: true });
      if (stream.aborted || c.req.raw.signal.aborted) end();
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ session: session ?? null }), retry: 2000 });
      await stopped;
    });
  };
}
