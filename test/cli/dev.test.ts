import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';

describe('waotp dev, send and check', () => {
  it('send a code through the core, read it from the inbox, check it', async () => {
    const { match, output } = await startCli(
      ['dev', '--port', '0', '--core-port', '0'],
      /simulator listening on (\S+)[\s\S]*OTP service listening on (\S+)[\s\S]*Inbox: /,
    );
    const [, simUrl, coreUrl] = match;
    expect(output()).toContain(`Inbox: ${simUrl}/`);
    const sent = await runCli(['send', '+6281234567890', '--url', coreUrl!]);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ to: '+6281234567890', status: 'pending' });
    const { code } = (await fetch(`${simUrl}/__admin/messages/latest?to=6281234567890`).then((r) => r.json())) as {
      code: string;
    };
    const wrong = await runCli(['check', '+6281234567890', code === '000000' ? '111111' : '000000', '--url', coreUrl!]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).status).toBe('pending');
    const right = await runCli(['check', '+6281234567890', code, '--url', coreUrl!]);
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout).status).toBe('approved');
  });

  it('send says so when no service is running', async () => {
    const { code, output } = await runCli(['send', '+6281234567890', '--url', 'http://127.0.0.1:9']);
    expect(code).toBe(1);
    expect(output).toMatch(/cannot reach the OTP service/);
  });

  it('serve refuses to start without a secret', async () => {
    const env = { ...process.env, WAOTP_SECRET: '' };
    const { code, output } = await runCli(['serve', '--port', '0'], env);
    expect(code).toBe(2);
    expect(output).toMatch(/secret is required|core.providers/);
  });
});
