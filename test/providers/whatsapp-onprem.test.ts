import { beforeEach, describe, expect, it } from 'vitest';
import { REJECTIONS } from '../../src/providers/outcomes.js';
import { type OnPremState, webhookUrlOf, whatsappOnprem } from '../../src/providers/whatsapp-onprem/index.js';
import { errorSchema } from '../../src/providers/whatsapp-onprem/schema.js';
import { call, useSimulator } from '../helpers/http.js';

const SEND = '/v1/messages';
const LOGIN = '/v1/users/login';
const LOGOUT = '/v1/users/logout';
const SETTINGS = '/v1/settings/application';
const CONTACTS = '/v1/contacts';
const META = { api_status: 'stable', version: 'v2.45.1' };
const bearer = (token = 'any-token') => ({ authorization: `Bearer ${token}` });
const basic = (user: string, pass: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

/** The seed document's request, byte for byte in meaning: placeholders included. */
const SEED = {
  to: 'recipient_wa_id',
  type: 'template',
  template: {
    namespace: 'your-namespace',
    name: 'your-template-name',
    language: { code: 'your-language-and-locale-code', policy: 'deterministic' },
    components: [
      { type: 'body', parameters: [{ type: 'text', text: 'user-otp-code' }] },
      { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'user-otp-code' }] },
    ],
  },
};

const bodyComponent = (code: string) => ({ type: 'body', parameters: [{ type: 'text', text: code }] });
const buttonComponent = (code: string, extra: Record<string, unknown> = {}) => ({
  type: 'button',
  sub_type: 'url',
  index: 0,
  parameters: [{ type: 'text', text: code }],
  ...extra,
});
const message = ({
  to = '6281234567890',
  code = '482913',
  name = 'login_otp',
  components = [bodyComponent(code), buttonComponent(code)] as unknown[],
} = {}) => ({
  to,
  type: 'template',
  template: {
    namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2f3a4b5c6',
    name,
    language: { code: 'id', policy: 'deterministic' },
    components,
  },
});
const withTemplate = (patch: Record<string, unknown>) => ({
  ...message(),
  template: { ...message().template, ...patch },
});

describe('whatsapp-onprem: send', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const send = (json: unknown, headers: Record<string, string> = bearer()) =>
    call(s.url + SEND, { method: 'POST', headers, json });

  it('accepts the seed example request as written with 201 and an opaque gBEG id', async () => {
    const r = await send(SEED);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ messages: [{ id: expect.stringMatching(/^gBEG[A-Za-z0-9]{23}$/) }], meta: META });
  });

  it('captures the seed message under its placeholder recipient, failing later with 1013', async () => {
    const r = await send(SEED);
    const latest = await call(`${s.url}/__admin/messages/latest?provider=whatsapp-onprem`);
    expect(latest.body).toMatchObject({
      to: 'recipient_wa_id',
      code: 'user-otp-code',
      providerMessageId: r.body.messages[0].id,
      failure: { code: 1013, title: 'User is not valid' },
    });
  });

  it('captures the OTP of an accepted message with the Indonesian authentication text', async () => {
    const r = await send(message());
    expect(r.status).toBe(201);
    const latest = await call(`${s.url}/__admin/messages/latest?to=6281234567890`);
    expect(latest.body).toMatchObject({
      provider: 'whatsapp-onprem',
      code: '482913',
      template: 'login_otp',
      language: 'id',
      providerMessageId: r.body.messages[0].id,
    });
    expect(latest.body.text).toBe('*482913* adalah kode verifikasi Anda. Demi keamanan, jangan bagikan kode ini.');
    expect(latest.body.failure).toBeUndefined();
  });

  it('serves the same endpoint under /whatsapp-onprem', async () => {
    const r = await call(`${s.url}/whatsapp-onprem${SEND}`, { method: 'POST', headers: bearer(), json: message() });
    expect(r.status).toBe(201);
  });

  it('accepts index "0", recipient_type individual and a + before the WhatsApp id', async () => {
    const json = {
      ...message({
        to: '+6289900001111',
        components: [bodyComponent('777111'), buttonComponent('777111', { index: '0' })],
      }),
      recipient_type: 'individual',
    };
    expect((await send(json)).status).toBe(201);
    expect((await call(`${s.url}/__admin/messages/latest?to=6289900001111`)).body.code).toBe('777111');
  });

  it('accepts a legacy template (no button) with a short OTP', async () => {
    expect((await send(message({ components: [bodyComponent('123456')] }))).status).toBe(201);
  });

  it('captures a second body parameter as an asynchronous 2000 failure', async () => {
    const components = [
      {
        type: 'body',
        parameters: [
          { type: 'text', text: '482913' },
          { type: 'text', text: 'extra' },
        ],
      },
      buttonComponent('482913'),
    ];
    expect((await send(message({ components }))).status).toBe(201);
    expect((await call(`${s.url}/__admin/messages/latest?to=6281234567890`)).body.failure).toMatchObject({
      code: 2000,
      title: 'Template param count mismatch',
    });
  });

  it.each([
    ['no template.namespace', withTemplate({ namespace: undefined }), 'template.namespace'],
    ['no language.policy', withTemplate({ language: { code: 'id' } }), 'template.language.policy'],
    ['no to', { ...message(), to: undefined }, 'to'],
    ['no body component', message({ components: [buttonComponent('482913')] }), 'body component'],
    [
      'a button without sub_type',
      message({
        components: [
          bodyComponent('482913'),
          { type: 'button', index: 0, parameters: [{ type: 'text', text: '482913' }] },
        ],
      }),
      'template.components[1].sub_type',
    ],
  ])('rejects %s with 400 1008 naming the field', async (_, json, field) => {
    const r = await send(json);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1008, title: 'Required parameter is missing' });
    expect(r.body.errors[0].details).toContain(field);
    expect(r.body.meta).toEqual(META);
  });

  it('rejects an empty body with 400 1008', async () => {
    const r = await call(s.url + SEND, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].code).toBe(1008);
  });

  it.each([
    [
      'language.policy "fallback"',
      withTemplate({ language: { code: 'id', policy: 'fallback' } }),
      'template.language.policy',
    ],
    ['type "text"', { ...message(), type: 'text' }, 'type'],
    [
      'button index 1',
      message({ components: [bodyComponent('482913'), buttonComponent('482913', { index: 1 })] }),
      'template.components[1].index',
    ],
    [
      'a quick_reply button',
      message({ components: [bodyComponent('482913'), buttonComponent('482913', { sub_type: 'quick_reply' })] }),
      'template.components[1].sub_type',
    ],
    [
      'an unknown sub_type',
      message({ components: [bodyComponent('482913'), buttonComponent('482913', { sub_type: 'copy' })] }),
      'template.components[1].sub_type must be one of url, quick_reply',
    ],
    [
      'a button code that differs from the body',
      message({ components: [bodyComponent('482913'), buttonComponent('000000')] }),
      'template.components[1].parameters[0].text',
    ],
    [
      'a legacy OTP over 15 characters',
      message({ components: [bodyComponent('1234567890123456')] }),
      'at most 15 characters',
    ],
    ['a legacy OTP with a link', message({ components: [bodyComponent('https://x.io/1')] }), 'link'],
    ['a legacy OTP with an emoji', message({ components: [bodyComponent('1234🔑')] }), 'emoji'],
    [
      'an unknown component type',
      message({ components: [{ type: 'footer' }, bodyComponent('1'), buttonComponent('1')] }),
      'template.components[0].type',
    ],
  ])('rejects %s with 400 1009 naming the field', async (_, json, details) => {
    const r = await send(json);
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1009, title: 'Parameter value is not valid' });
    expect(r.body.errors[0].details).toContain(details);
  });

  it('rejects a recipient_type other than individual with 400 1002', async () => {
    const r = await send({ ...message(), recipient_type: 'group' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1002, title: 'Invalid recipient type' });
  });

  it('rejects malformed JSON with 400 1009', async () => {
    const r = await call(s.url + SEND, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: '{"to":',
    });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].code).toBe(1009);
    expect(r.body.errors[0].details).toMatch(/not valid JSON/);
  });

  it('rejects a body over 1 MB with 413 1001', async () => {
    const r = await call(s.url + SEND, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: `{"pad":"${'x'.repeat(1024 * 1024)}"}`,
    });
    expect(r.status).toBe(413);
    expect(r.body.errors[0]).toMatchObject({ code: 1001, title: 'Message too long' });
  });

  it.each([
    ['no Authorization header', {}],
    ['Basic instead of Bearer', basic('admin', 'secret')],
  ])('answers 401 1005 Access denied for %s', async (_, headers) => {
    const r = await send(message(), headers);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ errors: [{ code: 1005, title: 'Access denied' }], meta: META });
  });

  it('accepts a number reserved for not_on_whatsapp with 201 and captures a 1013 failure', async () => {
    expect((await send(message({ to: '12025550100' }))).status).toBe(201);
    expect((await call(`${s.url}/__admin/messages/latest?to=12025550100`)).body.failure).toMatchObject({
      code: 1013,
      title: 'User is not valid',
    });
  });

  it.each([
    ['scenario=rate_limited', 429, 1015],
    ['scenario=provider_error', 500, 1014],
    ['code=503', 503, 1011],
    ['scenario=blocked_recipient', 400, 1007],
    ['scenario=insufficient_quota', 402, 402],
    ['scenario=unauthorized', 401, 1005],
  ])('renders Prefer: %s natively as %i with code %i', async (prefer, status, code) => {
    const r = await send(message(), { ...bearer(), prefer });
    expect(r.status).toBe(status);
    expect(r.body.errors[0].code).toBe(code);
    expect(errorSchema.safeParse(r.body).success).toBe(true);
  });

  it('answers a forced 429 1015 without Retry-After (the Webapp sends none), naming the wait in details', async () => {
    const r = await send(message(), { ...bearer(), prefer: 'scenario=rate_limited' });
    expect(r.headers.get('retry-after')).toBeNull();
    expect(r.body.errors[0].details).toMatch(/Retry after \d+ seconds?\./);
  });
});

describe('whatsapp-onprem: login and tokens', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const login = (headers: Record<string, string>, json?: unknown) =>
    call(s.url + LOGIN, { method: 'POST', headers, ...(json !== undefined && { json }) });
  const send = (token: string) => call(s.url + SEND, { method: 'POST', headers: bearer(token), json: message() });

  it('refuses the default admin/secret without new_password with 401 1024', async () => {
    const r = await login(basic('admin', 'secret'));
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ errors: [{ code: 1024, title: 'Password change required' }], meta: META });
  });

  it('refuses a new_password that breaks the rules with 400 1009', async () => {
    const r = await login(basic('admin', 'secret'), { new_password: 'password1' });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1009 });
    expect(r.body.errors[0].details).toContain('new_password');
  });

  it('changes the admin password on first login: the old one is refused, the new one logs in', async () => {
    expect((await login(basic('admin', 'secret'), { new_password: 'N3w-Passw0rd!' })).status).toBe(200);
    const old = await login(basic('admin', 'secret'));
    expect(old.status).toBe(401);
    expect(old.body.errors[0].code).toBe(1005);
    expect((await login(basic('admin', 'N3w-Passw0rd!'))).status).toBe(200);
  });

  it('answers a login with users[0].token and expires_after 7 days ahead of the virtual clock', async () => {
    s.sim.simulator.clock.advance(3_600_000);
    const r = await login(basic('dev', 'anything'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      users: [
        {
          token: expect.any(String),
          expires_after: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+00:00$/),
        },
      ],
      meta: META,
    });
    const expires = Date.parse(r.body.users[0].expires_after.replace(' ', 'T'));
    expect(Math.abs(expires - (s.sim.simulator.clock.now() + 7 * 86_400_000))).toBeLessThan(2000);
  });

  it('accepts an empty login body sent with no Content-Type', async () => {
    const r = await call(s.url + LOGIN, { method: 'POST', headers: basic('dev', 'pw') });
    expect(r.status).toBe(200);
  });

  it.each([
    ['no Authorization header', {}],
    ['a Bearer token', bearer()],
    ['a Basic value that is not base64 user:pass', { authorization: 'Basic !!!' }],
  ])('refuses a login with %s with 401 1005', async (_, headers) => {
    const r = await login(headers);
    expect(r.status).toBe(401);
    expect(r.body.errors[0]).toMatchObject({ code: 1005, title: 'Access denied' });
  });

  it('accepts an issued token on /v1/messages', async () => {
    const token = (await login(basic('dev', 'pw'))).body.users[0].token;
    expect((await send(token)).status).toBe(201);
  });

  it('refuses an issued token once 7 days have passed, with 401 1005', async () => {
    const token = (await login(basic('dev', 'pw'))).body.users[0].token;
    s.sim.simulator.clock.advance(7 * 86_400_000 + 1000);
    const r = await send(token);
    expect(r.status).toBe(401);
    expect(r.body.errors[0]).toMatchObject({
      code: 1005,
      title: 'Access denied',
      details: expect.stringMatching(/expired/i),
    });
  });

  it('logs out only the token sent: it is refused, another token of the same user still works', async () => {
    const first = (await login(basic('dev', 'pw'))).body.users[0].token;
    const second = (await login(basic('dev', 'pw'))).body.users[0].token;
    const out = await call(s.url + LOGOUT, { method: 'POST', headers: bearer(first) });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ meta: META });
    expect((await send(first)).status).toBe(401);
    expect((await send(second)).status).toBe(201);
  });

  it('answers a second logout of the same token with 401', async () => {
    const token = (await login(basic('dev', 'pw'))).body.users[0].token;
    await call(s.url + LOGOUT, { method: 'POST', headers: bearer(token) });
    expect((await call(s.url + LOGOUT, { method: 'POST', headers: bearer(token) })).status).toBe(401);
  });

  it('revokes a never-issued token on logout', async () => {
    expect((await send('dev-token')).status).toBe(201);
    await call(s.url + LOGOUT, { method: 'POST', headers: bearer('dev-token') });
    expect((await send('dev-token')).status).toBe(401);
  });
});

describe('whatsapp-onprem: settings and contacts', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const patch = (json: unknown, headers = bearer()) => call(s.url + SETTINGS, { method: 'PATCH', headers, json });
  const state = () => s.sim.simulator.runtime('whatsapp-onprem').state as OnPremState;

  it('stores the webhook URL and flags: PATCH answers {meta}, GET returns them', async () => {
    const r = await patch({
      webhooks: { url: 'https://otp.example/wa/onprem', message: { sent: true, delivered: true, read: false } },
      callback_persist: true,
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ meta: META });
    const got = await call(s.url + SETTINGS, { headers: bearer() });
    expect(got.status).toBe(200);
    expect(got.body.settings.application).toMatchObject({
      callback_persist: true,
      webhooks: { url: 'https://otp.example/wa/onprem', message: { sent: true, delivered: true, read: false } },
    });
  });

  it('exposes the stored webhook URL through webhookUrlOf', async () => {
    expect(webhookUrlOf(state())).toBeUndefined();
    await patch({ webhooks: { url: 'https://otp.example/hook' } });
    expect(webhookUrlOf(state())).toBe('https://otp.example/hook');
  });

  it('merges a later PATCH into the stored settings', async () => {
    await patch({ webhooks: { url: 'https://otp.example/hook' } });
    await patch({ sent_status: true });
    const got = await call(s.url + SETTINGS, { headers: bearer() });
    expect(got.body.settings.application).toMatchObject({
      sent_status: true,
      webhooks: { url: 'https://otp.example/hook' },
    });
  });

  it('rejects a webhook URL that is not http(s) with 400 1009', async () => {
    const r = await patch({ webhooks: { url: 'ftp://otp.example' } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1009 });
    expect(r.body.errors[0].details).toContain('webhooks.url');
  });

  it.each([
    ['GET', undefined],
    ['PATCH', { sent_status: true }],
  ])('answers %s /v1/settings/application without a token with 401 1005', async (method, json) => {
    const r = await call(s.url + SETTINGS, { method, ...(json && { json }) });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].code).toBe(1005);
  });

  it('answers /v1/contacts with a wa_id for every well-formed number and invalid for the rest', async () => {
    const r = await call(s.url + CONTACTS, {
      method: 'POST',
      headers: bearer(),
      json: { blocking: 'wait', contacts: ['+6281234567890', 'not-a-number'] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      contacts: [
        { input: '+6281234567890', status: 'valid', wa_id: '6281234567890' },
        { input: 'not-a-number', status: 'invalid' },
      ],
      meta: META,
    });
  });

  it('rejects /v1/contacts without contacts with 400 1008', async () => {
    const r = await call(s.url + CONTACTS, { method: 'POST', headers: bearer(), json: { blocking: 'wait' } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1008, details: expect.stringContaining('contacts') });
  });

  it('answers /v1/contacts without a token with 401 1005', async () => {
    const r = await call(s.url + CONTACTS, { method: 'POST', json: { contacts: ['+6281234567890'] } });
    expect(r.status).toBe(401);
  });
});

describe('whatsapp-onprem with a config file', () => {
  const s = useSimulator({
    config: {
      providers: {
        'whatsapp-onprem': {
          credentials: [{ username: 'ops', password: 'Str0ng!pass' }],
          templates: ['login_otp'],
          quota: 1,
          blocked: ['6281111111111'],
          options: { tokenTtlSeconds: 60, webhookUrl: 'https://otp.example/preset' },
        },
      },
    },
  });
  beforeEach(() => s.sim.simulator.reset());
  const login = (user: string, pass: string) => call(s.url + LOGIN, { method: 'POST', headers: basic(user, pass) });
  const token = async () => (await login('ops', 'Str0ng!pass')).body.users[0].token as string;
  const send = async (json: unknown) => call(s.url + SEND, { method: 'POST', headers: bearer(await token()), json });

  it('logs in the pinned user', async () => {
    expect((await login('ops', 'Str0ng!pass')).status).toBe(200);
  });

  it.each([
    ['a wrong password', 'ops', 'wrong'],
    ['an unpinned user', 'dev', 'Str0ng!pass'],
    ['the default admin', 'admin', 'secret'],
  ])('refuses %s with 401 1005', async (_, user, pass) => {
    const r = await login(user, pass);
    expect(r.status).toBe(401);
    expect(r.body.errors[0]).toMatchObject({ code: 1005, title: 'Access denied' });
  });

  it('refuses a Bearer token it never issued', async () => {
    const r = await call(s.url + SEND, { method: 'POST', headers: bearer('made-up'), json: message() });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].code).toBe(1005);
  });

  it('expires tokens after the configured tokenTtlSeconds', async () => {
    const t = await token();
    s.sim.simulator.clock.advance(61_000);
    expect((await call(s.url + SEND, { method: 'POST', headers: bearer(t), json: message() })).status).toBe(401);
  });

  it('accepts an unknown template with 201 and captures a 2001 Template missing failure', async () => {
    const r = await send(message({ name: 'other_template' }));
    expect(r.status).toBe(201);
    const latest = await call(`${s.url}/__admin/messages/latest?to=6281234567890`);
    expect(latest.body.failure).toMatchObject({ code: 2001, title: 'Template missing' });
  });

  it('refuses a blocked recipient with 400 1007', async () => {
    const r = await send(message({ to: '6281111111111' }));
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ code: 1007, title: 'Recipient blocked to receive message' });
  });

  it('answers 402 once the quota is used up', async () => {
    expect((await send(message())).status).toBe(201);
    const r = await send(message());
    expect(r.status).toBe(402);
    expect(errorSchema.safeParse(r.body).success).toBe(true);
  });

  it('presets the webhook URL from options.webhookUrl', async () => {
    const got = await call(s.url + SETTINGS, { headers: bearer(await token()) });
    expect(got.body.settings.application.webhooks.url).toBe('https://otp.example/preset');
  });
});

describe('whatsapp-onprem with a rate limit', () => {
  const s = useSimulator({
    config: { providers: { 'whatsapp-onprem': { rateLimit: { limit: 2, windowMs: 60_000 } } } },
  });
  beforeEach(() => s.sim.simulator.reset());

  it('answers 429 1015 past the limit, the wait in details, and accepts once the window passed', async () => {
    const send = () => call(s.url + SEND, { method: 'POST', headers: bearer(), json: message() });
    expect([(await send()).status, (await send()).status]).toEqual([201, 201]);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0]).toMatchObject({ code: 1015, title: 'Too many requests' });
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(Number(/Retry after (\d+) seconds/.exec(limited.body.errors[0].details)?.[1])).toBeGreaterThan(0);
    s.sim.simulator.clock.advance(60_000);
    expect((await send()).status).toBe(201);
  });
});

describe('whatsappOnprem.reject', () => {
  const send = whatsappOnprem.endpoints.find((e) => e.operationId === 'sendMessage')!;

  it.each(REJECTIONS)('renders %s with a status the send endpoint documents and an errors[] body', (outcome) => {
    const reply = whatsappOnprem.reject(outcome);
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(send.responses).map(Number)).toContain(reply.status);
    expect(errorSchema.safeParse(reply.body).success).toBe(true);
  });

  it('renders provider_error with status 503 as 1011 Service not ready', () => {
    expect(whatsappOnprem.reject('provider_error', { status: 503 })).toMatchObject({
      status: 503,
      body: { errors: [{ code: 1011, title: 'Service not ready' }] },
    });
  });

  it('documents every endpoint status with a schema its example parses with', () => {
    for (const endpoint of whatsappOnprem.endpoints) {
      for (const [status, spec] of Object.entries(endpoint.responses)) {
        expect(spec.schema.safeParse(spec.example).success, `${endpoint.operationId} ${status}`).toBe(true);
      }
    }
  });
});
