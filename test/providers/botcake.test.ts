import { beforeEach, describe, expect, it } from 'vitest';
import { botcake } from '../../src/providers/botcake/index.js';
import { errorSchema } from '../../src/providers/botcake/schema.js';
import { providers } from '../../src/providers/index.js';
import { REJECTIONS } from '../../src/providers/outcomes.js';
import { parseConfig } from '../../src/simulator/config.js';
import { call, useSimulator } from '../helpers/http.js';

const PAGE = 'waba_1029384756102938';
const path = (page = PAGE) => `/api/public_api/v1/pages/${page}/flows/send_flow`;
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IndhYmFfMTAyOTM4NDc1NjEwMjkzOCJ9.sig';
const auth = { 'access-token': TOKEN };
const flow = (code = '482913', psid = 'wa_6281219110199') => ({ psid, flow_id: 7731, payload: { code } });
const PARAMS_WRONG = { success: false, message: 'your params wrong' };
const INVALID_TOKEN = { success: false, message: 'invalid access token' };

describe('botcake', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const send = (json: unknown, { page = PAGE, headers = auth as Record<string, string> } = {}) =>
    call(s.url + path(page), { method: 'POST', headers, json });
  const latest = async (to: string) => (await call(`${s.url}/__admin/messages/latest?to=${to}`)).body;

  it('accepts the seed example request as written with 200 {"success":true}', async () => {
    const r = await call(s.url + path(), {
      method: 'POST',
      headers: { 'access-token': TOKEN, 'content-type': 'application/json' },
      body: '{"psid":"wa_6281219110199","flow_id":7731,"payload":{"code":"482913"}}',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true });
  });

  it('captures payload.code for the wa_ psid digits, rendered as the English authentication template', async () => {
    await send(flow('482913'));
    expect(await latest('%2B6281219110199')).toMatchObject({
      provider: 'botcake',
      to: '6281219110199',
      code: '482913',
      template: '7731',
      language: 'en',
      text: '*482913* is your verification code. For your security, do not share this code.',
    });
  });

  it('serves the same endpoint under /botcake', async () => {
    const r = await call(`${s.url}/botcake${path()}`, { method: 'POST', headers: auth, json: flow() });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true });
  });

  it('takes a numeric payload.code as its digits', async () => {
    await send({ psid: 'wa_6281234567890', flow_id: 7731, payload: { code: 123456 } });
    expect((await latest('6281234567890')).code).toBe('123456');
  });

  it('prefers payload.code over earlier payload values', async () => {
    await send({ psid: 'wa_6281234567890', flow_id: 7731, payload: { name: 'Ana', code: '482913' } });
    expect((await latest('6281234567890')).code).toBe('482913');
  });

  it('falls back to the first string or number in payload when there is no code key', async () => {
    await send({ psid: 'wa_6281234567890', flow_id: 7731, payload: { name: '', otp: '777888', other: 'x' } });
    expect((await latest('6281234567890')).code).toBe('777888');
  });

  it('accepts a send without payload and shows it failing for its empty template parameter', async () => {
    const r = await send({ psid: 'wa_6281234567890', flow_id: 7731 });
    expect(r.status).toBe(200);
    expect(await latest('6281234567890')).toMatchObject({ code: '', failure: { code: 131008 } });
  });

  it('files a Messenger psid sent to a numeric Facebook page under the psid itself', async () => {
    const r = await send(flow('246810', '24681357913579246'), { page: '104857600123456' });
    expect(r.status).toBe(200);
    expect((await latest('24681357913579246')).code).toBe('246810');
  });

  it.each([
    ['a wa_ psid on a Facebook page', '104857600123456', 'wa_6281219110199'],
    ['a Messenger psid on a WhatsApp page', PAGE, '24681357913579246'],
  ])('answers 400 "your params wrong" for %s', async (_, page, psid) => {
    const r = await send(flow('1', psid), { page });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(PARAMS_WRONG);
  });

  it.each([
    ['no access-token header', {}],
    ['an Authorization: Bearer header', { authorization: `Bearer ${TOKEN}` }],
    ['an empty access-token header', { 'access-token': ' ' }],
  ])('answers 401 "invalid access token" for %s', async (_, headers) => {
    const r = await send(flow(), { headers });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(INVALID_TOKEN);
  });

  it('answers 400 "your params wrong" for the token in ?access_token=', async () => {
    const r = await call(`${s.url}${path()}?access_token=${TOKEN}`, { method: 'POST', json: flow() });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(PARAMS_WRONG);
  });

  it('ignores a stray ?access_token= when the header is present', async () => {
    const r = await call(`${s.url}${path()}?access_token=x`, { method: 'POST', headers: auth, json: flow() });
    expect(r.status).toBe(200);
  });

  it.each([
    ['psid missing', { flow_id: 7731, payload: { code: '1' } }],
    ['psid as a number', { psid: 6281219110199, flow_id: 7731 }],
    ['a phone number as psid', { psid: '+6281219110199', flow_id: 7731 }],
    ['flow_id missing', { psid: 'wa_6281219110199' }],
    ['flow_id as a string', { psid: 'wa_6281219110199', flow_id: '7731' }],
    ['flow_id not an integer', { psid: 'wa_6281219110199', flow_id: 77.5 }],
    ['payload as an array', { psid: 'wa_6281219110199', flow_id: 7731, payload: ['482913'] }],
    ['a JSON array body', [flow()]],
  ])('answers 400 "your params wrong" for %s', async (_, json) => {
    const r = await send(json);
    expect(r.status).toBe(400);
    expect(r.body).toEqual(PARAMS_WRONG);
  });

  it('answers 400 "your params wrong" for malformed JSON', async () => {
    const r = await call(s.url + path(), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"psid":',
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(PARAMS_WRONG);
  });

  it('answers 400 "your params wrong" for a form-encoded body', async () => {
    const r = await call(s.url + path(), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'psid=wa_6281219110199&flow_id=7731',
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(PARAMS_WRONG);
  });

  it('answers 400 "your params wrong" for a malformed page id', async () => {
    const r = await send(flow(), { page: 'wa_6281219110199' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(PARAMS_WRONG);
  });

  it('answers 413 for a body over 1 MB', async () => {
    const r = await send({ ...flow(), payload: { code: '1', pad: 'x'.repeat(1024 * 1024) } });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ success: false, message: 'request entity too large' });
  });

  it('has no rate limit by default', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 120; i++) statuses.add((await send(flow(String(i)))).status);
    expect([...statuses]).toEqual([200]);
  });
});

describe('botcake with a config file', () => {
  const s = useSimulator({
    config: {
      providers: {
        botcake: {
          credentials: [{ token: 'tok_bound', page: 'waba_111111111' }, { token: 'tok_any' }],
          templates: ['7731'],
          quota: 1,
          blocked: ['6281111111111'],
        },
      },
    },
  });
  beforeEach(() => s.sim.simulator.reset());
  const send = (token: string, json: unknown, page = 'waba_111111111') =>
    call(s.url + path(page), { method: 'POST', headers: { 'access-token': token }, json });

  it('accepts a pinned token on the page it is bound to', async () => {
    expect((await send('tok_bound', flow())).status).toBe(200);
  });

  it('answers a token bound to another page like a bad token', async () => {
    const other = await send('tok_bound', flow(), 'waba_222222222');
    const bad = await send('tok_unknown', flow());
    expect(other.status).toBe(401);
    expect(other.body).toEqual(INVALID_TOKEN);
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual(other.body);
  });

  it('accepts a pinned token without a page on any page', async () => {
    expect((await send('tok_any', flow(), 'waba_104857600123456')).status).toBe(200);
  });

  it('answers an unknown flow with 400 "your params wrong"', async () => {
    const r = await send('tok_bound', { ...flow(), flow_id: 9999 });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(PARAMS_WRONG);
  });

  it('answers a blocked recipient with 403', async () => {
    const r = await send('tok_bound', flow('1', 'wa_6281111111111'));
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ success: false, message: 'customer has blocked this page' });
  });

  it('answers 402 once the page quota is used up', async () => {
    expect((await send('tok_bound', flow())).status).toBe(200);
    const empty = await send('tok_bound', flow());
    expect(empty.status).toBe(402);
    expect(empty.body).toEqual({ success: false, message: 'your page has run out of credit' });
  });

  it('reads a bare numeric page in a pinned credential as its page id', () => {
    const config = parseConfig(
      { providers: { botcake: { credentials: [{ token: 't', page: 104857600123456 }] } } },
      providers,
    );
    expect(config.providers?.botcake?.credentials).toEqual([{ token: 't', page: '104857600123456' }]);
  });
});

describe('botcake with a configured rate limit', () => {
  const s = useSimulator({ config: { providers: { botcake: { rateLimit: { limit: 1, windowMs: 60_000 } } } } });

  it('answers 429 with Retry-After past the limit', async () => {
    const send = () => call(s.url + path(), { method: 'POST', headers: auth, json: flow() });
    expect((await send()).status).toBe(200);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ success: false, message: 'too many requests' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('botcake.reject', () => {
  const responses = botcake.endpoints[0]!.responses;

  it.each(REJECTIONS)('renders %s with a documented error status and the native body', (outcome) => {
    const reply = botcake.reject(outcome);
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(responses).map(Number)).toContain(reply.status);
    expect(errorSchema.safeParse(reply.body).success).toBe(true);
  });

  it('renders a forced 503 provider error as service unavailable', () => {
    expect(botcake.reject('provider_error', { status: 503 })).toEqual({
      status: 503,
      body: { success: false, message: 'service unavailable' },
    });
  });
});
