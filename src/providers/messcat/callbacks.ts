/**
 * Messcat's delivery callbacks: ChatDaddy event subscriptions post `{"event":"message-update","data":[…]}`
 * to the subscribed URL (events service `POST /subscriptions`, types in the SDK's `src/OpenAPI/events/api.ts`
 * and `src/OpenAPI/im/api.ts`). No fire request carries a callback URL, and no signature header is documented.
 * @module
 */
import { z } from 'zod';
import type { CallbackDefinition } from '../define.js';
import { type SubscriptionState, webhookFor } from './subscriptions.js';

/** ChatDaddy's `MessageStatus`; the failure value is `error`, not "failed". */
export const MESSAGE_STATUSES = ['pending', 'sent', 'delivered', 'read', 'error', 'note', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The `error` of a failed message (ChatDaddy's `AppError`-like `{statusCode, message, data?, retries}`). */
export const messageErrorSchema = z.looseObject({
  statusCode: z.number().int().optional(),
  message: z.string().optional(),
  data: z.unknown().optional(),
  retries: z.number().int().optional(),
});

/**
 * One item of `data`: the message id (`messages[0].body.id` of the fire record) and its new status. The SDK's
 * MessageUpdateData requires `chatId` and `accountId`; a receiver reading older or partial items still gets them.
 */
export const messageUpdateItemSchema = z.looseObject({
  id: z.string().min(1),
  status: z.enum(MESSAGE_STATUSES),
  chatId: z.string().optional(),
  accountId: z.string().optional(),
  fromMe: z.boolean().optional(),
  // assumption: `timestamp` is an ISO date-time string, as the im service types message timestamps.
  timestamp: z.string().optional(),
  error: messageErrorSchema.optional(),
});
export type MessageUpdateItem = z.infer<typeof messageUpdateItemSchema>;

export const messageUpdateSchema = z.looseObject({
  event: z.literal('message-update'),
  data: z.array(z.unknown()),
});

/**
 * Builds the body of one `message-update` webhook, as the events service posts it.
 * @example
 * messageUpdate([{ id: '3EB0A1C2D3E4F5A6B7C8', status: 'delivered', fromMe: true }]);
 * // { event: 'message-update', data: [{ id: '3EB0A1C2D3E4F5A6B7C8', status: 'delivered', fromMe: true }] }
 */
export function messageUpdate(items: MessageUpdateItem[]): { event: 'message-update'; data: MessageUpdateItem[] } {
  return { event: 'message-update', data: items };
}

const MESSCAT_STATUS: Record<string, MessageStatus> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'error' };

/** What the simulator sends: every field the SDK's MessageUpdateData requires is there. */
const sentItemSchema = messageUpdateItemSchema.extend({ chatId: z.string(), accountId: z.string() });

/** Event subscriptions post `message-update` events to the subscribed URL. */
export const messcatCallbacks: CallbackDefinition = {
  target: { setting: 'an event subscription (POST /subscriptions, events: [message-update])' },
  method: 'POST',
  summary: 'message-update webhook: {"event":"message-update","data":[{id,chatId,accountId,status,...}]}',
  body: z.object({ event: z.literal('message-update'), data: z.array(sentItemSchema) }),
  settingUrl: (state: { events: SubscriptionState }) => webhookFor(state.events),
  // A message goes only to a subscription that covers its channel; with none made, to the configured webhook.
  reports: (state: { events: SubscriptionState }, event) =>
    webhookFor(state.events) === undefined || webhookFor(state.events, event.message.callback?.data) !== undefined,
  // assumption: ChatDaddy's webhook retry policy is undocumented: three attempts, 10 s each.
  delivery: { attempts: 3, timeoutMs: 10_000 },
  states: ['sent', 'delivered', 'read', 'failed'],
  render: ({ state, at, message }) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: messageUpdate([
      {
        id: message.providerMessageId ?? '',
        status: MESSCAT_STATUS[state] ?? 'error',
        chatId: `${message.to}@s.whatsapp.net`,
        // The channel the fire went out on (captured with the message).
        accountId: message.callback?.data ?? '',
        fromMe: true,
        timestamp: new Date(at).toISOString(),
        ...(state === 'failed' && { error: { statusCode: 400, message: message.failure?.title ?? 'message could not be delivered' } }),
      },
    ]),
  }),
};
