/**
 * The real Splashify Pro client: an OTP goes out as an authentication template through the one Public
 * API endpoint, `POST /api/v1/public/message`, and every reply comes back as a typed `SendResult`.
 * Docs: https://docs.splashifypro.com/public-api/send-authentication-template
 * @module
 */
import { z } from 'zod';
import {
  type AdapterDefinition,
  type CallbackRequest,
  type DeliveryEvent,
  type FailureKind,
  failure,
  kindOfStatus,
  malformed,
  RETRYABLE,
  requestJson,
  retryAfterMs,
  type SendResult,
  scrubSecrets,
} from '../adapter.js';
import { toDigits } from '../credentials.js';
import { deliveryStateOf, statusCallbackSchema } from './callbacks.js';
import { createdSchema, errorSchema } from './schema.js';

const PROVIDER = 'splashify';
const SEND_PATH = '/api/v1/public/message';
/** The simulator's demo key (`demoCredentials`); any raw key works on a simulator with no config. */
const SIMULATOR_KEY = 'sk_live_waotpdemo00000000000000000000000';
/** Documented: `callbackData` is free text of at most 512 characters. */
const CALLBACK_DATA_MAX = 512;
/** `message.received`, `incoming_message`, `conversation.*`: events about the customer, not our send. */
const INBOUND_EVENT = /received|incoming|conversation/i;

export const splashifyConfigSchema = z.object({
  baseUrl: z.url().default('https://apis.splashifypro.com'),
  /** The raw secret key (`sk_live_…`), sent as `Authorization: Basic <key>`, not base64-encoded. */
  apiKey: z.string().min(1),
  /** The approved authentication template's code name. */
  templateName: z.string().min(1),
  /** Must match the template's approved language. */
  languageCode: z.string().min(1).default('en'),
});
export type SplashifyConfig = z.infer<typeof splashifyConfigSchema>;

// The id is only an opaque correlation key for webhooks: a success must not turn into a retry (and a
// second OTP on the phone) because an id fails a strict UUID check.
const acceptedSchema = createdSchema.extend({ id: z.string().min(1) });

/** Which failure a non-2xx reply is, from its status and, where the status is ambiguous, its text. */
function classify(status: number, text: string | undefined): FailureKind {
  const kind = kindOfStatus(status);
  if (kind !== 'invalid_request' || !text) return kind;
  // Splashify has no error codes: business errors are all 400 "Please correct the following error - …",
  // so a blocked recipient is told apart only by its words.
  // assumption: the blocked text names "block" (the docs show none; the simulator's is
  // "Recipient has blocked this business number").
  if (/\bblock(ed)?\b/i.test(text)) return 'blocked_recipient';
  // assumption: a wallet error sent as 400 rather than 402 still says "balance" or "recharge".
  if (/insufficient (wallet )?balance|recharge/i.test(text)) return 'insufficient_quota';
  return kind;
}

/**
 * The Splashify Pro adapter: raw-key Basic auth, `fullPhoneNumber` digits, the code in `bodyValues[0]`
 * and `buttonValues["0"][0]`, the core's reference in `callbackData`.
 * @example
 * const adapter = splashifyAdapter.create(
 *   splashifyAdapter.config.parse({ apiKey: 'sk_live_…', templateName: 'auth_copy_code' }),
 * );
 * const result = await adapter.send(
 *   { to: '6281234567890', code: '482913', reference: 'v_1' },
 *   { signal: AbortSignal.timeout(5000) },
 * );
 */
export const splashifyAdapter: AdapterDefinition<SplashifyConfig> = {
  config: splashifyConfigSchema,

  create(config, { fetch = globalThis.fetch, now = Date.now } = {}) {
    const url = config.baseUrl.replace(/\/+$/, '') + SEND_PATH;
    return {
      provider: PROVIDER,
      async send(message, { signal }): Promise<SendResult> {
        // Splashify never generates codes: without one there is nothing to send.
        if (!message.code)
          return failure(PROVIDER, 'invalid_request', 'Splashify needs the code to send; none was given');
        const body = {
          fullPhoneNumber: toDigits(message.to),
          // Truncated rather than refused: webhooks are matched by message_id, callbackData only helps logs.
          ...(message.reference && { callbackData: message.reference.slice(0, CALLBACK_DATA_MAX) }),
          type: 'Template',
          // assumption: the configured languageCode wins over message.locale: it must match the approved
          // template, which the adapter cannot look up.
          template: {
            name: config.templateName,
            languageCode: config.languageCode,
            bodyValues: [message.code],
            buttonValues: { '0': [message.code] },
          },
        };
        const reply = await requestJson(fetch, PROVIDER, url, {
          headers: { authorization: `Basic ${config.apiKey}` },
          body,
          signal,
        });
        // `'status' in reply` (requestJson's doc example) does not narrow: a failure may carry a status too.
        if ('ok' in reply) return reply;

        if (reply.status >= 200 && reply.status < 300) {
          const accepted = acceptedSchema.safeParse(reply.json);
          if (accepted.success)
            return { ok: true, provider: PROVIDER, status: reply.status, providerMessageId: accepted.data.id };
          // assumption: a 2xx carrying {result:false} (Interakt-style) is a refusal, read like a 400.
          const refused = errorSchema.safeParse(reply.json);
          if (!refused.success) return malformed(PROVIDER, reply.status);
          const kind = classify(400, refused.data.message);
          return failure(
            PROVIDER,
            kind,
            `Splashify refused: ${scrubSecrets(refused.data.message, [message.code, config.apiKey])}`,
            { status: reply.status },
          );
        }

        const native = errorSchema.safeParse(reply.json);
        const text = native.success ? native.data.message : undefined;
        const kind = classify(reply.status, text);
        const words = text
          ? `Splashify ${reply.status}: ${scrubSecrets(text, [message.code, config.apiKey])}`
          : `Splashify ${reply.status} without its error body`;
        // A 503 may carry Retry-After too; it only matters where trying again makes sense.
        const wait = RETRYABLE[kind] ? retryAfterMs(reply.headers.get('retry-after'), now) : undefined;
        return failure(PROVIDER, kind, words, {
          status: reply.status,
          ...(wait !== undefined && { retryAfterMs: wait }),
        });
      },
    };
  },

  simulator: (baseUrl) => ({ baseUrl, apiKey: SIMULATOR_KEY, templateName: 'auth_copy_code', languageCode: 'en' }),

  parseCallback(request: CallbackRequest): DeliveryEvent[] {
    let payload = request.body;
    if (typeof payload === 'string') {
      try {
        payload = JSON.parse(payload);
      } catch {
        return [];
      }
    }
    const parsed = statusCallbackSchema.safeParse(payload);
    if (!parsed.success) return [];
    const { event, timestamp, data } = parsed.data;
    const header = Object.entries(request.headers ?? {}).find(
      ([name]) => name.toLowerCase() === 'x-webhook-event',
    )?.[1];
    const name = event ?? header;
    // The event name decides; data.status covers a generic one (the docs' names are inconsistent), but
    // never for inbound messages or conversation events, whose data also carries a message_id.
    const state =
      deliveryStateOf(name) ?? (name && INBOUND_EVENT.test(name) ? undefined : deliveryStateOf(data.status));
    if (!state) return [];
    const at = data.timestamp ?? timestamp;
    return [
      {
        providerMessageId: data.message_id,
        state,
        ...(at && { at }),
        ...(data.error && { error: { code: data.error.code, message: data.error.message } }),
      },
    ];
  },
};
