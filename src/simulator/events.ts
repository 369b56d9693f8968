/**
 * `GET /__admin/events`: the inbox as a Server-Sent Events stream, for the inbox page and any other
 * live viewer. Events:
 * - `ready` once subscribed (`{"session": …}`): load a snapshot after this and no change is missed;
 * - `message` for every message added or updated (`{"change":"added"|"updated","message":{…}}`), including
 *   when one of its planned delivery reports falls due on the simulator's clock;
 * - `cleared` when the inbox (or a session's part of it) is emptied: reload the list.
 * A comment line every `heartbeatMs` keeps proxies and idle timers from closing the stream. A client that
 * stops reading is cut off once `maxBufferBytes` wait unsent, with a final comment saying so; the page then
 * reconnects and reloads.
 * @module
 */
import type { Context } from 'hono';
import { type Clock, createClock } from './clock.js';
import type { Inbox, InboxMessage } from './inbox.js';
import { SESSION_HEADER } from './pipeline.js';

export interface EventsOptions {
  inbox: Inbox;
  /** The simulator's clock: a message's reports fall due on it. */
  clock?: Clock;
  /** Milliseconds between keep-alive comments. */
  heartbeatMs?: number;
  /** Unsent bytes a slow client may hold before it is disconnected. */
  maxBufferBytes?: number;
}

export const DEFAULT_SSE_BUFFER_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

/**
 * Creates the SSE handler. The session comes from `x-waotp-session` or, because `EventSource` cannot
 * send headers, from `?session=`; with one, only that session's messages are sent.
 * @example
 * app.get('/__admin/events', createEventsHandler({ inbox, clock }));
 * new EventSource('/__admin/events?session=worker-1').addEventListener('message', (e) => JSON.parse(e.data));
 */
export function createEventsHandler({
  inbox,
  clock = createClock(),
  heartbeatMs = 15_000,
  maxBufferBytes = DEFAULT_SSE_BUFFER_BYTES,
}: EventsOptions) {
  return (c: Context) => {
    const session = c.req.header(SESSION_HEADER) ?? c.req.query('session') ?? undefined;
    const socket = (c.env as { incoming?: import('node:http').IncomingMessage } | undefined)?.incoming?.socket;
    const mine = (m: InboxMessage) => session === undefined || m.session === session;
    // Unsent chunks, and the pull waiting for one: the stream hands a chunk over only when the socket takes it.
    const queue: Uint8Array[] = [];
    let queued = 0;
    let waiting: ((chunk: Uint8Array | null) => void) | undefined;
    let ended = false;
    // Wake-ups at the times a message's planned reports fall due, by message id.
    const wakeUps = new Map<string, (() => void)[]>();

    const push = (text: string) => {
      if (ended) return;
      const chunk = encoder.encode(text);
      if (waiting) {
        const give = waiting;
        waiting = undefined;
        return give(chunk);
      }
      queue.push(chunk);
      queued += chunk.byteLength;
      if (queued > maxBufferBytes) {
        queue.push(
          encoder.encode(`: disconnected: more than ${maxBufferBytes} bytes waited unsent; reconnect and reload\n\n`),
        );
        end(true);
        // A client that reads nothing at all would hold the queue for good: its connection goes shortly.
        // assumption: one second is long enough for a client that still reads to take the final comment.
        setTimeout(() => {
          queue.length = 0;
          queued = 0;
          socket?.destroy();
        }, 1000).unref();
      }
    };
    const send = (event: string, data: unknown) => push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const watchPlan = (message: InboxMessage) => {
      wakeUps.get(message.id)?.forEach((cancel) => cancel());
      const now = clock.now();
      const due = [
        ...new Set(
          inbox
            .plan(message.id)
            .filter((r) => r.at > now)
            .map((r) => r.at),
        ),
      ];
      if (due.length === 0) return void wakeUps.delete(message.id);
      wakeUps.set(
        message.id,
        due.map((at) =>
          clock.schedule(at, () => {
            const current = inbox.get(message.id);
            if (current) send('message', { change: 'updated', message: current });
          }),
        ),
      );
    };
    const unsubscribe = inbox.subscribe((message, change) => {
      if (change === 'cleared') return send('cleared', {});
      if (!message || !mine(message)) return;
      send('message', { change, message });
      watchPlan(message);
    });
    for (const message of inbox.list(session === undefined ? {} : { session })) watchPlan(message);
    const heartbeat = setInterval(() => push(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();

    /** Stops listening; `flush` lets what is queued (the final comment) go out before the stream closes. */
    function end(flush = false) {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unsubscribe();
      for (const cancels of wakeUps.values()) cancels.forEach((cancel) => cancel());
      wakeUps.clear();
      if (!flush) queue.length = 0;
      if (waiting) waiting(queue.shift() ?? null);
      waiting = undefined;
    }

    c.req.raw.signal.addEventListener('abort', () => end(), { once: true });
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const chunk = queue.shift();
          if (chunk) {
            queued -= chunk.byteLength;
            return controller.enqueue(chunk);
          }
          if (ended) return controller.close();
          return new Promise<void>((resolve) => {
            waiting = (next) => {
              if (next) controller.enqueue(next);
              else controller.close();
              resolve();
            };
          });
        },
        cancel: () => end(),
      },
      { highWaterMark: 0 },
    );
    // `retry` tells EventSource how soon to reconnect.
    push(`event: ready\ndata: ${JSON.stringify({ session: session ?? null })}\nretry: 2000\n\n`);
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      },
    });
  };
}
