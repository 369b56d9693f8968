/**
 * Verihubs publishes no npm client. The public Go client github.com/grosenia/verihubs-client (v1.0.0, July 2024)
 * is replayed here byte for byte: its headers (client.go NewRequest), its URL (envtype.go: ".../v1" +
 * "/whatsapp/otp/send"), and its body, the JSON of VerihubsWhatsappOtpRequest (request.go), whose `Content` field
 * was commented out in 2024, and whose unset strings marshal as "". Its reply structs (response.go) decide what
 * must come back: `otp`, `msisdn`, `session_id` strings and an integer `try_count`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { useSimulator } from '../helpers/http.js';

const GO_HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json',
  'App-ID': 'go-app',
  'API-Key': 'go-key',
};

/** The JSON Go's encoding/json writes for the client's structs: fields in declaration order, "" when unset. */
const goSend = (msisdn: string, otp: string, challenge: string) =>
  `{"msisdn":"${msisdn}","otp":"${otp}","time_limit":"300","challenge":"${challenge}",` +
  '"lang_code":"en","template_name":"send_otp_template"}';
const goVerify = (msisdn: string, otp: string, challenge: string) =>
  `{"otp":"${otp}","msisdn":"${msisdn}","challenge":"${challenge}"}`;

/** What the Go client reads from a reply: the structs' fields, with Go's types. */
function asGoResponse(text: string) {
  const json = JSON.parse(text) as Record<string, unknown>;
  for (const field of ['message', 'otp', 'msisdn', 'session_id'] as const) {
    if (field in json && typeof json[field] !== 'string')
      throw new Error(`${field} would not unmarshal into a Go string`);
  }
  if ('try_count' in json && !Number.isInteger(json.try_count))
    throw new Error('try_count would not unmarshal into a Go int');
  return json;
}

describe('Verihubs Go client (grosenia/verihubs-client), replayed', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());
  const post = (path: string, body: string) => fetch(s.url + path, { method: 'POST', headers: GO_HEADERS, body });

  it('sends its WhatsApp OTP request (no content) with 201, and the code reaches the inbox', async () => {
    const response = await post('/v1/whatsapp/otp/send', goSend('6281234567890', '234123', 'update_account'));
    expect(response.status).toBe(201);
    const reply = asGoResponse(await response.text());
    expect(reply).toMatchObject({
      message: 'OTP sent successfully',
      otp: '234123',
      msisdn: '6281234567890',
      try_count: 1,
    });
    const inbox = await (await fetch(`${s.url}/__admin/messages/latest?to=6281234567890`)).json();
    expect(inbox).toMatchObject({ code: '234123', template: 'send_otp_template', providerMessageId: reply.session_id });
  });

  it('sends the request with every optional string left "" and gets a generated code back', async () => {
    const body = '{"msisdn":"6281234567890","otp":"","time_limit":"","challenge":"","lang_code":"","template_name":""}';
    const response = await post('/v2/whatsapp/otp/send', body);
    expect(response.status).toBe(201);
    const reply = asGoResponse(await response.text());
    expect(reply.otp).toMatch(/^\d{4}$/);
  });

  it('verifies with its verify request: a wrong code is 404 "OTP not found", the right one 200', async () => {
    await post('/v1/whatsapp/otp/send', goSend('6281234567890', '234123', 'update_account'));
    const wrong = await post('/v1/whatsapp/otp/verify', goVerify('6281234567890', '999999', 'update_account'));
    expect(wrong.status).toBe(404);
    // The client's Error() prints "[<code>] <message>"; the code field is absent, so it reads 0.
    expect(asGoResponse(await wrong.text())).toEqual({ message: 'OTP not found' });
    const right = await post('/v1/whatsapp/otp/verify', goVerify('6281234567890', '234123', 'update_account'));
    expect(right.status).toBe(200);
    expect(asGoResponse(await right.text())).toEqual({ message: 'OTP has been verified' });
  });

  it('gets 401 "Authorization failed" when its App-ID is empty, as an unconfigured client sends it', async () => {
    const response = await fetch(`${s.url}/v1/whatsapp/otp/send`, {
      method: 'POST',
      headers: { ...GO_HEADERS, 'App-ID': '' },
      body: goSend('6281234567890', '234123', 'update_account'),
    });
    expect(response.status).toBe(401);
    expect(asGoResponse(await response.text())).toEqual({ message: 'Authorization failed' });
  });
});
