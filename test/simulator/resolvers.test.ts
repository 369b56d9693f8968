import { describe, expect, it } from 'vitest';
import type { ProviderSettings } from '../../src/providers/define.js';
import { providers } from '../../src/providers/index.js';
import { loadCatalogue } from '../../src/simulator/catalogue.js';
import { createLimits } from '../../src/simulator/limits.js';
import { parsePrefer } from '../../src/simulator/prefer.js';
import { type OutcomeQuery, RESOLVERS, resolveOutcome } from '../../src/simulator/resolvers.js';
import { createScenarios } from '../../src/simulator/scenarios.js';

const catalogue = loadCatalogue();
const provider = (id: string) => providers.find((p) => p.id === id)!;
const endpointOf = (id: string, kind: string) => provider(id).endpoints.find((e) => e.kind === kind)!;
const RATE_LIMITED_NUMBER = '12085550100';
const PROVIDER_ERROR_NUMBER = '12095550100';

function setup(settings: ProviderSettings = {}) {
  const scenarios = createScenarios({ catalogue, seed: 1, now: () => 0 });
  const limits = createLimits(() => 0);
  const env = { scenarios, limits };
  const query = (
    overrides: Partial<OutcomeQuery> & { kind?: string; prefer?: OutcomeQuery['prefer'] } = {},
  ): OutcomeQuery => {
    const { kind = 'send', ...rest } = overrides;
    const id =
      kind === 'sandbox' || kind === 'verify' ? 'verihubs' : kind === 'account' ? 'whatsapp-onprem' : 'splashify';
    return {
      provider: provider(id),
      endpoint: endpointOf(id, kind),
      runtime: { definition: provider(id), settings, state: undefined },
      account: 'acct',
      to: '6281234567890',
      session: null,
      prefer: {},
      ...rest,
    };
  };
  const decide = (q: OutcomeQuery) => {
    const d = resolveOutcome(q, env);
    return 'error' in d ? d : `${d.by}:${d.outcome}`;
  };
  return { scenarios, limits, query, decide };
}

describe('resolvers', () => {
  it('are the documented precedence, each with a description', () => {
    expect(RESOLVERS.map((r) => r.name)).toEqual(['rule', 'header', 'number', 'sandbox', 'chaos', 'state', 'default']);
    for (const r of RESOLVERS) expect(r.description).toBeTruthy();
  });

  it('let each source win over every one after it', () => {
    const { scenarios, query, decide } = setup({ blocked: [RATE_LIMITED_NUMBER] });
    scenarios.setChaos({ enabled: true, probabilities: { provider_error: 1 } });
    const to = RATE_LIMITED_NUMBER;
    const prefer = parsePrefer('scenario=not_on_whatsapp');
    scenarios.arm({ outcomes: ['insufficient_quota'], times: 1 }, null);
    expect(decide(query({ to, prefer }))).toBe('rule:insufficient_quota');
    expect(decide(query({ to, prefer }))).toBe('header:not_on_whatsapp');
    expect(decide(query({ to }))).toBe('number:rate_limited');
    expect(decide(query({ to: '6281234567890' }))).toBe('chaos:provider_error');
    scenarios.setChaos({ enabled: false, probabilities: {} });
    expect(decide(query({ to }))).toBe('number:rate_limited');
    expect(decide(query({ to: '6281234567890' }))).toBe('default:accepted');
  });

  it('apply provider state after chaos: blocked recipients, then the rate limit, then the quota', () => {
    const { limits, query, decide } = setup({
      blocked: ['6281111111111'],
      quota: 1,
      rateLimit: { limit: 2, windowMs: 60_000 },
    });
    expect(decide(query({ to: '6281111111111' }))).toBe('state:blocked_recipient');
    expect(decide(query())).toBe('default:accepted');
    limits.spend('splashify:acct');
    expect(decide(query())).toBe('state:insufficient_quota');
    expect(decide(query({ account: 'other' }))).toBe('default:accepted');
    expect(resolveOutcome(query(), { scenarios: setup().scenarios, limits })).toMatchObject({
      outcome: 'rate_limited',
      by: 'state',
      retryAfter: 60,
    });
  });

  it("give a forced rate limit the catalogue's Retry-After", () => {
    const { query, scenarios, limits } = setup();
    expect(resolveOutcome(query({ to: RATE_LIMITED_NUMBER }), { scenarios, limits })).toMatchObject({
      retryAfter: catalogue.outcomes.rate_limited.retryAfterSeconds ?? 1,
    });
  });

  it('keep a sandbox endpoint on its table: magic numbers and chaos do not apply, rules and headers do', () => {
    const { scenarios, query, decide } = setup();
    scenarios.setChaos({ enabled: true, probabilities: { provider_error: 1 } });
    expect(decide(query({ kind: 'sandbox', to: PROVIDER_ERROR_NUMBER }))).toBe('sandbox:accepted');
    expect(decide(query({ kind: 'sandbox', prefer: parsePrefer('code=429') }))).toBe('header:rate_limited');
    scenarios.arm({ outcomes: ['provider_error'] }, null);
    expect(decide(query({ kind: 'sandbox' }))).toBe('rule:provider_error');
  });

  it('answer an account endpoint by default only', () => {
    const { scenarios, query, decide } = setup();
    scenarios.arm({ outcomes: ['provider_error'] }, null);
    expect(decide(query({ kind: 'account', prefer: parsePrefer('scenario=rate_limited') }))).toBe('default:accepted');
  });

  it('pass a Prefer mistake on as an error instead of deciding', () => {
    const { query, decide } = setup();
    expect(decide(query({ prefer: parsePrefer('code=abc') }))).toEqual({
      error: expect.stringContaining('no scenario answering HTTP abc'),
    });
  });
});
