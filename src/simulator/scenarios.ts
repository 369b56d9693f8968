/**
 * Scenario state: armed rules, chaos and the catalogue's magic numbers. Each is looked up by one named
 * resolver in resolvers.ts, which holds the precedence; this module only answers "does mine match?".
 * @module
 */
import { OUTCOMES, type Outcome } from '../providers/outcomes.js';
import type { Catalogue, ChaosInput, NumberRange, RuleInput } from './catalogue.js';
import type { DecidedBy } from './journal.js';
import type { Timeline } from './timeline.js';

export interface Decision {
  outcome: Outcome;
  by: DecidedBy;
  detail: string;
  /** Seconds for `Retry-After` when the outcome is rate_limited. */
  retryAfter?: number;
  /** The HTTP status asked for with `Prefer: code=`, where the provider has more than one for the outcome. */
  status?: number;
  /** The delivery timeline an armed rule asks for. */
  timeline?: Timeline;
}

/** Who is asking, as far as rules and chaos care. */
export interface RuleQuery {
  provider: string;
  to: string | undefined;
  session: string | null;
}

export interface Rule extends RuleInput {
  id: string;
  session: string | null;
  /** Requests this rule has answered so far. */
  used: number;
  createdAt: string;
}

export interface ChaosState {
  enabled: boolean;
  seed: number;
  providers?: string[];
  probabilities: Partial<Record<Outcome, number>>;
}

export interface Scenarios {
  /** The newest armed rule that matches, counted as used (it may be spent by this). */
  takeRule(query: RuleQuery): Decision | undefined;
  /** Chaos's roll for this request, when chaos is on for its provider. */
  rollChaos(provider: string): Decision | undefined;
  arm(input: RuleInput, session: string | null): Rule;
  /** Removes one rule (only within the caller's session, when it has one). */
  disarm(id: string, session?: string | null): boolean;
  clearRules(session?: string | null): void;
  rules(session?: string | null): Rule[];
  setChaos(input: ChaosInput): ChaosState;
  chaos(): ChaosState;
  /** The outcome a recipient's number is reserved for, if any. */
  magicOutcome(to: string): Outcome | undefined;
  catalogue: Catalogue;
  reset(): void;
}

const NO_CHAOS = (seed: number): ChaosState => ({ enabled: false, seed, probabilities: {} });

/**
 * Creates the scenario engine over a catalogue.
 * @example
 * const scenarios = createScenarios({ catalogue: loadCatalogue(), seed: 7, now: clock.now });
 * scenarios.arm({ provider: 'verihubs', outcomes: ['rate_limited', 'accepted'] }, null);
 */
export function createScenarios({
  catalogue,
  seed = Date.now() >>> 0,
  now,
}: {
  catalogue: Catalogue;
  seed?: number;
  now: () => number;
}): Scenarios {
  let rules: Rule[] = [];
  let sequence = 0;
  let chaos = NO_CHAOS(seed);
  let random = mulberry32(seed);
  const ranges: [NumberRange, Outcome][] = OUTCOMES.flatMap((o) =>
    catalogue.outcomes[o].numbers.map((r) => [r, o] as [NumberRange, Outcome]),
  );

  const magicOutcome = (to: string) =>
    ranges.find(([r]) => to.length === r.from.length && to >= r.from && to <= r.to)?.[1];

  const takeRule = (input: RuleQuery): Decision | undefined => {
    // Newest first, as in WireMock: a rule armed later overrides an older, broader one.
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i]!;
      if (rule.session !== null && rule.session !== input.session) continue;
      if (rule.provider !== undefined && rule.provider !== input.provider) continue;
      if (rule.to !== undefined && rule.to !== input.to) continue;
      const outcome = rule.outcomes[Math.min(rule.used, rule.outcomes.length - 1)]!;
      rule.used++;
      const limit = ruleLimit(rule);
      if (rule.used >= limit) rules.splice(i, 1);
      const count = Number.isFinite(limit) ? `${rule.used}/${limit}` : `${rule.used}`;
      return {
        outcome,
        by: 'rule',
        detail: `rule ${rule.id}${rule.label ? ` "${rule.label}"` : ''} (${count})`,
        ...(rule.timeline && { timeline: rule.timeline }),
      };
    }
    return undefined;
  };

  const rollChaos = (provider: string): Decision | undefined => {
    if (!chaos.enabled || (chaos.providers && !chaos.providers.includes(provider))) return undefined;
    let roll = random();
    for (const outcome of OUTCOMES) {
      const p = chaos.probabilities[outcome] ?? 0;
      if (roll < p) return { outcome, by: 'chaos', detail: `chaos: ${outcome} at p=${p} (seed ${chaos.seed})` };
      roll -= p;
    }
    return undefined;
  };

  return {
    catalogue,
    magicOutcome,
    takeRule,
    rollChaos,
    arm(input, session) {
      const rule: Rule = {
        ...input,
        id: `rule_${++sequence}`,
        session,
        used: 0,
        createdAt: new Date(now()).toISOString(),
      };
      rules.push(rule);
      return rule;
    },
    disarm(id, session) {
      const index = rules.findIndex((r) => r.id === id && (session === undefined || r.session === session));
      if (index < 0) return false;
      rules.splice(index, 1);
      return true;
    },
    clearRules(session) {
      rules = session === undefined ? [] : rules.filter((r) => r.session !== session);
    },
    rules: (session) =>
      rules.filter((r) => session === undefined || r.session === session || r.session === null).reverse(),
    setChaos(input) {
      chaos = {
        enabled: input.enabled,
        seed: input.seed ?? seed,
        probabilities: input.probabilities,
        ...(input.providers && { providers: input.providers }),
      };
      random = mulberry32(chaos.seed);
      return chaos;
    },
    chaos: () => chaos,
    reset() {
      rules = [];
      chaos = NO_CHAOS(seed);
      random = mulberry32(seed);
    },
  };
}

/** How many requests a rule answers: `times`, else forever for one outcome, else once per listed outcome. */
function ruleLimit(rule: Rule): number {
  if (rule.times !== undefined) return rule.times;
  return rule.outcomes.length === 1 ? Infinity : rule.outcomes.length;
}

/** A tiny seeded PRNG: chaos must replay the same way for the same seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
