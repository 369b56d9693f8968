/**
 * The one type every provider slice implements. The simulator, the contract builder and the tests know a
 * provider only through this shape, so adding a provider is one folder and one registry line.
 * @module
 */
import type { z } from 'zod';
import type { AdapterDefinition } from './adapter.js';
import type { DeliveryState, Rejection } from './outcomes.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A provider's answer: status, JSON body (absent = empty body) and extra headers. */
export interface NativeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The kind of problem behind a rejection, so each provider can word it in its own dialect. */
export type Problem =
  | 'missing_field'
  | 'invalid_field'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'too_large'
  | 'unknown_template'
  | 'bad_credentials'
  | 'missing_scope'
  | 'token_expired'
  | 'scenario';

/** Why a request is rejected. Providers with fixed error texts may ignore everything but `status`. */
export interface RejectReason {
  problem?: Problem;
  /** Plain words of the cause, e.g. "template.bodyValues must have 1 item". */
  message?: string;
  /** The offending field as a dotted path, e.g. "template.bodyValues". */
  field?: string;
  /** Overrides the provider's usual status for the outcome (403 for a missing scope, 413, 503...). */
  status?: number;
  /** Seconds a rate-limited client should wait; rendered as `Retry-After`. */
  retryAfter?: number;
}

/** Read-only view of the incoming request, free of any web framework. */
export interface RequestView {
  method: string;
  path: string;
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  params: Record<string, string>;
}

export type AuthVerdict =
  | { ok: true; account: string }
  | { ok: false; outcome: 'unauthorized' | 'invalid_request'; reason: RejectReason };

export interface RateLimit {
  limit: number;
  windowMs: number;
  /** Endpoints sharing a group share one counter per account (e.g. Verihubs v1 vs v2). */
  group?: string;
}

/** Seeded sources of realistic values; one per simulator so runs reproduce. */
export interface IdSource {
  uuid(): string;
  int(min: number, max: number): number;
  digits(length: number): string;
  alphanumeric(length: number): string;
  hex(length: number): string;
}

/** What the simulated provider is told about itself by the user's config file. */
export interface ProviderSettings<Cred = unknown> {
  /** Pinned credentials: when present, only these are accepted. */
  credentials?: Cred[];
  /** Pinned template / flow / bot names: when present, any other is unknown. */
  templates?: string[];
  /** Accepted sends allowed per account; absent = unlimited. */
  quota?: number;
  /** Overrides the documented per-account rate limit; `false` switches it off. */
  rateLimit?: RateLimit | false;
  /** Recipients (E.164 digits) the provider refuses. */
  blocked?: string[];
  /** Provider-specific knobs, parsed by the slice itself. */
  options?: Record<string, unknown>;
  /**
   * Where delivery reports go for a provider whose webhook URL is a setting (config `options.webhookUrl`),
   * resolved from the config in one place (simulator/config.ts `settingsFor`).
   */
  webhookUrl?: string;
}

export interface StateDeps<Cred = unknown> {
  now(): number;
  ids: IdSource;
  settings: ProviderSettings<Cred>;
}

export interface AuthContext<State, Cred> {
  state: State;
  now(): number;
  /** Pinned credentials from config; absent means any well-formed credential is accepted. */
  credentials?: Cred[];
}

/** The message that "arrived on the phone", as the inbox shows it. */
export interface CapturedMessage {
  /** Recipient as E.164 digits without `+`. */
  to: string;
  code: string;
  text: string;
  template?: string;
  language?: string;
  providerMessageId?: string;
  /**
   * Set when the provider accepts the send but delivery will fail (On-Prem reports 1026 or 2001 only
   * through its webhook): the message is shown as failed and its callbacks carry this error.
   */
  failure?: { code: number | string; title: string; details?: string };
  /** Where and with what this send's delivery reports go: a URL the request carried, data to echo. */
  callback?: { url?: string; data?: string };
  /**
   * When the code stops verifying (simulated epoch ms), for providers that check codes themselves:
   * `unverified` is reported then.
   */
  expiresAt?: number;
}

export interface HandleContext<State, Body> {
  body: Body;
  req: RequestView;
  account: string;
  state: State;
  now(): number;
  ids: IdSource;
  /** The outcome scenario resolution chose; handlers only run for outcomes the provider accepts. */
  /** `unknown_contact`: only a provider with a contact store reacts to it (On-Prem); the others accept. */
  outcome: 'accepted' | 'not_on_whatsapp' | 'unknown_contact';
  settings: ProviderSettings;
  capture(message: CapturedMessage): void;
  /** Reports a later event of a message captured earlier, by its `providerMessageId` (Verihubs: a verified code). */
  report?(providerMessageId: string, state: 'verified'): void;
  reject(outcome: Rejection, reason?: RejectReason): NativeReply;
}

export interface ResponseSpec {
  description: string;
  schema: z.ZodType;
  example?: unknown;
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

export interface SampleRequest {
  /** Concrete path at the server root, path parameters filled in. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

export type EndpointKind =
  /** Sends an OTP: recipient-driven scenarios, quotas, blocked numbers and the inbox apply. */
  | 'send'
  /** Checks a code the provider generated. */
  | 'verify'
  /** Answers a documented scenario table; only armed rules and headers override it. */
  | 'sandbox'
  /** Login, settings and other account plumbing. */
  | 'account';

export interface EndpointDefinition<State = any, Body = any, Cred = any> {
  operationId: string;
  summary: string;
  method: HttpMethod;
  /** Hono-style path at the server root, e.g. `/bots/:id/fire`. */
  path: string;
  kind: EndpointKind;
  /** Names of the provider's `securitySchemes` this endpoint requires. */
  security: readonly string[];
  /** Request body schema; absent = the endpoint reads no body. */
  body?: z.ZodType<Body>;
  /** An empty body is allowed and parsed as `{}`. */
  bodyOptional?: boolean;
  /** Overrides the provider's rate limit for this endpoint. */
  rateLimit?: RateLimit;
  authenticate(req: RequestView, ctx: AuthContext<State, Cred>): AuthVerdict;
  /** Recipient as E.164 digits, for scenarios, blocked numbers and the inbox. */
  recipient?(body: Body, req: RequestView): string | undefined;
  /** Template, flow or bot the request names, checked against pinned `templates`. */
  template?(body: Body, req: RequestView): string | undefined;
  handle(ctx: HandleContext<State, Body>): NativeReply;
  /**
   * A request this endpoint accepts on a simulator with no config, addressed to `to` (E.164 digits).
   * The provider x outcome matrix, contract examples and README examples are built from it.
   */
  sample?(to: string): SampleRequest;
  /** Every documented status with its body schema, for contracts and conformance tests. */
  responses: Record<number, ResponseSpec>;
}

export type SecurityScheme =
  /** `identifier`: names an account rather than proving it (Verihubs' App-ID), so the journal shows it unmasked. */
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; description?: string; identifier?: true }
  | { type: 'http'; scheme: 'basic' | 'bearer'; description?: string };

/** One delivery event of a captured message, to be reported the provider's way. */
export interface CallbackEvent {
  /** `requested`: the provider took the request (Verihubs status 0), reported at the send itself. */
  state: DeliveryState | 'verified' | 'unverified' | 'requested';
  /** Simulated time of the event, epoch ms. */
  at: number;
  message: Pick<CapturedMessage, 'to' | 'providerMessageId' | 'failure' | 'callback'>;
}

/** A callback request as the provider sends it; the URL comes from `CallbackDefinition.target`. */
export interface NativeCallback {
  method: 'GET' | 'POST';
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  /** The exact bytes to send when they matter (a signed body); `body` stays its parsed form for records. */
  rawBody?: string;
}

export interface CallbackDefinition {
  /** Where the URL comes from: a field of the send request, or a setting made elsewhere. */
  target: { requestField: string } | { setting: string };
  method: 'GET' | 'POST';
  summary: string;
  /** Schema of the query string (GET callbacks) or the JSON body (POST callbacks). */
  query?: z.ZodType;
  body?: z.ZodType;
  /** The documented delivery policy: attempts in all (1 = never retried) and the wait for each. */
  delivery: { attempts: number; timeoutMs: number };
  /** The delivery states this provider reports at all. */
  states: readonly CallbackEvent['state'][];
  /**
   * For a `setting` target: the webhook URL held in the provider's live state
   * (On-Prem: PATCH /v1/settings/application).
   */
  settingUrl?(state: any): string | undefined;
  /** False when the provider's live settings switch this report off (On-Prem's `webhooks.message.*` flags). */
  reports?(state: any, event: CallbackEvent & { state: Exclude<CallbackEvent['state'], 'requested'> }): boolean;
  /**
   * A verification handshake before the first POST to a URL (Cloud API): the query of a GET whose reply body
   * must be `challenge`; a wrong answer is recorded and nothing is sent.
   */
  handshake?(state: any, challenge: string): Record<string, string>;
  /** The provider's live state is given for what it holds (Cloud API: the app secret that signs). */
  render(event: CallbackEvent, state?: any): NativeCallback;
}

/** A case the provider itself documents (a sandbox table row), for `waotp verify` against any base URL. */
export interface DocumentedCase {
  name: string;
  request: SampleRequest & { method: HttpMethod };
  /** The status, and body fields that must be equal. */
  expect: { status: number; body?: Record<string, unknown> };
}

export interface ProviderDefinition<State = any, Cred = any> {
  /** Folder name, contract file name and `/<id>` path prefix. */
  id: string;
  name: string;
  /** The vendor documentation this slice follows. */
  docs: string;
  securitySchemes: Record<string, SecurityScheme>;
  /** Schema of one pinned credential in the config file. */
  credential: z.ZodType<Cred>;
  /** Printed at start so a developer can copy a working request. */
  demoCredentials: Record<string, string>;
  /** The documented per-account rate limit, if any. */
  rateLimit?: RateLimit;
  /** Place in the default failover order (`waotp dev` with no `core.providers`): lower goes first. */
  failoverRank: number;
  /** Fresh simulated state (sessions, tokens); called at start and on reset. */
  createState(deps: StateDeps<Cred>): State;
  /** Renders a rejection in this provider's native error shape. */
  reject(outcome: Rejection, reason?: RejectReason): NativeReply;
  /** The native error body shape, for contracts. */
  errorSchema: z.ZodType;
  endpoints: readonly EndpointDefinition<State, any, Cred>[];
  /** The real client the sending core uses (`adapter.ts`). */
  adapter: AdapterDefinition;
  /** The delivery reports the provider sends; absent when it documents none (Botcake). */
  callbacks?: CallbackDefinition;
  /**
   * How a send to a number not yet looked up is refused, for a provider with a contact store (On-Prem's 404 1006);
   * absent: the provider resolves numbers itself and `unknown_contact` is an ordinary acceptance.
   */
  unknownContact?: { reply: NativeReply; lookup: string };
  /** Cases the provider documents with their exact answers (Verihubs' sandbox tables). */
  documentedCases?: readonly DocumentedCase[];
  /**
   * Unknown paths this provider answers in its own error shape rather than waotp's problem+json: those under
   * `/<id>` and under `prefixes` (whole segments, e.g. `/bots` for Messcat).
   */
  notFound?: { prefixes: readonly string[]; reply(method: string, path: string): NativeReply };
}

/**
 * The request headers that carry a provider's credentials, lower-case, derived from its security schemes:
 * masked in the journal, and left out by `waotp verify`'s no-credentials case.
 * @example
 * credentialHeaders(verihubs); // ['app-id', 'api-key']
 */
export function credentialHeaders(provider: Pick<ProviderDefinition, 'securitySchemes'>): string[] {
  const names = Object.values(provider.securitySchemes).flatMap((scheme) =>
    scheme.type === 'http' ? ['authorization'] : scheme.in === 'header' ? [scheme.name.toLowerCase()] : [],
  );
  return [...new Set(names)];
}

/** The credential headers that are secrets (all but identifiers), masked in the simulator's journal. */
export function secretHeaders(provider: Pick<ProviderDefinition, 'securitySchemes'>): string[] {
  const identifiers = Object.values(provider.securitySchemes).flatMap((s) =>
    s.type === 'apiKey' && s.identifier ? [s.name.toLowerCase()] : [],
  );
  return credentialHeaders(provider).filter((name) => !identifiers.includes(name));
}

/**
 * Declares a provider slice; identity at runtime, inference at compile time.
 * @example
 * export const splashify = defineProvider({ id: 'splashify', name: 'Splashify Pro', ... });
 */
export function defineProvider<State, Cred>(
  definition: ProviderDefinition<State, Cred>,
): ProviderDefinition<State, Cred> {
  return definition;
}

/**
 * Declares one endpoint of a slice with its body type inferred from the schema.
 * @example
 * const send = defineEndpoint<State>()({ operationId: 'sendMessage', body: sendSchema, ... });
 */
export function defineEndpoint<State, Cred = unknown>() {
  return <Body>(endpoint: EndpointDefinition<State, Body, Cred>): EndpointDefinition<State, Body, Cred> => endpoint;
}
