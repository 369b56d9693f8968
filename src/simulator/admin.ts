/**
 * The `/__admin` route table: health, reset, the inbox and the request journal.
 * @module
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';
import { problem } from '../util/problem.js';
import { MAX_RULES, readAdminJson } from './admin-limits.js';
import { chaosSchemaFor } from './catalogue.js';
import type { Clock } from './clock.js';
import type { Inbox, MessageFilter } from './inbox.js';
import type { Journal, JournalFilter } from './journal.js';
import { SESSION_HEADER } from './pipeline.js';
import { RESOLVERS } from './resolvers.js';
import { ruleSchema } from './rule-schema.js';
import type { Scenarios } from './scenarios.js';
import type { Unmatched } from './unmatched.js';

export interface AdminDeps {
  inbox: Inbox;
  journal: Journal;
  scenarios: Scenarios;
  clock: Clock;
  unmatched: Unmatched;
  providerIds: readonly string[];
  providers: () => unknown;
  /** Resets all state, or only what belongs to one session. */
  reset(session?: string): void;
  /** Figures the health check adds (callback delivery). */
  health?: () => Record<string, unknown>;
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

  admin.get('/health', (c) => c.json({ status: 'ok', ...deps.health?.() }));
  admin.get('/providers', (c) => c.json(deps.providers()));

  admin.post('/reset', (c) => {
    deps.reset(c.req.header(SESSION_HEADER));
    return c.body(null, 204);
  });

  admin.get('/messages', (c) => {
    const filter = messageFilter(c.req.query(), c.req.header(SESSION_HEADER));
    if (!filter.ok) return filter.error;
    const limit = positiveInt(c.req.query('limit'));
    if (limit === null) return problem(400, 'Invalid query', 'limit must be a positive integer');
    const { inbox } = deps;
    return c.json({ ...totals(inbox.count(filter.value), inbox), messages: inbox.list(filter.value, limit) });
  });

  admin.get('/messages/latest', async (c) => {
    const filter = messageFilter(c.req.query(), c.req.header(SESSION_HEADER));
    if (!filter.ok) return filter.error;
    const wait = c.req.query('wait');
    const waitMs = wait === undefined ? 0 : Number(wait);
    if (!Number.isInteger(waitMs) || waitMs < 0)
      return problem(400, 'Invalid query', 'wait must be a whole number of milliseconds');
    const found =
      deps.inbox.latest(filter.value) ??
      (waitMs > 0
        ? await deps.inbox.waitFor(filter.value, Math.min(waitMs, MAX_WAIT_MS), c.req.raw.signal)
        : undefined);
    if (!found) return problem(404, 'No message', `no message matches ${describe(filter.value)}`);
    return c.json(found);
  });

  admin.delete('/messages', (c) => {
    deps.inbox.clear(c.req.header(SESSION_HEADER));
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
    const { journal } = deps;
    return c.json({ ...totals(journal.count(filter), journal), requests: journal.list(filter, limit) });
  });

  admin.get('/requests/unmatched', (c) => c.json({ requests: deps.unmatched.list(c.req.header(SESSION_HEADER)) }));

  admin.get('/scenarios', (c) => {
    const session = c.req.header(SESSION_HEADER);
    const { outcomes } = deps.scenarios.catalogue;
    return c.json({
      precedence: RESOLVERS.map((r) => r.name),
      outcomes: Object.entries(outcomes).map(([name, entry]) => ({
        name,
        ...entry,
        numbers: entry.numbers.map((r) => ({ from: `+${r.from}`, to: `+${r.to}`, example: `+${r.from}` })),
      })),
      rules: deps.scenarios.rules(session),
      chaos: deps.scenarios.chaos(),
    });
  });

  const rules = ruleSchema(deps.providerIds);
  admin.post('/scenarios', async (c) => {
    const body = await readJson(c.req.raw);
    if (!body.ok) return body.error;
    const parsed = rules.safeParse(body.value);
    if (!parsed.success) return problem(400, 'Invalid rule', z.prettifyError(parsed.error));
    // assumption: 409 Conflict, as for any request the server's current state refuses.
    if (deps.scenarios.rules().length >= MAX_RULES) {
      return problem(
        409,
        'Too many rules',
        `${MAX_RULES} rules are armed, the most the simulator holds; disarm some (DELETE /__admin/scenarios) first`,
      );
    }
    const rule = deps.scenarios.arm(parsed.data, c.req.header(SESSION_HEADER) ?? null);
    return c.json(rule, 201);
  });

  admin.delete('/scenarios', (c) => {
    deps.scenarios.clearRules(c.req.header(SESSION_HEADER));
    return c.body(null, 204);
  });

  admin.delete('/scenarios/:id', (c) => {
    const removed = deps.scenarios.disarm(c.req.param('id'), c.req.header(SESSION_HEADER));
    return removed
      ? c.body(null, 204)
      : problem(404, 'No such rule', `no armed rule ${c.req.param('id')} in this session`);
  });

  const chaos = chaosSchemaFor(deps.providerIds);
  admin.get('/chaos', (c) => c.json(deps.scenarios.chaos()));
  admin.put('/chaos', async (c) => {
    const body = await readJson(c.req.raw);
    if (!body.ok) return body.error;
    const parsed = chaos.safeParse(body.value);
    if (!parsed.success) return problem(400, 'Invalid chaos settings', z.prettifyError(parsed.error));
    return c.json(deps.scenarios.setChaos(parsed.data));
  });
  admin.delete('/chaos', (c) => c.json(deps.scenarios.setChaos({ enabled: false, probabilities: {} })));

  admin.get('/clock', (c) => c.json(clockView(deps.clock)));
  admin.post('/clock', async (c) => {
    const body = await readJson(c.req.raw);
    if (!body.ok) return body.error;
    const advance = isRecord(body.value) ? parseDuration(body.value.advance) : undefined;
    if (advance === undefined) {
      return problem(
        400,
        'Invalid clock change',
        'send {"advance": "<duration>"}, e.g. "10m", "30s", "1h30m", "500ms" or a number of milliseconds; the clock only moves forward',
      );
    }
    deps.clock.advance(advance);
    return c.json(clockView(deps.clock));
  });

  admin.get('/requests/:id', (c) => {
    const entry = deps.journal.get(c.req.param('id'));
    return entry ? c.json(entry) : problem(404, 'No such request', `no journal entry ${c.req.param('id')}`);
  });

  return admin;
}

/** `total`: entries matching the filter; `stored`: entries held; `evicted`: dropped past capacity since the reset. */
function totals(total: number, store: { size: number; evicted: number }) {
  return { total, stored: store.size, evicted: store.evicted };
}

function clockView(clock: Clock) {
  return { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Capped in size and nesting depth (admin-limits.ts).
const readJson = readAdminJson;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: Response };

function messageFilter(q: Record<string, string>, session: string | undefined): Parsed<MessageFilter> {
  const filter: MessageFilter = {};
  if (q.to !== undefined) {
    const digits = q.to.replace(/[\s\-().]/g, '').replace(/^\+/, '');
    if (!/^\d{4,20}$/.test(digits)) {
      return {
        ok: false,
        error: problem(400, 'Invalid query', 'to must be a phone number, as digits or E.164 (+6281234567890)'),
      };
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
