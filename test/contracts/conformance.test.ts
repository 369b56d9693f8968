import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Adapter, failure } from '../../src/providers/adapter.js';
import type { ProviderDefinition } from '../../src/providers/define.js';
import { providers } from '../../src/providers/index.js';
import { OUTCOMES } from '../../src/providers/outcomes.js';
import { startSimulator } from '../../src/simulator/server.js';
import { type AdapterReport, type CellReport, verifyAdapter } from '../../src/testing/verify-adapter.js';
import { useSimulator } from '../helpers/http.js';

const adapterFor = (provider: ProviderDefinition) => (baseUrl: string) =>
  provider.adapter.create(provider.adapter.config.parse(provider.adapter.simulator(baseUrl)));
const allCells: CellReport[] = [];

describe('conformance: every provider x every outcome, over HTTP, checked against the contracts', () => {
  const s = useSimulator({ delays: { slowMs: 50, timeoutCapMs: 5000 } });

  describe.each(providers.map((provider, i) => ({ provider, i, id: provider.id })))('$id', ({ provider, i }) => {
    let report: AdapterReport;
    beforeAll(async () => {
      report = await verifyAdapter(adapterFor(provider), {
        provider: provider.id,
        simulatorUrl: s.url,
        numberOffset: i * 11,
      });
      allCells.push(...report.cells);
    });

    it.each(OUTCOMES)('%s', (outcome) => {
      const cell = report.cells.find((c) => c.outcome === outcome)!;
      expect(cell.problems, cell.problems.join('\n')).toEqual([]);
      expect(cell.requests).toBeGreaterThan(0);
      expect(cell.passed).toBe(true);
    });
  });
});

afterAll(() => {
  // A coverage report of the matrix for CI: which cells passed (git-ignored).
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/conformance.json', `${JSON.stringify({ cells: allCells }, null, 2)}\n`);
  const escapeHtml = (t: string) => t.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const cases = allCells.map((c) => {
    const time = (c.durationMs / 1000).toFixed(3);
    const failure = c.passed
      ? ''
      : `<failure message="${escapeHtml(c.problems[0] ?? 'failed')}">${escapeHtml(c.problems.join('\n'))}</failure>`;
    const name = `classname="conformance.${c.provider}" name="${c.outcome}"`;
    return `    <testcase ${name} time="${time}">${failure}</testcase>`;
  });
  const failures = allCells.filter((c) => !c.passed).length;
  writeFileSync(
    'reports/conformance.junit.xml',
    '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n' +
      `  <testsuite name="conformance" tests="${allCells.length}" failures="${failures}">\n` +
      `${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`,
  );
});

describe('conformance catches what is broken on purpose', () => {
  const splashify = providers.find((p) => p.id === 'splashify')!;

  it('an adapter that reads every reply as a success', async () => {
    const optimistic = (baseUrl: string): Adapter => {
      const real = adapterFor(splashify)(baseUrl);
      return {
        provider: 'splashify',
        send: async (m, o) => ({ ...(await real.send(m, o)), ok: true, provider: 'splashify', status: 201 }) as never,
      };
    };
    const report = await verifyAdapter(optimistic, { provider: 'splashify', outcomes: ['accepted', 'rate_limited'] });
    expect(report.passed).toBe(false);
    expect(report.summary()).toMatch(/FAIL\s+splashify\s+rate_limited\s+expected rate_limited\s+got ok/);
  });

  it('an adapter that sends a body the contract refuses', async () => {
    const sloppy = (baseUrl: string): Adapter => ({
      provider: 'splashify',
      async send(message, { signal }) {
        const response = await fetch(`${baseUrl}/api/v1/public/message`, {
          method: 'POST',
          headers: { authorization: 'Basic k', 'content-type': 'application/json' },
          body: JSON.stringify({
            fullPhoneNumber: `+${message.to}`,
            type: 'Template',
            template: { name: 'x', languageCode: 'en', bodyValues: [message.code] },
          }),
          signal,
        });
        return response.ok
          ? { ok: true, provider: 'splashify', status: response.status }
          : failure('splashify', 'invalid_request', `HTTP ${response.status}`);
      },
    });
    const report = await verifyAdapter(sloppy, { provider: 'splashify', outcomes: ['accepted'] });
    expect(report.passed).toBe(false);
    const problems = report.cells[0]!.problems.join('\n');
    expect(problems).toMatch(/POST \/api\/v1\/public\/message: request body\/fullPhoneNumber must match pattern/);
    expect(problems).toMatch(/request body\/template must have required property 'buttonValues'/);
  });

  it('a simulator whose reply breaks the contract', async () => {
    const broken: ProviderDefinition = {
      ...splashify,
      reject: (outcome, reason) =>
        outcome === 'rate_limited' ? { status: 429, body: { error: 'slow down' } } : splashify.reject(outcome, reason),
    };
    const sim = await startSimulator({ port: 0, providers: [broken] });
    try {
      const report = await verifyAdapter(adapterFor(splashify), {
        provider: 'splashify',
        simulatorUrl: sim.url,
        outcomes: ['rate_limited'],
      });
      expect(report.passed).toBe(false);
      expect(report.summary()).toMatch(/reply 429 body must have required property 'result'/);
    } finally {
      await sim.close();
    }
  });
});
