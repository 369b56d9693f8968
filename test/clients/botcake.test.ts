import { beforeEach, describe, expect, it } from 'vitest';
import { call, useSimulator } from '../helpers/http.js';

// No Botcake client is published on npm (or any other registry we could find), so the exact requests of public
// Botcake callers on GitHub are replayed against a real simulator on loopback, only the base URL changed, together
// with the way each one branches on the reply. Botcake documents no delivery webhook, and none of them parses one.
const PAGE = 'waba_1029384756102938';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IndhYmFfMTAyOTM4NDc1NjEwMjkzOCJ9.sig';
const sendFlowUrl = (base: string) => `${base}/api/public_api/v1/pages/${PAGE}/flows/send_flow`;

/**
 * A Laravel service (`App\Services\Botcake::sendFlow`): `Http::withHeader('access-token', …)->post(url, [psid,
 * flow_id])`, JSON without a payload; throws "Failed to send flow: <status>" on a 4xx/5xx, and
 * "Failed to send flow: <message>" when `success` is false.
 */
async function laravelSendFlow(base: string, psid: string, flowId: number): Promise<void> {
  const r = await call(sendFlowUrl(base), {
    method: 'POST',
    headers: { 'access-token': TOKEN, 'content-type': 'application/json', 'user-agent': 'GuzzleHttp/7' },
    json: { psid, flow_id: flowId },
  });
  if (r.status >= 400) throw new Error(`Failed to send flow: ${r.status}`);
  if (!r.body.success) throw new Error(`Failed to send flow: ${r.body.message ?? ''}`);
}

/**
 * A TypeScript `BotcakeClient.sendFlow({ psid, flowId, payload })`: only the `access-token` header plus JSON,
 * body `{psid, flow_id, payload}`; a non-2xx reply or `success !== true` is an error carrying Botcake's message.
 */
async function tsSendFlow(
  base: string,
  psid: string,
  flowId: number,
  payload: Record<string, unknown>,
): Promise<{ success: true } | { success: false; error: string }> {
  const res = await fetch(sendFlowUrl(base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'access-token': TOKEN },
    body: JSON.stringify({ psid, flow_id: flowId, payload }),
  });
  const json = (await res.json().catch(() => null)) as { success?: boolean; message?: string } | null;
  if (!res.ok || !json?.success) return { success: false, error: json?.message ?? `HTTP ${res.status}` };
  return { success: true };
}

describe('Botcake public callers, replayed', () => {
  const s = useSimulator();
  beforeEach(() => s.sim.simulator.reset());

  it('triggers the OTP flow with payload.code, and the code is in the inbox', async () => {
    expect(await tsSendFlow(s.url, 'wa_6281219110199', 7731, { code: '482913' })).toEqual({ success: true });
    const latest = await call(`${s.url}/__admin/messages/latest?to=6281219110199`);
    expect(latest.body).toMatchObject({ provider: 'botcake', code: '482913' });
  });

  it('accepts the Laravel call without a payload (a flow that needs no variable)', async () => {
    await expect(laravelSendFlow(s.url, 'wa_6281219110199', 7731)).resolves.toBeUndefined();
    expect((await call(`${s.url}/__admin/messages/latest?to=6281219110199`)).body.provider).toBe('botcake');
  });

  it('makes the Laravel client throw "Failed to send flow: 429" on a rate-limited psid', async () => {
    await expect(laravelSendFlow(s.url, 'wa_12085550142', 7731)).rejects.toThrow('Failed to send flow: 429');
  });

  it("hands the TypeScript client Botcake's own message for a refused token", async () => {
    const r = await fetch(sendFlowUrl(s.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ psid: 'wa_6281219110199', flow_id: 7731, payload: { code: '1' } }),
    });
    expect(r.status).toBe(401);
    expect(await tsSendFlow(s.url, 'wa_12055550142', 7731, { code: '1' })).toEqual({
      success: false,
      error: 'invalid access token',
    });
  });

  it('answers a flow_id sent as a string with 400 "your params wrong", as callers observed live', async () => {
    const r = await call(sendFlowUrl(s.url), {
      method: 'POST',
      headers: { 'access-token': TOKEN },
      json: { psid: 'wa_6281219110199', flow_id: '7731' },
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ success: false, message: 'your params wrong' });
  });
});
