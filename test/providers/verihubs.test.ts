import { beforeEach, describe, expect, it } from 'vitest';
import { REJECTIONS } from '../../src/providers/outcomes.js';
import { lookupSession, SANDBOX_SEND, SANDBOX_VERIFY, verihubs } from '../../src/providers/verihubs/index.js';
import { errorSchema } from '../../src/providers/verihubs/schema.js';
import { createState } from '../../src/providers/verihubs/sessions.js';
import { call, useSimulator } from '../helpers/http.js';

const SEND_V1 = '/v1/whatsapp/otp/send';
const SEND_V2 = '/v2/whatsapp/otp/send';
const VERIFY_V1 = '/v1/whatsapp/otp/verify';
const VERIFY_V2 = '/v2/whatsapp/otp/verify';
const SANDBOX_SEND_PATH = '/v1/whatsapp/otp/send/sandbox';
const SANDBOX_VERIFY_PATH = '/v1/whatsapp/otp/verify/sandbox';
const auth = { 'App-ID': 'app-1', 'API-Key': 'key-1' };
const MSISDN = '6281234567890';

describe('verihubs', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const post = (path: string, json: unknown, headers: Record<string, string> = auth) =>
    call(s.url + path, { method: 'POST', headers, json });
  const latest = async (to: string) => (await call(`${s.url}/__admin/messages/latest?to=${to}`)).body;

  describe('sandbox send', () => {
    it('accepts the seed page request as written with 201 and captures the OTP', async () => {
      const seed = {
        msisdn: '6282123060001',
        content: ['Registration'],
        callback_url: 'your-callback-url.com/callback',
      };
      const r = await post(SANDBOX_SEND_PATH, seed);
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        message: 'OTP sent successfully',
        otp: expect.stringMatching(/^\d{4}$/),
        session_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        msisdn: '6282123060001',
        try_count: 1,
      });
      expect(await latest('6282123060001')).toMatchObject({
        provider: 'verihubs',
        code: r.body.otp,
        providerMessageId: r.body.session_id,
      });
    });

    it.each(
      SANDBOX_SEND.filter((row) => row.status !== 201).map((row) => [row.msisdn, row.status, row.message] as const),
    )('answers %s with %i "%s"', async (msisdn, status, message) => {
      const r = await post(SANDBOX_SEND_PATH, { msisdn, content: ['Registration'] });
      expect(r.status).toBe(status);
      expect(r.body).toEqual({ message });
    });

    it('sends Retry-After with the sandbox 429', async () => {
      const r = await post(SANDBOX_SEND_PATH, { msisdn: '6282123060006', content: ['x'] });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('journals a sandbox rejection row with its outcome', async () => {
      await post(SANDBOX_SEND_PATH, { msisdn: '6282123060005', content: ['x'] });
      const { requests } = (await call(`${s.url}/__admin/requests?provider=verihubs`)).body;
      expect(requests[0]).toMatchObject({
        status: 409,
        outcome: 'blocked_recipient',
        operationId: 'sendWhatsappOtpSandbox',
      });
    });

    it.each([
      ['a verify scenario number', '6282123060007'],
      ['a number outside the table', MSISDN],
      ['a non-numeric msisdn', 'abc'],
    ])('answers %s with 400 Invalid scenario', async (_, msisdn) => {
      const r = await post(SANDBOX_SEND_PATH, { msisdn, content: ['x'] });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ message: 'Invalid scenario' });
    });

    it('still requires App-ID and API-Key', async () => {
      const r = await post(SANDBOX_SEND_PATH, { msisdn: '6282123060001', content: ['x'] }, { 'App-ID': 'app-1' });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: 'Authorization failed' });
    });

    it('answers a body without content with 400 Validation error', async () => {
      const r = await post(SANDBOX_SEND_PATH, { msisdn: '6282123060001' });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ message: 'Validation error' });
    });
  });

  describe('sandbox verify', () => {
    it.each(SANDBOX_VERIFY.map((row) => [row.msisdn, row.status, row.message] as const))(
      'answers %s with %i "%s"',
      async (msisdn, status, message) => {
        const r = await post(SANDBOX_VERIFY_PATH, { msisdn, otp: '1234' });
        expect(r.status).toBe(status);
        expect(r.body).toEqual({ message });
      },
    );

    it('answers a send scenario number with 400 Invalid scenario', async () => {
      const r = await post(SANDBOX_VERIFY_PATH, { msisdn: '6282123060001', otp: '1234' });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ message: 'Invalid scenario' });
    });

    it('serves the sandbox under /verihubs', async () => {
      const r = await post(`/verihubs${SANDBOX_VERIFY_PATH}`, { msisdn: '6282123060007', otp: '1234' });
      expect(r.status).toBe(200);
    });
  });

  describe('production send', () => {
    it('generates a 4-digit OTP, echoes it with 201 and puts it in the inbox in Indonesian', async () => {
      const r = await post(SEND_V1, { msisdn: MSISDN, content: ['Masuk'] });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        message: 'OTP sent successfully',
        otp: expect.stringMatching(/^\d{4}$/),
        msisdn: MSISDN,
        try_count: 1,
      });
      const message = await latest(MSISDN);
      expect(message).toMatchObject({ code: r.body.otp, language: 'id', providerMessageId: r.body.session_id });
      expect(message.text).toContain('adalah kode verifikasi');
    });

    it('takes the client OTP on v2 with the sheet example body, in the requested language and template', async () => {
      const example = {
        msisdn: MSISDN,
        content: ['Masuk'],
        otp: '482913',
        challenge: 'login',
        time_limit: '300',
        lang_code: 'en',
        template_name: 'otp_login',
        callback_url: 'https://otp.example.com/hooks/verihubs',
      };
      const r = await post(SEND_V2, example);
      expect(r.status).toBe(201);
      expect(r.body.otp).toBe('482913');
      expect(await latest(MSISDN)).toMatchObject({
        code: '482913',
        template: 'otp_login',
        language: 'en',
        text: expect.stringContaining('is your verification code'),
      });
    });

    it('generates an OTP of otp_length digits, given as a number', async () => {
      const r = await post(SEND_V1, { msisdn: MSISDN, content: [], otp_length: 6 });
      expect(r.body.otp).toMatch(/^\d{6}$/);
    });

    it('treats empty optional strings as absent, as Go clients send them', async () => {
      const r = await post(SEND_V1, {
        msisdn: MSISDN,
        content: ['x'],
        otp: '',
        challenge: '',
        time_limit: '',
        lang_code: '',
        template_name: '',
      });
      expect(r.status).toBe(201);
      expect(r.body.otp).toMatch(/^\d{4}$/);
    });

    it('serves send under /verihubs', async () => {
      const r = await post(`/verihubs${SEND_V2}`, { msisdn: MSISDN, content: ['x'] });
      expect(r.status).toBe(201);
    });

    it.each([
      ['otp together with otp_length', { msisdn: MSISDN, content: ['x'], otp: '1234', otp_length: '4' }],
      ['a msisdn with +', { msisdn: `+${MSISDN}`, content: ['x'] }],
      ['a national 08 msisdn', { msisdn: '081234567890', content: ['x'] }],
      ['content as a string', { msisdn: MSISDN, content: 'x' }],
      ['a time_limit that is not a number', { msisdn: MSISDN, content: ['x'], time_limit: '5m' }],
      ['an otp_length of 3', { msisdn: MSISDN, content: ['x'], otp_length: '3' }],
      ['an otp with symbols', { msisdn: MSISDN, content: ['x'], otp: '12-34' }],
    ])('rejects %s with 400 Validation error', async (_, json) => {
      const r = await post(SEND_V1, json);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ message: 'Validation error' });
    });

    it('rejects malformed JSON with 400 Validation error', async () => {
      const r = await call(s.url + SEND_V1, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"msisdn":',
      });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ message: 'Validation error' });
    });

    it('rejects a body over 1 MB with 413', async () => {
      const r = await post(SEND_V1, { msisdn: MSISDN, content: ['x'.repeat(1024 * 1024)] });
      expect(r.status).toBe(413);
      expect(r.body).toEqual({ message: 'Request entity too large' });
    });

    it.each([
      ['no headers', {}],
      ['only App-ID', { 'App-ID': 'app-1' }],
      ['only API-Key', { 'API-Key': 'key-1' }],
      ['an empty API-Key', { 'App-ID': 'app-1', 'API-Key': '' }],
    ])('answers %s with 401 Authorization failed', async (_, headers) => {
      const r = await post(SEND_V1, { msisdn: MSISDN, content: ['x'] }, headers);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: 'Authorization failed' });
    });

    it('reads the headers in any case', async () => {
      const r = await post(SEND_V1, { msisdn: MSISDN, content: ['x'] }, { 'APP-ID': 'app-1', 'Api-Key': 'key-1' });
      expect(r.status).toBe(201);
    });

    it('counts a resend of a pending OTP in try_count with a new session_id', async () => {
      const first = await post(SEND_V1, { msisdn: MSISDN, content: ['x'], challenge: 'login' });
      const second = await post(SEND_V1, { msisdn: MSISDN, content: ['x'], challenge: 'login' });
      expect(second.body.try_count).toBe(2);
      expect(second.body.session_id).not.toBe(first.body.session_id);
    });

    it('restarts try_count at 1 once the OTP is verified', async () => {
      const first = await post(SEND_V1, { msisdn: MSISDN, content: ['x'] });
      await post(VERIFY_V1, { msisdn: MSISDN, otp: first.body.otp });
      expect((await post(SEND_V1, { msisdn: MSISDN, content: ['x'] })).body.try_count).toBe(1);
    });
  });

  describe('production verify', () => {
    const send = (json: Record<string, unknown> = {}) => post(SEND_V1, { msisdn: MSISDN, content: ['x'], ...json });

    it('verifies the OTP from the send reply with 200', async () => {
      const sent = await send();
      const r = await post(VERIFY_V1, { msisdn: MSISDN, otp: sent.body.otp });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ message: 'OTP has been verified' });
    });

    it('answers a second verify of the same OTP with 404', async () => {
      const sent = await send();
      await post(VERIFY_V1, { msisdn: MSISDN, otp: sent.body.otp });
      const again = await post(VERIFY_V1, { msisdn: MSISDN, otp: sent.body.otp });
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ message: 'OTP not found' });
    });

    it('answers a wrong OTP with 404 and still accepts the right one afterwards', async () => {
      await send({ otp: '1111' });
      const wrong = await post(VERIFY_V1, { msisdn: MSISDN, otp: '2222' });
      expect(wrong.status).toBe(404);
      expect(wrong.body).toEqual({ message: 'OTP not found' });
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '1111' })).status).toBe(200);
    });

    it('answers an msisdn that was never sent to with 404', async () => {
      expect((await post(VERIFY_V1, { msisdn: '6289999999999', otp: '1234' })).status).toBe(404);
    });

    it('checks the challenge given on send', async () => {
      await send({ otp: '1234', challenge: 'login' });
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '1234' })).status).toBe(404);
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '1234', challenge: 'reset' })).status).toBe(404);
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '1234', challenge: 'login' })).status).toBe(200);
    });

    it('stops verifying an OTP once a resend replaced it', async () => {
      await send({ otp: '1111' });
      await send({ otp: '2222' });
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '1111' })).status).toBe(404);
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '2222' })).status).toBe(200);
    });

    it('answers 422 once time_limit has passed', async () => {
      await send({ otp: '1234', time_limit: 60 });
      s.sim.simulator.clock.advance(61_000);
      const r = await post(VERIFY_V1, { msisdn: MSISDN, otp: '1234' });
      expect(r.status).toBe(422);
      expect(r.body).toEqual({ message: 'OTP cannot be verified because Time limit exceeded' });
    });

    it('keeps an OTP valid for 300 seconds without time_limit', async () => {
      await send({ otp: '1234' });
      s.sim.simulator.clock.advance(299_000);
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '1234' })).status).toBe(200);
    });

    it('expires an OTP after 300 seconds without time_limit', async () => {
      await send({ otp: '1234' });
      s.sim.simulator.clock.advance(301_000);
      expect((await post(VERIFY_V1, { msisdn: MSISDN, otp: '1234' })).status).toBe(422);
    });

    it('verifies on v2 an OTP sent through v1', async () => {
      await send({ otp: '1234' });
      expect((await post(VERIFY_V2, { msisdn: MSISDN, otp: '1234' })).status).toBe(200);
    });

    it('rejects a verify without otp with 400 Validation error', async () => {
      const r = await post(VERIFY_V1, { msisdn: MSISDN });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ message: 'Validation error' });
    });

    it('serves verify under /verihubs', async () => {
      await send({ otp: '1234' });
      expect((await post(`/verihubs${VERIFY_V1}`, { msisdn: MSISDN, otp: '1234' })).status).toBe(200);
    });

    it('lets a later module look the session up and see it verified', async () => {
      const sent = await send({ callback_url: 'https://otp.example.com/hooks/verihubs' });
      const { state } = s.sim.simulator.runtime('verihubs');
      const now = s.sim.simulator.clock.now();
      expect(lookupSession(state as never, sent.body.session_id, now)).toMatchObject({
        status: 'pending',
        msisdn: MSISDN,
        callbackUrl: 'https://otp.example.com/hooks/verihubs',
        version: 'v1',
      });
      await post(VERIFY_V1, { msisdn: MSISDN, otp: sent.body.otp });
      expect(lookupSession(state as never, sent.body.session_id, now)?.status).toBe('verified');
    });

    it('lets a later module see a session expire', async () => {
      const sent = await send({ time_limit: '10' });
      const { state } = s.sim.simulator.runtime('verihubs');
      expect(lookupSession(state as never, sent.body.session_id, s.sim.simulator.clock.advance(11_000))?.status).toBe(
        'expired',
      );
    });
  });

  describe('rate limits', () => {
    const burst = (path: string, n: number, appId: string) =>
      Promise.all(
        Array.from({ length: n }, () =>
          post(path, { msisdn: MSISDN, content: ['x'] }, { 'App-ID': appId, 'API-Key': 'k' }),
        ),
      );

    it('allows 30 requests a second per App-ID on v1, then 429 with Retry-After', async () => {
      const replies = await burst(SEND_V1, 31, 'rate-v1');
      expect(replies.filter((r) => r.status === 201)).toHaveLength(30);
      const limited = replies.find((r) => r.status === 429)!;
      expect(limited.body).toEqual({ message: 'Too many request in the allowed time frame' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('allows 50 requests a second per App-ID on v2', async () => {
      const replies = await burst(SEND_V2, 51, 'rate-v2');
      expect(replies.filter((r) => r.status === 201)).toHaveLength(50);
      expect(replies.filter((r) => r.status === 429)).toHaveLength(1);
    });

    it('counts v1 and v2 separately, and each App-ID separately', async () => {
      await burst(SEND_V1, 31, 'rate-both');
      expect((await burst(SEND_V2, 1, 'rate-both'))[0]!.status).toBe(201);
      expect((await burst(SEND_V1, 1, 'rate-other'))[0]!.status).toBe(201);
    });

    it('opens a new window a second later', async () => {
      await burst(SEND_V1, 31, 'rate-later');
      s.sim.simulator.clock.advance(1000);
      expect((await burst(SEND_V1, 1, 'rate-later'))[0]!.status).toBe(201);
    });
  });
});

describe('verihubs with a config file', () => {
  const s = useSimulator({
    config: {
      providers: {
        verihubs: {
          credentials: [{ appId: 'app-pinned', apiKey: 'key-pinned' }],
          templates: ['otp_login'],
          quota: 2,
          blocked: ['6281111111111'],
        },
      },
    },
  });
  beforeEach(() => s.sim.simulator.reset());
  const pinned = { 'App-ID': 'app-pinned', 'API-Key': 'key-pinned' };
  const send = (json: Record<string, unknown>, headers = pinned) =>
    call(s.url + SEND_V1, { method: 'POST', headers, json: { msisdn: MSISDN, content: ['x'], ...json } });

  it('accepts only the pinned App-ID / API-Key pair', async () => {
    const r = await send({}, { 'App-ID': 'app-pinned', 'API-Key': 'key-other' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ message: 'Authorization failed' });
    expect((await send({})).status).toBe(201);
  });

  it('answers an unknown template_name with 400 Validation error', async () => {
    const r = await send({ template_name: 'otp_other' });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ message: 'Validation error' });
    expect((await send({ template_name: 'otp_login' })).status).toBe(201);
  });

  it('refuses a blocked msisdn with 409', async () => {
    const r = await send({ msisdn: '6281111111111' });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ message: 'Msisdn invalid: msisdn has been blocked' });
  });

  it('answers 403 Quota insufficient once the quota is used up', async () => {
    await send({});
    await send({});
    const r = await send({});
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ message: 'Quota insufficient' });
  });

  it('does not spend quota on verify', async () => {
    const sent = await send({});
    await call(s.url + VERIFY_V1, { method: 'POST', headers: pinned, json: { msisdn: MSISDN, otp: sent.body.otp } });
    expect((await send({})).status).toBe(201);
  });
});

describe('verihubs.reject', () => {
  const statusesOf = (operationId: string) =>
    Object.keys(verihubs.endpoints.find((e) => e.operationId === operationId)!.responses).map(Number);

  it.each(REJECTIONS.map((o) => [o]))(
    'renders %s with a status every endpoint documents and a native body',
    (outcome) => {
      const reply = verihubs.reject(outcome, { retryAfter: 3 });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      for (const endpoint of verihubs.endpoints) expect(statusesOf(endpoint.operationId)).toContain(reply.status);
      expect(errorSchema.safeParse(reply.body).success).toBe(true);
    },
  );

  it('renders a forced provider_error 503 as 503', () => {
    expect(verihubs.reject('provider_error', { status: 503 })).toEqual({
      status: 503,
      body: { message: 'Service unavailable' },
    });
  });

  it('renders rate_limited with the given Retry-After', () => {
    expect(verihubs.reject('rate_limited', { retryAfter: 3 }).headers).toEqual({ 'retry-after': '3' });
  });
});

describe('verihubs responses', () => {
  it.each(
    verihubs.endpoints.flatMap((e) =>
      Object.entries(e.responses).map(([status, spec]) => [e.operationId, status, spec] as const),
    ),
  )('%s %s: the example parses with its schema', (_, __, spec) => {
    expect(spec.schema.safeParse(spec.example).success).toBe(true);
  });
});

describe('verihubs send handler', () => {
  it('captures a not_on_whatsapp send as failed with callback status 6 and still answers 201', () => {
    const captured: unknown[] = [];
    const endpoint = verihubs.endpoints.find((e) => e.operationId === 'sendWhatsappOtpV1')!;
    let n = 0;
    const reply = endpoint.handle({
      body: { msisdn: MSISDN, content: [] },
      req: { method: 'POST', path: SEND_V1, header: () => undefined, query: () => undefined, params: {} },
      account: 'app-1',
      state: createState(),
      now: () => 0,
      ids: {
        uuid: () => `00000000-0000-4000-8000-00000000000${n++}`,
        int: () => 0,
        digits: (l) => '7'.repeat(l),
        alphanumeric: () => '',
        hex: () => '',
      },
      outcome: 'not_on_whatsapp',
      settings: {},
      capture: (m) => captured.push(m),
      reject: verihubs.reject,
    });
    expect(reply.status).toBe(201);
    expect(captured[0]).toMatchObject({ code: '7777', failure: { code: 6, title: 'Failed' } });
  });
});
