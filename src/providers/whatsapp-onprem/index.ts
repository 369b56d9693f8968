/**
 * WhatsApp Business On-Premises API (the self-hosted Webapp, sunset by Meta): log in with Basic auth for a
 * Bearer token, then send an authentication template whose body and `url` button both carry the OTP.
 * Failures tied to the recipient or the template (1013, 2000, 2001, 1026) are not answered at once:
 * the send gets 201 and the failure arrives later as a `failed` status on the webhook.
 * Docs: https://developers.facebook.com/docs/whatsapp/on-premises ("Sending Authentication Message Templates
 * with One-Time Password Buttons";
 * login: https://developers.facebook.com/docs/whatsapp/on-premises/reference/users/login;
 * errors: https://developers.facebook.com/docs/whatsapp/api/errors)
 * @module
 */
import { authenticationText } from '../auth-template.js';
import { readAuthorization, readBasicPair } from '../credentials.js';
import { type CapturedMessage, defineEndpoint, defineProvider, type ResponseSpec } from '../define.js';
import { whatsappOnpremAdapter } from './adapter.js';
import { whatsappOnpremCallbacks } from './callbacks.js';
import {
  type ApplicationSettings,
  applicationSettingsReplySchema,
  applicationSettingsSchema,
  contactsReplySchema,
  contactsSchema,
  credentialSchema,
  errorSchema,
  loginReplySchema,
  loginSchema,
  META,
  messageCreatedSchema,
  metaOnlySchema,
  type OnPremCredential,
  type SendMessage,
  STRONG_PASSWORD_RULES,
  sendMessageSchema,
  WA_ID,
} from './schema.js';
import { authenticateBearer, authenticateLogin, reject, SPAM_RATE_LIMIT, unknownContact } from './simulate.js';
import {
  createOnPremState,
  formatExpiresAfter,
  isFactoryLogin,
  isKnownContact,
  issueToken,
  mergeSettings,
  type OnPremState,
  rememberContact,
} from './state.js';

export { type OnPremState, wantsStatus, webhookUrlOf } from './state.js';

const endpoint = defineEndpoint<OnPremState, OnPremCredential>();

const error = (description: string, code: number, title: string, details: string): ResponseSpec => ({
  description,
  schema: errorSchema,
  example: { errors: [{ code, title, details }], meta: META },
});
const unauthorized = error(
  'Missing, wrong, expired or logged-out credentials (1005 Access denied)',
  1005,
  'Access denied',
  'Invalid credentials.',
);
const tooLarge = error('Body over 1 MB', 1001, 'Message too long', 'request body exceeds 1048576 bytes');
const badJson = (description: string, details: string) =>
  error(description, 1009, 'Parameter value is not valid', details);

/** The recipient's WhatsApp id as digits, or undefined when `to` is not one (then delivery fails with 1013). */
export function recipientOf(body: SendMessage): string | undefined {
  return WA_ID.exec(body.to)?.[1];
}

/** The OTP: the body component's first text parameter (the schema guarantees it). */
function codeOf(body: SendMessage): { code: string; bodyParameters: number } {
  const component = body.template.components.find((c) => c.type === 'body')!;
  return { code: component.parameters![0]!.text, bodyParameters: component.parameters!.length };
}

const login = endpoint({
  operationId: 'login',
  summary: 'Log in with Basic auth for a Bearer token (the default admin must set new_password first)',
  method: 'POST',
  path: '/v1/users/login',
  kind: 'account',
  security: ['basic'],
  body: loginSchema,
  bodyOptional: true,
  authenticate: authenticateLogin,
  handle({ body, req, account, state, now, ids, reject }) {
    const pair = readBasicPair(req.header('authorization'))!;
    if (isFactoryLogin(state, pair.username, pair.password) && body.new_password === undefined) {
      return reject('unauthorized', {
        problem: 'bad_credentials',
        field: 'new_password',
        message:
          'Password change required: the first login of the default admin account must send {"new_password": "..."}.',
      });
    }
    if (body.new_password !== undefined) {
      // assumption: any user may change its password this way; from then on only the new one logs in.
      // The factory step is done once admin has any password of its own, set here or already in use.
      state.passwords.set(account, body.new_password);
      state.mustChangePassword.delete(account);
    }
    const { token, expiresAt } = issueToken(state, account, now(), ids);
    return { status: 200, body: { users: [{ token, expires_after: formatExpiresAfter(expiresAt) }], meta: META } };
  },
  responses: {
    200: {
      description: "Logged in; the token is valid for 7 days, alongside the user's other tokens",
      schema: loginReplySchema,
      example: {
        users: [{ token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.opaque', expires_after: '2026-01-22 09:14:03+00:00' }],
        meta: META,
      },
    },
    400: badJson(
      'new_password breaks the rules (8-64 characters, digit, upper, lower, special), or the body is not JSON (1009)',
      STRONG_PASSWORD_RULES,
    ),
    401: {
      ...unauthorized,
      description:
        'Wrong username or password (1005 Access denied), ' +
        "or the default admin's first login without new_password (1024 Password change required)",
    },
    413: tooLarge,
  },
});

const logout = endpoint({
  operationId: 'logout',
  summary: 'Revoke the Bearer token sent (other tokens of the user stay valid)',
  method: 'POST',
  path: '/v1/users/logout',
  kind: 'account',
  security: ['bearer'],
  authenticate: authenticateBearer,
  handle({ req, account, state }) {
    const token = readAuthorization(req.header('authorization'), 'Bearer')!;
    const issued = state.tokens.get(token);
    // assumption: logging out a token the simulator never issued revokes it too, so it stops working.
    if (issued) issued.revoked = true;
    else state.tokens.set(token, { user: account, expiresAt: Number.POSITIVE_INFINITY, revoked: true });
    return { status: 200, body: { meta: META } };
  },
  responses: {
    200: { description: 'Token revoked', schema: metaOnlySchema, example: { meta: META } },
    401: unauthorized,
  },
});

const sendMessage = endpoint({
  operationId: 'sendMessage',
  summary: 'Send an authentication template with a one-time password button',
  method: 'POST',
  path: '/v1/messages',
  kind: 'send',
  security: ['bearer'],
  body: sendMessageSchema,
  authenticate: authenticateBearer,
  recipient: recipientOf,
  // No `template` hook: On-Prem reports an unknown template (2001) only through the webhook, so handle() does.
  handle({ body, state, now, ids, outcome, settings, capture, reject }) {
    const to = recipientOf(body);
    // Webapps before v2.39 only send to numbers their contact store knows (docs: "Starting in v2.39 and above, you
    // do not have to call the contacts node before sending a message"); courier retries after a /v1/contacts check.
    if (outcome === 'unknown_contact' && to !== undefined && !isKnownContact(state, to, now())) return unknownContact();
    if (state.spamRateLimited) return reject('rate_limited', { field: SPAM_RATE_LIMIT });
    const { template } = body;
    const { code, bodyParameters } = codeOf(body);
    const id = `gBEG${ids.alphanumeric(23)}`;
    let failure: CapturedMessage['failure'];
    if (to === undefined || outcome === 'not_on_whatsapp') {
      // assumption: a `to` that is not a WhatsApp id (the docs' "recipient_wa_id" placeholder) is accepted and fails
      // later with 1013, like a number not on WhatsApp.
      failure = { code: 1013, title: 'User is not valid', details: `${body.to} is not a valid WhatsApp user` };
    } else if (settings.templates && !settings.templates.includes(template.name)) {
      failure = {
        code: 2001,
        title: 'Template missing',
        details:
          `Template ${template.name} (${template.language.code}) ` +
          `does not exist in namespace ${template.namespace}`,
      };
    } else if (bodyParameters > 1) {
      // assumption: an extra body parameter is accepted and fails later with 2000 (async in Meta's table); an
      // authentication body has one variable.
      failure = {
        code: 2000,
        title: 'Template param count mismatch',
        details: `body has 1 parameter, ${bodyParameters} were given`,
      };
    }
    capture({
      // assumption: a `to` that is not a WhatsApp id is kept as written, so the inbox shows what was sent.
      to: to ?? body.to,
      code,
      text: authenticationText(code, template.language.code),
      template: template.name,
      language: template.language.code,
      providerMessageId: id,
      ...(failure && { failure }),
    });
    return { status: 201, body: { messages: [{ id }], meta: META } };
  },
  sample: (to) => ({
    path: '/v1/messages',
    headers: { authorization: 'Bearer waotp-demo-token', 'content-type': 'application/json' },
    body: {
      to,
      type: 'template',
      template: {
        namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2f3a4b5c6',
        name: 'login_otp',
        language: { code: 'en', policy: 'deterministic' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '482913' }] },
          { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: '482913' }] },
        ],
      },
    },
  }),
  responses: {
    201: {
      description:
        'Accepted. Recipient and template failures (1013, 1026, 2000, 2001) ' +
        'arrive later as a failed status on the webhook',
      schema: messageCreatedSchema,
      example: { messages: [{ id: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU' }], meta: META },
    },
    400: error(
      'Missing parameter (1008), invalid value (1009, details name the field; ' +
        'also legacy-template OTPs over 15 characters, with a link or emoji), invalid recipient_type (1002), ' +
        "recipient blocked (1007), or the number's spam rate limit hit (471, with options.spamRateLimited)",
      1009,
      'Parameter value is not valid',
      'template.language.policy must be "deterministic"',
    ),
    401: unauthorized,
    404: error(
      'The recipient is not in the contact store yet (1006 unknown contact): ' +
        'check it with POST /v1/contacts, then send again',
      1006,
      'Resource not found',
      'unknown contact',
    ),
    402: error(
      "Quota used up (rendered as Meta's payment issue, answered at once)",
      402,
      'Business eligibility payment issue',
      'Message failed to send because there were one or more errors related to your payment method.',
    ),
    413: tooLarge,
    // No Retry-After header (see simulate.ts): the wait is in details.
    429: error(
      'Webapp request throttling (1015); the seconds to wait are in details',
      1015,
      'Too many requests',
      'Too many requests. Retry after 1 seconds.',
    ),
    500: error('Internal error (1014)', 1014, 'Internal error', 'An internal error occurred. Retry later.'),
    503: error('Coreapp not ready (1011)', 1011, 'Service not ready', 'The Coreapp is not ready yet. Retry later.'),
  },
});

const checkContacts = endpoint({
  operationId: 'checkContacts',
  summary: 'Turn phone numbers into WhatsApp ids',
  method: 'POST',
  path: '/v1/contacts',
  kind: 'account',
  security: ['bearer'],
  body: contactsSchema,
  authenticate: authenticateBearer,
  handle({ body, state, now }) {
    const blocking = body.blocking ?? 'no_wait';
    const contacts = body.contacts.map((input) => {
      // assumption: every well-formed number (6-15 digits after removing +, spaces, dashes, dots and brackets) is on
      // WhatsApp; its wa_id is its digits. Anything else is invalid, without a wa_id.
      const waId = WA_ID.exec(input.replace(/[\s\-().]/g, ''))?.[1];
      if (!waId) return { input, status: 'invalid' as const };
      const cached = !body.force_check && isKnownContact(state, waId, now());
      rememberContact(state, waId, now());
      // Docs: with no_wait the reply does not wait for a check; numbers not in the cache are "processing".
      // assumption: the background check finishes at once (the next request sees the number as checked), and its
      // result is not posted to the webhook.
      if (blocking === 'no_wait' && !cached) return { input, status: 'processing' as const };
      return { input, status: 'valid' as const, wa_id: waId };
    });
    return { status: 200, body: { contacts, meta: META } };
  },
  responses: {
    200: {
      description:
        'One entry per input: "valid" with its wa_id, "invalid" without one, or "processing" (no_wait, not cached yet)',
      schema: contactsReplySchema,
      example: { contacts: [{ input: '+6281234567890', status: 'valid', wa_id: '6281234567890' }], meta: META },
    },
    400: error(
      'contacts missing (1008) or not valid (1009)',
      1008,
      'Required parameter is missing',
      'contacts is required',
    ),
    401: unauthorized,
    413: tooLarge,
  },
});

const updateApplicationSettings = endpoint({
  operationId: 'updateApplicationSettings',
  summary: 'Set the webhook URL and which statuses it receives',
  method: 'PATCH',
  path: '/v1/settings/application',
  kind: 'account',
  security: ['bearer'],
  body: applicationSettingsSchema,
  authenticate: authenticateBearer,
  handle({ body, state }) {
    state.application = mergeSettings(state.application, body) as ApplicationSettings;
    return { status: 200, body: { meta: META } };
  },
  responses: {
    200: {
      description: 'Settings stored (merged into the current ones)',
      schema: metaOnlySchema,
      example: { meta: META },
    },
    400: badJson(
      'A value of the wrong type, or a webhook URL that is not http(s) (1009)',
      'webhooks.url must be an http(s) URL, or "" to remove it',
    ),
    401: unauthorized,
    413: tooLarge,
  },
});

const getApplicationSettings = endpoint({
  operationId: 'getApplicationSettings',
  summary: 'Read the application settings, including the webhook URL',
  method: 'GET',
  path: '/v1/settings/application',
  kind: 'account',
  security: ['bearer'],
  authenticate: authenticateBearer,
  handle: ({ state }) => ({ status: 200, body: { settings: { application: state.application }, meta: META } }),
  responses: {
    200: {
      description: 'The stored settings',
      schema: applicationSettingsReplySchema,
      example: {
        settings: {
          application: {
            callback_persist: true,
            sent_status: false,
            webhooks: { url: 'https://otp.example/wa/onprem', message: { sent: true, delivered: true, read: true } },
          },
        },
        meta: META,
      },
    },
    401: unauthorized,
  },
});

export const whatsappOnprem = defineProvider<OnPremState, OnPremCredential>({
  id: 'whatsapp-onprem',
  name: 'WhatsApp Business On-Premises API',
  docs: 'https://developers.facebook.com/docs/whatsapp/on-premises',
  securitySchemes: {
    basic: {
      type: 'http',
      scheme: 'basic',
      description:
        'Webapp username:password, only on POST /v1/users/login (default admin/secret must set new_password)',
    },
    bearer: {
      type: 'http',
      scheme: 'bearer',
      description:
        'Token from POST /v1/users/login, valid 7 days; ' +
        'any other token is accepted unless credentials are pinned or options.strictAuth is set',
    },
  },
  credential: credentialSchema,
  demoCredentials: {
    Authorization: 'Bearer waotp-demo-token',
    'login (POST /v1/users/login)': `Basic ${Buffer.from('waotp:Waotp-demo-1').toString('base64')}`,
  },
  createState: createOnPremState,
  reject,
  errorSchema,
  endpoints: [login, logout, sendMessage, checkContacts, updateApplicationSettings, getApplicationSettings],
  failoverRank: 3,
  adapter: whatsappOnpremAdapter,
  callbacks: whatsappOnpremCallbacks,
  unknownContact: { reply: unknownContact(), lookup: 'POST /v1/contacts checks the number' },
});
