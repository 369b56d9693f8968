import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderDefinition } from '../../src/providers/define.js';
import { providers } from '../../src/providers/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { runCli } from '../helpers/cli.js';

const verihubs = providers.find((p) => p.id === 'verihubs')!;

describe('waotp verify', () => {
  let second: RunningSimulator;
  let altered: RunningSimulator;

  beforeAll(async () => {
    second = await startSimulator({ port: 0 });
    // Drift on purpose: a "provider" whose quota error moved to 402 and lost its documented text.
    const drifted: ProviderDefinition = {
      ...verihubs,
      reject: (outcome, reason) =>
        outcome === 'insufficient_quota'
          ? { status: 402, body: { error: 'no credit' } }
          : verihubs.reject(outcome, reason),
    };
    altered = await startSimulator({ port: 0, providers: [drifted] });
  });
  afterAll(async () => {
    await second?.close();
    await altered?.close();
  });

  it.each(providers.map((p) => p.id))('finds no drift for %s on a second simulator', async (id) => {
    const { code, stdout } = await runCli(['verify', '--provider', id, '--base-url', second.url]);
    expect(stdout).toMatch(/ 0 drifted/);
    expect(code).toBe(0);
  });

  it("runs Verihubs' documented sandbox tables", async () => {
    const { stdout } = await runCli(['verify', '--provider', 'verihubs', '--base-url', second.url]);
    for (let n = 1; n <= 9; n++) expect(stdout).toMatch(new RegExp(`sandbox (send|verify) 628212306000${n} .* ok`));
  });

  it('catches a provider that drifted, and exits 1', async () => {
    const { code, stdout } = await runCli(['verify', '--provider', 'verihubs', '--base-url', altered.url]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/sandbox send 6282123060004 \(insufficient quota\)\s+403\s+402\s+DRIFT/);
    expect(stdout).toMatch(/status 402, documented 403/);
    expect(stdout).toMatch(/message is undefined, documented "Quota insufficient"/);
    expect(stdout).toMatch(/ 1 drifted/);
  });

  it('says what is wrong with its arguments', async () => {
    const { code, output } = await runCli(['verify', '--provider', 'twilio', '--base-url', second.url]);
    expect(code).toBe(2);
    expect(output).toMatch(/--provider must be one of/);
  });
});
