/**
 * Botcake (a Pancake chatbot builder): an OTP is sent by triggering a saved flow that holds an approved
 * WhatsApp authentication template, with the code passed in `payload`. Botcake neither generates nor
 * checks codes, returns no message id and documents no delivery webhook.
 * Docs: https://docs.pancake.vn/english/whatsapp-api-guide/v.-using-whatsapp-api/send-otp-on-whatsapp-via-botcake-api
 * and https://docs.botcake.io/v/english/api-reference
 * @module
 */
import { authenticationText } from '../auth-template.js';
import type { CapturedMessage } from '../define.js';
import { defineEndpoint, defineProvider } from '../define.js';
import { botcakeAdapter } from './adapter.js';
import {
  type BotcakeCredential,
  credentialSchema,
  errorSchema,
  type SendFlow,
  sendFlowSchema,
  sentSchema,
  WHATSAPP_PSID,
} from './schema.js';
import { authenticate, INVALID_TOKEN, PARAMS_WRONG, reject } from './simulate.js';

type State = Record<string, never>;

/** The fact sheet's example page token (an HS256 JWT naming the page). */
const DEMO_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IndhYmFfMTAyOTM4NDc1NjEwMjkzOCJ9.sig';

const errorResponse = (description: string, message: string) => ({
  description,
  schema: errorSchema,
  example: { success: false, message },
});

/** E.164 digits of a WhatsApp psid; a page-scoped (Messenger) psid stands for itself. */
export function recipientOf(body: SendFlow): string {
  // assumption: a non-wa_ psid has no phone number, so the inbox files the message under the psid's digits.
  return WHATSAPP_PSID.exec(body.psid)?.[1] ?? body.psid;
}

/** The value the flow maps into the template: `payload.code`, else the first string or number in `payload`. */
export function codeOf(payload: SendFlow['payload']): string | undefined {
  const usable = (value: unknown) =>
    (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value));
  if (!payload) return undefined;
  if (usable(payload.code)) return String(payload.code);
  const first = Object.values(payload).find(usable);
  return first === undefined ? undefined : String(first);
}

const sendFlow = defineEndpoint<State, BotcakeCredential>()({
  operationId: 'sendFlow',
  summary: 'Trigger a flow for one customer (a WhatsApp authentication template carrying the OTP in payload)',
  method: 'POST',
  path: '/api/public_api/v1/pages/:page_id/flows/send_flow',
  kind: 'send',
  security: ['accessToken'],
  body: sendFlowSchema,
  authenticate: (req, ctx) => authenticate(req, ctx.credentials),
  recipient: recipientOf,
  template: (body) => String(body.flow_id),
  handle({ body, req, outcome, capture, reject }) {
    const whatsappPage = req.params.page_id!.startsWith('waba_');
    if (whatsappPage !== WHATSAPP_PSID.test(body.psid)) {
      // assumption: a psid of the other channel (wa_ on a Facebook page, numeric on waba_) is an unknown customer: 400.
      return reject('invalid_request', {
        problem: 'invalid_field',
        field: 'psid',
        message: 'psid does not belong to a customer of this page',
      });
    }
    const code = codeOf(body.payload);
    const message: CapturedMessage = {
      to: recipientOf(body),
      code: code ?? '',
      // The flow sends the WhatsApp authentication template, whose body Meta fixes.
      // assumption: a Messenger page's flow is shown with the same English words.
      text: authenticationText(code ?? '', 'en'),
      template: String(body.flow_id),
      language: 'en',
    };
    if (code === undefined) {
      // assumption: Botcake triggers the flow anyway; WhatsApp then drops the template for its empty parameter.
      message.failure = {
        code: 131008,
        title: 'Required parameter is missing',
        details: 'payload holds no value for the template parameter',
      };
    } else if (outcome === 'not_on_whatsapp') {
      // Botcake still answers success: it never reports delivery, the failure only shows in the inbox.
      message.failure = { code: 131026, title: 'Message undeliverable', details: 'the recipient is not on WhatsApp' };
    }
    capture(message);
    return { status: 200, body: { success: true } };
  },
  sample: (to) => ({
    path: '/api/public_api/v1/pages/waba_1029384756102938/flows/send_flow',
    headers: { 'access-token': DEMO_TOKEN, 'content-type': 'application/json' },
    body: { psid: `wa_${to}`, flow_id: 7731, payload: { code: '482913' } },
  }),
  responses: {
    200: {
      description: 'Flow triggered; says nothing about delivery and carries no message id',
      schema: sentSchema,
      example: { success: true },
    },
    400: errorResponse(
      'Any wrong parameter: psid, flow_id, payload, page id, an unknown flow or a token in the query string',
      PARAMS_WRONG,
    ),
    401: errorResponse('Missing token, or a token not issued for this page', INVALID_TOKEN),
    402: errorResponse('Page credit used up', 'your page has run out of credit'),
    403: errorResponse('The customer blocked the page', 'customer has blocked this page'),
    413: errorResponse('Body over 1 MB', 'request entity too large'),
    429: {
      ...errorResponse('Too many requests (none documented; injected only)', 'too many requests'),
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    },
    500: errorResponse('Provider failure', 'internal server error'),
    503: errorResponse('Provider unavailable', 'service unavailable'),
  },
});

export const botcake = defineProvider<State, BotcakeCredential>({
  id: 'botcake',
  name: 'Botcake',
  docs: 'https://docs.pancake.vn/english/whatsapp-api-guide/v.-using-whatsapp-api/send-otp-on-whatsapp-via-botcake-api',
  securitySchemes: {
    accessToken: {
      type: 'apiKey',
      in: 'header',
      name: 'access-token',
      description: 'Page token from Settings → Integration → Public API; not Authorization: Bearer, not ?access_token=',
    },
  },
  credential: credentialSchema,
  demoCredentials: { 'access-token': DEMO_TOKEN, page_id: 'waba_1029384756102938' },
  createState: () => ({}),
  reject,
  errorSchema,
  endpoints: [sendFlow],
  failoverRank: 5,
  adapter: botcakeAdapter,
});
