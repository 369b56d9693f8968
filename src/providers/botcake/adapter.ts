/**
 * The real Botcake client: an OTP is sent by triggering the saved flow that holds the WhatsApp
 * authentication template, with the code in `payload`. Botcake answers only `{success}`: no message id,
 * no delivery webhook, so a send is never more than "accepted / not accepted".
 * @module
 */
import { z } from 'zod';
import {
  type AdapterDefinition,
  type FailureKind,
  failure,
  kindOfStatus,
  malformed,
  requestJson,
  retryAfterMs,
  scrubSecrets,
} from '../adapter.js';
import { errorSchema, sentSchema, WHATSAPP_PSID } from './schema.js';

const PROVIDER = 'botcake';

/** The slice's demo page token and page (index.ts `demoCredentials`), accepted by a simulator with no config. */
const DEMO_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IndhYmFfMTAyOTM4NDc1NjEwMjkzOCJ9.sig';
const DEMO_PAGE = 'waba_1029384756102938';
/** The flow id of the slice's sample request. */
const DEMO_FLOW = 7731;

export const botcakeConfigSchema = z.object({
  baseUrl: z
    .url()
    .default('https://botcake.io')
    .transform((url) => url.replace(/\/+$/, '')),
  /** Page token from Settings → Integration → Public API; sent as the plain `access-token` header. */
  accessToken: z.string().min(1),
  // Only a WhatsApp channel page: a numeric Facebook page refuses `wa_` psids.
  pageId: z.string().regex(/^waba_\d+$/, 'pageId must be waba_<digits> (a WhatsApp channel page)'),
  /** The flow holding the approved authentication template. */
  flowId: z.int().positive(),
  /** The flow variable the template parameter is mapped to, e.g. `{{code}}`. */
  codeKey: z.string().min(1).default('code'),
});
export type BotcakeConfig = z.infer<typeof botcakeConfigSchema>;

/**
 * Botcake as a sending-core adapter.
 * @example
 * const adapter = botcakeAdapter.create(
 *   botcakeAdapter.config.parse({ accessToken, pageId: 'waba_1029384756102938', flowId: 7731 }),
 * );
 * const result = await adapter.send(
 *   { to: '6281219110199', code: '482913', reference: 'v_1' },
 *   { signal: AbortSignal.timeout(5000) },
 * );
 */
export const botcakeAdapter: AdapterDefinition<BotcakeConfig> = {
  config: botcakeConfigSchema,

  create(config, { fetch = globalThis.fetch, now = Date.now } = {}) {
    const url = `${config.baseUrl}/api/public_api/v1/pages/${encodeURIComponent(config.pageId)}/flows/send_flow`;
    /** Keeps the code and the token out of any text taken from the provider. */

    return {
      provider: PROVIDER,
      async send(message, { signal }) {
        const psid = `wa_${message.to}`;
        // Checked here so a bad recipient never costs a request (Botcake would answer 400 "your params wrong").
        if (!WHATSAPP_PSID.test(psid))
          return failure(PROVIDER, 'invalid_request', 'recipient must be E.164 digits without +');
        // Botcake never generates codes: a flow triggered without one sends an empty template parameter.
        if (!message.code)
          return failure(PROVIDER, 'invalid_request', 'Botcake needs the code to put in the flow payload');
        const code = message.code;
        // The flow's template has a fixed language, so `locale` is not sent; `reference` is not sent
        // either, since every payload key becomes a flow variable.
        const reply = await requestJson(fetch, PROVIDER, url, {
          headers: { 'access-token': config.accessToken },
          body: { psid, flow_id: config.flowId, payload: { [config.codeKey]: code } },
          signal,
        });
        // `'ok' in`, not the helper's `'status' in`:
        // a failure SendResult may carry `status` too, which defeats narrowing.
        if ('ok' in reply) return reply;
        const { status, headers, json } = reply;

        if (status >= 200 && status < 300) {
          if (sentSchema.safeParse(json).success) return { ok: true, provider: PROVIDER, status };
          const refused = errorSchema.safeParse(json);
          if (refused.success || (isObject(json) && 'success' in json)) {
            // Clients of the live API treat `success !== true` as a failure even on a 2xx. Nothing says why,
            // so it is a provider-side problem worth another try.
            // assumption: a 2xx with `success` other than true is provider_error (retryable).
            const text = refused.success
              ? `: ${scrubSecrets(refused.data.message, [code, config.accessToken], 200)}`
              : '';
            return failure(PROVIDER, 'provider_error', `HTTP ${status} with success not true${text}`, { status });
          }
          return malformed(PROVIDER, status);
        }

        const native = errorSchema.safeParse(json);
        const text = native.success ? native.data.message : '';
        const kind = classify(status, text);
        const wait =
          kind === 'rate_limited' || status === 503 ? retryAfterMs(headers.get('retry-after'), now) : undefined;
        return failure(
          PROVIDER,
          kind,
          `HTTP ${status}${text ? `: ${scrubSecrets(text, [code, config.accessToken], 200)}` : ''}`,
          {
            status,
            ...(wait !== undefined && { retryAfterMs: wait }),
          },
        );
      },
    };
  },

  simulator: (baseUrl) =>
    botcakeConfigSchema.parse({ baseUrl, accessToken: DEMO_TOKEN, pageId: DEMO_PAGE, flowId: DEMO_FLOW }),
  // Botcake documents no delivery webhook for Public API sends, so there is no parseCallback.
};

/** The failure kind of a Botcake error status; the text only tells a blocked customer from an auth problem. */
export function classify(status: number, text: string): FailureKind {
  // assumption: 403 means the customer blocked the page (undocumented); a 403 that does not say
  // "block" is read the usual way, as a permission problem.
  if (status === 403) return /block/i.test(text) ? 'blocked_recipient' : 'unauthorized';
  // 400 "your params wrong" and 413 "request entity too large" are both our request's fault.
  return kindOfStatus(status);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
