import { beforeEach, describe, expect, it } from 'vitest';
import { call, useSimulator } from '../helpers/http.js';

const PATH = '/api/v1/public/message';
const auth = { authorization: 'Basic YOUR_API_KEY' };
const template = (code = '482913') => ({
  name: 'itk_auth_one_tap',
  languageCode: 'en',
  bodyValues: [code],
  buttonValues: { '0': [code] },
});

describe('splashify', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());

  it('accepts the seed example request as written with 201 and a uuid id', async () => {
    const seed = {
      phoneNumber: '9028883545',
      callbackData: 'some text here',
      type: 'Template',
      template: {
        name: 'itk_auth_one_tap',
        languageCode: 'en',
        bodyValues: ['LIPSUM'],
        buttonValues: { '0': ['LIPSUM'] },
      },
    };
    const r = await call(s.url + PATH, { method: 'POST', headers: { ...auth }, json: seed });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      result: true,
      message: 'Message created successfully',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const latest = await call(`${s.url}/__admin/messages/latest?to=%2B919028883545`);
    expect(latest.body).toMatchObject({
      provider: 'splashify',
      to: '919028883545',
      code: 'LIPSUM',
      providerMessageId: r.body.id,
      template: 'itk_auth_one_tap',
    });
  });

  it('serves the same endpoint under /splashify', async () => {
    const r = await call(`${s.url}/splashify${PATH}`, {
      method: 'POST',
      headers: auth,
      json: { fullPhoneNumber: '6281234567890', type: 'Template', template: template() },
    });
    expect(r.status).toBe(201);
  });

  it('reads countryCode + phoneNumber and fullPhoneNumber as the recipient', async () => {
    await call(s.url + PATH, {
      method: 'POST',
      headers: auth,
      json: { countryCode: '+62', phoneNumber: '81234567890', type: 'Template', template: template('111111') },
    });
    await call(s.url + PATH, {
      method: 'POST',
      headers: auth,
      json: { fullPhoneNumber: '6289900001111', type: 'Template', template: template('222222') },
    });
    expect((await call(`${s.url}/__admin/messages/latest?to=6281234567890`)).body.code).toBe('111111');
    expect((await call(`${s.url}/__admin/messages/latest?to=6289900001111`)).body.code).toBe('222222');
  });

  it('accepts a Bearer key as the Developer Settings page shows', async () => {
    const r = await call(s.url + PATH, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_live_abc' },
      json: { fullPhoneNumber: '6281234567890', type: 'Template', template: template() },
    });
    expect(r.status).toBe(201);
  });

  it.each([
    ['no header', {}],
    ['a base64 user:pass pair', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
    ['an unknown scheme', { authorization: 'Token abc' }],
  ])('answers 401 Invalid API key for %s', async (_, headers) => {
    const r = await call(s.url + PATH, {
      method: 'POST',
      headers,
      json: { fullPhoneNumber: '6281234567890', type: 'Template', template: template() },
    });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ result: false, message: 'Invalid API key' });
  });

  it.each([
    [
      'an OTP over 15 characters',
      { fullPhoneNumber: '6281234567890', type: 'Template', template: template('1234567890123456') },
      /at most 15/,
    ],
    ['no phone number', { type: 'Template', template: template() }, /phoneNumber or fullPhoneNumber is required/],
    [
      'two bodyValues',
      { fullPhoneNumber: '6281234567890', type: 'Template', template: { ...template(), bodyValues: ['1', '2'] } },
      /exactly one/,
    ],
    [
      'buttonValues as an array',
      { fullPhoneNumber: '6281234567890', type: 'Template', template: { ...template(), buttonValues: [['1']] } },
      /buttonValues/,
    ],
    ['a lower-case type', { fullPhoneNumber: '6281234567890', type: 'template', template: template() }, /type/],
    [
      'free-form text outside the 24-hour window',
      { fullPhoneNumber: '6281234567890', type: 'Text', data: { message: 'hi' } },
      /Customer has not messaged within last 24 hours/,
    ],
  ])('rejects %s with 400 "Please correct the following error - …"', async (_, json, reason) => {
    const r = await call(s.url + PATH, { method: 'POST', headers: auth, json });
    expect(r.status).toBe(400);
    expect(r.body.result).toBe(false);
    expect(r.body.message).toMatch(/^Please correct the following error - /);
    expect(r.body.message).toMatch(reason);
  });

  it('rejects a template category mismatch with the documented text', async () => {
    const r = await call(s.url + PATH, {
      method: 'POST',
      headers: auth,
      json: {
        fullPhoneNumber: '6281234567890',
        type: 'Template',
        template: { ...template(), template_category: 'MARKETING' },
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      "Message not sent. Template category mismatch: Expected 'authentication', but received 'MARKETING'. " +
        'Please update the request to match the approved template category.',
    );
  });

  it('rate-limits at 100 requests a minute per key with Retry-After, reset as the clock moves on', async () => {
    const json = { fullPhoneNumber: '6281234567890', type: 'Template', template: template() };
    const headers = { authorization: 'Basic rate-key' };
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await call(s.url + PATH, { method: 'POST', headers, json })).status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(100);
    const limited = await call(s.url + PATH, { method: 'POST', headers, json });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ result: false, message: 'Too Many Requests' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await call(s.url + PATH, { method: 'POST', headers: { authorization: 'Basic other-key' }, json })).status,
    ).toBe(201);
    s.sim.simulator.clock.advance(60_000);
    expect((await call(s.url + PATH, { method: 'POST', headers, json })).status).toBe(201);
  });
});

describe('splashify with a config file', () => {
  const s = useSimulator({
    config: {
      providers: {
        splashify: {
          credentials: [{ key: 'sk_live_pinned' }],
          templates: ['auth_otp'],
          quota: 1,
          blocked: ['6281111111111'],
        },
      },
    },
  });
  const send = (key: string, json: unknown) =>
    call(s.url + PATH, { method: 'POST', headers: { authorization: `Basic ${key}` }, json });

  it('accepts only the pinned key', async () => {
    expect(
      (
        await send('sk_live_other', {
          fullPhoneNumber: '6281234567890',
          type: 'Template',
          template: { ...template(), name: 'auth_otp' },
        })
      ).status,
    ).toBe(401);
  });

  it('answers an unknown template natively', async () => {
    const r = await send('sk_live_pinned', {
      fullPhoneNumber: '6281234567890',
      type: 'Template',
      template: template(),
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ result: false, message: 'Please correct the following error - Template not found' });
  });

  it('refuses a blocked number, then runs out of quota', async () => {
    const blocked = await send('sk_live_pinned', {
      fullPhoneNumber: '6281111111111',
      type: 'Template',
      template: { ...template(), name: 'auth_otp' },
    });
    expect(blocked.status).toBe(400);
    expect(blocked.body.message).toMatch(/blocked/);
    expect(
      (
        await send('sk_live_pinned', {
          fullPhoneNumber: '6281234567890',
          type: 'Template',
          template: { ...template(), name: 'auth_otp' },
        })
      ).status,
    ).toBe(201);
    const empty = await send('sk_live_pinned', {
      fullPhoneNumber: '6281234567890',
      type: 'Template',
      template: { ...template(), name: 'auth_otp' },
    });
    expect(empty.status).toBe(402);
    expect(empty.body.result).toBe(false);
  });
});
