/**
 * ChatDaddy's events service, as far as webhooks need it: `POST /subscriptions` registers a webhook for some
 * events, `GET /subscriptions` lists them, `DELETE /subscriptions/{id}` removes one. Served at `/subscriptions`
 * (the old `api-events` host) and `/events/subscriptions` (the SDK's base `https://api.chatdaddy.tech/events`).
 * Types: the SDK's `src/OpenAPI/events/api.ts` (PostEventSubscription, EventSubscription,
 * SubscriptionsGet200Response, SubscriptionsDelete200Response); scope CHATDADDY_HOOK.
 * @module
 */
import { z } from 'zod';
import { defineEndpoint, type EndpointDefinition, type ResponseSpec } from '../define.js';
import { errorSchema, HOOK_SCOPES, type MesscatCredential } from './schema.js';
import { authenticate } from './simulate.js';

const string = () => z.string({ error: 'must be string' });

/** The SDK's PostEventSubscription. */
export const postSubscriptionSchema = z.object(
  {
    enabled: z.boolean({ error: 'must be boolean' }),
    events: z.array(string(), { error: 'must be array' }).optional(),
    accounts: z.array(string(), { error: 'must be array' }).optional(),
    schema: z.record(z.string(), z.unknown(), { error: 'must be object' }).nullable().optional(),
    url: string().pipe(z.url({ protocol: /^https?$/, error: 'must match format "uri"' })),
  },
  { error: 'must be object' },
);
export type PostSubscription = z.infer<typeof postSubscriptionSchema>;

/** The SDK's EventSubscription. */
export const subscriptionSchema = z.object({
  id: z.string(),
  enabled: z.boolean(),
  ownerId: z.string().optional(),
  userId: z.string(),
  createdAt: z.string().optional(),
  events: z.array(z.string()),
  accounts: z.array(z.string()).optional(),
  schema: z.record(z.string(), z.unknown()).nullable().optional(),
  type: z.enum(['webhook', 'websocket']),
  url: z.string().optional(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const subscriptionListSchema = z.object({ subscriptions: z.array(subscriptionSchema) });
export const deletedSchema = z.object({ success: z.boolean().optional() });

/** What the events service keeps for one team. */
export interface SubscriptionState {
  subscriptions: Subscription[];
  /** The team's user and owner ids, seeded: they appear in every subscription. */
  userId: string;
  ownerId: string;
}

// assumption: a team keeps at most 50 subscriptions (undocumented); one more is refused with 400.
export const MAX_SUBSCRIPTIONS = 50;
export const SUBSCRIPTION_NOT_FOUND = 'subscription not found';
export const TOO_MANY_SUBSCRIPTIONS = `a team can have at most ${MAX_SUBSCRIPTIONS} subscriptions`;

/**
 * The webhook URL `message-update` events of `accountId` go to: the newest enabled webhook subscription to
 * that event (or to every event) and to that account (or to every account).
 * @example
 * webhookFor(state, 'acc_1'); // 'https://app.example.com/hooks/messcat'
 */
export function webhookFor(state: SubscriptionState, accountId?: string): string | undefined {
  for (let i = state.subscriptions.length - 1; i >= 0; i--) {
    const sub = state.subscriptions[i]!;
    if (!sub.enabled || sub.type !== 'webhook' || !sub.url) continue;
    // assumption: a subscription without `events` receives every event, one without `accounts` every account.
    if (sub.events.length > 0 && !sub.events.includes('message-update')) continue;
    if (accountId !== undefined && sub.accounts?.length && !sub.accounts.includes(accountId)) continue;
    return sub.url;
  }
  return undefined;
}

const DEMO_TOKEN = 'apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW';
const MISSING_URL = "request/body must have required property 'url'";

const boom = (description: string, statusCode: number, error: string, message: string): ResponseSpec => ({
  description,
  schema: errorSchema,
  example: { statusCode, error, message },
});

const authErrors = {
  401: boom('Missing, unknown or expired token', 401, 'Unauthorized', 'Missing authentication'),
  403: boom('Token without CHATDADDY_HOOK', 403, 'Forbidden', 'missing scopes: CHATDADDY_HOOK'),
};

const EXAMPLE: Subscription = {
  id: '5b1f6c2e-8a9d-4e3f-b7a1-0c2d4e6f8a10',
  enabled: true,
  ownerId: '0f3e9d1c-7b5a-4c2e-9d8f-1a2b3c4d5e6f',
  userId: '7c8d9e0f-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  createdAt: '2026-01-15T08:21:44.512Z',
  events: ['message-update'],
  type: 'webhook',
  url: 'https://app.example.com/hooks/messcat',
};

type AuthContext = { now(): number; credentials?: MesscatCredential[] };
const auth = (req: Parameters<EndpointDefinition['authenticate']>[0], ctx: AuthContext) =>
  authenticate(req, ctx.now(), ctx.credentials, HOOK_SCOPES);

/** The three operations, served at `base` ('' or '/events'), with operation ids made unique by `suffix`. */
export function subscriptionEndpoints<State extends { events: SubscriptionState }>(base: string, suffix: string) {
  const endpoint = defineEndpoint<State, MesscatCredential>();
  const create = endpoint({
    operationId: `subscriptionsPost${suffix}`,
    summary: 'Create a webhook subscription (events service)',
    method: 'POST',
    path: `${base}/subscriptions`,
    kind: 'account',
    security: ['bearerAuth'],
    body: postSubscriptionSchema,
    authenticate: auth,
    handle({ body, state, ids, now, reject }) {
      const { events } = state;
      if (events.subscriptions.length >= MAX_SUBSCRIPTIONS) {
        return reject('invalid_request', { message: TOO_MANY_SUBSCRIPTIONS });
      }
      const subscription: Subscription = {
        id: ids.uuid(),
        enabled: body.enabled,
        ownerId: events.ownerId,
        userId: events.userId,
        createdAt: new Date(now()).toISOString(),
        events: body.events ?? [],
        ...(body.accounts && { accounts: body.accounts }),
        ...(body.schema !== undefined && { schema: body.schema }),
        type: 'webhook',
        url: body.url,
      };
      events.subscriptions.push(subscription);
      // assumption: creation answers 200 with the EventSubscription (the SDK types only that reply).
      return { status: 200, body: subscription };
    },
    sample: () => ({
      path: `${base}/subscriptions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_TOKEN}` },
      body: { enabled: true, events: ['message-update'], url: 'https://app.example.com/hooks/messcat' },
    }),
    responses: {
      200: { description: 'The subscription, enabled or not', schema: subscriptionSchema, example: EXAMPLE },
      400: boom('Validation error (Ajv wording), or too many subscriptions', 400, 'Bad Request', MISSING_URL),
      ...authErrors,
    },
  });
  const list = endpoint({
    operationId: `subscriptionsGet${suffix}`,
    summary: 'List webhook subscriptions (events service)',
    method: 'GET',
    path: `${base}/subscriptions`,
    kind: 'account',
    security: ['bearerAuth'],
    authenticate: auth,
    handle({ req, state }) {
      const type = req.query('type');
      const accountId = req.query('accountId');
      const subscriptions = state.events.subscriptions.filter(
        (sub) =>
          (!type || sub.type === type) && (!accountId || !sub.accounts?.length || sub.accounts.includes(accountId)),
      );
      return { status: 200, body: { subscriptions } };
    },
    responses: {
      200: {
        description: 'Every subscription of the team, filtered by `type` and `accountId`',
        schema: subscriptionListSchema,
        example: { subscriptions: [EXAMPLE] },
      },
      ...authErrors,
    },
  });
  const remove = endpoint({
    operationId: `subscriptionsDelete${suffix}`,
    summary: 'Delete a webhook subscription (events service)',
    method: 'DELETE',
    path: `${base}/subscriptions/:id`,
    kind: 'account',
    security: ['bearerAuth'],
    authenticate: auth,
    handle({ req, state }) {
      const index = state.events.subscriptions.findIndex((sub) => sub.id === req.params.id);
      // assumption: an unknown id answers Boom's 404 "subscription not found".
      if (index < 0) {
        return { status: 404, body: { statusCode: 404, error: 'Not Found', message: SUBSCRIPTION_NOT_FOUND } };
      }
      state.events.subscriptions.splice(index, 1);
      return { status: 200, body: { success: true } };
    },
    responses: {
      200: { description: 'Removed', schema: deletedSchema, example: { success: true } },
      404: boom('No subscription with this id', 404, 'Not Found', SUBSCRIPTION_NOT_FOUND),
      ...authErrors,
    },
  });
  return [create, list, remove] as const;
}
