/**
 * Outcome resolution as data: an ordered list of named resolvers, first answer wins (msw's handler list).
 * The list is both the code and its documentation: `GET /__admin/scenarios` prints its names as the
 * precedence, and the journal's `reason.by` names the resolver that decided.
 * @module
 */
import type { EndpointDefinition, EndpointKind, ProviderDefinition } from '../providers/define.js';
import { type Outcome, REJECTIONS } from '../providers/outcomes.js';
import type { Limits } from './limits.js';
import { type PreferAsk, type PreferError, preferredOutcome } from './prefer.js';
import type { ProviderRuntime } from './request-context.js';
import type { Decision, Scenarios } from './scenarios.js';

/** Everything a resolver may look at for one request. */
export interface OutcomeQuery {
  provider: ProviderDefinition;
  endpoint: EndpointDefinition;
  runtime: ProviderRuntime;
  account: string;
  to: string | undefined;
  session: string | null;
  prefer: PreferAsk;
}

/** The simulator's state the resolvers consult (rules and chaos are consumed as they answer). */
export interface ResolverEnv {
  scenarios: Scenarios;
  limits: Limits;
}

export interface Resolver {
  name: Decision['by'];
  /** What it checks, for people reading `/__admin/scenarios`. */
  description: string;
  /** The endpoint kinds it applies to. */
  kinds: readonly EndpointKind[];
  resolve(query: OutcomeQuery, env: ResolverEnv): Decision | PreferError | undefined;
}

const SENDS: readonly EndpointKind[] = ['send', 'verify'];
const SCENARIO_KINDS: readonly EndpointKind[] = ['send', 'verify', 'sandbox'];
const ALL: readonly EndpointKind[] = ['send', 'verify', 'sandbox', 'account'];

/** The precedence, highest first. */
export const RESOLVERS: readonly Resolver[] = [
  {
    name: 'rule',
    description: "an armed rule (newest first), within the caller's session",
    kinds: SCENARIO_KINDS,
    resolve: (q, { scenarios }) => scenarios.takeRule({ provider: q.provider.id, to: q.to, session: q.session }),
  },
  {
    name: 'header',
    description: 'Prefer: scenario=<outcome> or Prefer: code=<status>',
    kinds: SCENARIO_KINDS,
    resolve(q) {
      const asked = preferredOutcome(q.prefer, q.provider.id, (status) => outcomeForStatus(q.provider, status));
      if (!asked || 'error' in asked) return asked;
      return {
        outcome: asked.outcome,
        by: 'header',
        detail: asked.detail,
        ...(asked.status !== undefined && { status: asked.status }),
      };
    },
  },
  {
    name: 'number',
    description: 'the recipient is a magic number of the catalogue',
    kinds: SENDS,
    resolve(q, { scenarios }) {
      const magic = q.to === undefined ? undefined : scenarios.magicOutcome(q.to);
      return magic && { outcome: magic, by: 'number', detail: `+${q.to} is reserved for ${magic}` };
    },
  },
  {
    // Documented sandbox tables keep their meaning: only explicit rules and headers override them.
    name: 'sandbox',
    description: "a sandbox endpoint answers from the provider's documented table",
    kinds: ['sandbox'],
    resolve: () => ({ outcome: 'accepted', by: 'sandbox', detail: '' }),
  },
  {
    name: 'chaos',
    description: 'a seeded random fault, when chaos is on',
    kinds: SENDS,
    resolve: (q, { scenarios }) => scenarios.rollChaos(q.provider.id),
  },
  {
    name: 'state',
    description: "the provider's own state: blocked recipients, rate limits, quota",
    kinds: SENDS,
    resolve: providerState,
  },
  {
    name: 'default',
    description: 'accepted',
    kinds: ALL,
    resolve: () => ({ outcome: 'accepted', by: 'default', detail: '' }),
  },
];

/** The resolvers that apply to each endpoint kind, in order, picked once. */
const BY_KIND = new Map(ALL.map((kind) => [kind, RESOLVERS.filter((r) => r.kinds.includes(kind))]));

/**
 * The outcome of one request, or the tester's mistake in a `Prefer` header. Never undefined: `default` answers last.
 * @example
 * const decision = resolveOutcome(query, { scenarios, limits });
 */
export function resolveOutcome(query: OutcomeQuery, env: ResolverEnv): Decision | PreferError {
  for (const resolver of BY_KIND.get(query.endpoint.kind)!) {
    const decided = resolver.resolve(query, env);
    if (!decided) continue;
    if ('error' in decided) return decided;
    // A forced rate limit tells the client when to come back, as the catalogue says.
    if (decided.outcome === 'rate_limited' && decided.retryAfter === undefined) {
      return { ...decided, retryAfter: env.scenarios.catalogue.outcomes.rate_limited.retryAfterSeconds ?? 1 };
    }
    return decided;
  }
  throw new Error(`no resolver answered for a ${query.endpoint.kind} endpoint`);
}

/** Blocked recipients, then the rate limit, then the quota: what the real provider itself would refuse. */
function providerState(q: OutcomeQuery, { limits }: ResolverEnv): Decision | undefined {
  const { settings, definition } = q.runtime;
  const { endpoint, to, account } = q;
  if (endpoint.kind === 'send' && to !== undefined && settings.blocked?.includes(to)) {
    return { outcome: 'blocked_recipient', by: 'state', detail: `${to} is on the blocked list` };
  }
  const rate =
    settings.rateLimit === false ? undefined : (settings.rateLimit ?? endpoint.rateLimit ?? definition.rateLimit);
  if (rate) {
    const hit = limits.hit(`${definition.id}:${account}:${endpoint.rateLimit?.group ?? rate.group ?? ''}`, rate);
    if (!hit.ok) {
      return {
        outcome: 'rate_limited',
        by: 'state',
        detail: `over ${rate.limit} requests per ${rate.windowMs} ms`,
        retryAfter: hit.retryAfter,
      };
    }
  }
  if (
    endpoint.kind === 'send' &&
    settings.quota !== undefined &&
    !limits.hasQuota(`${definition.id}:${account}`, settings.quota)
  ) {
    return { outcome: 'insufficient_quota', by: 'state', detail: `quota of ${settings.quota} sends used up` };
  }
  return undefined;
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
