/**
 * Verihubs' native replies and auth rules. Every error is `{"message": "<fixed text>"}`; the texts are
 * the documented ones, grammar included ("Too many request in the allowed time frame").
 * @module
 */
import type { AuthVerdict, NativeReply, RejectReason, RequestView } from '../define.js';
import type { Rejection } from '../outcomes.js';
import type { VerihubsCredential } from './schema.js';

/** The documented message texts, shared by the replies, the sandbox tables and the contract examples. */
export const MESSAGES = {
  sent: 'OTP sent successfully',
  verified: 'OTP has been verified',
  validation: 'Validation error',
  unauthorized: 'Authorization failed',
  quota: 'Quota insufficient',
  blocked: 'Msisdn invalid: msisdn has been blocked',
  rateLimited: 'Too many request in the allowed time frame',
  // The sandbox verify page writes " OTP not found" with a leading space, most likely a typo.
  notFound: 'OTP not found',
  expired: 'OTP cannot be verified because Time limit exceeded',
  // assumption: "Invalid Scenario" is answered 400 {"message":"Invalid scenario"} (status and body undocumented).
  invalidScenario: 'Invalid scenario',
  // assumption: the request-size cap answers 413 {"message":"Request entity too large"} (undocumented).
  tooLarge: 'Request entity too large',
  // assumption: provider failures answer 500 "Internal server error" / 503 "Service unavailable" (undocumented).
  internal: 'Internal server error',
  unavailable: 'Service unavailable',
} as const;

/** Pass as the reason of an `invalid_request` to get the sandbox's "Invalid scenario" instead of "Validation error". */
export const INVALID_SCENARIO: RejectReason = {
  problem: 'scenario',
  field: 'msisdn',
  message: MESSAGES.invalidScenario,
};

const fail = (status: number, message: string, headers?: Record<string, string>): NativeReply => ({
  status,
  body: { message },
  ...(headers && { headers }),
});

/** Renders a rejection as Verihubs' `{message}` with the documented status. */
export function reject(outcome: Rejection, reason: RejectReason = {}): NativeReply {
  switch (outcome) {
    case 'invalid_request':
      if (reason.status === 413) return fail(413, MESSAGES.tooLarge);
      if (reason.problem === 'scenario' && reason.message === MESSAGES.invalidScenario)
        return fail(400, MESSAGES.invalidScenario);
      // Verihubs words every bad payload the same: malformed JSON, a missing field, an unknown template.
      return fail(400, MESSAGES.validation);
    case 'unauthorized':
      return fail(401, MESSAGES.unauthorized);
    case 'insufficient_quota':
      return fail(403, MESSAGES.quota);
    case 'blocked_recipient':
      return fail(409, MESSAGES.blocked);
    case 'rate_limited':
      // assumption: a 429 carries Retry-After in whole seconds (Verihubs documents none; windows are 1 s).
      return fail(429, MESSAGES.rateLimited, { 'retry-after': String(reason.retryAfter ?? 1) });
    case 'provider_error':
      return reason.status === 503 ? fail(503, MESSAGES.unavailable) : fail(500, MESSAGES.internal);
  }
}

const unauthorized = (message: string): AuthVerdict => ({
  ok: false,
  outcome: 'unauthorized',
  reason: { problem: 'bad_credentials', message },
});

/**
 * `App-ID` + `API-Key` headers (any case, as clients send `APP-ID` or `Api-Key` too). By default any
 * non-empty pair is accepted; pinned credentials must match both. The App-ID is the rate-limit account.
 */
export function authenticate(req: RequestView, credentials?: VerihubsCredential[]): AuthVerdict {
  const appId = req.header('app-id')?.trim();
  const apiKey = req.header('api-key')?.trim();
  if (!appId || !apiKey) return unauthorized(`missing ${appId ? 'API-Key' : 'App-ID'} header`);
  if (credentials && !credentials.some((c) => c.appId === appId && c.apiKey === apiKey)) {
    return unauthorized(`unknown App-ID / API-Key pair for ${appId}`);
  }
  return { ok: true, account: appId };
}
