/**
 * The `/__admin` route table: health, reset, the inbox and the request journal.
 * @module
 */
import { Hono } from 'hono';
import type { Inbox, MessageFilter } from './inbox.js';
import type { Journal, JournalFilter } from './journal.js';
import { SESSION_HEADER } from './pipeline.js';
import { problem } from './problem.js';

export interface AdminDeps {
  inbox: Inbox;
  journal: Journal;
  providers: () => unknown;
  /** Resets all state, or only what belongs to one session. */
  reset(session?: string): void;
}

/** Longest a `latest?wait=` long-poll may hold a request. */
export const MAX_WAIT_MS = 60_000;

/**
 * Creates the admin routes, to be mounted at `/__admin`.
 * @example
 * app.route('/__admin', createAdmin({ inbox, journal, providers, reset }));
 */
export function createAdmin(deps: AdminDeps) {
  const admin = new Hono();
  const sessionOf = (header: string | undefined) => header ?? undefined;

  admin.get('/health', (c) => c.json({ status: 'ok' }));
  admin.get('/providers', (c) => c.json(deps.providers()));

  admin.post('/reset', (c) => {
    deps.reset(sessionOf(c.req.header(SESSION_HEADER)));
    return c.body(null, 204);
  });

  admin.get('/messages', (c) => {
    const filter = messageFilter(c.req.query(), c.req.header(SESSION_HEADER));
    if (!filter.ok) return filter.error;
    const limit = positiveInt(c.req.query('limit'));
    if (limit === null) return problem(400, 'Invalid query', 'limit must be a positive integer');
    return c.json({ total: deps.inbox.total, messages: deps.inbox.list(filter.value, limit) });
  });

  admin.get('/messages/latest', async (c) => {
    const filter = messageFilter(c.req.query(), c.req.header(SESSION_HEADER));
    if (!filter.ok) return filter.error;
    const wait = c.req.query('wait');
    const waitMs = wait === undefined ? 0 : Number(wait);
    if (!Number.isInteger(waitMs) || waitMs < 0) return problem(400, 'Invalid query', 'wait must be a whole number of milliseconds');
    const found =
      deps.inbox.latest(filter.value) ??
      (waitMs > 0 ? await deps.inbox.waitFor(filter.value, Math.min(waitMs, MAX_WAIT_MS), c.req.raw.signal) : undefined);
    if (!found) return problem(404, 'No message', `no message matches ${describe(filter.value)}`);
    return c.json(found);
  });

  admin.delete('/messages', (c) => {
    deps.inbox.clear(sessionOf(c.req.header(SESSION_HEADER)));
    return c.body(null, 204);
  });

  admin.get('/requests', (c) => {
    const q = c.req.query();
    const limit = positiveInt(q.limit);
    if (limit === null) return problem(400, 'Invalid query', 'limit must be a positive integer');
    const filter: JournalFilter = {
      ...(q.provider && { provider: q.provider }),
      ...(q.outcome && { outcome: q.outcome }),
      ...(q.to && { to: q.to.replace(/\D+/g, '') }),
      ...(c.req.header(SESSION_HEADER) !== undefined && { session: c.req.header(SESSION_HEADER) }),
    };
    return c.json({ total: deps.journal.total, requests: deps.journal.list(filter, limit) });
  });

  admin.get('/requests/:id', (c) => {
    const entry = deps.journal.get(c.req.param('id'));
    return entry ? c.json(entry) : problem(404, 'No such request', `no journal entry ${c.req.param('id')}`);
  });

  admin.notFound((c) => problem(404, 'Not Found', `no admin route ${c.req.method} ${c.req.path}`));
  return admin;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: Response };

function messageFilter(q: Record<string, string>, session: string | undefined): Parsed<MessageFilter> {
  const filter: MessageFilter = {};
  if (q.to !== undefined) {
    const digits = q.to.replace(/[\s\-().]/g, '').replace(/^\+/, '');
    if (!/^\d{4,20}$/.test(digits)) {
      return { ok: false, error: problem(400, 'Invalid query', 'to must be a phone number, as digits or E.164 (+6281234567890)') };
    }
    filter.to = digits;
  }
  if (q.provider !== undefined) filter.provider = q.provider;
  if (session !== undefined) filter.session = session;
  return { ok: true, value: filter };
}

/** undefined when absent, null when present but not a positive integer. */
function positiveInt(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
}

function describe(filter: MessageFilter): string {
  const parts = Object.entries(filter).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(', ') : 'the inbox (it is empty)';
}
