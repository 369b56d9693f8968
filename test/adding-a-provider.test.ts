import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's promise, kept: a new provider is one folder plus one registry line. A throwaway slice (a copy of
 * Splashify under another id and path) is added to a scratch copy of the project, touching no other file, and
 * the project's own outcome matrix, bad-input, contract and architecture tests then cover it, and `waotp dev`
 * sends through it, and `waotp verify` finds no drift.
 */
const ROOT = join(import.meta.dirname, '..');
const SCRATCH = join(ROOT, '.scratch', `provider-${process.pid}-${Date.now()}`);
const ID = 'acme-otp';

function addThrowawaySlice() {
  const from = join(SCRATCH, 'src/providers/splashify');
  const to = join(SCRATCH, `src/providers/${ID}`);
  mkdirSync(to);
  for (const file of readdirSync(from)) {
    const text = readFileSync(join(from, file), 'utf8')
      .replaceAll("'splashify'", `'${ID}'`)
      .replaceAll('/api/v1/public/message', '/acme/v2/otp')
      .replace(/\bsplashify(?=Adapter|Callbacks|ConfigSchema\b|\b)/g, 'acmeOtp');
    writeFileSync(join(to, file), text);
  }
  const registry = join(SCRATCH, 'src/providers/registry.ts');
  const lines = readFileSync(registry, 'utf8').split('\n');
  // The one import and the one line the README asks for.
  lines.splice(
    lines.findIndex((l) => l.startsWith('import { botcakeAdapter')),
    0,
    `import { acmeOtpAdapter } from './${ID}/adapter.js';`,
  );
  lines.splice(
    lines.findIndex((l) => l.startsWith('] as const;')),
    0,
    `  entry('${ID}', acmeOtpAdapter, () => import('./${ID}/index.js').then((m) => m.acmeOtp)),`,
  );
  writeFileSync(registry, lines.join('\n'));
}

/** What `npm run contracts` writes, done from the scratch sources. */
async function writeContracts() {
  const { providers } = await import(join(SCRATCH, 'src/providers/index.ts'));
  const { buildContract, stableStringify } = await import(join(SCRATCH, 'src/contracts/build.ts'));
  const { buildAdminContract } = await import(join(SCRATCH, 'src/contracts/admin.ts'));
  for (const provider of providers)
    writeFileSync(join(SCRATCH, `contracts/${provider.id}.openapi.json`), stableStringify(buildContract(provider)));
  writeFileSync(join(SCRATCH, 'contracts/admin.openapi.json'), stableStringify(buildAdminContract(providers)));
}

describe('adding a provider is one folder and one registry line', () => {
  beforeAll(async () => {
    mkdirSync(SCRATCH, { recursive: true });
    for (const dir of ['src', 'test', 'scenarios', 'contracts'])
      cpSync(join(ROOT, dir), join(SCRATCH, dir), { recursive: true });
    for (const file of ['vitest.config.ts', 'package.json']) cpSync(join(ROOT, file), join(SCRATCH, file));
    addThrowawaySlice();
    await writeContracts();
  }, 60_000);
  afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

  it('is covered by the outcome matrix, the bad-input tests, the contracts and the architecture test', async () => {
    const report = join(SCRATCH, 'report.json');
    const files = [
      'test/simulator/outcome-matrix.test.ts',
      'test/simulator/bad-input.test.ts',
      'test/contracts/contracts.test.ts',
      'test/contracts/conformance.test.ts',
      'test/architecture.test.ts',
    ];
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--root',
        SCRATCH,
        '--reporter=json',
        `--outputFile=${report}`,
        '-t',
        `${ID}|every registered provider|registers every provider|no two providers`,
        ...files,
      ],
      {
        cwd: SCRATCH,
        timeout: 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((error: Error) => error);
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: {
        name: string;
        assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
      }[];
    };
    const ran = results.testResults.flatMap((file) =>
      file.assertionResults.map((t) => ({ file: file.name.slice(SCRATCH.length + 1), ...t })),
    );
    const failed = ran.filter((t) => t.status === 'failed');
    expect(failed.map((t) => `${t.file}: ${t.fullName}: ${t.failureMessages[0]?.slice(0, 300)}`)).toEqual([]);
    for (const file of files) {
      const own = ran.filter((t) => t.file === file && t.status === 'passed');
      expect(own.length, `${file} ran tests`).toBeGreaterThan(0);
      if (file !== 'test/architecture.test.ts')
        expect(
          own.some((t) => t.fullName.includes(ID)),
          `${file} has ${ID} rows`,
        ).toBe(true);
    }
    expect(ran.filter((t) => t.fullName.includes(ID) && t.status === 'passed').length).toBeGreaterThan(30);
  }, 300_000);

  it('is wired into waotp dev: in the default failover order, reachable, reporting back to the core', async () => {
    const { startDev } = await import(join(SCRATCH, 'src/testing/dev.ts'));
    const dev = await startDev({ simulatorPort: 0, port: 0 });
    try {
      const health = (await fetch(`${dev.core.url}/health`).then((r) => r.json())) as { providers: { id: string }[] };
      expect(health.providers.map((p) => p.id)).toContain(ID);
      const sent = await fetch(`${dev.core.url}/v1/verifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: '+6281234567001', provider: ID }),
      });
      expect(sent.status).toBe(201);
      const latest = (await fetch(`${dev.simulator.url}/__admin/messages/latest?to=6281234567001`).then((r) =>
        r.json(),
      )) as { provider: string };
      expect(latest.provider).toBe(ID);
      // The webhook setting names the core's receiver with the deployment's report token.
      expect(dev.simulator.simulator.runtime(ID).settings.webhookUrl).toMatch(
        new RegExp(`^${dev.core.url}/v1/callbacks/${ID}/[\\w-]{20,}$`),
      );
      // waotp verify's cases (the CLI runs exactly these): the no-credentials case leaves out its key.
      const { casesFor, runCases } = await import(join(SCRATCH, 'src/contracts/cases.ts'));
      const { providers } = await import(join(SCRATCH, 'src/providers/index.ts'));
      const provider = providers.find((p: { id: string }) => p.id === ID);
      const noKey = casesFor(provider).find((c: { name: string }) => c.name.endsWith('no credentials'));
      expect(Object.keys(noKey.request.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
      const contract = JSON.parse(readFileSync(join(SCRATCH, `contracts/${ID}.openapi.json`), 'utf8'));
      const results = await runCases({ provider, contract, baseUrl: dev.simulator.url });
      expect(results.filter((r: { drift: string[] }) => r.drift.length)).toEqual([]);
    } finally {
      await dev.close();
    }
  }, 60_000);
});
