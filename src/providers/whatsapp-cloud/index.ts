/**
 * WhatsApp Cloud API (Meta-hosted, Graph API): an authentication template whose body and `url` button both
 * carry the OTP, sent to `POST /{version}/{phone-number-id}/messages` with a Bearer token. Errors come in
 * Graph's envelope with Meta's HTTP mapping (throttling is 400, never 429); a number not on WhatsApp is accepted
 * and fails later on the webhook (131026). Webhooks are verified by a GET handshake and signed with the app secret.
 * Docs: https://developers.facebook.com/docs/whatsapp/cloud-api (messages; error codes:
 * https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes; webhooks:
 * https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components)
 * @module
 */
import { authenticationText } from '../auth-template.js';
import { defineEndpoint, defineProvider, type ResponseSpec } from '../define.js';
import { whatsappCloudAdapter } from './adapter.js';
import { type CloudState, DEMO_STATE, whatsappCloudCallbacks } from './callbacks.js';
import { DEMO } from './demo.js';
import {
  type CloudCredential,
  credentialSchema,
  errorSchema,
  optionsSchema,
  RECIPIENT,
  type SendMessage,
  sendMessageSchema,
  sentSchema,
} from './schema.js';
import { authenticate, type graphError, reject } from './simulate.js';

const example = (reply: ReturnType<typeof graphError>) => reply.body;
const errorResponse = (description: string, reply: ReturnType<typeof graphError>): ResponseSpec => ({
  description,
  schema: errorSchema,
  example: example(reply),
});

/** Recipient digits: `to` without its optional `+`. */
export function recipientOf(body: SendMessage): string {
  return RECIPIENT.exec(body.to)![1]!;
}

/**
 * A WhatsApp message id as Meta writes it: `wamid.` + base64 of the recipient and a random 18-hex-digit id.
 * @example
 * messageId('6281234567890', '7A3C4F65AF8B9C17D9'); // 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjdBM0M0RjY1QUY4QjlDMTdEOQA='
 */
export function messageId(to: string, hex: string): string {
  const bytes = Buffer.concat([
    Buffer.from([0x1c, 0x18, to.length]),
    Buffer.from(to),
    Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]),
    Buffer.from(hex),
    Buffer.from([0x00]),
  ]);
  return `wamid.${bytes.toString('base64')}`;
}

const sendMessage = defineEndpoint<CloudState, CloudCredential>()({
  operationId: 'sendMessage',
  summary: 'Send an authentication template (copy code, one-tap or zero-tap: the same payload)',
  method: 'POST',
  // Any Graph version: clients in use send v18.0 to v24.0.
  path: '/:version{v\\d+\\.\\d+}/:phone_number_id/messages',
  kind: 'send',
  security: ['bearer'],
  body: sendMessageSchema,
  authenticate,
  recipient: recipientOf,
  template: (body) => body.template.name,
  handle({ body, req, ids, outcome, capture }) {
    const to = recipientOf(body);
    const code = body.template.components.find((c) => c.type === 'body')!.parameters![0]!.text;
    const id = messageId(to, ids.hex(18).toUpperCase());
    capture({
      to,
      code,
      text: authenticationText(code, body.template.language.code),
      template: body.template.name,
      language: body.template.language.code,
      providerMessageId: id,
      // The webhook names the number that sent it (metadata.phone_number_id).
      callback: { data: req.params.phone_number_id! },
      // Docs: 131026 (not on WhatsApp, old client, terms not accepted) mostly arrives on the webhook, after a 200.
      ...(outcome === 'not_on_whatsapp' && {
        failure: { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' },
      }),
    });
    // assumption: `message_status` is always "accepted" (template pacing is not simulated).
    return {
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: body.to, wa_id: to }],
        messages: [{ id, message_status: 'accepted' }],
      },
    };
  },
  sample: (to) => ({
    path: `/${DEMO.version}/${DEMO.phoneNumberId}/messages`,
    headers: { authorization: `Bearer ${DEMO.token}`, 'content-type': 'application/json' },
    body: {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      template: {
        name: DEMO.templateName,
        language: { code: 'en' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '482913' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '482913' }] },
        ],
      },
    },
  }),
  responses: {
    200: {
      description: 'Accepted. A number not on WhatsApp (131026) fails later, as a failed status on the webhook',
      schema: sentSchema,
      example: {
        messaging_product: 'whatsapp',
        contacts: [{ input: '6281234567890', wa_id: '6281234567890' }],
        messages: [{ id: messageId('6281234567890', '7A3C4F65AF8B9C17D9'), message_status: 'accepted' }],
      },
    },
    400: {
      ...errorResponse(
        'Invalid parameter (100; 100/33 for an unknown phone-number id), missing (131008) or invalid (131009) value, ' +
          'payment issue (131042), recipient not allowed (131030), and throttling (130429, 131056, 80007, 4): ' +
          'Meta answers throttling with 400, never 429',
        reject('invalid_request', {
          problem: 'invalid_field',
          message: 'Button at index 0 of type Url requires a parameter',
        }),
      ),
      headers: {
        'Retry-After': {
          description: 'Seconds to wait, on throttling only (waotp adds it; Meta sends none)',
          schema: { type: 'integer' },
        },
      },
    },
    401: errorResponse('Access token missing, invalid (190/467) or expired (190/463)', reject('unauthorized')),
    403: errorResponse(
      'The token lacks the permission (10, 200-299)',
      reject('unauthorized', { problem: 'missing_scope' }),
    ),
    404: errorResponse(
      'Template name and language do not exist, or are not approved (132001)',
      reject('invalid_request', { problem: 'unknown_template' }),
    ),
    413: errorResponse('Body over 1 MB', reject('invalid_request', { problem: 'too_large' })),
    500: errorResponse('Something went wrong (131000) or service unavailable (131016)', reject('provider_error')),
  },
});

export const whatsappCloud = defineProvider<CloudState, CloudCredential>({
  id: 'whatsapp-cloud',
  name: 'WhatsApp Cloud API',
  docs: 'https://developers.facebook.com/docs/whatsapp/cloud-api',
  securitySchemes: {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      description: 'A system-user or temporary access token; any token is accepted unless credentials are pinned',
    },
  },
  credential: credentialSchema,
  demoCredentials: {
    Authorization: `Bearer ${DEMO.token}`,
    phone_number_id: DEMO.phoneNumberId,
    appSecret: DEMO.appSecret,
    verifyToken: DEMO.verifyToken,
  },
  // Docs: about 80 messages a second per phone number by default (130429 past it).
  rateLimit: { limit: 80, windowMs: 1000 },
  createState({ settings }) {
    const parsed = optionsSchema.safeParse(settings.options ?? {});
    if (!parsed.success)
      throw new Error(
        `whatsapp-cloud options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const { appSecret = DEMO_STATE.appSecret, verifyToken = DEMO_STATE.verifyToken } = parsed.data;
    return { ...DEMO_STATE, appSecret, verifyToken };
  },
  reject,
  errorSchema,
  endpoints: [sendMessage],
  failoverRank: 6,
  adapter: whatsappCloudAdapter,
  callbacks: whatsappCloudCallbacks,
});
