import whatsapp from '@hyperjumptech/whatsapp-business-sender';
import { beforeEach, describe, expect, it } from 'vitest';
import { call, useSimulator } from '../helpers/http.js';
import { useReceiver } from '../helpers/receiver.js';

// Real On-Prem clients against a real simulator on loopback, only their base URL changed:
// - @hyperjumptech/whatsapp-business-sender (npm), run unmodified;
// - courier's WhatsApp (On-Premises) handler (Go, github.com/nyaruka/courier, handlers/whatsapp before its removal):
//   not on npm, so its exact requests and its branching on the replies are replayed.
const UNKNOWN_CONTACT = '12155550142'; // catalogue: unknown_contact
const RATE_LIMITED = '12085550142'; // catalogue: rate_limited
const NAMESPACE = 'c8ae5f90_307a_ca4c_b8f6_d1e2f3a4b5c6';

const otpTemplate = (code: string) => {
  const components: any[] = [
    { type: 'body', parameters: [{ type: 'text', text: code }] },
    { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: code }] },
  ];
  return { namespace: NAMESPACE, name: 'login_otp', language: { policy: 'deterministic', code: 'en' }, components };
};

describe('@hyperjumptech/whatsapp-business-sender, unmodified', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const login = async () =>
    (await whatsapp.loginUser(s.url, { username: 'admin', password: 'Depl0y-Pass!' })).users[0]!.token;

  it("logs in with a deployment's own admin password, sends the OTP, and the code is in the inbox", async () => {
    const token = await login();
    const sent = await whatsapp.sendMessageTemplateText(s.url, token, {
      phone: '6281234567890',
      template: otpTemplate('482913'),
    });
    expect(sent.messages[0].id).toMatch(/^gBEG/);
    const latest = await call(`${s.url}/__admin/messages/latest?to=6281234567890`);
    expect(latest.body).toMatchObject({
      code: '482913',
      providerMessageId: sent.messages[0].id,
      provider: 'whatsapp-onprem',
    });
  });

  it('checks contacts the way it does (blocking wait) and reads a wa_id', async () => {
    const checked = await whatsapp.checkContacts(s.url, await login(), ['+6281234567890']);
    expect(checked.contacts).toEqual([{ input: '+6281234567890', status: 'valid', wa_id: '6281234567890' }]);
  });

  it('throws through its own error handling on a rate-limited send', async () => {
    const token = await login();
    await expect(
      whatsapp.sendMessageTemplateText(s.url, token, { phone: RATE_LIMITED, template: otpTemplate('111222') }),
    ).rejects.toThrow(/failed to send message with error: Request failed with status code 429/);
  });

  it('throws on the factory admin/secret login, which must set a new password', async () => {
    await expect(whatsapp.loginUser(s.url, { username: 'admin', password: 'secret' })).rejects.toThrow(
      /status code 401/,
    );
  });

  it('gets an unknown contact sent after its own contacts check', async () => {
    const token = await login();
    const send = () =>
      whatsapp.sendMessageTemplateText(s.url, token, { phone: UNKNOWN_CONTACT, template: otpTemplate('654321') });
    await expect(send()).rejects.toThrow(/status code 404/);
    const checked = await whatsapp.checkContacts(s.url, token, [`+${UNKNOWN_CONTACT}`]);
    expect(checked.contacts[0]).toMatchObject({ status: 'valid', wa_id: UNKNOWN_CONTACT });
    expect((await send()).messages[0].id).toMatch(/^gBEG/);
    expect((await call(`${s.url}/__admin/messages/latest?to=${UNKNOWN_CONTACT}`)).body.code).toBe('654321');
  });
});

/** courier's headers on every Webapp call (buildWhatsAppHeaders). */
const courierHeaders = (token: string) => ({
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: `Bearer ${token}`,
});

/** courier's templatePayload: body parameters only, language policy first. */
const courierTemplate = (to: string, code: string) => ({
  to,
  type: 'template',
  template: {
    namespace: NAMESPACE,
    name: 'login_otp',
    language: { policy: 'deterministic', code: 'en' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: code }] }],
  },
});

type CourierResult =
  | { outcome: 'sent'; externalId: string; waId?: string }
  | { outcome: 'throttled' | 'failed'; reason: string };

/**
 * courier's sendWhatsAppMsg, re-expressed: 429/503 throttle; 471 anywhere in errors[] throttles bulk sending;
 * 1006 "Resource not found" / "unknown contact" -> POST /v1/contacts {blocking: wait, contacts: [+urn], force_check:
 * true}, then one retry to the returned wa_id with `?retry=1`; any other error fails with its first code.
 */
async function courierSend(base: string, token: string, to: string, code: string): Promise<CourierResult> {
  const payload = courierTemplate(to, code);
  const first = await call(`${base}/v1/messages`, { method: 'POST', headers: courierHeaders(token), json: payload });
  if (first.status === 429 || first.status === 503) return { outcome: 'throttled', reason: `HTTP ${first.status}` };
  const errors: { code: number; title: string; details?: string }[] = first.body?.errors ?? [];
  if (errors.some((e) => e.code === 471)) return { outcome: 'throttled', reason: '471' };
  if (errors.length > 0) {
    const contactError = errors.some(
      (e) =>
        e.code === 1006 &&
        e.title === 'Resource not found' &&
        (e.details === 'unknown contact' || e.details === 'Could not retrieve phone number from contact store'),
    );
    if (!contactError) return { outcome: 'failed', reason: String(errors[0]!.code) };
    const check = await call(`${base}/v1/contacts`, {
      method: 'POST',
      headers: courierHeaders(token),
      json: { blocking: 'wait', contacts: [`+${to}`], force_check: true },
    });
    if (check.status !== 200 || check.body.contacts[0].status !== 'valid')
      return { outcome: 'failed', reason: 'contact check' };
    const waId: string = check.body.contacts[0].wa_id;
    const retry = await call(`${base}/v1/messages?retry=1`, {
      method: 'POST',
      headers: courierHeaders(token),
      json: { ...payload, to: waId },
    });
    if (retry.status < 200 || retry.status >= 300) return { outcome: 'failed', reason: `retry HTTP ${retry.status}` };
    return { outcome: 'sent', externalId: retry.body.messages[0].id, waId };
  }
  return { outcome: 'sent', externalId: first.body.messages[0].id };
}

describe("courier's On-Premises handler, replayed", () => {
  const s = useSimulator({ callbacks: { speed: 10, retryDelayMs: 50, timeoutMs: 2000 } });
  const receiver = useReceiver(s);

  it('sends a template to a known number and the code is in the inbox', async () => {
    const result = await courierSend(s.url, 'courier-channel-token', '6281234567890', '482913');
    expect(result).toMatchObject({ outcome: 'sent', externalId: expect.stringMatching(/^gBEG/) });
    expect((await call(`${s.url}/__admin/messages/latest?to=6281234567890`)).body.code).toBe('482913');
  });

  it('recovers from 1006 unknown contact with a contacts check and ?retry=1', async () => {
    const result = await courierSend(s.url, 'courier-channel-token', UNKNOWN_CONTACT, '777888');
    expect(result).toMatchObject({ outcome: 'sent', waId: UNKNOWN_CONTACT });
    const journal = (await call(`${s.url}/__admin/requests?provider=whatsapp-onprem`)).body.requests as {
      path: string;
      status: number;
    }[];
    expect(journal.map((r) => `${r.path} ${r.status}`).reverse()).toEqual([
      '/v1/messages 404',
      '/v1/contacts 200',
      '/v1/messages 201',
    ]);
    expect((await call(`${s.url}/__admin/messages/latest?to=${UNKNOWN_CONTACT}`)).body.code).toBe('777888');
  });

  it('is throttled by a forced rate limit (HTTP 429)', async () => {
    expect(await courierSend(s.url, 'courier-channel-token', RATE_LIMITED, '123123')).toEqual({
      outcome: 'throttled',
      reason: 'HTTP 429',
    });
  });

  it('reads a failed status it can store: string id, status and a timestamp that parses as an integer', async () => {
    await call(`${s.url}/v1/settings/application`, {
      method: 'PATCH',
      headers: courierHeaders('t'),
      json: { webhooks: { url: `${receiver.url}/c/wa/receive` } },
    });
    const sent = await courierSend(s.url, 'courier-channel-token', '12025550142', '999000');
    expect(sent.outcome).toBe('sent');
    const [hook] = await receiver.waitFor(1, 10_000, (r) => r.body?.statuses?.[0]?.status === 'failed');
    const status = hook!.body.statuses[0];
    // courier requires id, timestamp and status as strings and maps "failed" to a failed message.
    expect(status).toMatchObject({
      id: (sent as { externalId: string }).externalId,
      status: 'failed',
      timestamp: expect.any(String),
    });
    expect(Number.isInteger(Number(status.timestamp))).toBe(true);
    expect(status.errors[0].code).toBe(1013);
  });
});

describe("courier's On-Premises handler, replayed, when the number hit WhatsApp's spam rate limit", () => {
  const s = useSimulator({ config: { providers: { 'whatsapp-onprem': { options: { spamRateLimited: true } } } } });

  it('sees 471 in the send reply and throttles bulk sending', async () => {
    expect(await courierSend(s.url, 'courier-channel-token', '6281234567890', '482913')).toEqual({
      outcome: 'throttled',
      reason: '471',
    });
  });
});
