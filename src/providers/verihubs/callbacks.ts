/**
 * Verihubs delivery callbacks: Verihubs appends `?session_id=<uuid>&status=<n>` to the `callback_url`
 * of the send. The numeric statuses and their names are the documented table of the send pages.
 * Docs: https://docs.verihubs.com/reference/send_whatsapp_otp_post
 * @module
 */
import { z } from 'zod';
import type { DeliveryEvent } from '../adapter.js';
import type { CallbackDefinition, CallbackEvent } from '../define.js';

export interface CallbackStatus {
  code: number;
  /** The documented status name, e.g. "Tier Limit Exceeded". */
  name: string;
  /** The waotp delivery state; absent for 0 "Requested", which says nothing about delivery. */
  state?: DeliveryEvent['state'];
  /** Only sent by the v2 send path. */
  v2Only?: boolean;
  /** When the simulator sends it (README table). */
  when: string;
}

/**
 * Every documented callback status, by code: the production v1 page (send_whatsapp_otp_post-1) lists 0-7 and 10,
 * the v2 page (send_whatsapp_otp_post_v2) adds 8 and 9, the sandbox page lists 0-7.
 */
export const CALLBACK_STATUSES: readonly CallbackStatus[] = [
  { code: 0, name: 'Requested', when: 'at once, for every accepted send (sandbox included)' },
  { code: 1, name: 'Sent', state: 'sent', when: 'the OTP reached WhatsApp (100 ms after the send)' },
  { code: 2, name: 'Delivered', state: 'delivered', when: 'delivered to the phone (300 ms)' },
  { code: 3, name: 'Read', state: 'read', when: 'read (800 ms)' },
  // The sandbox page mislabels 4 as "Sent"; the production pages call it Verified.
  { code: 4, name: 'Verified', state: 'verified', when: 'after a successful verify (following 3)' },
  { code: 5, name: 'Unverified', state: 'unverified', when: 'time_limit passed without a verify' },
  { code: 6, name: 'Failed', state: 'failed', when: 'a number without WhatsApp, or options.failures maps to 6' },
  { code: 7, name: 'Request Error', state: 'failed', when: 'options.failures maps the msisdn to 7' },
  {
    code: 8,
    name: 'Rejected',
    state: 'failed',
    v2Only: true,
    when: 'v2 send that options.failures maps to 8 (spam check)',
  },
  {
    code: 9,
    name: 'Blocked',
    state: 'failed',
    v2Only: true,
    when: 'v2 send that options.failures maps to 9 (blocking)',
  },
  { code: 10, name: 'Tier Limit Exceeded', state: 'failed', when: 'options.failures maps the msisdn to 10' },
];

/** The statuses a delivery can end with (`options.failures` values). */
export const FAILURE_CODES = [6, 7, 8, 9, 10] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/** The query string of a callback: both values arrive as text. */
export const callbackQuerySchema = z.object({
  // Documented as a UUID; any non-empty id is kept so a format change does not drop delivery reports.
  session_id: z.string().trim().min(1),
  status: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/),
});
export type CallbackQuery = z.infer<typeof callbackQuerySchema>;

export function callbackStatus(code: number): CallbackStatus | undefined {
  return CALLBACK_STATUSES.find((status) => status.code === code);
}

const CODE_OF_STATE: Record<CallbackEvent['state'], number> = {
  requested: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  verified: 4,
  unverified: 5,
  failed: 6,
};

/** The status a failed delivery reports: the captured failure's own Verihubs code, else 6 "Failed". */
function failureCode(failure: CallbackEvent['message']['failure']): number {
  const code = Number(failure?.code);
  return (FAILURE_CODES as readonly number[]).includes(code) ? code : 6;
}

/** Verihubs reports by appending `session_id` and `status` to the send's `callback_url`. */
export const verihubsCallbacks: CallbackDefinition = {
  target: { requestField: 'callback_url' },
  // assumption: GET, as the query-string form implies; the docs do not name the method.
  method: 'GET',
  summary: 'Delivery status: callback_url?session_id=<uuid>&status=<0-10>',
  query: callbackQuerySchema,
  // assumption: Verihubs' retry policy is undocumented: one attempt, 10 s.
  delivery: { attempts: 1, timeoutMs: 10_000 },
  states: ['requested', 'sent', 'delivered', 'read', 'verified', 'unverified', 'failed'],
  render: ({ state, message }) => {
    const status = state === 'failed' ? failureCode(message.failure) : CODE_OF_STATE[state];
    return {
      method: 'GET',
      headers: {},
      query: { session_id: message.providerMessageId ?? '', status: String(status) },
    };
  },
};
