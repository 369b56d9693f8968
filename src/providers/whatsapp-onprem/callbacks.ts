/**
 * WhatsApp On-Premises webhook payloads, from Meta's On-Premises webhooks reference: message statuses
 * (`{"statuses":[…]}`, no Cloud-API `entry/changes` envelope), inbound messages (`{"messages":[…]}`) and
 * system error notifications (`{"errors":[…]}`). The adapter reads statuses with these schemas; the
 * simulator's callback sender can render them from the same shapes.
 * @module
 */
import { z } from 'zod';
import type { CallbackDefinition } from '../define.js';
import { type OnPremState, wantsStatus, webhookUrlOf } from './state.js';

/** One error on a failed status, e.g. `{"code":1026,"title":"Receiver Incapable","href":"…"}`. */
export const statusErrorSchema = z.looseObject({
  code: z.union([z.int(), z.string()]),
  title: z.string().optional(),
  details: z.string().optional(),
  href: z.string().optional(),
});

/** One entry of `statuses[]`; `conversation` and `pricing` pass through unread. */
export const webhookStatusSchema = z.looseObject({
  id: z.string().min(1),
  // Docs: sent, delivered, read, failed, deleted.
  status: z.string(),
  // Docs: a string of Unix seconds.
  // assumption: a number is read the same way, as some Webapp versions and relays send one.
  timestamp: z.union([z.string(), z.number()]),
  recipient_id: z.string().optional(),
  errors: z.array(statusErrorSchema).optional(),
  // On a failed status (Meta's 1026 example): the kind of object that failed and its recipient as E.164.
  type: z.string().optional(),
  message: z.looseObject({ recipient_id: z.string().optional() }).optional(),
});
export type WebhookStatus = z.infer<typeof webhookStatusSchema>;

/** The envelope of a status webhook; entries are parsed one by one so one odd entry spoils none of the rest. */
export const statusWebhookSchema = z.looseObject({ statuses: z.array(z.unknown()) });

/** On-Prem posts `{"statuses":[…]}` to the URL set with PATCH /v1/settings/application. */
export const whatsappOnpremCallbacks: CallbackDefinition = {
  target: { setting: 'webhooks.url, set with PATCH /v1/settings/application' },
  method: 'POST',
  summary: 'Message status webhook: {"statuses":[{id,status,timestamp,recipient_id,errors?}]}',
  body: z.object({ statuses: z.array(webhookStatusSchema) }),
  // The Coreapp retries anything but 200 for about 24 hours; the simulator keeps that short and bounded.
  // assumption: 5 attempts in all, the waits doubling (0.25 s, 0.5 s, 1 s, 2 s at speed 1), stand in for Meta's
  // undocumented schedule.
  delivery: { attempts: 5, timeoutMs: 10_000 },
  states: ['sent', 'delivered', 'read', 'failed'],
  settingUrl: (state: OnPremState) => webhookUrlOf(state),
  // `sent` goes out only when switched on (sent_status or webhooks.message.sent);
  // delivered and read unless switched off.
  reports: (state: OnPremState, event) =>
    event.state === 'verified' || event.state === 'unverified' ? false : wantsStatus(state, event.state),
  render: ({ state, at, message }) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: {
      statuses: [
        {
          id: message.providerMessageId ?? '',
          recipient_id: message.to,
          status: state,
          timestamp: String(Math.floor(at / 1000)),
          // Meta's failed-status example (1026 Receiver Incapable) adds `type` and `message.recipient_id` (E.164, +).
          ...(state === 'failed' && {
            type: 'message',
            message: { recipient_id: `+${message.to}` },
            errors: [
              {
                code: Number(message.failure?.code ?? 1026) || 1026,
                title: message.failure?.title ?? 'Receiver Incapable',
                href: 'https://developers.facebook.com/docs/whatsapp/api/errors/',
              },
            ],
          }),
        },
      ],
    },
  }),
};
