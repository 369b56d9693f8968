/**
 * `/__admin` routes of the request journal: every request with its reply and why, and those no route matched.
 * @module
 */
import { z } from 'zod';
import { problem } from '../util/problem.js';
import { journalEntrySchema, totalsFields } from './admin-schemas.js';
import { adminRoute, limitParam, providerParam } from './admin-table.js';
import type { JournalFilter } from './journal.js';

export const journalRoutes = [
  adminRoute({
    method: 'get',
    path: '/__admin/requests',
    summary: 'The request journal, newest first',
    query: z.object({
      provider: providerParam,
      outcome: z.string().optional().describe('Only requests with this outcome (e.g. rate_limited)'),
      to: z.string().optional().describe('Only requests to this recipient (anything but digits is ignored)'),
      limit: limitParam,
    }),
    errors: [400],
    replies: { 200: z.object({ ...totalsFields, requests: z.array(journalEntrySchema) }) },
    handler: ({ c, query: q, session, deps: { journal } }) => {
      // An empty parameter filters nothing.
      const filter: JournalFilter = {
        ...(q.provider && { provider: q.provider }),
        ...(q.outcome && { outcome: q.outcome }),
        ...(q.to && { to: q.to.replace(/\D+/g, '') }),
        ...(session !== undefined && { session }),
      };
      const total = journal.count(filter);
      return c.json({ total, stored: journal.size, evicted: journal.evicted, requests: journal.list(filter, q.limit) });
    },
  }),
  // Before `/requests/:id`, which would take `unmatched` for an id.
  adminRoute({
    method: 'get',
    path: '/__admin/requests/unmatched',
    summary: 'Requests that matched no route, with the nearest route',
    replies: { 200: z.object({ requests: z.array(z.looseObject({ method: z.string(), path: z.string() })) }) },
    handler: ({ c, session, deps }) => c.json({ requests: deps.unmatched.list(session) }),
  }),
  adminRoute({
    method: 'get',
    path: '/__admin/requests/:id',
    summary: 'One journal entry',
    replies: { 200: journalEntrySchema },
    errors: [404],
    handler: ({ c, deps }) => {
      const entry = deps.journal.get(c.req.param('id')!);
      return entry ? c.json(entry) : problem(404, 'No such request', `no journal entry ${c.req.param('id')}`);
    },
  }),
];
