/**
 * The one generic route every provider endpoint runs through:
 * read body -> authenticate -> parse -> resolve the outcome -> reply natively -> capture -> journal.
 * Slices only supply the provider-specific parts; this file knows no provider by name.
 * @module
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type {
  CapturedMessage,
  EndpointDefinition,
  IdSource,
  NativeReply,
  ProviderDefinition,
  ProviderSettings,
  RejectReason,
  RequestView,
} from '../providers/define.js';
import { type Outcome, REJECTIONS, type Rejection, isRejection } from '../providers/outcomes.js';
import type { Clock } from './clock.js';
import type { Inbox, InboxMessage, NewMessage } from './inbox.js';
import type { DecidedBy, Journal } from './journal.js';
import type { Limits } from './limits.js';
import { problem } from '../util/problem.js';
import type { Decision, Resolution, ScenarioInput } from './scenarios.js';
import { parseJsonText } from './json-limits.js';
import { type PlannedReport, type Timeline, preferredTimeline } from './timeline.js';

export const MAX_BODY_BYTES = 1024 * 1024;
export const SESSION_HEADER = 'x-waotp-session';

/** The delivery failure of a `not_on_whatsapp` send, where the provider names none of its own. */
const NOT_ON_WHATSAPP = { code: 131026, title: 'Message undeliverable', details: 'the recipient is not on WhatsApp' };

/** A provider as the running simulator holds it: its definition, the user's settings, its live state. */
export interface ProviderRuntime {
  definition: ProviderDefinition;
  settings: ProviderSettings;
  state: unknown;
}

export interface PipelineDeps {
  clock: Clock;
  ids: IdSource;
  inbox: Inbox;
  journal: Journal;
  limits: Limits;
  runtime(id: string): ProviderRuntime;
  /** Scenario resolution: an outcome forced by a rule, header, magic number or chaos, if any. */
  resolve(input: ScenarioInput): Resolution;
  /** How long `slow` waits before accepting, and the cap on how long `timeout` holds a request. */
  delays: { slowMs: number; timeoutCapMs: number };
  /** Delivery callbacks: plays each captured message's timeline in the background (dispatcher.ts). */
  callbacks?: {
    plan(message: NewMessage, timeline: Timeline): PlannedReport[];
    start(message: InboxMessage, timeline: Timeline): void;
    report(provider: string, providerMessageId: string, state: 'verified'): void;
  };
}

type Verdict = { reply: NativeReply; outcome: Outcome; by: DecidedBy; detail: string; error?: string };

/**
 * Builds the Hono handler for one endpoint of one provider.
 * @example
 * app.on(endpoint.method, [endpoint.path, `/${provider.id}${endpoint.path}`], createEndpointHandler(provider, endpoint, deps));
 */
export function createEndpointHandler(provider: ProviderDefinition, endpoint: EndpointDefinition, deps: PipelineDeps) {
  return async (c: Context): Promise<Response> => {
    const started = performance.now();
    const runtime = deps.runtime(provider.id);
    const headers = c.req.header();
    const view: RequestView = {
      method: c.req.method,
      path: c.req.path,
      header: (name) => headers[name.toLowerCase()],
      query: (name) => c.req.query(name),
      params: c.req.param() as Record<string, string>,
    };
    const session = headers[SESSION_HEADER] ?? null;
    const requestId = deps.journal.nextId();
    let bodyText: string | undefined;
    let to: string | undefined;
    let timeline: Timeline = 'normal';

    const reject = (outcome: Rejection, reason?: RejectReason) => provider.reject(outcome, reason);
    const invalid = (reason: RejectReason): Verdict => ({
      reply: reject('invalid_request', reason),
      outcome: 'invalid_request',
      by: 'validation',
      detail: reason.message ?? '',
    });

    const decide = async (): Promise<Verdict> => {
      const raw = endpoint.body ? await readBodyText(c.req.raw) : '';
      if (raw === undefined) {
        const verdict = invalid({ problem: 'too_large', status: 413, message: `request body exceeds ${MAX_BODY_BYTES} bytes` });
        // The connection may still hold unread bytes: it must not be reused.
        return { ...verdict, reply: { ...verdict.reply, headers: { ...verdict.reply.headers, connection: 'close' } } };
      }
      // The journal keeps the text (a large body cut short); it is parsed only when someone reads it.
      if (raw) bodyText = raw.length > 16_384 ? `${raw.slice(0, 16_384)}…` : raw;
      const auth = endpoint.authenticate(view, { state: runtime.state, now: deps.clock.now, credentials: runtime.settings.credentials });
      if (!auth.ok) return { reply: reject(auth.outcome, auth.reason), outcome: auth.outcome, by: 'auth', detail: auth.reason.message ?? auth.reason.problem ?? '' };
      let body: unknown = undefined;
      if (endpoint.body) {
        const json = parseJson(raw, headers['content-type'], endpoint.bodyOptional ?? false);
        if (!json.ok) return invalid(json.reason);
        const parsed = endpoint.body.safeParse(json.value);
        if (!parsed.success) return invalid(describeIssue(parsed.error, json.value));
        body = parsed.data;
      }
      to = endpoint.recipient?.(body, view);
      const template = endpoint.template?.(body, view);
      const pinned = runtime.settings.templates;
      if (template !== undefined && pinned && !pinned.includes(template)) {
        return invalid({ problem: 'unknown_template', message: `template "${template}" not found` });
      }
      const accept = (outcome: 'accepted' | 'not_on_whatsapp', decision: Decision) => run(body, auth.account, outcome, decision);
      if (endpoint.kind === 'account') return accept('accepted', { outcome: 'accepted', by: 'default', detail: '' });

      const forced = deps.resolve({
        provider: provider.id,
        kind: endpoint.kind,
        to,
        session,
        header: view.header,
        outcomeForStatus: (status) => outcomeForStatus(provider, status),
      });
      if (forced && 'error' in forced) {
        return { reply: { status: 400, body: undefined }, outcome: 'invalid_request', by: 'header', detail: forced.error, error: forced.error };
      }
      const asked = preferredTimeline(view.header('prefer'));
      if (typeof asked === 'object') return { reply: { status: 400, body: undefined }, outcome: 'invalid_request', by: 'header', detail: asked.error, error: asked.error };
      timeline = forced?.timeline ?? asked ?? 'normal';
      const limited = endpoint.kind === 'sandbox' ? undefined : checkLimits(to, auth.account);
      const decision: Decision = forced ?? limited ?? { outcome: 'accepted', by: endpoint.kind === 'sandbox' ? 'sandbox' : 'default', detail: '' };
      const { outcome } = decision;
      if (isRejection(outcome)) {
        const retryAfter = outcome === 'rate_limited' ? (decision.retryAfter ?? 1) : undefined;
        return { ...decision, reply: reject(outcome, { problem: 'scenario', message: decision.detail, retryAfter, ...(decision.status && { status: decision.status }) }) };
      }
      if (outcome === 'slow') await sleep(deps.delays.slowMs);
      return accept(outcome === 'not_on_whatsapp' ? 'not_on_whatsapp' : 'accepted', decision);
    };

    const checkLimits = (recipient: string | undefined, account: string): Decision | undefined => {
      const { settings, definition } = runtime;
      if (endpoint.kind === 'send' && recipient !== undefined && settings.blocked?.includes(recipient)) {
        return { outcome: 'blocked_recipient', by: 'state', detail: `${recipient} is on the blocked list` };
      }
      const rate = settings.rateLimit === false ? undefined : (settings.rateLimit ?? endpoint.rateLimit ?? definition.rateLimit);
      if (rate) {
        const key = `${provider.id}:${account}:${endpoint.rateLimit?.group ?? rate.group ?? ''}`;
        const hit = deps.limits.hit(key, rate);
        if (!hit.ok) return { outcome: 'rate_limited', by: 'state', detail: `over ${rate.limit} requests per ${rate.windowMs} ms`, retryAfter: hit.retryAfter };
      }
      if (endpoint.kind === 'send' && settings.quota !== undefined && !deps.limits.hasQuota(`${provider.id}:${account}`, settings.quota)) {
        return { outcome: 'insufficient_quota', by: 'state', detail: `quota of ${settings.quota} sends used up` };
      }
      return undefined;
    };

    const run = (body: unknown, account: string, outcome: 'accepted' | 'not_on_whatsapp', decision: Decision): Verdict => {
      let rejectedWith: Outcome | undefined;
      const reply = endpoint.handle({
        body,
        req: view,
        account,
        state: runtime.state,
        now: deps.clock.now,
        ids: deps.ids,
        outcome,
        settings: runtime.settings,
        capture: (message: CapturedMessage) => {
          // One fixed-shape object per message: spreads here were a measurable share of a send.
          const fields: NewMessage = {
            to: message.to,
            code: message.code,
            text: message.text,
            template: message.template,
            language: message.language,
            providerMessageId: message.providerMessageId,
            failure: message.failure ?? (decision.outcome === 'not_on_whatsapp' ? NOT_ON_WHATSAPP : undefined),
            callback: message.callback,
            expiresAt: message.expiresAt,
            provider: provider.id,
            session,
            outcome: decision.outcome,
            status: 'accepted',
            createdAt: new Date(deps.clock.now()).toISOString(),
            requestId,
          };
          // The delivery reports to come are stored with the message, as data its status is read from.
          if (deps.callbacks) fields.plan = deps.callbacks.plan(fields, timeline);
          const stored = deps.inbox.add(fields);
          deps.callbacks?.start(stored, timeline);
        },
        report: (providerMessageId, state) => deps.callbacks?.report(provider.id, providerMessageId, state),
        reject: (rejection, reason) => {
          rejectedWith = rejection;
          return reject(rejection, reason);
        },
      });
      // Only a send the provider took costs quota; one its handler turned away does not.
      if (endpoint.kind === 'send' && reply.status < 300) deps.limits.spend(`${provider.id}:${account}`);
      return { reply, outcome: rejectedWith ?? decision.outcome, by: decision.by, detail: decision.detail };
    };

    const verdict = await decide();
    const response = verdict.error ? problem(400, 'Unknown scenario', verdict.error) : await deliver(c, verdict, deps.delays.timeoutCapMs);
    deps.journal.add({
      id: requestId,
      at: deps.clock.now(),
      session,
      method: view.method,
      path: view.path,
      provider: provider.id,
      operationId: endpoint.operationId,
      status: verdict.reply.status,
      outcome: verdict.outcome,
      reason: { by: verdict.by, detail: verdict.detail },
      ...(to !== undefined && { to }),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      request: { headers, ...(c.req.url.includes('?') && { query: c.req.query() }), ...(bodyText && { bodyText }) },
      reply: { status: verdict.reply.status, headers: verdict.reply.headers ?? {}, body: verdict.reply.body },
    });
    return response;
  };
}

/** Prism's `Prefer: code=<status>`: the outcome this provider renders with that status. */
function outcomeForStatus(provider: ProviderDefinition, status: number): Outcome | undefined {
  if (status >= 200 && status < 300) return 'accepted';
  return (
    REJECTIONS.find((o) => provider.reject(o).status === status) ??
    // Second choice: an outcome the provider renders with this status when asked to (503, 403, 413...).
    REJECTIONS.find((o) => provider.reject(o, { status }).status === status)
  );
}

/** Turns a verdict into bytes on the wire, including the transport faults no provider renders itself. */
async function deliver(c: Context, verdict: Verdict, timeoutCapMs: number): Promise<Response> {
  const { reply, outcome } = verdict;
  const incoming = (c.env as { incoming?: import('node:http').IncomingMessage } | undefined)?.incoming;
  if (outcome === 'connection_reset') {
    if (!incoming) return Response.error();
    incoming.socket.destroy();
    return new Response(null);
  }
  if (outcome === 'timeout') {
    // Hold the request until the client gives up, or the cap passes; then drop the connection unanswered.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutCapMs);
      incoming?.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    incoming?.socket.destroy();
    return incoming ? new Response(null) : Response.error();
  }
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
  headers['content-type'] ??= 'application/json; charset=utf-8';
  let text = JSON.stringify(reply.body);
  if (outcome === 'malformed_reply') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  return new Response(text, { status: reply.status, headers });
}

/** Past the cap, a body is still read and discarded up to this size, so the client sees the 413. */
const DRAIN_LIMIT = 16 * MAX_BODY_BYTES;

/**
 * Reads a body with a hard size cap, without trusting Content-Length alone; undefined when over it.
 * An oversized body is drained (up to DRAIN_LIMIT) rather than cut off, because a client still writing
 * when the server answers sees a reset instead of the 413.
 */
export async function readBodyText(request: Request, max = MAX_BODY_BYTES): Promise<string | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    const length = Number(declared);
    if (!(length <= DRAIN_LIMIT)) return undefined;
    if (length > max) {
      await request.arrayBuffer().catch(() => undefined);
      return undefined;
    }
    // The declared length bounds the read, and @hono/node-server reads it straight from the socket;
    // touching request.body instead would build a web stream per request.
    return request.text();
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > DRAIN_LIMIT) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    if (size <= max) chunks.push(value);
  }
  return size > max ? undefined : Buffer.concat(chunks, size).toString('utf8');
}

type JsonRead = { ok: true; value: unknown } | { ok: false; reason: RejectReason };

/** Parses a JSON body, refusing other media types. */
export function parseJson(text: string, contentType: string | undefined, optional: boolean): JsonRead {
  // An empty optional body is fine whatever its type: `curl -d ''` labels it form-encoded.
  if (optional && text.trim() === '') return { ok: true, value: {} };
  // assumption: a missing Content-Type is read as JSON (lenient, like most JSON APIs); a non-JSON one is refused.
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    return { ok: false, reason: { problem: 'unsupported_media_type', message: `Content-Type must be application/json, not ${contentType}` } };
  }
  if (text.trim() === '') return { ok: false, reason: { problem: 'missing_field', message: 'request body is empty' } };
  const json = parseJsonText(text);
  if (json.ok) return json;
  return { ok: false, reason: { problem: 'malformed_json', message: json.tooDeep ? `body is refused: ${json.error}` : `body is not valid JSON: ${json.error}` } };
}

/** The first zod issue as a provider-neutral reason: which field, and whether it is missing or wrong. */
export function describeIssue(error: z.ZodError, input: unknown): RejectReason {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  const field = path.join('.');
  const missing = path.length > 0 && valueAt(input, path) === undefined;
  const problem = missing ? 'missing_field' : 'invalid_field';
  // Refinements word their own message; zod's built-in ones need the field named.
  if (issue.code === 'custom') return { problem, ...(field && { field }), message: issue.message };
  if (missing) return { problem, field, message: `${field} is required` };
  return { problem, ...(field && { field }), message: field ? `${field}: ${issue.message}` : issue.message };
}

function valueAt(input: unknown, path: string[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
