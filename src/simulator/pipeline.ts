/**
 * The one generic route every provider endpoint runs through: the steps in steps.ts in order, with the
 * request journal and the wire reply at the edges. Slices supply the provider-specific parts; this file
 * knows no provider by name.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { EndpointDefinition, ProviderDefinition, RequestView } from '../providers/define.js';
import type { Journal, JournalRecord } from './journal.js';
import type { PipelineDeps, RequestContext, Verdict } from './request-context.js';
import { STEPS } from './steps.js';
import { toResponse } from './wire.js';

export { MAX_BODY_BYTES } from './body.js';
export type { PipelineDeps, ProviderRuntime } from './request-context.js';
export const SESSION_HEADER = 'x-waotp-session';

/**
 * Builds the Hono handler for one endpoint of one provider.
 * @example
 * const handler = createEndpointHandler(provider, endpoint, deps);
 * app.on(endpoint.method, [endpoint.path, `/${provider.id}${endpoint.path}`], handler);
 */
export function createEndpointHandler(provider: ProviderDefinition, endpoint: EndpointDefinition, deps: PipelineDeps) {
  return async (c: Context): Promise<Response> => {
    const ctx = createContext(c, provider, endpoint, deps);
    const verdict = await runSteps(ctx);
    const response = await toResponse(c, verdict, deps.delays.timeoutCapMs);
    recordRequest(deps.journal, ctx, verdict);
    return response;
  };
}

function createContext(
  c: Context,
  provider: ProviderDefinition,
  endpoint: EndpointDefinition,
  deps: PipelineDeps,
): RequestContext {
  const started = performance.now();
  const headers = headersOf(c);
  const view: RequestView = {
    method: c.req.method,
    path: c.req.path,
    header: (name) => headers[name.toLowerCase()],
    query: (name) => c.req.query(name),
    params: c.req.param() as Record<string, string>,
  };
  return {
    c,
    provider,
    endpoint,
    runtime: deps.runtime(provider.id),
    deps,
    view,
    headers,
    session: headers[SESSION_HEADER] ?? null,
    requestId: deps.journal.nextId(),
    started,
    text: '',
    bodyText: undefined,
    account: '',
    body: undefined,
    to: undefined,
    prefer: {},
    timeline: 'normal',
    decision: undefined,
  };
}

/**
 * The request's headers as a record of lower-cased names, as `c.req.header()` gives them (repeated headers
 * joined with ", "), read from Node's raw header list: materializing a fetch `Headers` first was a tenth of a send.
 */
function headersOf(c: Context): Record<string, string> {
  const raw = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.rawHeaders;
  if (!raw) return c.req.header();
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const seen = headers[name];
    headers[name] = seen === undefined ? value : `${seen}, ${value}`;
  }
  return headers;
}

/** Runs the steps until one answers; awaits only the steps that return a promise. */
async function runSteps(ctx: RequestContext): Promise<Verdict> {
  for (const step of STEPS) {
    const result = step.run(ctx);
    const verdict = result instanceof Promise ? await result : result;
    if (verdict) return verdict;
  }
  throw new Error(`no step answered ${ctx.view.method} ${ctx.view.path}`);
}

/** The journal edge: every answered request is recorded here, once, after its reply is built. */
function recordRequest(journal: Journal, ctx: RequestContext, verdict: Verdict): void {
  const { c, view, headers, to, bodyText } = ctx;
  const { reply } = verdict;
  const request: JournalRecord['request'] = { headers };
  if (c.req.url.includes('?')) request.query = c.req.query();
  if (bodyText) request.bodyText = bodyText;
  const record: JournalRecord = {
    id: ctx.requestId,
    at: ctx.deps.clock.now(),
    session: ctx.session,
    method: view.method,
    // The route's own string where it is the path: the request's path is a slice that keeps its whole URL alive.
    path: view.path === ctx.endpoint.path ? ctx.endpoint.path : view.path,
    provider: ctx.provider.id,
    operationId: ctx.endpoint.operationId,
    status: reply.status,
    outcome: verdict.outcome,
    reason: { by: verdict.by, detail: verdict.detail },
    durationMs: Math.round((performance.now() - ctx.started) * 100) / 100,
    request,
    // The reply as built is kept, not copied: nothing changes it once answered.
    reply: reply.headers ? (reply as JournalRecord['reply']) : { status: reply.status, headers: {}, body: reply.body },
    bytes: 0,
  };
  if (to !== undefined) record.to = to;
  journal.add(record);
}
