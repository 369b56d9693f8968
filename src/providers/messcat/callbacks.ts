/**
 * Messcat's delivery callbacks: ChatDaddy event subscriptions post `{"event":"message-update","data":[…]}`
 * to the subscribed URL (events service `POST /subscriptions`, types in the SDK's `src/OpenAPI/events/api.ts`
 * and `src/OpenAPI/im/api.ts`). No fire request carries a callback URL, and no signature header is documented.
 * @module
 */
import { z } from 'zod';
import type { CallbackDefinition } from '../define.js';
import { type MessageStatus, messageUpdate, messageUpdateItemSchema } from './schema.js';
import { type SubscriptionState, webhookFor } from './subscriptions.js';

const MESSCAT_STATUS: Record<string, MessageStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'error',
};

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
        ...(state === 'failed' && {
          error: { statusCode: 400, message: message.failure?.title ?? 'message could not be delivered' },
        }),
      },
    ]),
  }),
};
