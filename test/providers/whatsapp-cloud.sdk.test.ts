import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@great-detail/whatsapp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WhatsAppAPI } from 'whatsapp-api-js';
import { Template } from 'whatsapp-api-js/messages';
import { DEMO } from '../../src/providers/whatsapp-cloud/demo.js';
import { call, useSimulator } from '../helpers/http.js';

/**
 * Published WhatsApp Cloud API SDKs, run unmodified against the simulator: only their base URL (or their
 * documented fetch ponyfill) points at it. Each sends an authentication template, reads Graph errors, and
 * verifies the simulator's signed webhooks with its own handshake and signature code.
 */
const FAST = { speed: 10, retryDelayMs: 50, timeoutMs: 2000 };
/** The catalogue's magic numbers: +1 208 555 01xx is rate_limited. */
const THROTTLED = '12085550177';
const GRAPH = 'https://graph.facebook.com';

interface Hook {
  url: string;
  statuses: { status: string; id: string }[];
  refused: string[];
  close(): Promise<void>;
}

/** A webhook endpoint whose handshake and signature check are the SDK's own (`verify` throws on a bad request). */
async function startSdkReceiver(handlers: {
  handshake(query: Record<string, string>): Promise<string>;
  report(raw: string, headers: IncomingHttpHeaders): Promise<{ status: string; id: string }[]>;
}): Promise<Hook> {
  const hook: Hook = {
    url: '',
    statuses: [],
    refused: [],
    close: () => new Promise<void>((d) => server.close(() => d())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        if (req.method === 'GET') {
          const challenge = await handlers.handshake(
            Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams),
          );
          res.writeHead(200, { 'content-type': 'text/plain' }).end(challenge);
          return;
        }
        hook.statuses.push(...(await handlers.report(Buffer.concat(chunks).toString('utf8'), req.headers)));
        res.writeHead(200).end();
      } catch (error) {
        hook.refused.push((error as Error).message);
        res.writeHead(403).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return hook;
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('published Cloud API SDKs against the simulator', () => {
  const s = useSimulator({ callbacks: FAST });
  beforeEach(() => s.sim.simulator.reset());

  describe('whatsapp-api-js (fetch ponyfill pointed at the simulator)', () => {
    const sdk = (token: string = DEMO.token) =>
      new WhatsAppAPI({
        token,
        appSecret: DEMO.appSecret,
        webhookVerifyToken: DEMO.verifyToken,
        v: 'v21.0',
        ponyfill: {
          fetch: (url: string | URL | Request, init?: RequestInit) => fetch(String(url).replace(GRAPH, s.url), init),
        },
      });
    let hook: Hook;
    beforeAll(async () => {
      const receiver = sdk();
      hook = await startSdkReceiver({
        handshake: async (query) => receiver.get(query as never),
        async report(raw, headers) {
          const seen: { status: string; id: string }[] = [];
          receiver.on.status = ({ status, id }) => void seen.push({ status, id });
          await receiver.post(JSON.parse(raw), raw, String(headers['x-hub-signature-256'] ?? ''));
          return seen;
        },
      });
    });
    afterAll(() => hook.close());

    it('sends Template.OTP and gets a wamid the inbox knows', async () => {
      const reply = (await sdk().sendMessage(
        DEMO.phoneNumberId,
        '6281234567890',
        Template.OTP('login_otp', 'en', '482913'),
      )) as any;
      expect(reply.messages[0].id).toMatch(/^wamid\./);
      const latest = await call(`${s.url}/__admin/messages/latest?to=6281234567890`);
      expect(latest.body).toMatchObject({
        provider: 'whatsapp-cloud',
        code: '482913',
        providerMessageId: reply.messages[0].id,
      });
    });

    it('reads Graph errors: throttling (130429) and a bad token (190)', async () => {
      const throttled = (await sdk().sendMessage(
        DEMO.phoneNumberId,
        THROTTLED,
        Template.OTP('login_otp', 'en', '482913'),
      )) as any;
      expect(throttled.error).toMatchObject({ code: 130429, type: 'OAuthException' });
      const noToken = (await sdk('').sendMessage(
        DEMO.phoneNumberId,
        '6281234567890',
        Template.OTP('login_otp', 'en', '482913'),
      )) as any;
      expect(noToken.error.code).toBe(190);
    });

    it('passes its own handshake and signature check on every status webhook', async () => {
      await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { 'whatsapp-cloud': hook.url } });
      hook.statuses.length = 0;
      const reply = (await sdk().sendMessage(
        DEMO.phoneNumberId,
        '6281234567891',
        Template.OTP('login_otp', 'en', '482913'),
      )) as any;
      await until(() => hook.statuses.length >= 3);
      expect(hook.refused).toEqual([]);
      // Meta does not promise order, and neither do concurrent deliveries.
      expect(hook.statuses.map((x) => x.status).sort()).toEqual(['delivered', 'read', 'sent']);
      expect(hook.statuses.every((x) => x.id === reply.messages[0].id)).toBe(true);
    });
  });

  describe('@great-detail/whatsapp (prefixUrl pointed at the simulator)', () => {
    const client = (token: string = DEMO.token) =>
      new Client({
        prefixUrl: s.url,
        graphVersion: 'v22.0',
        request: { headers: { Authorization: `Bearer ${token}` } },
      });
    const otp = (to: string) => ({
      phoneNumberID: DEMO.phoneNumberId,
      to,
      type: 'template' as const,
      template: {
        name: 'login_otp',
        language: { code: 'en_US', policy: 'deterministic' as const },
        components: [
          { type: 'body' as const, parameters: [{ type: 'text' as const, text: '775533' }] },
          {
            type: 'button' as const,
            sub_type: 'url' as const,
            index: '0',
            parameters: [{ type: 'text' as const, text: '775533' }],
          },
        ],
      },
    });
    let hook: Hook;
    beforeAll(async () => {
      const receiver = client();
      hook = await startSdkReceiver({
        handshake: async (query) => {
          const registration = await receiver.webhook.register({ method: 'GET', query, headers: {} } as never);
          if (registration.verifyToken !== DEMO.verifyToken) throw new Error('wrong verify token');
          return registration.accept();
        },
        async report(raw, headers) {
          const notification = await receiver.webhook.eventNotification({
            method: 'POST',
            headers,
            body: raw,
          } as never);
          await notification.verifySignature(DEMO.appSecret);
          const payload = notification.eventNotification as any;
          return payload.entry.flatMap((e: any) => e.changes.flatMap((c: any) => c.value.statuses ?? []));
        },
      });
    });
    afterAll(() => hook.close());

    it('sends the authentication template and reads the wamid', async () => {
      const reply = (await client()
        .message.createMessage(otp('+6281234567892') as never)
        .json()) as any;
      expect(reply).toMatchObject({
        messaging_product: 'whatsapp',
        contacts: [{ input: '+6281234567892', wa_id: '6281234567892' }],
      });
      expect(reply.messages[0].id).toMatch(/^wamid\./);
    });

    it('reads Graph errors from its HTTPError: throttling is a 400 with code 130429', async () => {
      const error = await Promise.resolve(
        client()
          .message.createMessage(otp(THROTTLED) as never)
          .json(),
      ).catch((e: any) => e);
      expect(error.response.status).toBe(400);
      expect(((await error.response.json()) as any).error).toMatchObject({
        code: 130429,
        error_data: { messaging_product: 'whatsapp' },
      });
      const denied = await Promise.resolve(
        client('')
          .message.createMessage(otp('6281234567892') as never)
          .json(),
      ).catch((e: any) => e);
      expect(denied.response.status).toBe(401);
    });

    it('passes its own handshake and signature check on every status webhook', async () => {
      await call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json: { 'whatsapp-cloud': hook.url } });
      hook.statuses.length = 0;
      await client()
        .message.createMessage(otp('6281234567893') as never)
        .json();
      await until(() => hook.statuses.length >= 3);
      expect(hook.refused).toEqual([]);
      // Meta does not promise order, and neither do concurrent deliveries.
      expect(hook.statuses.map((x) => x.status).sort()).toEqual(['delivered', 'read', 'sent']);
    });

    it('refuses a webhook signed with another secret (its check, our signature)', async () => {
      const { renderStatus } = await import('../../src/providers/whatsapp-cloud/callbacks.js');
      const forged = renderStatus(
        { state: 'read', at: Date.now(), message: { to: '6281234567893', providerMessageId: 'wamid.x' } },
        { appSecret: 'other', verifyToken: '', wabaId: '1', displayPhoneNumber: '2' },
      );
      const r = await fetch(hook.url, { method: 'POST', headers: forged.headers, body: forged.rawBody! });
      expect(r.status).toBe(403);
      expect(hook.refused.at(-1)).toMatch(/Signature doesn't match/);
    });
  });
});
