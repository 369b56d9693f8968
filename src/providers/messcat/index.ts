/**
 * Messcat (ChatDaddy's bots service): `POST /bots/{id}/fire` starts a message flow holding an approved
 * Authentication template; the caller's own OTP goes in `parameters.verificationCode`. Messcat neither
 * generates nor checks codes. Docs: https://help.chatdaddy.tech/article/send-otp-through-chatdaddy-api
 * (the seed's "Send OTP through Messcat API"), types from https://github.com/chatdaddy/typescript-client.
 * Paths: the seed's `/bots/{id}/fire` (host api-bots.…) and the current SDK's `/bots/bots/{id}/fire` (base
 * `https://api.chatdaddy.tech/bots`), each with its `bulk-fire`; the events service's `/subscriptions`.
 * @module
 */
import { z } from 'zod';
import { defineEndpoint, defineProvider, type HandleContext, type ResponseSpec } from '../define.js';
import { messcatAdapter } from './adapter.js';
import { messcatCallbacks } from './callbacks.js';
import { FLOW_TEXT, renderFlow } from './flow.js';
import {
  type ActionFireRecord,
  actionFireRecordSchema,
  type BulkFireRequest,
  bulkFireReplySchema,
  bulkFireRequestSchema,
  credentialSchema,
  errorSchema,
  type FireRequest,
  fireRequestSchema,
  type MesscatCredential,
  optionsSchema,
} from './schema.js';
import {
  authenticate,
  MISSING_AUTHENTICATION,
  MISSING_SCOPES,
  NO_STARTING_ACTION,
  notFound,
  reject,
  TEXTS,
} from './simulate.js';
import { type SubscriptionState, subscriptionEndpoints } from './subscriptions.js';

export interface MesscatState {
  /** Next `ActionFireRecord.id`: seeded, then increasing. */
  nextRecordId: number;
  /** The channel a fire without `accountId` is sent from. */
  defaultAccountId: string;
  /** Starting action id per bot, made on its first fire so repeated fires agree. */
  startingActions: Map<string, string>;
  botsWithoutStartingAction: ReadonlySet<string>;
  /** The events service's webhook subscriptions (POST /subscriptions). */
  events: SubscriptionState;
}

/** The seed article's example API token; any `apit_…` token works without a config file. */
const DEMO_TOKEN = 'apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW';

const boomExample = (statusCode: number, error: string, message: string) => ({ statusCode, error, message });
const errorResponse = (description: string, statusCode: number, error: string, message: string) => ({
  description,
  schema: errorSchema,
  example: boomExample(statusCode, error, message),
});

const SEED_RECORD: ActionFireRecord = {
  id: 48213,
  actionId: 'act_Q2fK8mWz1xLp',
  botId: 'bot_8d3b30d69965baf7',
  status: 'pending',
  contactId: '918074906794',
  accountId: 'acc_36dce712-a9eb-4275-96_ca8s',
  inputParameters: { verificationCode: '123456' },
  createdAt: '2026-01-15T08:21:44.512Z',
  isStart: true,
  isFinal: true,
  messages: [{ statusCode: 200, body: { id: '3EB0A1C2D3E4F5A6B7C8', status: 'pending' } }],
};

/** Every error a fire or bulk fire can answer. */
const FIRE_ERRORS: Record<number, ResponseSpec> = {
  400: errorResponse(
    'Validation error (Ajv wording), a bot without a starting action, ' +
      'parameters without a usable verificationCode, or a blocked contact',
    400,
    'Bad Request',
    "request/body must have required property 'toContact'",
  ),
  401: errorResponse('Missing, unknown or expired token', 401, 'Unauthorized', MISSING_AUTHENTICATION),
  402: errorResponse('No message credits left', 402, 'Payment Required', TEXTS.noCredits),
  403: errorResponse(
    'Token has neither MESSAGES_SEND_TO_ALL nor MESSAGES_SEND_TO_ASSIGNED',
    403,
    'Forbidden',
    MISSING_SCOPES,
  ),
  404: errorResponse('No bot with this id', 404, 'Not Found', TEXTS.botNotFound),
  413: errorResponse('Body over 1 MB', 413, 'Request Entity Too Large', TEXTS.tooLarge),
  415: errorResponse('Body is not JSON', 415, 'Unsupported Media Type', 'unsupported media type text/plain'),
  429: {
    ...errorResponse('Too many requests', 429, 'Too Many Requests', 'Too Many Requests'),
    headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
  },
  500: errorResponse('Provider failure', 500, 'Internal Server Error', TEXTS.serverError),
  502: errorResponse('Upstream failure', 502, 'Bad Gateway', 'Bad Gateway'),
  503: errorResponse('Provider unavailable', 503, 'Service Unavailable', 'Service Unavailable'),
  504: errorResponse('Upstream timeout', 504, 'Gateway Timeout', 'Gateway Timeout'),
};

type MessageSendOptions = FireRequest['messageSendOptions'];

/** One contact a fire reaches: its number, channel, variables and send options. */
interface Target {
  toContact: string;
  accountId?: string;
  parameters?: Record<string, unknown>;
  sendOptions?: MessageSendOptions;
}

// assumption: a fire without `parameters` (optional in the SDK) is accepted as `pending`, but the flow's
// Authentication template has no code to send, so the message fails: message-update reports `error`.
const NO_CODE = {
  code: 400,
  title: 'template variable verificationCode has no value',
  details: 'the fire carried no parameters',
};

/** Fires the bot at one contact: captures the message and returns its ActionFireRecord. */
function fireAt(
  ctx: HandleContext<MesscatState, unknown>,
  botId: string,
  target: Target,
  outcome: HandleContext<MesscatState, unknown>['outcome'],
): ActionFireRecord {
  const { state, ids, now, capture } = ctx;
  let actionId = state.startingActions.get(botId);
  if (!actionId) {
    // assumption: action ids look like `act_<12 alphanumerics>`; the SDK only types them as strings.
    actionId = `act_${ids.alphanumeric(12)}`;
    state.startingActions.set(botId, actionId);
  }
  const accountId = target.accountId ?? state.defaultAccountId;
  // assumption: the message id is WhatsApp Web style (3EB0 + 16 hex), or messageSendOptions.messageId when given.
  // assumption: messageSendOptions.scheduleAt is accepted but the message is captured at once.
  const messageId = target.sendOptions?.messageId ?? `3EB0${ids.hex(16).toUpperCase()}`;
  const flow = target.parameters ? renderFlow(target.parameters) : undefined;
  capture({
    to: target.toContact,
    code: flow?.ok ? flow.code : '',
    text: flow?.ok ? flow.text : FLOW_TEXT.replace('{{name}} ', '').replace('{{verificationCode}}', ''),
    template: botId,
    providerMessageId: messageId,
    // The channel rides along for the message-update webhook, whose items carry `accountId`.
    callback: { data: accountId },
    ...(!flow && { failure: NO_CODE }),
    // assumption: a number without WhatsApp is still accepted as `pending`; only the message later fails.
    ...(outcome === 'not_on_whatsapp' && {
      failure: { code: 404, title: 'contact not on WhatsApp', details: `${target.toContact} has no WhatsApp account` },
    }),
  });
  return {
    id: state.nextRecordId++,
    actionId,
    botId,
    // The fire is asynchronous: the record is `pending`; delivery is reported by message-update events.
    status: 'pending',
    contactId: target.toContact,
    accountId,
    inputParameters: target.parameters ?? {},
    createdAt: new Date(now()).toISOString(),
    // assumption: the OTP flow is a single message action, so it is both the start and the end.
    isStart: true,
    isFinal: true,
    messages: [{ statusCode: 200, body: { id: messageId, status: 'pending' } }],
  };
}

/** The reason a target's parameters cannot fill the flow, with the field path prefixed; undefined when they can. */
function badParameters(target: Target, prefix: string) {
  if (!target.parameters) return undefined;
  const flow = renderFlow(target.parameters);
  if (flow.ok) return undefined;
  return { ...flow.reason, ...(flow.reason.field && { field: `${prefix}${flow.reason.field}` }) };
}

type AuthContext = { now(): number; credentials?: MesscatCredential[] };
const authenticateFire = (req: Parameters<typeof authenticate>[0], ctx: AuthContext) =>
  authenticate(req, ctx.now(), ctx.credentials);

/** A Target with its absent fields left out. */
function targetOf(
  toContact: string,
  accountId?: string,
  parameters?: Record<string, unknown>,
  sendOptions?: MessageSendOptions,
): Target {
  return {
    toContact,
    ...(accountId && { accountId }),
    ...(parameters && { parameters }),
    ...(sendOptions && { sendOptions }),
  };
}

const SAMPLE_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: `Bearer ${DEMO_TOKEN}`,
};

/** `POST {base}/bots/{id}/fire`: base '' is the seed's api-bots host, '/bots' the SDK's api.chatdaddy.tech/bots. */
function fireEndpoint(base: string, suffix: string) {
  return defineEndpoint<MesscatState, MesscatCredential>()({
    operationId: `botsFire${suffix}`,
    summary: 'Initiates a bot sequence. Fires the starting action ID',
    method: 'POST',
    path: `${base}/bots/:id/fire`,
    kind: 'send',
    security: ['bearerAuth'],
    body: fireRequestSchema,
    authenticate: authenticateFire,
    recipient: (body) => body.toContact,
    // Pinned `templates` are bot ids: an unknown one answers 404 "bot not found".
    template: (_, req) => req.params.id,
    handle(ctx) {
      const { body, req, state, outcome, reject } = ctx;
      const botId = req.params.id!;
      if (state.botsWithoutStartingAction.has(botId)) return reject('invalid_request', { message: NO_STARTING_ACTION });
      const target = targetOf(body.toContact, body.accountId, body.parameters, body.messageSendOptions);
      const bad = badParameters(target, '');
      if (bad) return reject('invalid_request', bad);
      return { status: 200, body: fireAt(ctx, botId, target, outcome) };
    },
    // The seed article's example request, with its missing comma fixed.
    sample: (to) => ({
      path: `${base}/bots/bot_8d3b30d69965baf7/fire`,
      headers: SAMPLE_HEADERS,
      body: { accountId: 'acc_36dce712-a9eb-4275-96_ca8s', toContact: to, parameters: { verificationCode: '123456' } },
    }),
    responses: {
      200: {
        description: 'Bot fired: the starting action is queued (`status: "pending"`)',
        schema: actionFireRecordSchema,
        example: SEED_RECORD,
      },
      ...FIRE_ERRORS,
    },
  });
}

/** `POST {base}/bots/{id}/bulk-fire`: the SDK's botsBulkFire, one record per recipient. */
function bulkFireEndpoint(base: string, suffix: string) {
  return defineEndpoint<MesscatState, MesscatCredential>()({
    operationId: `botsBulkFire${suffix}`,
    summary: 'Initiates a bot sequence onto 1 or more contacts',
    method: 'POST',
    path: `${base}/bots/:id/bulk-fire`,
    kind: 'send',
    security: ['bearerAuth'],
    body: bulkFireRequestSchema,
    authenticate: authenticateFire,
    // assumption: scenarios, the blocked list and quota look at the first recipient; the others are accepted.
    recipient: (body: BulkFireRequest) => body.recipients[0]?.id,
    template: (_, req) => req.params.id,
    handle(ctx) {
      const { body, req, state, outcome, reject } = ctx;
      const botId = req.params.id!;
      if (state.botsWithoutStartingAction.has(botId)) return reject('invalid_request', { message: NO_STARTING_ACTION });
      // assumption: a recipient's own accountId, parameters and sendOptions win over the request-wide ones.
      const targets = body.recipients.map((r) => {
        const parameters = body.parameters || r.parameters ? { ...body.parameters, ...r.parameters } : undefined;
        return targetOf(r.id, r.accountId ?? body.accountId, parameters, r.sendOptions ?? body.messageSendOptions);
      });
      for (const [i, target] of targets.entries()) {
        const bad = badParameters(target, `recipients.${i}.`);
        if (bad) return reject('invalid_request', bad);
      }
      const records = targets.map((target, i) => fireAt(ctx, botId, target, i === 0 ? outcome : 'accepted'));
      return { status: 200, body: { records } };
    },
    sample: (to) => ({
      path: `${base}/bots/bot_8d3b30d69965baf7/bulk-fire`,
      headers: SAMPLE_HEADERS,
      body: {
        accountId: 'acc_36dce712-a9eb-4275-96_ca8s',
        recipients: [{ id: to, parameters: { verificationCode: '123456' } }],
      },
    }),
    responses: {
      200: {
        description: 'One pending ActionFireRecord per recipient',
        schema: bulkFireReplySchema,
        example: { records: [SEED_RECORD] },
      },
      ...FIRE_ERRORS,
    },
  });
}

export const messcat = defineProvider<MesscatState, MesscatCredential>({
  id: 'messcat',
  name: 'Messcat',
  docs: 'https://help.chatdaddy.tech/article/send-otp-through-chatdaddy-api',
  securitySchemes: {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      description:
        'API token `apit_…` (Developer → API Token; never expires) or a 1-hour JWT access token; ' +
        'needs MESSAGES_SEND_TO_ALL or MESSAGES_SEND_TO_ASSIGNED',
    },
  },
  credential: credentialSchema,
  demoCredentials: { Authorization: `Bearer ${DEMO_TOKEN}` },
  createState({ ids, settings }) {
    const options = optionsSchema.safeParse(settings.options ?? {});
    if (!options.success) throw new Error(`providers.messcat.options: ${z.prettifyError(options.error)}`);
    return {
      // assumption: record ids start at a seeded five-digit number and go up by one per fire.
      nextRecordId: ids.int(10_000, 99_999),
      // assumption: a fire without accountId goes out on the team's one channel, a seeded `acc_<uuid>`.
      defaultAccountId: `acc_${ids.uuid()}`,
      startingActions: new Map(),
      botsWithoutStartingAction: new Set(options.data.botsWithoutStartingAction ?? []),
      // assumption: the team's user and owner ids are seeded UUIDs.
      events: { subscriptions: [], userId: ids.uuid(), ownerId: ids.uuid() },
    };
  },
  reject,
  errorSchema,
  endpoints: [
    fireEndpoint('', ''),
    fireEndpoint('/bots', 'Sdk'),
    bulkFireEndpoint('', ''),
    bulkFireEndpoint('/bots', 'Sdk'),
    ...subscriptionEndpoints<MesscatState>('', ''),
    ...subscriptionEndpoints<MesscatState>('/events', 'Events'),
  ],
  failoverRank: 4,
  adapter: messcatAdapter,
  callbacks: messcatCallbacks,
  // Unknown paths of the bots and events services get hapi's 404 in Boom's shape, not waotp's problem+json.
  notFound: { prefixes: ['/bots', '/events', '/subscriptions'], reply: notFound },
});
