import { beforeEach, describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/app.js';
import { loadRulePack } from '../../src/simulator/catalogue.js';
import { createAdminClient } from '../../src/testing/index.js';
import { call, useSimulator } from '../helpers/http.js';

const PATH = '/api/v1/public/message';
const body = (to: string) => ({
  fullPhoneNumber: to,
  type: 'Template',
  template: { name: 't', languageCode: 'en', bodyValues: ['123456'], buttonValues: { '0': ['123456'] } },
});
const PLAIN = '6281234567890';
const RATE_LIMITED_NUMBER = '12085550101';
const QUOTA_NUMBER = '12065550101';

describe('scenario resolution', () => {
  const s = useSimulator();
  const admin = () => createAdminClient(s.url);
  const send = (to: string, headers: Record<string, string> = {}) =>
    call(s.url + PATH, { method: 'POST', headers: { authorization: 'Basic k', ...headers }, json: body(to) });
  const lastReason = async () => (await admin().requests({ limit: 1 }))[0]!.reason.by;
  beforeEach(() => s.sim.simulator.reset());

  it('accepts by default', async () => {
    expect((await send(PLAIN)).status).toBe(201);
    expect(await lastReason()).toBe('default');
  });

  it('lets an armed rule win over the Prefer header', async () => {
    await admin().arm({ provider: 'splashify', to: `+${PLAIN}`, outcomes: ['provider_error'] });
    expect((await send(PLAIN, { prefer: 'scenario=rate_limited' })).status).toBe(500);
    expect(await lastReason()).toBe('rule');
  });

  it('lets the Prefer header win over a magic number', async () => {
    expect((await send(RATE_LIMITED_NUMBER, { prefer: 'scenario=accepted' })).status).toBe(201);
    expect(await lastReason()).toBe('header');
  });

  it("accepts Prism's Prefer: code=<status>", async () => {
    const r = await send(PLAIN, { prefer: 'code=429' });
    expect(r.status).toBe(429);
    expect((await send(PLAIN, { prefer: 'code=503' })).status).toBe(503);
  });

  it('answers an unknown Prefer scenario with a problem that names the known outcomes', async () => {
    const r = await send(PLAIN, { prefer: 'scenario=rate_limitted' });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toContain('rate_limited');
  });

  it('lets a magic number win over chaos, and chaos over the default', async () => {
    await admin().setChaos({ probabilities: { provider_error: 1 } });
    expect((await send(QUOTA_NUMBER)).status).toBe(402);
    expect(await lastReason()).toBe('number');
    expect((await send(PLAIN)).status).toBe(500);
    expect(await lastReason()).toBe('chaos');
  });

  it('consumes a sequence one outcome per request, then falls through', async () => {
    await admin().arm({ provider: 'splashify', outcomes: ['rate_limited', 'rate_limited', 'accepted'] });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(PLAIN)).status);
    expect(statuses).toEqual([429, 429, 201]);
    expect((await send(RATE_LIMITED_NUMBER)).status).toBe(429);
    expect(await lastReason()).toBe('number');
    expect((await call(`${s.url}/__admin/scenarios`)).body.rules).toEqual([]);
  });

  it('bounds a rule with times', async () => {
    await admin().arm({ outcomes: ['provider_error'], times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(PLAIN)).status);
    expect(statuses).toEqual([500, 500, 201]);
  });

  it('keeps a single-outcome rule until it is disarmed', async () => {
    const rule = await admin().arm({ outcome: 'insufficient_quota', provider: 'splashify' });
    for (let i = 0; i < 3; i++) expect((await send(PLAIN)).status).toBe(402);
    await admin().disarm(rule.id);
    expect((await send(PLAIN)).status).toBe(201);
  });

  it('matches a rule only for its provider and number', async () => {
    await admin().arm({ provider: 'botcake', outcomes: ['provider_error'] });
    await admin().arm({ to: '+6289999999999', outcomes: ['provider_error'] });
    expect((await send(PLAIN)).status).toBe(201);
  });

  it('replays chaos the same way for the same seed', async () => {
    const run = async () => {
      const sim = createSimulator({ seed: 7 });
      await sim.app.request('/__admin/chaos', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ probabilities: { provider_error: 0.3, rate_limited: 0.2 } }),
      });
      const statuses = [];
      for (let i = 0; i < 30; i++) {
        const r = await sim.app.request(PATH, {
          method: 'POST',
          headers: { authorization: 'Basic k', 'content-type': 'application/json' },
          body: JSON.stringify(body(PLAIN)),
        });
        statuses.push(r.status);
      }
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first)).toEqual(new Set([201, 429, 500]));
  });

  it('explains in the journal which rule decided', async () => {
    const rule = await admin().arm({ outcomes: ['blocked_recipient'], label: 'blocked for the demo' });
    await send(PLAIN);
    const [entry] = await admin().requests({ limit: 1 });
    expect(entry!.outcome).toBe('blocked_recipient');
    expect(entry!.reason.detail).toContain(rule.id);
    expect(entry!.reason.detail).toContain('blocked for the demo');
  });
});

describe('scenario admin API', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const post = (path: string, json: unknown, method = 'POST') => call(`${s.url}/__admin${path}`, { method, json });

  it('lists the catalogue with every outcome and its magic numbers', async () => {
    const r = await call(`${s.url}/__admin/scenarios`);
    expect(r.body.outcomes.map((o: { name: string }) => o.name)).toContain('not_on_whatsapp');
    expect(r.body.outcomes.find((o: { name: string }) => o.name === 'rate_limited').numbers[0]).toEqual({
      from: '+12085550100',
      to: '+12085550199',
      example: '+12085550100',
    });
    expect(r.body.precedence).toEqual(['rule', 'header', 'number', 'sandbox', 'chaos', 'state', 'default']);
  });

  it.each([
    ['an unknown outcome', { outcomes: ['rate_limitted'] }],
    ['no outcomes', { outcomes: [] }],
    ['an unknown provider', { provider: 'twilio', outcomes: ['accepted'] }],
    ['a zero times', { outcomes: ['accepted'], times: 0 }],
    ['a bad phone number', { to: 'abc', outcomes: ['accepted'] }],
    ['an unknown field', { outcomes: ['accepted'], when: 'always' }],
  ])('refuses %s with a 400 problem and leaves the rules unchanged', async (_, rule) => {
    await post('/scenarios', { outcomes: ['accepted'] });
    const r = await post('/scenarios', rule);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toBeTruthy();
    expect((await call(`${s.url}/__admin/scenarios`)).body.rules).toHaveLength(1);
  });

  it('refuses malformed JSON with a 400 problem', async () => {
    const r = await call(`${s.url}/__admin/scenarios`, {
      method: 'POST',
      body: '{"outcomes":',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.body.title).toBe('Malformed JSON');
  });

  it('refuses chaos probabilities adding up to more than 1', async () => {
    const r = await post('/chaos', { probabilities: { provider_error: 0.7, rate_limited: 0.6 } }, 'PUT');
    expect(r.status).toBe(400);
    expect((await call(`${s.url}/__admin/chaos`)).body.enabled).toBe(false);
  });

  it('moves the clock forward by a duration', async () => {
    const r = await post('/clock', { advance: '1h30m' });
    expect(r.status).toBe(200);
    expect(r.body.offsetMs).toBe(90 * 60_000);
    expect((await call(`${s.url}/__admin/clock`)).body.offsetMs).toBe(90 * 60_000);
  });

  it.each([['ten minutes'], [-5], ['-1m'], [null]])(
    'refuses the clock value %j and keeps the time',
    async (advance) => {
      const r = await post('/clock', { advance });
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain('10m');
      expect((await call(`${s.url}/__admin/clock`)).body.offsetMs).toBe(0);
    },
  );

  it('explains an unmatched request with the nearest route and what differed', async () => {
    const r = await call(`${s.url}/api/v1/public/messages`, { method: 'POST', json: {} });
    expect(r.status).toBe(404);
    const { requests } = (await call(`${s.url}/__admin/requests/unmatched`)).body;
    expect(requests[0].nearest).toMatchObject({ provider: 'splashify', path: '/api/v1/public/message' });
    expect(requests[0].nearest.differences).toEqual(['segment 4 is "messages", expected "message"']);
  });
});

describe('sessions', () => {
  const s = useSimulator();
  const send = (to: string, session: string) =>
    call(s.url + PATH, {
      method: 'POST',
      headers: { authorization: 'Basic k', 'x-waotp-session': session },
      json: body(to),
    });

  it('keeps rules, journal and inbox apart per x-waotp-session', async () => {
    const a = createAdminClient(s.url, { session: 'worker-a' });
    const b = createAdminClient(s.url, { session: 'worker-b' });
    await a.arm({ provider: 'splashify', outcomes: ['provider_error'] });
    expect((await send(PLAIN, 'worker-b')).status).toBe(201);
    expect((await send(PLAIN, 'worker-a')).status).toBe(500);
    expect((await b.requests()).map((e) => e.status)).toEqual([201]);
    expect((await a.requests()).map((e) => e.status)).toEqual([500]);
    expect(await b.messages()).toHaveLength(1);
    expect(await a.messages()).toHaveLength(0);
    await b.reset();
    expect(await b.messages()).toHaveLength(0);
    expect((await a.requests()).map((e) => e.status)).toEqual([500]);
    expect((await send(PLAIN, 'worker-a')).status).toBe(500);
  });
});

describe('rule packs', () => {
  it('arms the failover pack at start and again after a reset', async () => {
    const sim = createSimulator({ rulePacks: [loadRulePack('scenarios/failover.yaml')] });
    const statuses = async () => {
      const out = [];
      for (let i = 0; i < 4; i++) {
        const r = await sim.app.request(PATH, {
          method: 'POST',
          headers: { authorization: 'Basic k', 'content-type': 'application/json' },
          body: JSON.stringify(body(PLAIN)),
        });
        out.push(r.status);
      }
      return out;
    };
    expect(await statuses()).toEqual([429, 429, 201, 201]);
    sim.reset();
    expect(await statuses()).toEqual([429, 429, 201, 201]);
  });
});

describe('virtual clock through the admin API', () => {
  const s = useSimulator();
  const headers = { 'app-id': 'app', 'api-key': 'key' };

  it('expires a Verihubs OTP: verify answers 422 after the clock passes time_limit', async () => {
    const sent = await call(`${s.url}/v1/whatsapp/otp/send`, {
      method: 'POST',
      headers,
      json: { msisdn: '6281234567890', content: ['Masuk'], time_limit: '300' },
    });
    expect(sent.status).toBe(201);
    await createAdminClient(s.url).advanceClock('10m');
    const verify = await call(`${s.url}/v1/whatsapp/otp/verify`, {
      method: 'POST',
      headers,
      json: { msisdn: '6281234567890', otp: sent.body.otp },
    });
    expect(verify.status).toBe(422);
    expect(verify.body).toEqual({ message: 'OTP cannot be verified because Time limit exceeded' });
  });
});

describe('the admin client for delivery callbacks', () => {
  const s = useSimulator({ callbacks: { speed: 20 } });

  it('sets a webhook target and lists the callback attempts it got', async () => {
    const { startReceiver } = await import('../helpers/receiver.js');
    const receiver = await startReceiver();
    try {
      const admin = createAdminClient(s.url);
      expect(await admin.setCallbackTargets({ splashify: receiver.url })).toEqual({ splashify: receiver.url });
      await send(s.url, PLAIN);
      const attempts = await (async () => {
        for (let i = 0; i < 100; i++) {
          const found = await admin.callbacks({ provider: 'splashify' });
          if (found.length >= 3) return found;
          await new Promise((r) => setTimeout(r, 20));
        }
        return admin.callbacks({ provider: 'splashify' });
      })();
      expect(attempts.map((a) => a.event).reverse()).toEqual(['sent', 'delivered', 'read']);
      expect(attempts.map((a) => [a.status, a.url])).toEqual(Array(3).fill([200, new URL(receiver.url).href]));
      expect(await admin.setCallbackTargets({ splashify: null })).toEqual({});
    } finally {
      await receiver.close();
    }
  });
});

function send(url: string, to: string) {
  return call(url + PATH, { method: 'POST', headers: { authorization: 'Basic k' }, json: body(to) });
}
