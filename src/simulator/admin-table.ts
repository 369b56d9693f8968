/**
 * The shape of the `/__admin` route table, and the one function that mounts it. Each route is plain data
 * (method, path, summary, query and body schemas, replies by status, errors) with its handler; the same
 * table generates `contracts/admin.openapi.json` (src/contracts/admin.ts), so the two cannot drift.
 * Queries and bodies are checked here, against the route's own schemas, before its handler runs.
 * @module
 */
import type { Context, Hono } from 'hono';
import { type ZodError, z } from 'zod';
import type { ProviderDefinition } from '../providers/define.js';
import { problem } from '../util/problem.js';
import { readAdminJson } from './admin-limits.js';
import type { Clock } from './clock.js';
import type { Dispatcher } from './dispatcher.js';
import type { Inbox } from './inbox.js';
import type { Journal } from './journal.js';
import { SESSION_HEADER } from './pipeline.js';
import type { Scenarios } from './scenarios.js';
import type { Unmatched } from './unmatched.js';

/** What the admin handlers work on. */
export interface AdminDeps {
  inbox: Inbox;
  journal: Journal;
  scenarios: Scenarios;
  clock: Clock;
  unmatched: Unmatched;
  callbacks: Dispatcher;
  providers: readonly ProviderDefinition[];
  /** What `GET /__admin/providers` shows. */
  describeProviders(): unknown;
  /** Resets all state, or only what belongs to one session. */
  reset(session?: string): void;
  /** Figures the health check adds (callback delivery). */
  health(): Record<string, unknown>;
  /** Unsent bytes an event-stream client may hold before it is cut off. */
  sseBufferBytes?: number | undefined;
}

/** A success reply: a JSON schema, no content, an event stream or an HTML page. */
export type AdminReply = z.ZodType | 'empty' | 'event-stream' | 'html';

export interface AdminBody<B> {
  /** The body's schema for the registered providers (rules and chaos name provider ids). */
  schema(providers: readonly ProviderDefinition[]): z.ZodType<B>;
  /** The problem title of a body the schema refuses. */
  invalid: string;
  /** The problem detail of a refused body; default: every issue, as zod prints them. */
  detail?: (error: ZodError) => string;
  /** A body that works, shown in the contract. */
  example: unknown;
}

export interface AdminRequest<Q, B> {
  c: Context;
  /** The query, parsed by the route's query schema. */
  query: Q;
  /** The body, parsed by the route's body schema. */
  body: B;
  /** `x-waotp-session`, when sent. */
  session: string | undefined;
  deps: AdminDeps;
}

export interface AdminRoute<Q = any, B = any> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Hono's path syntax (`/__admin/requests/:id`); the contract writes `{id}`. */
  path: string;
  summary: string;
  /** Query parameters, all strings on the wire; a refusal answers 400 "Invalid query" with the issue's message. */
  query?: z.ZodType<Q, Record<string, string | undefined>>;
  body?: AdminBody<B>;
  /** Success replies by status. */
  replies: Record<number, AdminReply>;
  /** Problem statuses the route answers: 400 when its query schema can refuse (the body check adds its own). */
  errors?: number[];
  handler(request: AdminRequest<Q, B>): Response | Promise<Response>;
}

/**
 * Declares one route, typing its handler's query and body by its schemas.
 * @example
 * adminRoute({ method: 'get', path: '/__admin/clock', summary: 'Simulated time', replies: { 200: clockSchema },
 *   handler: ({ c, deps }) => c.json(clockView(deps.clock)) });
 */
export function adminRoute<Q = undefined, B = undefined>(route: AdminRoute<Q, B>): AdminRoute {
  return route as AdminRoute;
}

/** Every problem status a route may answer: its own, and 400 and 413 (too large) for a body. */
export function problemStatuses(route: AdminRoute): number[] {
  const statuses = new Set(route.errors ?? []);
  if (route.body) statuses.add(400);
  if (route.body) statuses.add(413);
  return [...statuses].sort((a, b) => a - b);
}

/** A positive whole number, as a query parameter. */
export const positiveIntParam = (name: string) =>
  z
    .string()
    .refine((v) => Number.isInteger(Number(v)) && Number(v) > 0, `${name} must be a positive integer`)
    .transform(Number);

/** `limit`: at most this many, newest first. */
export const limitParam = positiveIntParam('limit').optional().describe('At most this many, newest first');

/** `provider`: one provider's entries only. */
export const providerParam = z.string().optional().describe("Only this provider's, by id (e.g. verihubs)");

/**
 * Mounts the table's routes on the app, each behind its query and body checks.
 * @example
 * mountAdminRoutes(app, ADMIN_ROUTES, deps);
 */
export function mountAdminRoutes(app: Hono, routes: readonly AdminRoute[], deps: AdminDeps): void {
  for (const route of routes) {
    const body = route.body && { ...route.body, schema: route.body.schema(deps.providers) };
    app.on(route.method.toUpperCase(), route.path, async (c) => {
      let query: unknown;
      if (route.query) {
        const parsed = route.query.safeParse(c.req.query());
        if (!parsed.success) return problem(400, 'Invalid query', parsed.error.issues[0]!.message);
        query = parsed.data;
      }
      let value: unknown;
      if (body) {
        const read = await readAdminJson(c.req.raw);
        if (!read.ok) return read.error;
        const parsed = body.schema.safeParse(read.value);
        if (!parsed.success) {
          return problem(400, body.invalid, body.detail ? body.detail(parsed.error) : z.prettifyError(parsed.error));
        }
        value = parsed.data;
      }
      return route.handler({ c, query, body: value, session: c.req.header(SESSION_HEADER), deps });
    });
  }
}
