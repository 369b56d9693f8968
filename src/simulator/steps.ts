/**
 * The steps of the request path, in order. Each looks at the request context, fills in what it learned,
 * and either answers (a verdict: the request ends here) or passes (undefined). Prism's validate -> mock:
 * everything before `handle` may refuse the request; `handle` is the provider's own behaviour.
 * @module
 */
import type { CapturedMessage, RejectReason } from '../providers/define.js';
import { isRejection, type Outcome, type Rejection } from '../providers/outcomes.js';
import { describeIssue, JOURNAL_BODY_CHARS, MAX_BODY_BYTES, parseJson, readBodyText } from './body.js';
import type { NewMessage } from './inbox.js';
import { parsePrefer, preferredTimelineOf } from './prefer.js';
import type { RequestContext, Verdict } from './request-context.js';
import { resolveOutcome } from './resolvers.js';

export type StepResult = Verdict | undefined;

export interface Step {
  name: string;
  run(ctx: RequestContext): StepResult | Promise<StepResult>;
}

/** The delivery failure of a `not_on_whatsapp` send, where the provider names none of its own. */
const NOT_ON_WHATSAPP = { code: 131026, title: 'Message undeliverable', details: 'the recipient is not on WhatsApp' };

const reject = (ctx: RequestContext, outcome: Rejection, reason?: RejectReason) => ctx.provider.reject(outcome, reason);

const invalid = (ctx: RequestContext, reason: RejectReason): Verdict => ({
  reply: reject(ctx, 'invalid_request', reason),
  outcome: 'invalid_request',
  by: 'validation',
  detail: reason.message ?? '',
});

/** A `Prefer` the tester got wrong: the pipeline answers it with a problem, not the provider's reply. */
const preferError = (error: string): Verdict => ({
  reply: { status: 400 },
  outcome: 'invalid_request',
  by: 'header',
  detail: error,
  error,
});

/**
 * The one place a request body is read (size cap included); later checks on the raw text belong here.
 * Returns a promise only when there is a body to wait for.
 */
function readBody(ctx: RequestContext): StepResult | Promise<StepResult> {
  if (!ctx.endpoint.body) return undefined;
  return readBodyText(ctx.c.req.raw).then((raw) => {
    if (raw === undefined) {
      const verdict = invalid(ctx, {
        problem: 'too_large',
        status: 413,
        message: `request body exceeds ${MAX_BODY_BYTES} bytes`,
      });
      // The connection may still hold unread bytes: it must not be reused.
      return { ...verdict, reply: { ...verdict.reply, headers: { ...verdict.reply.headers, connection: 'close' } } };
    }
    ctx.text = raw;
    // The journal keeps the text (a large body cut short); it is parsed only when someone reads it.
    if (raw) ctx.bodyText = raw.length > JOURNAL_BODY_CHARS ? `${raw.slice(0, JOURNAL_BODY_CHARS)}…` : raw;
    return undefined;
  });
}

function authenticate(ctx: RequestContext): StepResult {
  const { runtime, deps } = ctx;
  const auth = ctx.endpoint.authenticate(ctx.view, {
    state: runtime.state,
    now: deps.clock.now,
    credentials: runtime.settings.credentials,
  });
  if (auth.ok) {
    ctx.account = auth.account;
    return undefined;
  }
  return {
    reply: reject(ctx, auth.outcome, auth.reason),
    outcome: auth.outcome,
    by: 'auth',
    detail: auth.reason.message ?? auth.reason.problem ?? '',
  };
}

function parse(ctx: RequestContext): StepResult {
  const { endpoint } = ctx;
  if (endpoint.body) {
    const json = parseJson(ctx.text, ctx.headers['content-type'], endpoint.bodyOptional ?? false);
    if (!json.ok) return invalid(ctx, json.reason);
    const parsed = endpoint.body.safeParse(json.value);
    if (!parsed.success) return invalid(ctx, describeIssue(parsed.error, json.value));
    ctx.body = parsed.data;
  }
  ctx.to = endpoint.recipient?.(ctx.body, ctx.view);
  return undefined;
}

function pinTemplate(ctx: RequestContext): StepResult {
  const pinned = ctx.runtime.settings.templates;
  if (!pinned) return undefined;
  const template = ctx.endpoint.template?.(ctx.body, ctx.view);
  if (template === undefined || pinned.includes(template)) return undefined;
  return invalid(ctx, { problem: 'unknown_template', message: `template "${template}" not found` });
}

/** Parses `Prefer` once; a timeline it names must exist. Account endpoints take no scenario. */
function readPrefer(ctx: RequestContext): StepResult {
  if (ctx.endpoint.kind === 'account') return undefined;
  ctx.prefer = parsePrefer(ctx.headers.prefer);
  const timeline = preferredTimelineOf(ctx.prefer);
  if (typeof timeline === 'object') return preferError(timeline.error);
  if (timeline) ctx.timeline = timeline;
  return undefined;
}

/** The first resolver that answers decides (resolvers.ts); a rejection ends the request in the provider's words. */
function resolve(ctx: RequestContext): StepResult {
  const { provider, endpoint, runtime, account, to, session, prefer, deps } = ctx;
  const decided = resolveOutcome({ provider, endpoint, runtime, account, to, session, prefer }, deps);
  if ('error' in decided) return preferError(decided.error);
  ctx.decision = decided;
  if (decided.timeline) ctx.timeline = decided.timeline;
  const { outcome } = decided;
  if (!isRejection(outcome)) return undefined;
  const retryAfter = outcome === 'rate_limited' ? (decided.retryAfter ?? 1) : undefined;
  const reason: RejectReason = {
    problem: 'scenario',
    message: decided.detail,
    retryAfter,
    ...(decided.status && { status: decided.status }),
  };
  return { ...decided, reply: reject(ctx, outcome, reason) };
}

/** `slow`: the provider takes its time before accepting. */
function slowDown(ctx: RequestContext): StepResult | Promise<StepResult> {
  if (ctx.decision!.outcome !== 'slow') return undefined;
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ctx.deps.delays.slowMs));
}

/** The provider's own behaviour for an accepted request: its reply, captured messages, quota spent. */
function handle(ctx: RequestContext): Verdict {
  const { endpoint, provider, runtime, deps, session, requestId, account } = ctx;
  const decision = ctx.decision!;
  const outcome =
    decision.outcome === 'not_on_whatsapp' || decision.outcome === 'unknown_contact' ? decision.outcome : 'accepted';
  let rejectedWith: Outcome | undefined;
  const reply = endpoint.handle({
    body: ctx.body,
    req: ctx.view,
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
      if (deps.callbacks) fields.plan = deps.callbacks.plan(fields, ctx.timeline);
      const stored = deps.inbox.put(fields);
      deps.callbacks?.start(stored, ctx.timeline);
    },
    report: (providerMessageId, state) => deps.callbacks?.report(provider.id, providerMessageId, state),
    reject: (rejection, reason) => {
      rejectedWith = rejection;
      return reject(ctx, rejection, reason);
    },
  });
  // Only a send the provider took costs quota; one its handler turned away does not.
  if (endpoint.kind === 'send' && reply.status < 300) deps.limits.spend(`${provider.id}:${account}`);
  return { reply, outcome: rejectedWith ?? decision.outcome, by: decision.by, detail: decision.detail };
}

/** The request path, in order. The last step always answers. */
export const STEPS: readonly Step[] = [
  { name: 'read body', run: readBody },
  { name: 'authenticate', run: authenticate },
  { name: 'parse', run: parse },
  { name: 'pin template', run: pinTemplate },
  { name: 'read prefer', run: readPrefer },
  { name: 'resolve outcome', run: resolve },
  { name: 'slow down', run: slowDown },
  { name: 'handle', run: handle },
];
