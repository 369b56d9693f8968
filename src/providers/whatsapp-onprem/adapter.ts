/**
 * The real WhatsApp On-Premises client: logs in with Basic auth for a Bearer token, keeps the token until
 * shortly before `expires_after`, and sends the authentication template with the OTP in the body parameter
 * and the `url` button parameter. A 401 on a send (token revoked, expired early, Webapp restarted) gets one
 * fresh login and one retry of that send.
 * Docs: https://developers.facebook.com/docs/whatsapp/on-premises (users/login, messages, errors).
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
import { statusWebhookSchema, webhookStatusSchema } from './callbacks.js';
import { contactsReplySchema, errorSchema, messageCreatedSchema, type SendMessage } from './schema.js';

const PROVIDER = 'whatsapp-onprem';
/** Docs: a login token is valid for 7 days. */
const TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** Log in again this long before `expires_after`, so a send never races the expiry or a small clock skew. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export const whatsappOnpremConfigSchema = z.object({
  /** The Webapp, e.g. `https://wa.internal:9090` (no `/v1`). */
  baseUrl: z.url(),
  username: z.string().min(1),
  password: z.string().min(1),
  /** Sent as `new_password` on the first login (required for the factory `admin` account); used from then on. */
  newPassword: z.string().min(1).optional(),
  /** The template namespace (On-Prem needs it; the Cloud API has none). */
  namespace: z.string().min(1),
  /** An approved authentication template with a one-time password button. */
  templateName: z.string().min(1),
  /** Template language when the message names none, e.g. `en`, `id`, `pt_BR`. */
  language: z.string().min(1).default('en'),
});
export type WhatsappOnpremConfig = z.infer<typeof whatsappOnpremConfigSchema>;

type Failure = Extract<SendResult, { ok: false }>;
interface Session {
  token: string;
  /** When to log in again: a margin before the token's `expires_after`. */
  refreshAt: number;
}

// Replies are read without requiring `meta`: it is [lib]-confidence only, and a client gains nothing from it.
// assumption: an `expires_after` in another format, or none, is tolerated (the token is then kept for the documented
// 7 days), so this is looser than the simulator's loginReplySchema.
const loginSchema = z.object({
  users: z.array(z.object({ token: z.string().min(1), expires_after: z.string().optional() })).min(1),
});
const createdSchema = messageCreatedSchema.omit({ meta: true });
const errorsSchema = errorSchema.omit({ meta: true });

const STATES: Record<string, DeliveryState> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };

/**
 * The WhatsApp On-Premises adapter.
 * @example
 * const adapter = whatsappOnpremAdapter.create(whatsappOnpremAdapter.config.parse({
 *   baseUrl: 'https://wa.internal:9090', username: 'otp', password: process.env.WA_PASSWORD,
 *   namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2f3a4b5c6', templateName: 'login_otp',
 * }));
 * const result = await adapter.send(
 *   { to: '6281234567890', code: '482913', reference: 'v_1' },
 *   { signal: AbortSignal.timeout(5000) },
 * );
 */
export const whatsappOnpremAdapter: AdapterDefinition<WhatsappOnpremConfig> = {
  config: whatsappOnpremConfigSchema,

  create(config, { fetch: fetchImpl = globalThis.fetch, now = Date.now } = {}) {
    const base = config.baseUrl.replace(/\/+$/, '');
    // Mutable per adapter instance: the password in use (it becomes newPassword once that was set) and the token.
    let password = config.password;
    let pendingNewPassword = config.newPassword;
    let current: Session | undefined;
    let inflight: Promise<Session | Failure> | undefined;

    const secrets = (extra: (string | undefined)[] = []) => {
      const values = [config.password, config.newPassword, current?.token, ...extra].filter((v): v is string => !!v);
      return [...values, ...values.map((v) => Buffer.from(`${config.username}:${v}`).toString('base64'))];
    };

    const postLogin = async (
      pass: string,
      body: { new_password: string } | undefined,
      signal: AbortSignal,
    ): Promise<Session | Failure> => {
      const reply = await requestJson(fetchImpl, PROVIDER, `${base}/v1/users/login`, {
        headers: { authorization: `Basic ${Buffer.from(`${config.username}:${pass}`).toString('base64')}` },
        body,
        signal,
      });
      if (!isReply(reply)) return { ...reply, message: `login: ${reply.message}` };
      if (reply.status >= 200 && reply.status < 300) {
        const parsed = loginSchema.safeParse(reply.json);
        if (!reply.jsonOk || !parsed.success)
          return {
            ...(malformed(PROVIDER, reply.status) as Failure),
            message: `login: HTTP ${reply.status} with a body that is not the documented JSON`,
          };
        const user = parsed.data.users[0]!;
        const issuedAt = now();
        const expiresAt = parseExpiresAfter(user.expires_after) ?? issuedAt + TOKEN_LIFETIME_MS;
        // A short-lived token (tests, odd Webapp settings) is refreshed halfway, not on every send.
        const margin = Math.min(REFRESH_MARGIN_MS, Math.max(0, expiresAt - issuedAt) / 2);
        return { token: user.token, refreshAt: expiresAt - margin };
      }
      // A refused login is a configuration problem (wrong user or password, new_password missing or too weak):
      // not worth retrying. Throttling and Webapp faults keep their own, retryable kinds.
      const kind: FailureKind =
        reply.status === 429 ? 'rate_limited' : reply.status >= 500 ? 'provider_error' : 'unauthorized';
      const hint =
        firstError(reply)?.code === 1024 ? ' (the account must set a new password: configure newPassword)' : '';
      return failure(PROVIDER, kind, `login rejected: ${describe(reply, secrets([pass]))}${hint}`, {
        status: reply.status,
        ...(kind === 'rate_limited' && { retryAfterMs: waitOf(reply, now) }),
      }) as Failure;
    };

    const login = async (signal: AbortSignal): Promise<Session | Failure> => {
      if (pendingNewPassword === undefined) return postLogin(password, undefined, signal);
      const next = pendingNewPassword;
      let result = await postLogin(password, { new_password: next }, signal);
      // assumption: a 401 here means an earlier run already set newPassword, so it is now the password.
      if (!('token' in result) && result.status === 401) result = await postLogin(next, undefined, signal);
      if ('token' in result) {
        password = next;
        pendingNewPassword = undefined;
      }
      return result;
    };

    /** A usable token: the cached one, the login already in flight, or a new login shared by every caller. */
    const session = (signal: AbortSignal): Promise<Session | Failure> => {
      if (current && now() < current.refreshAt) return Promise.resolve(current);
      // The login runs under the signal of the send that started it; the others stop waiting at their own deadline.
      inflight ??= login(signal)
        .catch((error: unknown) => failure(PROVIDER, 'network', `login: ${(error as Error).message}`) as Failure)
        .then((result) => {
          inflight = undefined;
          if ('token' in result) current = result;
          return result;
        });
      return untilAborted(inflight, signal);
    };

    const post = (token: string, body: SendMessage, signal: AbortSignal) =>
      requestJson(fetchImpl, PROVIDER, `${base}/v1/messages`, {
        headers: { authorization: `Bearer ${token}` },
        body,
        signal,
      });

    /** Looks a number up (`blocking: wait`, past the cache): its wa_id, null when not on WhatsApp, or a failure. */
    const checkContact = async (token: string, to: string, signal: AbortSignal): Promise<string | null | Failure> => {
      const body = { blocking: 'wait', contacts: [`+${to}`], force_check: true };
      const headers = { authorization: `Bearer ${token}` };
      const reply = await requestJson(fetchImpl, PROVIDER, `${base}/v1/contacts`, { headers, body, signal });
      if (!isReply(reply)) return { ...reply, message: `contacts check: ${reply.message}` };
      if (reply.status < 200 || reply.status >= 300) {
        const kind = sendFailureKind(reply.status, firstError(reply)?.code);
        const words = `contacts check: ${describe(reply, secrets([token]))}`;
        return failure(PROVIDER, kind, words, { status: reply.status }) as Failure;
      }
      const contact = contactsReplySchema.omit({ meta: true }).safeParse(reply.json);
      if (!reply.jsonOk || !contact.success) {
        return {
          ...(malformed(PROVIDER, reply.status) as Failure),
          message: 'contacts check: a body that is not the documented JSON',
        };
      }
      const entry = contact.data.contacts[0];
      return entry?.status === 'valid' && entry.wa_id ? entry.wa_id : null;
    };

    return {
      provider: PROVIDER,
      async send(message, { signal }) {
        // On-Prem sends the code it is given; it cannot generate one.
        if (!message.code)
          return failure(PROVIDER, 'invalid_request', 'no code to send: WhatsApp On-Premises does not generate codes');
        const code = message.code;
        const body = templateMessage(toDigits(message.to), code, languageOf(message.locale, config.language), config);

        let auth = await session(signal);
        if (!('token' in auth)) return auth;
        let reply = await post(auth.token, body, signal);
        if (isReply(reply) && reply.status === 401) {
          // Revoked, expired early or the Webapp lost its sessions: one fresh login, one retry, no more.
          if (current?.token === auth.token) current = undefined;
          auth = await session(signal);
          if (!('token' in auth)) return auth;
          reply = await post(auth.token, body, signal);
        }
        if (isReply(reply) && reply.status === 404 && firstError(reply)?.code === 1006) {
          // An older Webapp sends only to numbers its contact store knows: look the number up, then send once more
          // to the wa_id it returns (courier's WhatsApp handler does the same).
          const waId = await checkContact(auth.token, body.to, signal);
          if (waId === null) {
            return failure(PROVIDER, 'not_on_whatsapp', `contacts check: +${body.to} is not a valid WhatsApp user`, {
              status: 404,
            });
          }
          if (typeof waId !== 'string') return waId;
          reply = await post(auth.token, { ...body, to: waId }, signal);
        }
        if (!isReply(reply)) return reply;
        return classify(reply, secrets([code, auth.token]), now);
      },
    };
  },

  simulator: (baseUrl) => ({
    baseUrl,
    // The slice's demo login: any user logs in on a simulator with no config (only admin/secret must change it).
    username: 'waotp',
    password: 'Waotp-demo-1',
    namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2f3a4b5c6',
    templateName: 'login_otp',
    language: 'en',
  }),

  parseCallback(request: CallbackRequest): DeliveryEvent[] {
    const envelope = statusWebhookSchema.safeParse(readBody(request.body));
    // Inbound `{"messages":…}` and system `{"errors":…}` notifications carry no delivery status.
    if (!envelope.success) return [];
    return envelope.data.statuses.flatMap((entry): DeliveryEvent[] => {
      const parsed = webhookStatusSchema.safeParse(entry);
      if (!parsed.success) return [];
      const status = parsed.data;
      // `deleted` (the user deleted the message) and unknown states are not delivery progress.
      const state = STATES[status.status];
      if (!state) return [];
      const seconds = Number(status.timestamp);
      const error = status.errors?.[0];
      return [
        {
          providerMessageId: status.id,
          state,
          ...(Number.isFinite(seconds) && status.timestamp !== '' && { at: new Date(seconds * 1000).toISOString() }),
          ...(state === 'failed' &&
            error && { error: { code: error.code, message: error.title ?? error.details ?? `error ${error.code}` } }),
        },
      ];
    });
  },
};

/** The send body the docs show: the same OTP in the body parameter and the `url` button (index 0). */
function templateMessage(to: string, code: string, language: string, config: WhatsappOnpremConfig): SendMessage {
  return {
    to,
    type: 'template',
    template: {
      namespace: config.namespace,
      name: config.templateName,
      language: { code: language, policy: 'deterministic' },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: code }] },
        { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: code }] },
      ],
    },
  };
}

/** WhatsApp language codes use `_` (`pt_BR`); a BCP 47 `pt-BR` from the message is rewritten to match. */
// assumption: the message's locale, when given, picks the template language; the config's language is the fallback.
function languageOf(locale: string | undefined, fallback: string): string {
  return locale ? locale.replace(/-/g, '_') : fallback;
}

/** Turns a `/v1/messages` reply into a SendResult. */
function classify(reply: HttpReply, secrets: string[], now: () => number): SendResult {
  const { status } = reply;
  if (status >= 200 && status < 300) {
    const parsed = createdSchema.safeParse(reply.json);
    if (!reply.jsonOk || !parsed.success) return malformed(PROVIDER, status);
    return { ok: true, provider: PROVIDER, status, providerMessageId: parsed.data.messages[0]!.id };
  }
  const kind = sendFailureKind(status, firstError(reply)?.code);
  return failure(PROVIDER, kind, describe(reply, secrets), {
    status,
    ...(kind === 'rate_limited' && { retryAfterMs: waitOf(reply, now) }),
  });
}

/** On-Prem's error codes decide where the status alone is ambiguous (a 400 can be a blocked or unknown recipient). */
function sendFailureKind(status: number, code: number | undefined): FailureKind {
  // 471: the number's spam rate limit (Meta's errors page); courier pauses bulk sending when it sees it.
  if (status === 429 || code === 1015 || code === 471) return 'rate_limited';
  if (status >= 500) return 'provider_error';
  if (status === 400 && code === 1007) return 'blocked_recipient';
  // Older Webapps answer 1013 at once; newer ones accept and report it on the webhook.
  if (status === 400 && code === 1013) return 'not_on_whatsapp';
  // 401/403 unauthorized, 402 quota (Meta's payment issue),
  // 413 and every other 4xx (1008, 1009, 1002...) invalid_request.
  return kindOfStatus(status);
}

function firstError(reply: HttpReply): { code: number; title: string; details?: string | undefined } | undefined {
  const parsed = errorsSchema.safeParse(reply.json);
  return parsed.success ? parsed.data.errors[0] : undefined;
}

/** `HTTP 400 1009 Parameter value is not valid: details`, with any secret the provider echoed masked. */
function describe(reply: HttpReply, secrets: string[]): string {
  const error = firstError(reply);
  if (!error) return `HTTP ${reply.status} without an On-Prem errors[] body`;
  const words = `${error.code} ${error.title}${error.details ? `: ${error.details}` : ''}`;
  return `HTTP ${reply.status} ${scrubSecrets(words, secrets, Infinity)}`;
}

/** Retry-After, else the seconds in 1015's details ("Retry after 1 seconds."). */
function waitOf(reply: HttpReply, now: () => number): number | undefined {
  const fromHeader = retryAfterMs(reply.headers.get('retry-after'), now);
  if (fromHeader !== undefined) return fromHeader;
  // assumption: when a Webapp sends no Retry-After, the seconds named in the 1015 details are the wait.
  const seconds = /retry after (\d+) seconds?/i.exec(firstError(reply)?.details ?? '')?.[1];
  return seconds === undefined ? undefined : Number(seconds) * 1000;
}

/** `2026-01-22 09:14:03+00:00` as epoch ms, or undefined when it is not a date. */
function parseExpiresAfter(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text.trim().replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

function readBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

// The transport failure carries an optional `status` too, so `'status' in reply` does not narrow; `ok` does.
function isReply(reply: HttpReply | Failure): reply is HttpReply {
  return !('ok' in reply);
}

/** Resolves with the promise's value, or with a timeout failure as soon as the caller's signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | Failure> {
  const timedOut = () => failure(PROVIDER, 'timeout', 'no reply before the attempt timed out') as Failure;
  if (signal.aborted) return Promise.resolve(timedOut());
  return new Promise((resolve) => {
    const onAbort = () => resolve(timedOut());
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}
