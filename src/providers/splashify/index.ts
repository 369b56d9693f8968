/**
 * Splashify Pro: one Public API endpoint for all message types; an authentication template carries the
 * OTP in `bodyValues[0]` and `buttonValues["0"][0]`. Docs: https://docs.splashifypro.com/public-api
 * @module
 */
import { authenticationText } from '../auth-template.js';
import { defineEndpoint, defineProvider } from '../define.js';
import { splashifyAdapter } from './adapter.js';
import { splashifyCallbacks } from './callbacks.js';
import {
  createdSchema,
  credentialSchema,
  DEFAULT_COUNTRY_CODE,
  errorSchema,
  type SendMessage,
  sendMessageSchema,
} from './schema.js';
import { authenticate, reject } from './simulate.js';

type State = Record<string, never>;

const errorResponse = (description: string, message: string) => ({
  description,
  schema: errorSchema,
  example: { result: false, message },
});

/** E.164 digits of the recipient, from either phone form. */
export function recipientOf(body: SendMessage): string {
  if (body.fullPhoneNumber) return body.fullPhoneNumber;
  return `${(body.countryCode ?? DEFAULT_COUNTRY_CODE).slice(1)}${body.phoneNumber ?? ''}`;
}

const sendMessage = defineEndpoint<State>()({
  operationId: 'sendMessage',
  summary: 'Send a message (authentication template with an OTP)',
  method: 'POST',
  path: '/api/v1/public/message',
  kind: 'send',
  security: ['apiKey'],
  body: sendMessageSchema,
  authenticate: (req, ctx) => authenticate(req, ctx.credentials as never),
  recipient: recipientOf,
  template: (body) => body.template?.name,
  handle({ body, ids, capture, reject }) {
    if (body.type === 'Text') {
      // Documented example of a business error: free-form text needs a customer message within 24 hours.
      return reject('invalid_request', {
        problem: 'invalid_field',
        field: 'type',
        message: 'Customer has not messaged within last 24 hours',
      });
    }
    const template = body.template!;
    const category = template.template_category ?? body.template_category;
    if (category !== undefined && category.toLowerCase() !== 'authentication') {
      return reject('invalid_request', {
        problem: 'invalid_field',
        field: 'template_category',
        message:
          `Message not sent. Template category mismatch: Expected 'authentication', but received '${category}'. ` +
          'Please update the request to match the approved template category.',
      });
    }
    const id = ids.uuid();
    const code = template.bodyValues[0]!;
    capture({
      to: recipientOf(body),
      code,
      text: authenticationText(code, template.languageCode),
      template: template.name,
      language: template.languageCode,
      providerMessageId: id,
      ...(body.callbackData !== undefined && { callback: { data: body.callbackData } }),
    });
    return { status: 201, body: { result: true, message: 'Message created successfully', id } };
  },
  sample: (to) => ({
    path: '/api/v1/public/message',
    headers: { authorization: 'Basic sk_live_waotpdemo00000000000000000000000', 'content-type': 'application/json' },
    body: {
      fullPhoneNumber: to,
      callbackData: 'login:42',
      type: 'Template',
      template: {
        name: 'auth_copy_code',
        languageCode: 'en',
        bodyValues: ['482913'],
        buttonValues: { '0': ['482913'] },
      },
    },
  }),
  responses: {
    201: {
      description: 'Message created (queued)',
      schema: createdSchema,
      example: { result: true, message: 'Message created successfully', id: 'b90f02bd-1316-49ce-b5d0-f6be14fce2b8' },
    },
    400: errorResponse(
      'Validation or business error',
      'Please correct the following error - template.name is required',
    ),
    401: errorResponse('Missing or invalid API key', 'Invalid API key'),
    402: errorResponse(
      'Wallet balance used up',
      'Insufficient wallet balance. Please recharge to continue sending messages',
    ),
    413: errorResponse('Body over 1 MB', 'Please correct the following error - Request body is too large'),
    429: {
      ...errorResponse('Over 100 requests per minute for this key', 'Too Many Requests'),
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    },
    500: errorResponse('Provider failure', 'Internal Server Error'),
    503: errorResponse('Provider unavailable', 'Service Unavailable'),
  },
});

export const splashify = defineProvider<State, unknown>({
  id: 'splashify',
  name: 'Splashify Pro',
  docs: 'https://docs.splashifypro.com/public-api/send-authentication-template',
  securitySchemes: {
    // The raw key follows "Basic ", unencoded: that is an API key carried in the Authorization header, not HTTP
    // Basic (base64 of user:pass), which validators such as Prism would check. The official SDK's generated
    // code says the same: it sends `configuration.apiKey("Authorization")` as the header, whole.
    apiKey: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description:
        'The whole header: `Basic <raw API key>` (not base64 of user:pass), ' +
        'or `Bearer <key>` as the Developer Settings page shows',
    },
  },
  credential: credentialSchema,
  demoCredentials: { Authorization: 'Basic sk_live_waotpdemo00000000000000000000000' },
  rateLimit: { limit: 100, windowMs: 60_000 },
  createState: () => ({}),
  reject,
  errorSchema,
  endpoints: [sendMessage],
  failoverRank: 2,
  adapter: splashifyAdapter,
  callbacks: splashifyCallbacks,
});
