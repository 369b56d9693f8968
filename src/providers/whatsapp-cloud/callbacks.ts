/**
 * WhatsApp Cloud API status webhooks: one status per POST in Meta's `whatsapp_business_account` envelope, signed
 * with the app secret over the exact bytes sent, after the verification handshake (GET with `hub.*`) succeeded.
 * Docs: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components and …/guides/set-up-webhooks
 * @module
 */
import { createHash } from 'node:crypto';
import type { CallbackDefinition, CallbackEvent, NativeCallback } from '../define.js';
import { DEMO } from './demo.js';
import { statusWebhookSchema } from './schema.js';
import { metaJson, signPayload } from './signature.js';

/** What the simulated app knows about itself: the secret that signs, the token of the handshake, its WABA. */
export interface CloudState {
  appSecret: string;
  verifyToken: string;
  wabaId: string;
  displayPhoneNumber: string;
}

/** The state of a simulator with no config (also what contract examples are rendered with). */
export const DEMO_STATE: CloudState = {
  appSecret: DEMO.appSecret,
  verifyToken: DEMO.verifyToken,
  wabaId: DEMO.wabaId,
  displayPhoneNumber: DEMO.displayPhoneNumber,
};

const ERROR_DOCS = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

/** The status object of one report. */
function statusOf({ state, at, message }: CallbackEvent) {
  const id = message.providerMessageId ?? '';
  const base = { id, status: state, timestamp: String(Math.floor(at / 1000)), recipient_id: message.to };
  if (state === 'failed') {
    const failure = message.failure ?? { code: 131026, title: 'Message undeliverable' };
    const code = Number(failure.code) || 131026;
    const details = failure.details ?? `${failure.title}.`;
    return {
      ...base,
      errors: [{ code, title: failure.title, message: failure.title, error_data: { details }, href: ERROR_DOCS }],
    };
  }
  // assumption: one conversation per message, its id derived from the message id so every report of it agrees.
  const conversation = { id: createHash('md5').update(id).digest('hex'), origin: { type: 'authentication' } };
  // Simulator emits the CBP-style pricing of the fact sheet; the core ignores pricing.
  return { ...base, conversation, pricing: { billable: true, pricing_model: 'CBP', category: 'authentication' } };
}

/**
 * The signed POST of one status. The phone-number id the send used travels in the captured message's
 * `callback.data`, so `metadata.phone_number_id` names the number that sent it.
 */
export function renderStatus(event: CallbackEvent, state: CloudState): NativeCallback {
  const body = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: state.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: state.displayPhoneNumber,
                phone_number_id: event.message.callback?.data ?? DEMO.phoneNumberId,
              },
              statuses: [statusOf(event)],
            },
          },
        ],
      },
    ],
  };
  const rawBody = metaJson(body);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(rawBody, state.appSecret) },
    body,
    rawBody,
  };
}

export const whatsappCloudCallbacks: CallbackDefinition = {
  target: {
    setting: 'the app\'s webhook callback URL (App Dashboard -> WhatsApp -> Configuration), subscribed to "messages"',
  },
  method: 'POST',
  summary:
    'Status webhook: {"object":"whatsapp_business_account",' +
    '"entry":[{id,changes:[{field:"messages",value:{metadata,statuses:[…]}}]}]}, signed with X-Hub-Signature-256',
  body: statusWebhookSchema,
  // Docs: Meta retries failed deliveries for up to 7 days, in no guaranteed order; the simulator keeps it short.
  // assumption: 5 attempts in all, like the On-Prem slice, stand in for Meta's undocumented schedule.
  delivery: { attempts: 5, timeoutMs: 10_000 },
  states: ['sent', 'delivered', 'read', 'failed'],
  handshake: (state: CloudState, challenge) => ({
    'hub.mode': 'subscribe',
    'hub.verify_token': state.verifyToken,
    'hub.challenge': challenge,
  }),
  render: (event, state: CloudState = DEMO_STATE) => renderStatus(event, state),
};
