import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';

const startSim = async (args: string[]) => {
  const { match, output, child } = await startCli(['sim', '--port', '0', ...args]);
  return { url: match[1]!, output, child };
};

describe('waotp sim', () => {
  it('prints its URL, every provider base path and demo credentials, and answers health', async () => {
    const { url, output } = await startSim(['--seed', '3']);
    const health = await fetch(`${url}/__admin/health`);
    expect(health.status).toBe(200);
    for (const id of ['botcake', 'messcat', 'whatsapp-onprem', 'verihubs', 'splashify'])
      expect(output()).toContain(`${url}/${id}`);
    expect(output()).toContain('demo credentials');
  });

  it('prints the inbox URL, and the built bin serves the page with its assets', async () => {
    const { url, output } = await startSim([]);
    expect(output()).toContain(`Inbox: ${url}/`);
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    for (const asset of html.match(/\/__admin\/ui\/app\.(js|css)\?v=[\w-]+/g)!)
      expect((await fetch(`${url}${asset}`)).status, asset).toBe(200);
  });

  it('exits cleanly on SIGTERM', async () => {
    const { child } = await startSim([]);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('loads a rule pack given with --scenarios', async () => {
    const { url } = await startSim(['--scenarios', 'scenarios/failover.yaml']);
    const rules = (await fetch(`${url}/__admin/scenarios`).then((r) => r.json())) as { rules: { provider: string }[] };
    expect(rules.rules.map((r: { provider: string }) => r.provider).sort()).toEqual(['splashify', 'verihubs']);
  });

  it('pins credentials from a --config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waotp-'));
    const file = join(dir, 'waotp.yaml');
    writeFileSync(file, 'providers:\n  splashify:\n    credentials:\n      - key: sk_live_only\n');
    const { url } = await startSim(['--config', file]);
    const send = (key: string) =>
      fetch(`${url}/api/v1/public/message`, {
        method: 'POST',
        headers: { authorization: `Basic ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          fullPhoneNumber: '6281234567890',
          type: 'Template',
          template: { name: 'a', languageCode: 'en', bodyValues: ['1'], buttonValues: { '0': ['1'] } },
        }),
      });
    expect((await send('sk_live_other')).status).toBe(401);
    expect((await send('sk_live_only')).status).toBe(201);
  });

  it.each([
    [['sim', '--port', 'abc'], /--port/],
    [['sim', '--bogus'], /bogus/],
    [['sim', '--config', '/nonexistent/waotp.yaml'], /cannot read/],
    [['frobnicate'], /unknown command/],
  ])('refuses %j with exit code 2 and a clear message', async (args, message) => {
    const { code, output } = await runCli(args);
    expect(code).toBe(2);
    expect(output).toMatch(message);
  });

  it('refuses a config naming an unknown provider', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'waotp-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'providers:\n  twilio: {}\n');
    const { code, output } = await runCli(['sim', '--config', file]);
    expect(code).toBe(2);
    expect(output).toContain('unknown provider "twilio"');
  });
});
