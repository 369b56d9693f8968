/**
 * Outcome resolution. First match wins: an armed rule, a `Prefer` header, the recipient's magic number,
 * chaos, and otherwise nothing (the pipeline then applies the provider's own state, or accepts).
 * @module
 */
import { OUTCOMES, type Outcome, isOutcome } from '../providers/outcomes.js';
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

export interface ScenarioInput {
  provider: string;
  kind: 'send' | 'verify' | 'sandbox' | 'account';
  to: string | undefined;
  session: string | null;
  header(name: string): string | undefined;
  /** The outcome this provider renders with an HTTP status, for Prism's `Prefer: code=<status>`. */
  outcomeForStatus(status: number): Outcome | undefined;
}

/** A forced decision, nothing forced, or a `Prefer` header that names no outcome (the tester's mistake). */
export type Resolution = Decision | { error: string } | undefined;

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
  resolve(input: ScenarioInput): Resolution;
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
export function createScenarios({ catalogue, seed = Date.now() >>> 0, now }: { catalogue: Catalogue; seed?: number; now: () => number }): Scenarios {
  let rules: Rule[] = [];
  let sequence = 0;
  let chaos = NO_CHAOS(seed);
  let random = mulberry32(seed);
  const ranges: [NumberRange, Outcome][] = OUTCOMES.flatMap((o) => catalogue.outcomes[o].numbers.map((r) => [r, o] as [NumberRange, Outcome]));

  const magicOutcome = (to: string) => ranges.find(([r]) => to.length === r.from.length && to >= r.from && to <= r.to)?.[1];
  const withRetry = (decision: Decision): Decision =>
    decision.outcome === 'rate_limited' ? { ...decision, retryAfter: catalogue.outcomes.rate_limited.retryAfterSeconds ?? 1 } : decision;

  const fromRules = (input: ScenarioInput): Decision | undefined => {
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
      return { outcome, by: 'rule', detail: `rule ${rule.id}${rule.label ? ` "${rule.label}"` : ''} (${count})`, ...(rule.timeline && { timeline: rule.timeline }) };
    }
    return undefined;
  };

  const fromHeader = (input: ScenarioInput): Resolution => {
    const prefer = input.header('prefer');
    if (!prefer) return undefined;
    for (const part of prefer.split(/[,;]/)) {
      const [key, raw] = part.split('=').map((s) => s.trim());
      const value = raw?.replace(/^"|"$/g, '');
      if (key === 'scenario') {
        if (!isOutcome(value)) return { error: `Prefer: scenario=${value} names no outcome; known: ${OUTCOMES.join(', ')}` };
        return { outcome: value, by: 'header', detail: `Prefer: scenario=${value}` };
      }
      if (key === 'code') {
        const outcome = input.outcomeForStatus(Number(value));
        if (!outcome) return { error: `Prefer: code=${value}: ${input.provider} has no scenario answering HTTP ${value}` };
        return { outcome, by: 'header', detail: `Prefer: code=${value}`, status: Number(value) };
      }
    }
    return undefined;
  };

  const fromChaos = (input: ScenarioInput): Decision | undefined => {
    if (!chaos.enabled || (chaos.providers && !chaos.providers.includes(input.provider))) return undefined;
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
    resolve(input) {
      if (input.kind === 'account') return undefined;
      const ruled = fromRules(input);
      if (ruled) return withRetry(ruled);
      const headed = fromHeader(input);
      if (headed) return 'error' in headed ? headed : withRetry(headed);
      // Documented sandbox tables keep their meaning: only explicit rules and headers override them.
      if (input.kind === 'sandbox') return undefined;
      const magic = input.to === undefined ? undefined : magicOutcome(input.to);
      if (magic) return withRetry({ outcome: magic, by: 'number', detail: `+${input.to} is reserved for ${magic}` });
      const chaotic = fromChaos(input);
      return chaotic && withRetry(chaotic);
    },
    arm(input, session) {
      const rule: Rule = { ...input, id: `rule_${++sequence}`, session, used: 0, createdAt: new Date(now()).toISOString() };
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
    rules: (session) => rules.filter((r) => session === undefined || r.session === session || r.session === null).reverse(),
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
