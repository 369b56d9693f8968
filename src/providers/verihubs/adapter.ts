/**
 * The real Verihubs client: sends the OTP with `POST /{version}/whatsapp/otp/send`, optionally lets
 * Verihubs generate it (`delegate`) and then checks codes with `POST /{version}/whatsapp/otp/verify`,
 * and reads the `?session_id=&status=` delivery callbacks.
 * Docs: https://docs.verihubs.com/reference/send_whatsapp_otp_post
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
  type ProviderCheck,
  requestJson,
  retryAfterMs,
  type SendResult,
  scrubSecrets,
} from '../adapter.js';
import { type CallbackQuery, callbackQuerySchema, callbackStatus } from './callbacks.js';
import { errorSchema, sentSchema } from './schema.js';

const PROVIDER = 'verihubs';

export const verihubsConfigSchema = z.object({
  baseUrl: z.url().default('https://api.verihubs.com'),
  /** `App-ID` header: the application id from the Verihubs dashboard. */
  appId: z.string().min(1),
  /** `API-Key` header. */
  apiKey: z.string().min(1),
  // v2 is the recommended path: faster, 50 RPS instead of 30, and the extra callback statuses 8 and 9.
  version: z.enum(['v1', 'v2']).default('v2'),
  templateName: z.string().min(1).optional(),
  /** Template language when the message names no locale, e.g. `id` or `en`. */
  langCode: z.string().min(1).optional(),
  /** Category label; verification is checked against the same challenge, so send and check share it. */
  challenge: z.string().min(1).optional(),
  timeLimitSeconds: z.number().int().positive().default(600),
  callbackUrl: z.string().min(1).optional(),
  /** Values for the template's `{{1}}`, `{{2}}`… placeholders, in order. */
  content: z.array(z.string()).default([]),
  /** Let Verihubs generate and check the code (`otp` is not sent; use `check()`). */
  delegate: z.boolean().default(false),
});
export type VerihubsConfig = z.output<typeof verihubsConfigSchema>;

// Only the fields the adapter uses are required: a reworded `message` must not turn an OTP that was sent
// into a malformed reply (retryable), which would put a second message on the user's phone.
const acceptedSchema = sentSchema.pick({ session_id: true, otp: true }).partial({ otp: true });

// assumption: a 200 verify is approved when its body is Verihubs' `{message}` JSON, whatever the wording;
// a 200 with an unreadable body is not trusted, so a broken proxy cannot approve a code.
const verifiedReplySchema = errorSchema;

/** The language Verihubs expects: the primary subtag (`en-US` → `en`). */
function langCode(locale: string | undefined, fallback: string | undefined): string | undefined {
  // assumption: the message's locale wins over the configured langCode; Verihubs' examples are 2-letter codes.
  const primary = locale?.split(/[-_]/)[0]?.trim().toLowerCase();
  return primary || fallback;
}

/** Turns a non-2xx send reply into a typed failure. */
function classify(reply: HttpReply, secrets: (string | undefined)[], now: () => number): SendResult {
  const { status } = reply;
  const parsed = errorSchema.safeParse(reply.json);
  const text = parsed.success ? parsed.data.message : '';
  let kind: FailureKind;
  if (status === 400 || status === 413) kind = 'invalid_request';
  else if (status === 401) kind = 'unauthorized';
  // The only documented 403 is "Quota insufficient"; any other 403 is read as the usual refusal.
  else if (status === 403) kind = /quota/i.test(text) ? 'insufficient_quota' : 'unauthorized';
  // The only documented 409 is "Msisdn invalid: msisdn has been blocked".
  else if (status === 409) kind = /block/i.test(text) ? 'blocked_recipient' : 'invalid_request';
  else kind = kindOfStatus(status);
  const message = `Verihubs answered HTTP ${status}${text ? `: ${scrubSecrets(text, secrets, 200)}` : ''}`;
  const extra: { status: number; retryAfterMs?: number } = { status };
  if (kind === 'rate_limited') {
    const wait = retryAfterMs(reply.headers.get('retry-after'), now);
    if (wait !== undefined) extra.retryAfterMs = wait;
  }
  return failure(PROVIDER, kind, message, extra);
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

/** The two callback fields, from the query string or, failing that, from a body. */
function readCallback(request: CallbackRequest): CallbackQuery | undefined {
  const fromQuery = callbackQuerySchema.safeParse(request.query ?? {});
  if (fromQuery.success) return fromQuery.data;
  // assumption: the callback method is undocumented (the query form implies GET); a POST carrying the same
  // two fields as a JSON or form body is read as well rather than dropped.
  let fields: Record<string, unknown> | undefined;
  if (typeof request.body === 'string') fields = Object.fromEntries(new URLSearchParams(request.body));
  else if (request.body && typeof request.body === 'object') fields = request.body as Record<string, unknown>;
  if (!fields) return undefined;
  const fromBody = callbackQuerySchema.safeParse({ session_id: text(fields.session_id), status: text(fields.status) });
  return fromBody.success ? fromBody.data : undefined;
}

/**
 * Verihubs as a sending-core adapter.
 * @example
 * const adapter = verihubsAdapter.create(verihubsAdapter.config.parse({ appId, apiKey, delegate: true }));
 * const sent = await adapter.send({ to: '6281234567890', reference: 'ver_1' }, { signal: AbortSignal.timeout(5000) });
 * const verdict = await adapter.check!({ to: '6281234567890', code: '4829' }, { signal: AbortSignal.timeout(5000) });
 */
export const verihubsAdapter: AdapterDefinition<VerihubsConfig> = {
  config: verihubsConfigSchema,

  create(config, { fetch: fetchImpl = globalThis.fetch, now = Date.now } = {}) {
    const base = config.baseUrl.replace(/\/+$/, '');
    const headers = { 'App-ID': config.appId, 'API-Key': config.apiKey };
    const msisdnOf = (to: string) => to.replace(/\D/g, '');

    return {
      provider: PROVIDER,
      delegatesCodes: config.delegate,

      async send(message, { signal }) {
        const code = config.delegate ? undefined : message.code;
        if (!config.delegate && !code) {
          return failure(PROVIDER, 'invalid_request', 'no code to send, and delegation to Verihubs is off');
        }
        const language = langCode(message.locale, config.langCode);
        const body = {
          msisdn: msisdnOf(message.to),
          content: config.content,
          // Without `otp` Verihubs generates the code itself and echoes it in the reply.
          ...(code && { otp: code }),
          ...(config.challenge && { challenge: config.challenge }),
          time_limit: String(config.timeLimitSeconds),
          ...(language && { lang_code: language }),
          ...(config.templateName && { template_name: config.templateName }),
          ...(config.callbackUrl && { callback_url: config.callbackUrl }),
        };
        const reply = await requestJson(fetchImpl, PROVIDER, `${base}/${config.version}/whatsapp/otp/send`, {
          headers,
          body,
          signal,
        });
        // A failure carries `ok`; an HTTP reply does not (`'status' in` would not narrow: failures may have a status).
        if ('ok' in reply) return reply;
        if (reply.status < 200 || reply.status >= 300)
          return classify(reply, [message.code, config.apiKey, config.appId], now);
        const parsed = acceptedSchema.safeParse(reply.json);
        if (!parsed.success) return malformed(PROVIDER, reply.status);
        // Delegating without the generated code back leaves nothing for the core to show or check against.
        if (config.delegate && !parsed.data.otp) return malformed(PROVIDER, reply.status);
        return {
          ok: true,
          provider: PROVIDER,
          status: reply.status,
          providerMessageId: parsed.data.session_id,
          ...(config.delegate && { code: parsed.data.otp }),
        };
      },

      async check({ to, code }, { signal }): Promise<ProviderCheck> {
        const body = { msisdn: msisdnOf(to), otp: code, ...(config.challenge && { challenge: config.challenge }) };
        const reply = await requestJson(fetchImpl, PROVIDER, `${base}/${config.version}/whatsapp/otp/verify`, {
          headers,
          body,
          signal,
        });
        if ('ok' in reply) return 'failed';
        if (reply.status === 200) return verifiedReplySchema.safeParse(reply.json).success ? 'approved' : 'failed';
        // 404 "OTP not found": wrong, unknown, replaced or already used. 422: right code, time_limit passed.
        if (reply.status === 404) return 'wrong_code';
        if (reply.status === 422) return 'expired';
        return 'failed';
      },
    };
  },

  simulator(baseUrl, { callbackUrl } = {}) {
    // Any non-empty App-ID / API-Key pair works on an unconfigured simulator; these are its demo values.
    return verihubsConfigSchema.parse({
      baseUrl,
      appId: '3f5c1a2e-8b7d-4c6e-9f01-2a3b4c5d6e7f',
      apiKey: 'waotp-demo-verihubs-key',
      ...(callbackUrl && { callbackUrl }),
    });
  },

  parseCallback(request) {
    const query = readCallback(request);
    if (!query) return [];
    const status = callbackStatus(Number(query.status));
    // 0 "Requested" says nothing about delivery; unknown codes are not guessed at.
    if (!status?.state) return [];
    const event: DeliveryEvent = { providerMessageId: query.session_id, state: status.state };
    if (status.state === 'failed') event.error = { code: status.code, message: status.name };
    return [event];
  },
};
