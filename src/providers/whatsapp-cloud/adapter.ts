/**
 * The real WhatsApp Cloud API client: sends the authentication template (the OTP in the body parameter and the
 * `url` button) to `POST /{version}/{phone-number-id}/messages`, reads Graph's error codes (throttling arrives as
 * HTTP 400, not 429), and guards the callback receiver: the verification handshake and `X-Hub-Signature-256`.
 * Docs: https://developers.facebook.com/docs/whatsapp/cloud-api (messages, error codes, webhooks)
 * @module
 */
import { z } from 'zod';
import {
  type AdapterDefinition,
  type CallbackRequest,
  type DeliveryEvent,
  type FailureKind,
  failure,
  type HttpReply,
  kindOfStatus,
  malformed,
  requestJson,
  retryAfterMs,
  type SendResult,
  scrubSecrets,
} from '../adapter.js';
import { toDigits } from '../credentials.js';
import type { DeliveryState } from '../outcomes.js';
import { DEMO } from './demo.js';
import {
  errorSchema,
  GRAPH_VERSION,
  PHONE_NUMBER_ID,
  type SendMessage,
  sentSchema,
  statusWebhookSchema,
  webhookStatusSchema,
} from './schema.js';
import { verifyPayloadSignature } from './signature.js';

const PROVIDER = 'whatsapp-cloud';

export const whatsappCloudConfigSchema = z.object({
  baseUrl: z
    .url()
    .default('https://graph.facebook.com')
    .transform((url) => url.replace(/\/+$/, '')),
  apiVersion: z.string().regex(GRAPH_VERSION, 'apiVersion must look like v21.0').default(DEMO.version),
  /** A system-user token (long-lived); the dashboard's temporary token expires within 24 h. */
  accessToken: z.string().min(1),
  phoneNumberId: z
    .union([z.string(), z.int().nonnegative()])
    .transform(String)
    .pipe(z.string().regex(PHONE_NUMBER_ID, 'phoneNumberId must be numeric')),
  /** An approved authentication template (copy code, one-tap or zero-tap: the send is the same). */
  templateName: z.string().min(1),
  /** Template language when the message names none, e.g. `en`, `id`, `pt_BR`. */
  language: z.string().min(1).default('en'),
  /** The app secret: the receiver refuses a report whose `X-Hub-Signature-256` it did not make. */
  appSecret: z.string().min(1),
  /** The token the receiver expects in the verification handshake (`hub.verify_token`). */
  verifyToken: z.string().min(1),
});
export type WhatsappCloudConfig = z.infer<typeof whatsappCloudConfigSchema>;

const STATES: Record<string, DeliveryState> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };
/** Meta's throttling codes: app (4), WABA (80007), throughput (130429), spam (131048), pair rate (131056). */
const THROTTLED = new Set([4, 80007, 130429, 131048, 131056]);
/** Token, permission and account problems: not worth another try with the same credentials. */
const REFUSED = new Set([0, 10, 190, 368, 131005, 131031]);
const UNAVAILABLE = new Set([1, 2, 131000, 131016, 131057]);

/**
 * The WhatsApp Cloud API adapter.
 * @example
 * const adapter = whatsappCloudAdapter.create(whatsappCloudAdapter.config.parse({
 *   accessToken: process.env.WA_TOKEN, phoneNumberId: '109283746501928', templateName: 'login_otp',
 *   appSecret: process.env.WA_APP_SECRET, verifyToken: process.env.WA_VERIFY_TOKEN,
 * }));
 * const result = await adapter.send(
 *   { to: '6281234567890', code: '482913', reference: 'v_1' },
 *   { signal: AbortSignal.timeout(5000) },
 * );
 */
export const whatsappCloudAdapter: AdapterDefinition<WhatsappCloudConfig> = {
  config: whatsappCloudConfigSchema,

  create(config, { fetch = globalThis.fetch, now = Date.now } = {}) {
    const url = `${config.baseUrl}/${config.apiVersion}/${config.phoneNumberId}/messages`;
    return {
      provider: PROVIDER,
      async send(message, { signal }) {
        // The Cloud API sends the code it is given; it cannot generate one.
        if (!message.code)
          return failure(
            PROVIDER,
            'invalid_request',
            'no code to send: the WhatsApp Cloud API does not generate codes',
          );
        // assumption: the message's locale, when given, is the template language; `language` is the fallback.
        const body = templateMessage(
          toDigits(message.to),
          message.code,
          message.locale?.replace(/-/g, '_') ?? config.language,
          config.templateName,
        );
        const reply = await requestJson(fetch, PROVIDER, url, {
          headers: { authorization: `Bearer ${config.accessToken}` },
          body,
          signal,
        });
        if ('ok' in reply) return reply;
        return classify(reply, [message.code, config.accessToken], now);
      },
      answerHandshake: (query) =>
        query['hub.mode'] === 'subscribe' && query['hub.verify_token'] === config.verifyToken
          ? query['hub.challenge']
          : undefined,
    };
  },

  // Meta signs every report with the app secret, so the signature is the proof the core asks for.
  verifyReport: (rawBody, headers, config) =>
    verifyPayloadSignature(rawBody, headers['x-hub-signature-256'], config.appSecret),

  simulator: (baseUrl) =>
    whatsappCloudConfigSchema.parse({
      baseUrl,
      accessToken: DEMO.token,
      phoneNumberId: DEMO.phoneNumberId,
      templateName: DEMO.templateName,
      appSecret: DEMO.appSecret,
      verifyToken: DEMO.verifyToken,
    }),

  parseCallback(request: CallbackRequest): DeliveryEvent[] {
    const envelope = statusWebhookSchema.safeParse(
      typeof request.body === 'string' ? safeJson(request.body) : request.body,
    );
    if (!envelope.success) return [];
    const statuses = envelope.data.entry.flatMap((e) =>
      e.changes.filter((c) => c.field === 'messages').flatMap((c) => c.value.statuses ?? []),
    );
    return statuses.flatMap((entry): DeliveryEvent[] => {
      const parsed = webhookStatusSchema.safeParse(entry);
      const state = parsed.success ? STATES[parsed.data.status] : undefined;
      if (!parsed.success || !state) return [];
      const seconds = Number(parsed.data.timestamp);
      const error = parsed.data.errors?.[0];
      return [
        {
          providerMessageId: parsed.data.id,
          state,
          ...(Number.isFinite(seconds) &&
            parsed.data.timestamp !== '' && { at: new Date(seconds * 1000).toISOString() }),
          ...(state === 'failed' &&
            error && { error: { code: error.code, message: error.title ?? error.message ?? `error ${error.code}` } }),
        },
      ];
    });
  },
};

/** The authentication template: the same code in the body parameter and the `url` button at index 0. */
function templateMessage(to: string, code: string, language: string, name: string): SendMessage {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'template',
    template: {
      name,
      language: { code: language },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: code }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: code }] },
      ],
    },
  };
}

function classify(reply: HttpReply, secrets: string[], now: () => number): SendResult {
  const { status } = reply;
  if (status >= 200 && status < 300) {
    const sent = sentSchema.safeParse(reply.json);
    if (!reply.jsonOk || !sent.success) return malformed(PROVIDER, status);
    return { ok: true, provider: PROVIDER, status, providerMessageId: sent.data.messages[0]!.id };
  }
  const parsed = errorSchema.safeParse(reply.json);
  const error = parsed.success ? parsed.data.error : undefined;
  const kind = kindOf(status, error?.code);
  const words = error
    ? `${error.message}${error.error_data ? `: ${error.error_data.details}` : ''}`
    : 'without a Graph error body';
  return failure(PROVIDER, kind, `HTTP ${status} ${scrubSecrets(words, secrets)}`, {
    status,
    // assumption: Meta sends no Retry-After on throttling; without one, wait 1 s (the per-number limit is per second).
    ...(kind === 'rate_limited' && { retryAfterMs: retryAfterMs(reply.headers.get('retry-after'), now) ?? 1000 }),
  });
}

/** Graph's code decides: Meta sends throttling as 400 and many refusals share a status. */
export function kindOf(status: number, code: number | undefined): FailureKind {
  if (code !== undefined) {
    if (THROTTLED.has(code)) return 'rate_limited';
    if (REFUSED.has(code) || (code >= 200 && code <= 299)) return 'unauthorized';
    if (UNAVAILABLE.has(code)) return 'provider_error';
    if (code === 131042) return 'insufficient_quota';
    // 131026 usually arrives on the webhook; some numbers (and the simulator's switch) get it at once.
    if (code === 131026) return 'not_on_whatsapp';
    if (code === 131030) return 'blocked_recipient';
  }
  if (status === 429) return 'rate_limited';
  return kindOfStatus(status);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
