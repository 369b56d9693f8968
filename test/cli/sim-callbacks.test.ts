import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

const VERIHUBS = { 'App-ID': 'app-1', 'API-Key': 'key-1', 'content-type': 'application/json' };

describe('waotp sim callbacks', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const sendOtp = (url: string, msisdn: string, callbackUrl: string) =>
    fetch(`${url}/v2/whatsapp/otp/send`, {
      method: 'POST',
      headers: VERIHUBS,
      body: JSON.stringify({ msisdn, content: ['Masuk'], callback_url: callbackUrl }),
    });

  it('sends the callbacks still due when stopped with SIGTERM, then exits 0', async () => {
    receiver = await startReceiver();
    const { match, child } = await startCli(['sim', '--port', '0']);
    expect((await sendOtp(match[1]!, '6281234567890', `${receiver.url}/v`)).status).toBe(201);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Read is due 800 ms after the send; the 5 due at time_limit (300 s) is dropped.
    expect(receiver.received.map((r) => r.query.status)).toEqual(['0', '1', '2', '3']);
  });

  it('--callback-allow refuses other hosts and records why', async () => {
    receiver = await startReceiver();
    const port = new URL(receiver.url).port;
    const { match } = await startCli([
      'sim',
      '--port',
      '0',
      '--callback-allow',
      `hooks.example.com, 127.0.0.1:${port}`,
    ]);
    const url = match[1]!;
    await sendOtp(url, '6281234567890', `${receiver.url}/ok`);
    await sendOtp(url, '6281234567891', `http://localhost:${port}/no`);
    const got = await receiver.waitFor(4, 3000);
    expect(got.map((r) => r.path)).toEqual(['/ok', '/ok', '/ok', '/ok']);
    let callbacks: { url: string; error?: string }[] = [];
    for (
      const end = Date.now() + 3000;
      callbacks.length < 8 && Date.now() < end;
      await new Promise((r) => setTimeout(r, 20))
    ) {
      ({ callbacks } = (await fetch(`${url}/__admin/callbacks`).then((r) => r.json())) as {
        callbacks: { url: string; error?: string }[];
      });
    }
    const refused = callbacks.filter((c) => c.url.includes('/no'));
    expect(refused).toHaveLength(4);
    for (const c of refused) expect(c.error).toMatch(/^refused by the callback allow-list/);
  });
});
