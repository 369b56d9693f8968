import { describe, expect, it } from 'vitest';
import type { FailureKind } from '../../src/providers/adapter.js';
import { providers } from '../../src/providers/index.js';
import { OUTCOMES, type Outcome } from '../../src/providers/outcomes.js';
import { loadCatalogue } from '../../src/simulator/catalogue.js';
import { useSimulator } from '../helpers/http.js';

const catalogue = loadCatalogue();
const EXPECTED: Record<Outcome, FailureKind | 'ok'> = {
  accepted: 'ok',
  slow: 'ok',
  // The provider takes the message; the failure arrives later as a delivery report.
  not_on_whatsapp: 'ok',
  invalid_request: 'invalid_request',
  unauthorized: 'unauthorized',
  insufficient_quota: 'insufficient_quota',
  blocked_recipient: 'blocked_recipient',
  rate_limited: 'rate_limited',
  provider_error: 'provider_error',
  timeout: 'timeout',
  connection_reset: 'network',
  malformed_reply: 'provider_error',
};

describe.each(providers.map((p, i) => ({ provider: p, i, id: p.id })))('$id adapter against the simulator', ({ provider, i }) => {
  const s = useSimulator({ delays: { slowMs: 20 } });

  it.each(OUTCOMES)('maps %s to its kind', async (outcome) => {
    const adapter = provider.adapter.create(provider.adapter.config.parse(provider.adapter.simulator(s.url)));
    const to = String(BigInt(catalogue.outcomes[outcome].numbers[0]!.from) + BigInt(50 + i));
    const signal = AbortSignal.timeout(outcome === 'timeout' ? 300 : 5000);
    const result = await adapter.send({ to, code: '482913', reference: 'VEtest' }, { signal });
    expect(result.ok ? 'ok' : result.kind).toBe(EXPECTED[outcome]);
    if (!result.ok) {
      expect(result.retryable).toBe(['rate_limited', 'provider_error', 'timeout', 'network'].includes(result.kind));
      expect(result.message).not.toContain('482913');
      if (outcome === 'rate_limited') expect(result.retryAfterMs).toBe(1000);
    }
  });

  it('delivers the code it was given to the phone', async () => {
    const adapter = provider.adapter.create(provider.adapter.config.parse(provider.adapter.simulator(s.url)));
    const result = await adapter.send({ to: '6281299990000', code: '615243', reference: 'VEtest' }, { signal: AbortSignal.timeout(5000) });
    expect(result.ok).toBe(true);
    const latest = await fetch(`${s.url}/__admin/messages/latest?to=6281299990000`).then((r) => r.json() as Promise<{ code: string; provider: string }>);
    expect(latest).toMatchObject({ code: '615243', provider: provider.id });
  });
});
