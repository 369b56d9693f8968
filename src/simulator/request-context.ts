/**
 * The plain data one request carries through the pipeline's steps, and what the pipeline depends on.
 * Steps read and fill a context; nothing they share lives anywhere else.
 * @module
 */
import type { Context } from 'hono';
import type {
  EndpointDefinition,
  IdSource,
  NativeReply,
  ProviderDefinition,
  ProviderSettings,
  RequestView,
} from '../providers/define.js';
import type { Outcome } from '../providers/outcomes.js';
import type { Clock } from './clock.js';
import type { Inbox, InboxMessage, NewMessage } from './inbox.js';
import type { DecidedBy, Journal } from './journal.js';
import type { Limits } from './limits.js';
import type { PreferAsk } from './prefer.js';
import type { Decision, Scenarios } from './scenarios.js';
import type { PlannedReport, Timeline } from './timeline.js';

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
  /** Rules, chaos and magic numbers, consulted by the resolvers (resolvers.ts). */
  scenarios: Scenarios;
  /** How long `slow` waits before accepting, and the cap on how long `timeout` holds a request. */
  delays: { slowMs: number; timeoutCapMs: number };
  /** Delivery callbacks: plays each captured message's timeline in the background (dispatcher.ts). */
  callbacks?: {
    plan(message: NewMessage, timeline: Timeline): PlannedReport[];
    start(message: InboxMessage, timeline: Timeline): void;
    report(provider: string, providerMessageId: string, state: 'verified'): void;
  };
}

/** A step's final answer: the native reply, the outcome it stands for, and why. */
export interface Verdict {
  reply: NativeReply;
  outcome: Outcome;
  by: DecidedBy;
  detail: string;
  /** A tester's mistake in `Prefer`: answered with a problem+json 400 instead of the provider's reply. */
  error?: string;
}

export interface RequestContext {
  readonly c: Context;
  readonly provider: ProviderDefinition;
  readonly endpoint: EndpointDefinition;
  readonly runtime: ProviderRuntime;
  readonly deps: PipelineDeps;
  readonly view: RequestView;
  /** The request's headers, lower-cased names, as received. */
  readonly headers: Record<string, string>;
  readonly session: string | null;
  readonly requestId: string;
  /** performance.now() at arrival, for the journal's duration. */
  readonly started: number;
  /** The body as read (read body). */
  text: string;
  /** The body as the journal keeps it: cut short when large (read body). */
  bodyText: string | undefined;
  /** The account the credentials belong to (authenticate). */
  account: string;
  /** The validated body (parse). */
  body: unknown;
  /** Recipient digits, when the endpoint names one (parse). */
  to: string | undefined;
  /** What a `Prefer` header asked for (read prefer). */
  prefer: PreferAsk;
  /** The delivery timeline captured messages get (read prefer, resolve outcome). */
  timeline: Timeline;
  /** How the outcome was decided (resolve outcome). */
  decision: Decision | undefined;
}
