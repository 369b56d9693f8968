/**
 * Messcat (ChatDaddy) bots-service shapes: `BotsFireRequest`, `ActionFireRecord` and the Boom error body,
 * after the help article and the official SDK (chatdaddy/typescript-client, `src/OpenAPI/bots/api.ts`).
 * Validation messages use Ajv's words, as the service's OpenAPI validator reports them.
 * @module
 */
import { z } from 'zod';

/** The scopes that allow `POST /bots/{id}/fire`; either one is enough. */
export const SEND_SCOPES = ['MESSAGES_SEND_TO_ALL', 'MESSAGES_SEND_TO_ASSIGNED'] as const;
/** The scope the events service's `/subscriptions` operations ask for (SDK `src/OpenAPI/events/api.ts`). */
export const HOOK_SCOPES = ['CHATDADDY_HOOK'] as const;
export type Scope = (typeof SEND_SCOPES)[number] | (typeof HOOK_SCOPES)[number];

const string = () => z.string({ error: 'must be string' });
const boolean = () => z.boolean({ error: 'must be boolean' });

// assumption: toContact must be a phone number with its country code as digits (ChatDaddy types it only as a
// string): a `+`, spaces or a national 0-prefixed number would create a contact WhatsApp cannot reach.
export const TO_CONTACT_PATTERN = '^[1-9][0-9]{6,14}$';

export const messageSendOptionsSchema = z.looseObject(
  {
    messageId: string().optional(),
    simulateTyping: boolean().optional(),
    requireOpenAccount: boolean().optional(),
    cancelIfReplyReceived: boolean().optional(),
    scheduleAt: string()
      .pipe(z.iso.datetime({ offset: true, error: 'must match format "date-time"' }))
      .optional(),
    includeMarketingMessage: boolean().optional(),
    quoted: z.object({ chatId: string(), id: string() }, { error: 'must be object' }).optional(),
  },
  { error: 'must be object' },
);

const contact = () => string().regex(new RegExp(TO_CONTACT_PATTERN), `must match pattern "${TO_CONTACT_PATTERN}"`);
// Optional in the SDK's BotsFireRequest, BotsBulkFireRequest and Recipient alike.
const parameters = () => z.record(z.string(), z.unknown(), { error: 'must be object' }).optional();

export const fireRequestSchema = z.object(
  {
    accountId: string().optional(),
    toContact: contact(),
    messageSendOptions: messageSendOptionsSchema.optional(),
    parameters: parameters(),
  },
  { error: 'must be object' },
);
export type FireRequest = z.infer<typeof fireRequestSchema>;

// assumption: one bulk fire takes at most 1000 recipients (the SDK states no limit; the body cap is 1 MB anyway).
export const MAX_RECIPIENTS = 1000;

/** `POST /bots/{id}/bulk-fire`: the SDK's BotsBulkFireRequest, recipients being its `Recipient`. */
export const bulkFireRequestSchema = z.object(
  {
    accountId: string().optional(),
    recipients: z
      .array(
        z.object(
          {
            id: contact(),
            accountId: string().optional(),
            parameters: parameters(),
            sendOptions: messageSendOptionsSchema.optional(),
          },
          { error: 'must be object' },
        ),
        { error: 'must be array' },
      )
      .min(1, 'must NOT have fewer than 1 items')
      .max(MAX_RECIPIENTS, `must NOT have more than ${MAX_RECIPIENTS} items`),
    parameters: parameters(),
    messageSendOptions: messageSendOptionsSchema.optional(),
  },
  { error: 'must be object' },
);
export type BulkFireRequest = z.infer<typeof bulkFireRequestSchema>;

/** One result of a service the action called (the messaging service for `messages`). */
export const serviceResponseSchema = z.object({
  statusCode: z.number().int(),
  body: z.record(z.string(), z.unknown()).optional(),
});

export const actionFireRecordSchema = z.object({
  id: z.number().int(),
  actionId: z.string(),
  botId: z.string(),
  status: z.enum(['pending', 'sent', 'failed', 'cancelled']),
  contactId: z.string(),
  inputParameters: z.record(z.string(), z.unknown()),
  accountId: z.string(),
  createdAt: z.iso.datetime(),
  isStart: z.boolean(),
  isFinal: z.boolean(),
  messages: z.array(serviceResponseSchema),
});
export type ActionFireRecord = z.infer<typeof actionFireRecordSchema>;

/** 200 of a bulk fire: the SDK's BotsBulkFire200Response. */
export const bulkFireReplySchema = z.object({ records: z.array(actionFireRecordSchema) });

/** `@hapi/boom` output, as the auth service's published 400 schema shows it. */
export const errorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type BoomError = z.infer<typeof errorSchema>;

/**
 * `{"token": "apit_…", "scopes": ["MESSAGES_SEND_TO_ALL"]}`: a pinned API token and the scopes it was created with.
 * A `Bearer ` prefix on the token is tolerated: the seed article shows the token with it.
 */
export const credentialSchema = z.strictObject({
  token: z.string().min(1),
  // assumption: a pinned token without `scopes` has MESSAGES_SEND_TO_ALL, the scope the article tells users to pick,
  // and CHATDADDY_HOOK, so the same token can subscribe its webhook.
  scopes: z.array(z.string().min(1)).optional(),
});
export type MesscatCredential = z.infer<typeof credentialSchema>;

/** `providers.messcat.options` in the config file. */
// assumption: "400 if the bot has no starting action" applies only to bots listed here; by default every bot has one.
export const optionsSchema = z.strictObject({
  /** Bot ids whose flow has no starting action: firing them answers 400 "bot has no starting action". */
  botsWithoutStartingAction: z.array(z.string().min(1)).optional(),
  /** Where `message-update` events are posted when no subscription was made with POST /subscriptions. */
  // assumption: a standing subscription to message-update for every account, for apps that do not subscribe themselves.
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
});

// Delivery callbacks: the events service's `message-update` webhook (see callbacks.ts).

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
