import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorSchema } from '../../src/providers/whatsapp-onprem/schema.js';
import { call, useSimulator } from '../helpers/http.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

// What real On-Prem clients do that the seed does not: deployments' own admin passwords, contacts checks,
// the 1006 unknown-contact retry, strict token checks, 471, and Meta's failed-status shape.
const SEND = '/v1/messages';
const LOGIN = '/v1/users/login';
const CONTACTS = '/v1/contacts';
const META = { api_status: 'stable', version: 'v2.45.1' };
const UNKNOWN_CONTACT = '12155550100'; // the catalogue's unknown_contact range: +1 215 555 0100-0199
const bearer = (token = 'any-token') => ({ authorization: `Bearer ${token}` });
const basic = (user: string, pass: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});
const message = (to = '6281234567890', code = '482913') => ({
  to,
  type: 'template',
  template: {
    namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2f3a4b5c6',
    name: 'login_otp',
    language: { code: 'en', policy: 'deterministic' },
    components: [
      { type: 'body', parameters: [{ type: 'text', text: code }] },
      { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: code }] },
    ],
  },
});

describe('whatsapp-onprem login with no config', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const login = (user: string, pass: string, json?: unknown) =>
    call(s.url + LOGIN, { method: 'POST', headers: basic(user, pass), ...(json !== undefined && { json }) });

  it.each([
    ['admin with a deployment password', 'admin', 'Depl0y-Pass!'],
    ['another user', 'ops', 'whatever'],
  ])('logs in %s with 200 and a token', async (_, user, pass) => {
    const r = await login(user, pass);
    expect(r.status).toBe(200);
    expect(r.body.users[0].token).toEqual(expect.any(String));
  });

  it('keeps admin logging in with its deployment password after a reset', async () => {
    expect((await login('admin', 'Depl0y-Pass!')).status).toBe(200);
    s.sim.simulator.reset();
    expect((await login('admin', 'Depl0y-Pass!')).status).toBe(200);
  });

  it('keeps the first-login step only for the exact pair admin/secret (401 1024 without new_password)', async () => {
    const r = await login('admin', 'secret');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({
      errors: [expect.objectContaining({ code: 1024, title: 'Password change required' })],
      meta: META,
    });
    expect((await login('admin', 'secret', { new_password: 'N3w-Passw0rd!' })).status).toBe(200);
  });
});

describe('whatsapp-onprem contacts', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const check = (json: unknown) => call(s.url + CONTACTS, { method: 'POST', headers: bearer(), json });

  it('answers no_wait (the default) with processing for an unchecked number, valid once checked', async () => {
    const first = await check({ contacts: ['+62 812-3456-7890'] });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ contacts: [{ input: '+62 812-3456-7890', status: 'processing' }], meta: META });
    const again = await check({ blocking: 'no_wait', contacts: ['+6281234567890'] });
    expect(again.body.contacts).toEqual([{ input: '+6281234567890', status: 'valid', wa_id: '6281234567890' }]);
  });

  it('answers blocking wait with valid and a wa_id at once, invalid without one when malformed', async () => {
    const r = await check({ blocking: 'wait', contacts: ['+6281234567890', '12'] });
    expect(r.body.contacts).toEqual([
      { input: '+6281234567890', status: 'valid', wa_id: '6281234567890' },
      { input: '12', status: 'invalid' },
    ]);
  });

  it('skips the cache with force_check: a no_wait check is processing again', async () => {
    await check({ blocking: 'wait', contacts: ['+6281234567890'] });
    const r = await check({ blocking: 'no_wait', force_check: true, contacts: ['+6281234567890'] });
    expect(r.body.contacts[0].status).toBe('processing');
  });

  it('forgets a check after the 7-day cache lifetime of the virtual clock', async () => {
    await check({ blocking: 'wait', contacts: ['+6281234567890'] });
    s.sim.simulator.clock.advance(7 * 24 * 3_600_000 + 1000);
    expect((await check({ contacts: ['+6281234567890'] })).body.contacts[0].status).toBe('processing');
  });

  it('refuses blocking values other than wait and no_wait with 400 1009', async () => {
    const r = await check({ blocking: 'later', contacts: ['+6281234567890'] });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1009, details: expect.stringContaining('blocking') });
  });
});

describe('whatsapp-onprem unknown contact (1006)', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const send = (to: string, query = '') =>
    call(`${s.url}${SEND}${query}`, { method: 'POST', headers: bearer(), json: message(to) });

  it('answers a send to the unknown_contact range with 404 1006 "unknown contact", capturing nothing', async () => {
    const r = await send(UNKNOWN_CONTACT);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      errors: [{ code: 1006, title: 'Resource not found', details: 'unknown contact' }],
      meta: META,
    });
    expect(errorSchema.safeParse(r.body).success).toBe(true);
    expect((await call(`${s.url}/__admin/messages/latest?to=${UNKNOWN_CONTACT}`)).status).toBe(404);
  });

  it("sends once the number was checked, also with courier's ?retry=1", async () => {
    const checked = await call(s.url + CONTACTS, {
      method: 'POST',
      headers: bearer(),
      json: { blocking: 'wait', contacts: [`+${UNKNOWN_CONTACT}`], force_check: true },
    });
    expect(checked.body.contacts[0]).toEqual({ input: `+${UNKNOWN_CONTACT}`, status: 'valid', wa_id: UNKNOWN_CONTACT });
    const r = await send(UNKNOWN_CONTACT, '?retry=1');
    expect(r.status).toBe(201);
    expect((await call(`${s.url}/__admin/messages/latest?to=${UNKNOWN_CONTACT}`)).body).toMatchObject({
      code: '482913',
    });
  });

  it('journals the refused send with the unknown_contact outcome', async () => {
    await send(UNKNOWN_CONTACT);
    const journal = await call(`${s.url}/__admin/requests?provider=whatsapp-onprem`);
    const entries = journal.body.requests ?? journal.body;
    expect(entries.find((e: { to?: string }) => e.to === UNKNOWN_CONTACT)).toMatchObject({
      status: 404,
      outcome: 'unknown_contact',
    });
  });

  it('sends to any other number without a contacts check (Webapps from v2.39 need none)', async () => {
    expect((await send('6281234567890')).status).toBe(201);
  });
});

describe('whatsapp-onprem options.strictAuth', () => {
  const s = useSimulator({
    config: { providers: { 'whatsapp-onprem': { options: { strictAuth: true, tokenTtlSeconds: 60 } } } },
  });
  beforeEach(() => s.sim.simulator.reset());
  const send = (token: string) => call(s.url + SEND, { method: 'POST', headers: bearer(token), json: message() });
  const token = async () =>
    (await call(s.url + LOGIN, { method: 'POST', headers: basic('ops', 'Any-pass1!') })).body.users[0].token as string;

  it('refuses a token it never issued with 401 1005', async () => {
    const r = await send('never-issued');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ errors: [expect.objectContaining({ code: 1005, title: 'Access denied' })], meta: META });
  });

  it('accepts an issued token, and any username still logs in', async () => {
    expect((await send(await token())).status).toBe(201);
  });

  it('refuses an issued token once it has expired', async () => {
    const t = await token();
    s.sim.simulator.clock.advance(61_000);
    expect((await send(t)).status).toBe(401);
  });
});

describe('whatsapp-onprem by default', () => {
  const s = useSimulator();
  it('accepts a Bearer token it never issued (the documented leniency)', async () => {
    const r = await call(s.url + SEND, { method: 'POST', headers: bearer('never-issued'), json: message() });
    expect(r.status).toBe(201);
  });
});

describe('whatsapp-onprem options.spamRateLimited', () => {
  const s = useSimulator({ config: { providers: { 'whatsapp-onprem': { options: { spamRateLimited: true } } } } });

  it('refuses every send at once with 471 "Spam Rate limit hit" in the send reply, and captures nothing', async () => {
    const r = await call(s.url + SEND, { method: 'POST', headers: bearer(), json: message('6281299990000') });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      errors: [expect.objectContaining({ code: 471, title: 'Spam Rate limit hit' })],
      meta: META,
    });
    expect((await call(`${s.url}/__admin/messages/latest?to=6281299990000`)).status).toBe(404);
  });
});

describe('whatsapp-onprem failed status webhook', () => {
  const s = useSimulator({ callbacks: { speed: 10, retryDelayMs: 50, timeoutMs: 2000 } });
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('carries type "message", message.recipient_id as E.164 and the error, as in Meta\'s 1026 example', async () => {
    await call(`${s.url}/v1/settings/application`, {
      method: 'PATCH',
      headers: bearer(),
      json: { webhooks: { url: `${receiver.url}/wa` } },
    });
    const sent = await call(s.url + SEND, { method: 'POST', headers: bearer(), json: message('12025550101') });
    expect(sent.status).toBe(201);
    const [failed] = await receiver.waitFor(1, 10_000, (r) => r.body?.statuses?.[0]?.status === 'failed');
    expect(failed!.body.statuses[0]).toEqual({
      id: sent.body.messages[0].id,
      recipient_id: '12025550101',
      status: 'failed',
      timestamp: expect.stringMatching(/^\d+$/),
      type: 'message',
      message: { recipient_id: '+12025550101' },
      errors: [{ code: 1013, title: 'User is not valid', href: expect.stringContaining('developers.facebook.com') }],
    });
  });
});
