import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveReportToken } from '../../src/core/service.js';
import { DEV_SECRET } from '../../src/testing/dev.js';
import { createAdminClient } from '../../src/testing/index.js';
import { cliEnv as env, exited, runCli, startCli } from '../helpers/cli.js';
import { call } from '../helpers/http.js';

const SECRET = { WAOTP_SECRET: 'cli-test-secret-0123456789' };

/** A serve config with one provider (never called by these tests). */
function serveConfig(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'waotp-serve-')), 'waotp.yaml');
  writeFileSync(
    file,
    'core:\n  providers:\n    - id: verihubs\n' +
      '      baseUrl: http://127.0.0.1:9\n      appId: app-0123\n      apiKey: key-0123456789\n',
  );
  return file;
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('waotp serve refuses unsafe starts', () => {
  it('beyond loopback without an API key', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], env(SECRET));
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/without an API key.*--insecure/);
  });

  it('--insecure lifts that refusal (the start then goes on to the store)', async () => {
    const port = await closedPort();
    const r = await runCli(
      [
        'serve',
        '--config',
        serveConfig(),
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--insecure',
        '--store',
        `redis://127.0.0.1:${port}`,
      ],
      env(SECRET),
    );
    expect(r.output).not.toMatch(/without an API key/);
    expect(r.output).toContain(`redis://127.0.0.1:${port}`);
  });

  it('warns on loopback without an API key', async () => {
    const { output, child } = await startCli(
      ['serve', '--config', serveConfig(), '--port', '0'],
      /listening on (http:\/\/\S+)/,
      env(SECRET),
    );
    expect(output()).toMatch(/warning: no API key/);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});

describe('waotp serve --report-urls', () => {
  it("prints each provider's report URL with the deployment's token", async () => {
    const r = await runCli(
      ['serve', '--config', serveConfig(), '--report-urls', 'https://otp.example.com/'],
      env(SECRET),
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(
      `verihubs\thttps://otp.example.com/v1/callbacks/verihubs/${deriveReportToken(SECRET.WAOTP_SECRET)}`,
    );
  });
});

describe('an unreachable store at start-up', () => {
  it.each([['serve'], ['dev']])('ends waotp %s within 5 s, exit 2, naming the URL', async (command) => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const started = Date.now();
    const r = await runCli(
      [
        command,
        '--store',
        url,
        '--port',
        '0',
        ...(command === 'dev' ? ['--core-port', '0'] : ['--config', serveConfig()]),
      ],
      env(SECRET),
    );
    expect(Date.now() - started).toBeLessThan(5000 + 2000); // + node start-up on a loaded machine
    expect(r.code).toBe(2);
    expect(r.output).toContain(url);
    expect(r.output).toMatch(/Redis/);
  });
});

describe('waotp dev secrets', () => {
  it('refuses the built-in constant secret with a Redis store', async () => {
    const r = await runCli(
      ['dev', '--store', `redis://127.0.0.1:${await closedPort()}`, '--port', '0', '--core-port', '0'],
      env({ WAOTP_SECRET: DEV_SECRET }),
    );
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/dev secret is public/);
  });

  it('makes a random secret per run: the report token differs between runs', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const { output, child } = await startCli(
        ['dev', '--port', '0', '--core-port', '0'],
        /OTP service listening on (http:\/\/\S+)/,
        env({}),
      );
      const simulator = /simulator listening on (http:\/\/\S+)/.exec(output())![1]!;
      const core = /OTP service listening on (http:\/\/\S+)/.exec(output())![1]!;
      await call(`${core}/v1/verifications`, { method: 'POST', json: { to: '+6281234567890' } });
      // The simulator's reports go to the URL the core handed it, token included, and are accepted.
      let record: { url: string; status?: number } | undefined;
      for (let t = 0; t < 100 && record?.status === undefined; t++) {
        record = (await createAdminClient(simulator).callbacks({ provider: 'verihubs', limit: 1 }))[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(record!.status).toBe(200);
      const token = /\/v1\/callbacks\/verihubs\/([\w-]+)/.exec(record!.url)?.[1];
      expect(token).toBeDefined();
      tokens.add(token!);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    }
    expect(tokens.size).toBe(2);
  });
});
