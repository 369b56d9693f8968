/**
 * The real Messcat client: fires the OTP bot at one contact with the code in `parameters.verificationCode`,
 * and reads `message-update` webhooks back into delivery events. Messcat neither generates nor checks codes.
 * @module
 */
import { z } from 'zod';
import {
  type AdapterDefinition,
  type DeliveryEvent,
  type FailureKind,
  failure,
  kindOfStatus,
  malformed,
  requestJson,
  retryAfterMs,
  scrubSecrets,
} from '../adapter.js';
import {
  actionFireRecordSchema,
  errorSchema,
  type MessageUpdateItem,
  messageUpdateItemSchema,
  messageUpdateSchema,
} from './schema.js';

const PROVIDER = 'messcat';

export const messcatConfigSchema = z.object({
  /** The bots service; ChatDaddy's own is `https://api-bots.chatdaddy.tech`. */
  baseUrl: z.url().default('https://api-bots.messcat.tech'),
  /** API token `apit_…` (Developer → API Token) with MESSAGES_SEND_TO_ALL or MESSAGES_SEND_TO_ASSIGNED. */
  token: z.string().min(1),
  /** The message flow holding the approved Authentication template with `{{verificationCode}}`. */
  botId: z.string().min(1),
  /** The channel to send from; needed only when the team has several. */
  accountId: z.string().min(1).optional(),
});
export type MesscatConfig = z.infer<typeof messcatConfigSchema>;

// The seed article's example token and bot, which the simulator accepts with no config.
const DEMO_TOKEN = 'apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW';
const DEMO_BOT = 'bot_8d3b30d69965baf7';

// assumption: the simulator's wording for a blocked contact (simulate.ts TEXTS.blocked); ChatDaddy documents none.
const BLOCKED = /\bblocked\b/i;

/** Message-update statuses that are a delivery state; `pending` and `note` say nothing new. */
const STATES: Partial<Record<MessageUpdateItem['status'], DeliveryEvent['state']>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  error: 'failed',
  // assumption: a cancelled message will never be sent, so the OTP is as lost as with `error`.
  cancelled: 'failed',
};

/**
 * The Messcat adapter: `POST {baseUrl}/bots/{botId}/fire` with a Bearer API token.
 * @example
 * const adapter = messcatAdapter.create(messcatAdapter.config.parse({ token: 'apit_…', botId: 'bot_…' }));
 * const result = await adapter.send(
 *   { to: '6281234567890', code: '482913', reference: 'v_1' },
 *   { signal: AbortSignal.timeout(5000) },
 * );
 */
export const messcatAdapter: AdapterDefinition<MesscatConfig> = {
  config: messcatConfigSchema,
  create(config, { fetch: fetchImpl = globalThis.fetch, now = Date.now } = {}) {
    const url = `${config.baseUrl.replace(/\/+$/, '')}/bots/${encodeURIComponent(config.botId)}/fire`;
    // The help article shows tokens with their "Bearer " prefix; tolerate one pasted into the config.
    const token = config.token.replace(/^Bearer\s+/i, '');
    return {
      provider: PROVIDER,
      async send(message, { signal }) {
        // The bot's template has no code of its own to send: without one there is nothing to fire.
        if (!message.code)
          return failure(PROVIDER, 'invalid_request', 'messcat needs the OTP code: it does not generate codes');
        const secrets = [message.code, token];
        const reply = await requestJson(fetchImpl, PROVIDER, url, {
          headers: { authorization: `Bearer ${token}` },
          body: {
            // toContact is the phone number with its country code, digits only, no `+` (seed example 918074906794).
            toContact: message.to.replace(/\D/g, ''),
            ...(config.accountId && { accountId: config.accountId }),
            // The locale is not sent: the language is fixed by the template in the bot's flow.
            parameters: { verificationCode: message.code },
          },
          signal,
        });
        // `'ok' in reply` (not `'status' in`): only the timeout/network SendResult has `ok`, and TS narrows on it.
        if ('ok' in reply) return { ...reply, message: scrubSecrets(reply.message, secrets) };
        const { status } = reply;

        if (status >= 200 && status < 300) {
          const record = reply.jsonOk ? actionFireRecordSchema.safeParse(reply.json) : undefined;
          if (!record?.success) return malformed(PROVIDER, status);
          // The fire is asynchronous (`status: "pending"`): delivery is reported by message-update webhooks,
          // which carry the message id, not the fire record's numeric id.
          // assumption: a record whose own status is `failed` or `cancelled` is still an accepted fire; only the
          // webhook tells whether the message went out (ChatDaddy documents no synchronous failure).
          const messageId = record.data.messages[0]?.body?.id;
          const providerMessageId = typeof messageId === 'string' && messageId ? messageId : String(record.data.id);
          return { ok: true, provider: PROVIDER, status, providerMessageId };
        }

        const boom = reply.jsonOk ? errorSchema.safeParse(reply.json) : undefined;
        const text = boom?.success ? boom.data.message : '';
        const kind = classify(status, text);
        const words = scrubSecrets(`HTTP ${status}${text ? `: ${text}` : ''}`, secrets);
        return failure(PROVIDER, kind, `messcat ${words}`, {
          status,
          ...(kind === 'rate_limited' && { retryAfterMs: retryAfterMs(reply.headers.get('retry-after'), now) }),
        });
      },
    };
  },
  simulator: (baseUrl) => ({ baseUrl, token: DEMO_TOKEN, botId: DEMO_BOT }),
  parseCallback(request) {
    const body = typeof request.body === 'string' ? parseJson(request.body) : request.body;
    const update = messageUpdateSchema.safeParse(body);
    if (!update.success) return [];
    const events: DeliveryEvent[] = [];
    for (const raw of update.data.data) {
      const item = messageUpdateItemSchema.safeParse(raw);
      // An item we cannot read does not spoil its siblings in the same batch.
      if (!item.success) continue;
      const { id, status, fromMe, timestamp, error } = item.data;
      // Updates of messages the contact sent us can never be an OTP we fired.
      if (fromMe === false) continue;
      const state = STATES[status];
      if (!state) continue;
      events.push({
        providerMessageId: id,
        state,
        ...(timestamp && !Number.isNaN(Date.parse(timestamp)) && { at: new Date(timestamp).toISOString() }),
        ...(state === 'failed' && {
          error: {
            code: error?.statusCode ?? status,
            message: error?.message ?? (status === 'cancelled' ? 'message cancelled' : 'message failed'),
          },
        }),
      });
    }
    return events;
  },
};

/** Boom status to kind; only a 400 needs its text read (a blocked contact is refused with 400 too). */
function classify(status: number, text: string): FailureKind {
  if (status === 400) return BLOCKED.test(text) ? 'blocked_recipient' : 'invalid_request';
  // 401 bad token, 403 missing scopes, 402 no credits, 404 bot not found, 413/415, 429, 5xx: the status says it.
  return kindOfStatus(status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
