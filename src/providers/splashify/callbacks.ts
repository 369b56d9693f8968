/**
 * Splashify Pro's delivery webhooks: `{event, timestamp, data:{message_id, status, …}}` sent with
 * `X-Webhook-Event: <event>` and `X-Webhook-Source: splashifypro`, unsigned, not retried.
 * Docs: https://docs.splashifypro.com/public-api/webhooks, https://docs.splashifypro.com/settings/developer
 * @module
 */
import { z } from 'zod';
import type { CallbackDefinition } from '../define.js';
import type { DeliveryState } from '../outcomes.js';

/** The delivery events the Developer Settings page lists; the adapter also reads snake_case variants. */
export const SPLASHIFY_STATUS_EVENTS = {
  sent: 'message.sent',
  delivered: 'message.delivered',
  read: 'message.read',
  failed: 'message.failed',
} as const satisfies Record<DeliveryState, string>;

// assumption: the status payload is not shown in the docs; `message_id` and `channel` are documented,
// the rest (status, callback_data, error, timestamp) follows the inbound example's snake_case.
export const statusDataSchema = z.looseObject({
  message_id: z.string().min(1),
  channel: z.string().optional(),
  status: z.string().optional(),
  phone_number: z.string().optional(),
  callback_data: z.string().optional(),
  timestamp: z.string().optional(),
  // assumption: Meta's error code passes through, so it may be a number or a string.
  error: z.object({ code: z.union([z.number(), z.string()]), message: z.string() }).optional(),
});

export const statusCallbackSchema = z.looseObject({
  event: z.string().optional(),
  timestamp: z.string().optional(),
  data: statusDataSchema,
});
export type StatusCallback = z.infer<typeof statusCallbackSchema>;

/**
 * The delivery state an event name or status names: `message.delivered`, `message_delivered` and
 * `delivered` all read as `delivered` (the docs use both dotted and snake_case event names).
 * @example
 * deliveryStateOf('message.read'); // 'read'
 */
export function deliveryStateOf(name: string | undefined): DeliveryState | undefined {
  const match = /^(?:message[._])?(sent|delivered|read|failed)$/i.exec(name?.trim() ?? '');
  return match ? (match[1]!.toLowerCase() as DeliveryState) : undefined;
}

/** Splashify posts status events to the webhook configured in its dashboard. */
export const splashifyCallbacks: CallbackDefinition = {
  // assumption: the dashboard's one webhook, subscribed to every status event, is `options.webhookUrl` in the config.
  target: { setting: 'the webhook URL configured under Settings -> Developer -> Configure Webhook' },
  method: 'POST',
  summary: 'Status webhook: {"event":"message.delivered","timestamp":"…","data":{message_id,status,…}}',
  body: statusCallbackSchema,
  // Documented: 2xx within 10 s, never retried.
  delivery: { attempts: 1, timeoutMs: 10_000 },
  states: ['sent', 'delivered', 'read', 'failed'],
  render: ({ state, at, message }) => {
    const event = SPLASHIFY_STATUS_EVENTS[state as DeliveryState];
    const timestamp = new Date(at).toISOString();
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-event': event, 'x-webhook-source': 'splashifypro' },
      body: {
        event,
        timestamp,
        data: {
          message_id: message.providerMessageId ?? '',
          channel: 'whatsapp',
          status: state,
          phone_number: message.to,
          ...(message.callback?.data !== undefined && { callback_data: message.callback.data }),
          timestamp,
          ...(state === 'failed' && {
            error: { code: 131026, message: message.failure?.title ?? 'Message undeliverable' },
          }),
        },
      },
    };
  },
};
