import { beforeEach, describe, expect, it } from 'vitest';
import { CALLBACK_STATUSES } from '../../src/providers/verihubs/callbacks.js';
import { createSimulator } from '../../src/simulator/app.js';
import { call, useSimulator } from '../helpers/http.js';
import { useReceiver } from '../helpers/receiver.js';

const HEADERS = { 'App-ID': 'app-1', 'API-Key': 'key-1' };
const FAILURES = { '6281200000007': 7, '6281200000008': 8, '6281200000009': 9, '6281200000010': 10 } as const;

describe('verihubs production send without content', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());

  it.each(['/v1/whatsapp/otp/send', '/v2/whatsapp/otp/send'])(
    '%s takes the production page body, which has no content',
    async (path) => {
      const body = {
        msisdn: '6281234567890',
        otp: '482913',
        challenge: 'login',
        time_limit: '300',
        lang_code: 'en',
        template_name: 'otp_login',
      };
      const r = await call(s.url + path, { method: 'POST', headers: HEADERS, json: body });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        message: 'OTP sent successfully',
        otp: '482913',
        msisdn: '6281234567890',
        try_count: 1,
      });
      // The approved authentication template holds the text: without content the phone shows Meta's fixed body.
      const latest = (await call(`${s.url}/__admin/messages/latest?to=6281234567890`)).body;
      expect(latest).toMatchObject({
        code: '482913',
        template: 'otp_login',
        text: '*482913* is your verification code. For your security, do not share this code.',
      });
    },
  );

  it('still requires content on the sandbox path, as its page marks it', async () => {
    const r = await call(`${s.url}/v1/whatsapp/otp/send/sandbox`, {
      method: 'POST',
      headers: HEADERS,
      json: { msisdn: '6282123060001' },
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: 'Validation error' });
  });
});

describe('verihubs callback statuses', () => {
  const s = useSimulator({
    callbacks: { speed: 10 },
    config: { providers: { verihubs: { options: { failures: FAILURES } } } },
  });
  const receiver = useReceiver(s);
  const send = (version: 'v1' | 'v2', msisdn: string) =>
    call(`${s.url}/${version}/whatsapp/otp/send`, {
      method: 'POST',
      headers: HEADERS,
      json: { msisdn, callback_url: `${receiver.url}/cb` },
    });
  const statuses = async (count: number) => {
    await receiver.waitFor(count);
    await new Promise((r) => setTimeout(r, 100));
    return receiver.received.map((r) => r.query.status);
  };

  it('documents every status 0-10 with when the simulator sends it', () => {
    expect(CALLBACK_STATUSES.map((status) => status.code)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(CALLBACK_STATUSES.filter((status) => status.v2Only).map((status) => status.code)).toEqual([8, 9]);
    for (const status of CALLBACK_STATUSES) expect(status.when).not.toBe('');
  });

  it.each([
    ['v2', 8],
    ['v2', 9],
    ['v2', 7],
    ['v1', 7],
    ['v2', 10],
    ['v1', 10],
  ] as const)('%s: an msisdn options.failures maps to %i gets 201, then 0 and that status', async (version, code) => {
    const msisdn = Object.entries(FAILURES).find(([, value]) => value === code)![0];
    const r = await send(version, msisdn);
    expect(r.status).toBe(201);
    expect(await statuses(2)).toEqual(['0', String(code)]);
    const latest = (await call(`${s.url}/__admin/messages/latest?to=${msisdn}`)).body;
    expect(latest).toMatchObject({ status: 'failed', code: r.body.otp });
  });

  it.each([
    ['6281200000008', 429, 'Too many request in the allowed time frame'],
    ['6281200000009', 409, 'Msisdn invalid: msisdn has been blocked'],
  ])('v1 has no spam or blocking callbacks: %s is answered at once with %i', async (msisdn, status, message) => {
    const r = await send('v1', msisdn);
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ message });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.received).toEqual([]);
  });

  it('sends 0 for an ordinary send too, with 1, 2, 3 (the order is planned in timeline.test.ts)', async () => {
    await send('v2', '6281234567890');
    expect((await statuses(4)).sort()).toEqual(['0', '1', '2', '3']);
  });

  it('refuses an options.failures status that is not a documented failure', () => {
    expect(() =>
      createSimulator({ config: { providers: { verihubs: { options: { failures: { '6281234567890': 3 } } } } } }),
    ).toThrow(/providers\.verihubs\.options/);
  });
});
