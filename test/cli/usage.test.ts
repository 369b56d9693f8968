import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A port nothing listens on: bound, read, released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('waotp usage', () => {
  it('prints its version with --version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('prints the usage and exits 2 when given nothing', async () => {
    const { code, output } = await runCli([]);
    expect(code).toBe(2);
    expect(output).toContain('Usage: waotp <command>');
  });

  it("prints a command's help with waotp help <command>", async () => {
    const { code, stdout } = await runCli(['help', 'sim']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: waotp sim');
    expect(stdout).toContain('--log-level');
  });

  it.each([
    [['simm'], 'waotp: unknown command "simm" (did you mean "sim"?)'],
    [['help', 'verfy'], 'unknown command "verfy" (did you mean "verify"?)'],
    [['--verison'], 'unknown option "--verison" (did you mean "--version"?)'],
    [['sim', '--prot', '0'], 'waotp sim: unknown option "--prot" (did you mean "--port"?)'],
    [['sim', '--log-level', 'verbose'], '--log-level must be silent | info | debug, got "verbose"'],
    [['dev', '--log-format', 'jsn'], '--log-format must be pretty | json, got "jsn" (did you mean "json"?)'],
  ])('answers %j with one line naming the closest valid name, exit 2', async (args, line) => {
    const { code, output } = await runCli(args);
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toContain(line);
  });

  it('verify exits 2 with "cannot reach <url>" when nothing answers there', async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const { code, output } = await runCli(['verify', '--provider', 'verihubs', '--base-url', url]);
    expect(code).toBe(2);
    expect(output).toContain(`cannot reach ${url}`);
    expect(output).not.toContain('DRIFT');
  });
});

describe('waotp sim request log', () => {
  it('writes one JSON line per request on stderr when stderr is not a terminal', async () => {
    const { match, output } = await startCli(['sim', '--port', '0']);
    const url = match[1]!;
    await fetch(`${url}/v2/whatsapp/otp/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'app-id': 'app', 'api-key': 'supersecretkey' },
      body: JSON.stringify({ msisdn: '12085550101', content: ['Masuk'], time_limit: '60' }),
    });
    await fetch(`${url}/v2/whatsapp/otp/sent`, { method: 'POST' });
    await expect
      .poll(
        () =>
          output()
            .split('\n')
            .filter((l) => l.startsWith('{')).length,
        { timeout: 10_000 },
      )
      .toBe(2);
    const [sent, unmatched] = output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(sent).toMatchObject({
      provider: 'verihubs',
      method: 'POST',
      path: '/v2/whatsapp/otp/send',
      status: 429,
      outcome: 'rate_limited',
      by: 'number',
      to: '12085550101',
    });
    expect(sent.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(typeof sent.ms).toBe('number');
    expect(unmatched).toMatchObject({ status: 404, outcome: 'unmatched', by: 'route', path: '/v2/whatsapp/otp/sent' });
    expect(unmatched.detail).toContain('nearest: POST /v2/whatsapp/otp/send');
  });

  it('logs nothing with --log-level silent, and masks secrets at debug', async () => {
    const quiet = await startCli(['sim', '--port', '0', '--log-level', 'silent']);
    await fetch(`${quiet.match[1]}/api/v1/public/message`, {
      method: 'POST',
      headers: { authorization: 'Basic sk_live_secret_value' },
      body: '{}',
    });
    const debug = await startCli(['sim', '--port', '0', '--log-level', 'debug', '--log-format', 'json']);
    await fetch(`${debug.match[1]}/api/v1/public/message`, {
      method: 'POST',
      headers: { authorization: 'Basic sk_live_secret_value' },
      body: '{}',
    });
    await expect.poll(() => debug.output().includes('"request"'), { timeout: 10_000 }).toBe(true);
    const line = JSON.parse(
      debug
        .output()
        .split('\n')
        .find((l) => l.includes('"request"'))!,
    );
    expect(line.request.headers.authorization).toBe('Basic sk_l…');
    expect(debug.output()).not.toContain('secret_value');
    expect(quiet.output()).not.toMatch(/^\{/m);
  });
});

describe('banners', () => {
  it("waotp dev prints the inbox, each provider's paths and demo credentials, and try-it commands", async () => {
    const { output } = await startCli(
      ['dev', '--port', '0', '--core-port', '0'],
      /OTP service listening on (http:\/\/\S+)[\s\S]*verifications\/check/,
    );
    const sim = /simulator listening on (http:\/\/\S+)/.exec(output())![1]!;
    expect(output()).toContain(`Inbox: ${sim}/`);
    expect(output()).toContain(`admin API: ${sim}/__admin`);
    for (const id of ['botcake', 'messcat', 'whatsapp-onprem', 'verihubs', 'splashify'])
      expect(output()).toContain(`(${sim}/${id})`);
    expect(output()).toContain('POST  /v2/whatsapp/otp/send');
    expect(output()).toContain(
      'demo credentials: App-ID: 3f5c1a2e-8b7d-4c6e-9f01-2a3b4c5d6e7f  API-Key: waotp-demo-verihubs-key',
    );
  });

  it('print pinned credentials masked instead of demo ones that would be refused', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'waotp-')), 'pinned.yaml');
    writeFileSync(file, 'providers:\n  splashify:\n    credentials: [{ key: sk_live_pinnedsecret }]\n');
    const { output } = await startCli(
      ['sim', '--port', '0', '--config', file],
      /listening on (http:\/\/\S+)[\s\S]*whatsapp-onprem/,
    );
    const splashify = output().slice(
      output().indexOf('Splashify'),
      output().indexOf('\n  ', output().indexOf('Splashify') + 60),
    );
    expect(output()).toContain('pinned credentials (from the config): key: sk_l…');
    expect(output()).not.toContain('pinnedsecret');
    expect(output()).not.toContain('sk_live_waotpdemo');
    expect(splashify).not.toContain('demo credentials');
    expect(output()).toContain('demo credentials: App-ID'); // verihubs is not pinned
  });
});
