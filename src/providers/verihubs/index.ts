/**
 * Verihubs WhatsApp OTP: Verihubs generates (or takes) the OTP, sends it on WhatsApp and verifies it
 * itself. Production v1 and v2 paths run real OTP logic; the `/sandbox` paths answer the documented
 * msisdn tables. Docs: https://docs.verihubs.com/reference/send_whatsapp_otp_post
 * @module
 */
import { z } from 'zod';
import { authenticationText } from '../auth-template.js';
import {
  type CapturedMessage,
  defineEndpoint,
  defineProvider,
  type HandleContext,
  type ResponseSpec,
} from '../define.js';
import { verihubsAdapter } from './adapter.js';
import { callbackStatus, verihubsCallbacks } from './callbacks.js';
import { SANDBOX_SEND, SANDBOX_VERIFY, sandboxSendRow, sandboxVerifyRow } from './sandbox.js';
import {
  credentialSchema,
  DEFAULT_OTP_LENGTH,
  DEFAULT_TIME_LIMIT_SECONDS,
  errorSchema,
  optionsSchema,
  type SandboxSend,
  type SendOtp,
  sandboxSendSchema,
  sandboxVerifySchema,
  sendOtpSchema,
  sentSchema,
  type VerihubsCredential,
  verifiedSchema,
  verifyOtpSchema,
  wholeNumber,
} from './schema.js';
import { createState, currentSessionId, type OtpSession, openSession, type State, verifySession } from './sessions.js';
import { authenticate, INVALID_SCENARIO, MESSAGES, reject } from './simulate.js';

export { SANDBOX_SEND, SANDBOX_VERIFY } from './sandbox.js';
export { lookupSession, type SessionView } from './sessions.js';

// assumption: without lang_code the OTP is rendered in Indonesian, Verihubs' home market.
export const DEFAULT_LANGUAGE = 'id';

const SESSION_ID_EXAMPLE = '6b0e9c1a-2f4d-4e8b-9a77-1c3d5e7f9a20';
const error = (description: string, message: string): ResponseSpec => ({
  description,
  schema: errorSchema,
  example: { message },
});
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before the next request', schema: { type: 'integer' as const } },
};

/** The rejections every endpoint can answer: scenario rules may force any of them on any endpoint. */
function rejections(limit: string): Record<number, ResponseSpec> {
  return {
    401: error('App-ID or API-Key missing or wrong', MESSAGES.unauthorized),
    403: error('Quota used up', MESSAGES.quota),
    409: error('The msisdn is blocked', MESSAGES.blocked),
    413: error('Body over 1 MB', MESSAGES.tooLarge),
    429: { ...error(limit, MESSAGES.rateLimited), headers: retryAfter },
    500: error('Provider failure', MESSAGES.internal),
    503: error('Provider unavailable', MESSAGES.unavailable),
  };
}

const sentExample = {
  message: MESSAGES.sent,
  otp: '482913',
  session_id: SESSION_ID_EXAMPLE,
  msisdn: '6281234567890',
  try_count: 1,
};

/** The reply to an accepted send, from its stored session. */
function sent(session: OtpSession) {
  return {
    status: 201,
    body: {
      message: MESSAGES.sent,
      otp: session.otp,
      session_id: session.sessionId,
      msisdn: session.msisdn,
      try_count: session.tryCount,
    },
  };
}

/** Generates or takes the OTP, stores its session and puts the message on the phone. */
function accept(
  ctx: HandleContext<State, SendOtp | SandboxSend>,
  version: OtpSession['version'],
  failure?: number,
): OtpSession {
  const { body, ids, now } = ctx;
  const createdAt = now();
  const timeLimit = wholeNumber(body.time_limit) ?? DEFAULT_TIME_LIMIT_SECONDS;
  const session = openSession(ctx.state, {
    sessionId: ids.uuid(),
    msisdn: body.msisdn,
    challenge: body.challenge ?? '',
    otp: body.otp || ids.digits(wholeNumber(body.otp_length) ?? DEFAULT_OTP_LENGTH),
    createdAt,
    expiresAt: createdAt + timeLimit * 1000,
    ...(body.callback_url && { callbackUrl: body.callback_url }),
    version,
  });
  const language = body.lang_code || DEFAULT_LANGUAGE;
  const message: CapturedMessage = {
    to: body.msisdn,
    code: session.otp,
    text: authenticationText(session.otp, language),
    language,
    providerMessageId: session.sessionId,
    ...(body.template_name && { template: body.template_name }),
    ...(body.callback_url && { callback: { url: body.callback_url } }),
    // assumption: 5 "Unverified" goes out the moment time_limit passes (simulated time).
    expiresAt: session.expiresAt,
  };
  // Verihubs accepts the send and reports a number without WhatsApp only by callback status 6 "Failed".
  if (ctx.outcome === 'not_on_whatsapp')
    message.failure = { code: 6, title: 'Failed', details: 'WhatsApp could not deliver to this msisdn' };
  const status = failure === undefined ? undefined : callbackStatus(failure);
  if (status) {
    message.failure = {
      code: status.code,
      title: status.name,
      details: `options.failures maps ${body.msisdn} to ${status.code}`,
    };
  }
  ctx.capture(message);
  return session;
}

const digitsOnly = (msisdn: string) => (/^\d+$/.test(msisdn) ? msisdn : undefined);

const DEMO_HEADERS = { 'App-ID': '3f5c1a2e-8b7d-4c6e-9f01-2a3b4c5d6e7f', 'API-Key': 'waotp-demo-verihubs-key' };

function sendEndpoint(version: 'v1' | 'v2') {
  // Documented: 30 requests/second on v1, 50 on v2 ("faster, adds blocking/spam checks").
  const limit = version === 'v1' ? 30 : 50;
  return defineEndpoint<State, VerihubsCredential>()({
    operationId: `sendWhatsappOtp${version.toUpperCase()}`,
    summary: `Generate (or take) an OTP and send it on WhatsApp (${version})`,
    method: 'POST',
    path: `/${version}/whatsapp/otp/send`,
    kind: 'send',
    security: ['appId', 'apiKey'],
    body: sendOtpSchema,
    // assumption: send and verify of one version share that version's per-App-ID counter.
    rateLimit: { limit, windowMs: 1000, group: version },
    authenticate: (req, ctx) => authenticate(req, ctx.credentials),
    recipient: (body) => body.msisdn,
    template: (body) => body.template_name || undefined,
    handle(ctx) {
      const failure = ctx.state.failures.get(ctx.body.msisdn);
      // assumption: v1 has no spam or blocking callbacks (8 and 9 are v2-only): it answers the same checks at once,
      // with its documented 429 and 409.
      const message = `options.failures maps ${ctx.body.msisdn} to ${failure} (v2 only)`;
      const reason = { problem: 'scenario' as const, message, retryAfter: 1 };
      if (version === 'v1' && failure === 8) return ctx.reject('rate_limited', reason);
      if (version === 'v1' && failure === 9) return ctx.reject('blocked_recipient', reason);
      return sent(accept(ctx, version, failure));
    },
    sample: (to) => ({
      path: `/${version}/whatsapp/otp/send`,
      headers: { ...DEMO_HEADERS, 'content-type': 'application/json' },
      body: { msisdn: to, challenge: 'login', time_limit: '300', lang_code: 'id' },
    }),
    responses: {
      201: {
        description: 'OTP generated (or taken) and sent; the OTP is echoed',
        schema: sentSchema,
        example: sentExample,
      },
      400: error(
        'Malformed JSON, a missing or invalid field, otp together with otp_length, or an unknown template',
        MESSAGES.validation,
      ),
      ...rejections(`Over ${limit} requests per second for this App-ID on ${version}`),
    },
  });
}

function verifyEndpoint(version: 'v1' | 'v2') {
  const limit = version === 'v1' ? 30 : 50;
  return defineEndpoint<State, VerihubsCredential>()({
    operationId: `verifyWhatsappOtp${version.toUpperCase()}`,
    summary: `Verify an OTP Verihubs sent (${version})`,
    method: 'POST',
    path: `/${version}/whatsapp/otp/verify`,
    kind: 'verify',
    security: ['appId', 'apiKey'],
    body: verifyOtpSchema,
    rateLimit: { limit, windowMs: 1000, group: version },
    authenticate: (req, ctx) => authenticate(req, ctx.credentials),
    recipient: (body) => body.msisdn,
    handle({ body, state, now, report }) {
      const input = { msisdn: body.msisdn, challenge: body.challenge ?? '', otp: body.otp, now: now() };
      const result = verifySession(state, input);
      if (result === 'expired') return { status: 422, body: { message: MESSAGES.expired } };
      if (result === 'not_found') return { status: 404, body: { message: MESSAGES.notFound } };
      // Callback status 4 "Verified" for the session just used up.
      // assumption: 4 follows the read report (1 → 2 → 3 → 4) even when the code is verified sooner;
      // the sandbox verify reports none.
      const sessionId = currentSessionId(state, input.msisdn, input.challenge);
      if (sessionId) report?.(sessionId, 'verified');
      return { status: 200, body: { message: MESSAGES.verified } };
    },
    responses: {
      200: {
        description: 'The OTP is right and now used up',
        schema: verifiedSchema,
        example: { message: MESSAGES.verified },
      },
      400: error('Malformed JSON or a missing or invalid field', MESSAGES.validation),
      404: error('Wrong, unknown, replaced or already verified OTP, or a different challenge', MESSAGES.notFound),
      422: error('The OTP is right but its time_limit has passed', MESSAGES.expired),
      ...rejections(`Over ${limit} requests per second for this App-ID on ${version}`),
    },
  });
}

const sandboxSend = defineEndpoint<State, VerihubsCredential>()({
  operationId: 'sendWhatsappOtpSandbox',
  summary: 'Sandbox send: the msisdn picks the documented answer (6282123060001-6)',
  method: 'POST',
  path: '/v1/whatsapp/otp/send/sandbox',
  kind: 'sandbox',
  security: ['appId', 'apiKey'],
  body: sandboxSendSchema,
  authenticate: (req, ctx) => authenticate(req, ctx.credentials),
  recipient: (body) => digitsOnly(body.msisdn),
  handle(ctx) {
    const row = sandboxSendRow(ctx.body.msisdn);
    if (!row) return ctx.reject('invalid_request', INVALID_SCENARIO);
    if (row.outcome !== 'accepted')
      return ctx.reject(row.outcome, {
        problem: 'scenario',
        message: `sandbox msisdn ${row.msisdn}: ${row.description}`,
        retryAfter: 1,
      });
    return sent(accept(ctx, 'sandbox'));
  },
  responses: {
    201: {
      description: '6282123060001: OTP sent (captured in the inbox)',
      schema: sentSchema,
      example: { ...sentExample, msisdn: '6282123060001' },
    },
    400: {
      description:
        '6282123060002 or an invalid payload: "Validation error"; any msisdn outside the table: "Invalid scenario"',
      schema: errorSchema,
      example: { message: MESSAGES.validation },
    },
    ...rejections('6282123060006'),
    401: error('6282123060003, or App-ID or API-Key missing or wrong', MESSAGES.unauthorized),
    403: error('6282123060004', MESSAGES.quota),
    409: error('6282123060005', MESSAGES.blocked),
  },
});

const sandboxVerify = defineEndpoint<State, VerihubsCredential>()({
  operationId: 'verifyWhatsappOtpSandbox',
  summary: 'Sandbox verify: the msisdn picks the documented answer (6282123060007-9)',
  method: 'POST',
  path: '/v1/whatsapp/otp/verify/sandbox',
  kind: 'sandbox',
  security: ['appId', 'apiKey'],
  body: sandboxVerifySchema,
  authenticate: (req, ctx) => authenticate(req, ctx.credentials),
  recipient: (body) => digitsOnly(body.msisdn),
  handle(ctx) {
    const row = sandboxVerifyRow(ctx.body.msisdn);
    if (!row) return ctx.reject('invalid_request', INVALID_SCENARIO);
    return { status: row.status, body: { message: row.message } };
  },
  responses: {
    200: { description: '6282123060007', schema: verifiedSchema, example: { message: MESSAGES.verified } },
    400: {
      description: 'An invalid payload: "Validation error"; any msisdn outside the table: "Invalid scenario"',
      schema: errorSchema,
      example: { message: MESSAGES.invalidScenario },
    },
    404: error('6282123060008', MESSAGES.notFound),
    422: error('6282123060009', MESSAGES.expired),
    ...rejections('Forced by a scenario rule only'),
    401: error('App-ID or API-Key missing or wrong', MESSAGES.unauthorized),
  },
});

export const verihubs = defineProvider<State, VerihubsCredential>({
  id: 'verihubs',
  name: 'Verihubs',
  docs: 'https://docs.verihubs.com/reference/send_whatsapp_otp_post',
  securitySchemes: {
    appId: {
      type: 'apiKey',
      in: 'header',
      name: 'App-ID',
      identifier: true,
      description: 'Application id from the Verihubs dashboard; the rate-limit account',
    },
    apiKey: { type: 'apiKey', in: 'header', name: 'API-Key', description: 'Secret key from the Verihubs dashboard' },
  },
  credential: credentialSchema,
  demoCredentials: DEMO_HEADERS,
  createState({ settings }) {
    const options = optionsSchema.safeParse(settings.options ?? {});
    if (!options.success) throw new Error(`providers.verihubs.options: ${z.prettifyError(options.error)}`);
    return createState(new Map(Object.entries(options.data.failures ?? {})));
  },
  reject,
  errorSchema,
  endpoints: [
    sendEndpoint('v1'),
    sendEndpoint('v2'),
    verifyEndpoint('v1'),
    verifyEndpoint('v2'),
    sandboxSend,
    sandboxVerify,
  ],
  failoverRank: 1,
  adapter: verihubsAdapter,
  callbacks: verihubsCallbacks,
  documentedCases: [
    ...SANDBOX_SEND.map((row) => ({
      name: `sandbox send ${row.msisdn} (${row.description})`,
      request: {
        method: 'POST' as const,
        path: '/v1/whatsapp/otp/send/sandbox',
        headers: { ...DEMO_HEADERS, 'content-type': 'application/json' },
        body: { msisdn: row.msisdn, content: ['Registration'] },
      },
      expect: { status: row.status, body: { message: row.message } },
    })),
    ...SANDBOX_VERIFY.map((row) => ({
      name: `sandbox verify ${row.msisdn} (${row.description})`,
      request: {
        method: 'POST' as const,
        path: '/v1/whatsapp/otp/verify/sandbox',
        headers: { ...DEMO_HEADERS, 'content-type': 'application/json' },
        body: { msisdn: row.msisdn, otp: '1234' },
      },
      expect: { status: row.status, body: { message: row.message } },
    })),
  ],
});
