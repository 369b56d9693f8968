/**
 * `/__admin` routes of the inbox: captured messages, the newest one (long-polled), and their event stream.
 * @module
 */
import { z } from 'zod';
import { problem } from '../util/problem.js';
import { messageSchema, totalsFields } from './admin-schemas.js';
import { adminRoute, limitParam, providerParam } from './admin-table.js';
import { createEventsHandler } from './events.js';
import type { MessageFilter } from './inbox.js';

/** Longest a `latest?wait=` long-poll may hold a request. */
export const MAX_WAIT_MS = 60_000;

const to = z
  .string()
  .transform((v) => v.replace(/[\s\-().]/g, '').replace(/^\+/, ''))
  .refine((digits) => /^\d{4,20}$/.test(digits), 'to must be a phone number, as digits or E.164 (+6281234567890)');
const filterFields = { to: to.optional().describe('The recipient, as digits or E.164'), provider: providerParam };

function messageFilter(q: { to?: string | undefined; provider?: string | undefined }, session?: string): MessageFilter {
  return {
    ...(q.to !== undefined && { to: q.to }),
    ...(q.provider !== undefined && { provider: q.provider }),
    ...(session !== undefined && { session }),
  };
}

function describe(filter: MessageFilter): string {
  const parts = Object.entries(filter).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(', ') : 'the inbox (it is empty)';
}

export const inboxRoutes = [
  adminRoute({
    method: 'get',
    path: '/__admin/messages',
    summary: 'Captured messages, newest first',
    query: z.object({ ...filterFields, limit: limitParam }),
    errors: [400],
    replies: { 200: z.object({ ...totalsFields, messages: z.array(messageSchema) }) },
    handler: ({ c, query, session, deps: { inbox } }) => {
      const filter = messageFilter(query, session);
      const total = inbox.count(filter);
      return c.json({ total, stored: inbox.size, evicted: inbox.evicted, messages: inbox.list(filter, query.limit) });
    },
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/messages/latest',
    summary: 'The newest matching message; wait=<ms> long-polls',
    query: z.object({
      ...filterFields,
      wait: z
        .string()
        .refine((v) => Number.isInteger(Number(v)) && Number(v) >= 0, 'wait must be a whole number of milliseconds')
        .transform(Number)
        .optional()
        .describe(`Milliseconds to wait for a match to arrive (at most ${MAX_WAIT_MS})`),
    }),
    replies: { 200: messageSchema },
    errors: [400, 404],
    handler: async ({ c, query, session, deps: { inbox } }) => {
      const filter = messageFilter(query, session);
      const waitMs = query.wait ?? 0;
      const found =
        inbox.latest(filter) ??
        (waitMs > 0 ? await inbox.waitFor(filter, Math.min(waitMs, MAX_WAIT_MS), c.req.raw.signal) : undefined);
      if (!found) return problem(404, 'No message', `no message matches ${describe(filter)}`);
      return c.json(found);
    },
  }),
  adminRoute({
    method: 'delete',
    path: '/__admin/messages',
    summary: 'Empty the inbox',
    replies: { 204: 'empty' },
    handler: ({ c, session, deps }) => {
      deps.inbox.clear(session);
      return c.body(null, 204);
    },
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/events',
    summary: 'Server-Sent Events: message (added/updated) and cleared; ?session= scopes it',
    // Read by the events handler itself: EventSource cannot send the session header.
    query: z.object({ session: z.string().optional().describe("Only this session's messages") }),
    replies: { 200: 'event-stream' },
    handler: ({ c, deps: { inbox, clock, sseBufferBytes } }) =>
      createEventsHandler({ inbox, clock, ...(sseBufferBytes && { maxBufferBytes: sseBufferBytes }) })(c),
  }),
];
