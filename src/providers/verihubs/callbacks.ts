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
}

/** Every documented callback status, by code. */
export const CALLBACK_STATUSES: readonly CallbackStatus[] = [
  { code: 0, name: 'Requested' },
  { code: 1, name: 'Sent', state: 'sent' },
  { code: 2, name: 'Delivered', state: 'delivered' },
  { code: 3, name: 'Read', state: 'read' },
  // The sandbox page mislabels 4 as "Sent"; the production pages call it Verified.
  { code: 4, name: 'Verified', state: 'verified' },
  { code: 5, name: 'Unverified', state: 'unverified' },
  { code: 6, name: 'Failed', state: 'failed' },
  { code: 7, name: 'Request Error', state: 'failed' },
  { code: 8, name: 'Rejected', state: 'failed', v2Only: true },
  { code: 9, name: 'Blocked', state: 'failed', v2Only: true },
  { code: 10, name: 'Tier Limit Exceeded', state: 'failed' },
];

/** The query string of a callback: both values arrive as text. */
export const callbackQuerySchema = z.object({
  // Documented as a UUID; any non-empty id is kept so a format change does not drop delivery reports.
  session_id: z.string().trim().min(1),
  status: z.string().trim().regex(/^\d{1,3}$/),
});
export type CallbackQuery = z.infer<typeof callbackQuerySchema>;

export function callbackStatus(code: number): CallbackStatus | undefined {
  return CALLBACK_STATUSES.find((status) => status.code === code);
}

const CODE_OF_STATE: Record<CallbackEvent['state'], number> = { sent: 1, delivered: 2, read: 3, verified: 4, unverified: 5, failed: 6 };

/** Verihubs reports by appending `session_id` and `status` to the send's `callback_url`. */
export const verihubsCallbacks: CallbackDefinition = {
  target: { requestField: 'callback_url' },
  // assumption: GET, as the query-string form implies; the docs do not name the method.
  method: 'GET',
  summary: 'Delivery status: callback_url?session_id=<uuid>&status=<0-10>',
  query: callbackQuerySchema,
  // assumption: Verihubs' retry policy is undocumented: one attempt, 10 s.
  delivery: { attempts: 1, timeoutMs: 10_000 },
  states: ['sent', 'delivered', 'read', 'verified', 'unverified', 'failed'],
  render: ({ state, message }) => ({
    method: 'GET',
    headers: {},
    query: { session_id: message.providerMessageId ?? '', status: String(CODE_OF_STATE[state]) },
  }),
};
