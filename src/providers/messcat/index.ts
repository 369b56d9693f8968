/**
 * Messcat (ChatDaddy's bots service): `POST /bots/{id}/fire` starts a message flow holding an approved
 * Authentication template; the caller's own OTP goes in `parameters.verificationCode`. Messcat neither
 * generates nor checks codes. Docs: https://help.chatdaddy.tech/article/send-otp-through-chatdaddy-api
 * (the seed's "Send OTP through Messcat API"), types from https://github.com/chatdaddy/typescript-client.
 * @module
 */
import { z } from 'zod';
import { defineEndpoint, defineProvider } from '../define.js';
import { messcatAdapter } from './adapter.js';
import { renderFlow } from './flow.js';
import { type ActionFireRecord, type MesscatCredential, actionFireRecordSchema, credentialSchema, errorSchema, fireRequestSchema, optionsSchema } from './schema.js';
import { MISSING_AUTHENTICATION, MISSING_SCOPES, NO_STARTING_ACTION, TEXTS, authenticate, reject } from './simulate.js';
import { messcatCallbacks } from './callbacks.js';

export interface MesscatState {
  /** Next `ActionFireRecord.id`: seeded, then increasing. */
  nextRecordId: number;
  /** The channel a fire without `accountId` is sent from. */
  defaultAccountId: string;
  /** Starting action id per bot, made on its first fire so repeated fires agree. */
  startingActions: Map<string, string>;
  botsWithoutStartingAction: ReadonlySet<string>;
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

const fireBot = defineEndpoint<MesscatState, MesscatCredential>()({
  operationId: 'botsFire',
  summary: 'Initiates a bot sequence. Fires the starting action ID',
  method: 'POST',
  path: '/bots/:id/fire',
  kind: 'send',
  security: ['bearerAuth'],
  body: fireRequestSchema,
  authenticate: (req, ctx) => authenticate(req, ctx.now(), ctx.credentials),
  recipient: (body) => body.toContact,
  // Pinned `templates` are bot ids: an unknown one answers 404 "bot not found".
  template: (_, req) => req.params.id,
  handle({ body, req, state, ids, now, outcome, capture, reject }) {
    const botId = req.params.id!;
    if (state.botsWithoutStartingAction.has(botId)) return reject('invalid_request', { message: NO_STARTING_ACTION });
    const flow = renderFlow(body.parameters);
    if (!flow.ok) return reject('invalid_request', flow.reason);

    let actionId = state.startingActions.get(botId);
    if (!actionId) {
      // assumption: action ids look like `act_<12 alphanumerics>`; the SDK only types them as strings.
      actionId = `act_${ids.alphanumeric(12)}`;
      state.startingActions.set(botId, actionId);
    }
    // assumption: the message id is WhatsApp Web style (3EB0 + 16 hex), or messageSendOptions.messageId when given.
    // assumption: messageSendOptions.scheduleAt is accepted but the message is captured at once.
    const messageId = body.messageSendOptions?.messageId ?? `3EB0${ids.hex(16).toUpperCase()}`;
    capture({
      to: body.toContact,
      code: flow.code,
      text: flow.text,
      template: botId,
      providerMessageId: messageId,
      // assumption: a number without WhatsApp is still accepted as `pending`; only the message later fails.
      ...(outcome === 'not_on_whatsapp' && { failure: { code: 404, title: 'contact not on WhatsApp', details: `${body.toContact} has no WhatsApp account` } }),
    });
    const record: ActionFireRecord = {
      id: state.nextRecordId++,
      actionId,
      botId,
      // The fire is asynchronous: the record is `pending`; delivery is reported by message-update events.
      status: 'pending',
      contactId: body.toContact,
      accountId: body.accountId ?? state.defaultAccountId,
      inputParameters: body.parameters ?? {},
      createdAt: new Date(now()).toISOString(),
      // assumption: the OTP flow is a single message action, so it is both the start and the end.
      isStart: true,
      isFinal: true,
      messages: [{ statusCode: 200, body: { id: messageId, status: 'pending' } }],
    };
    return { status: 200, body: record };
  },
  // The seed article's example request, with its missing comma fixed.
  sample: (to) => ({
    path: '/bots/bot_8d3b30d69965baf7/fire',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${DEMO_TOKEN}` },
    body: { accountId: 'acc_36dce712-a9eb-4275-96_ca8s', toContact: to, parameters: { verificationCode: '123456' } },
  }),
  responses: {
    200: { description: 'Bot fired: the starting action is queued (`status: "pending"`)', schema: actionFireRecordSchema, example: SEED_RECORD },
    400: errorResponse(
      'Validation error (Ajv wording), a bot without a starting action, a fire without parameters.verificationCode, or a blocked contact',
      400,
      'Bad Request',
      "request/body must have required property 'toContact'",
    ),
    401: errorResponse('Missing, unknown or expired token', 401, 'Unauthorized', MISSING_AUTHENTICATION),
    402: errorResponse('No message credits left', 402, 'Payment Required', TEXTS.noCredits),
    403: errorResponse('Token has neither MESSAGES_SEND_TO_ALL nor MESSAGES_SEND_TO_ASSIGNED', 403, 'Forbidden', MISSING_SCOPES),
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
  },
});

export const messcat = defineProvider<MesscatState, MesscatCredential>({
  id: 'messcat',
  name: 'Messcat',
  docs: 'https://help.chatdaddy.tech/article/send-otp-through-chatdaddy-api',
  securitySchemes: {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      description:
        'API token `apit_…` (Developer → API Token; never expires) or a 1-hour JWT access token; needs MESSAGES_SEND_TO_ALL or MESSAGES_SEND_TO_ASSIGNED',
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
    };
  },
  reject,
  errorSchema,
  endpoints: [fireBot],
  failoverRank: 4,
  adapter: messcatAdapter,
  callbacks: messcatCallbacks,
});
