/**
 * Botcake's native replies and auth rules. Every reply is `{success, message}`; the API words every
 * validation error the same way, so `reason` only picks the status.
 * @module
 */
import type { AuthVerdict, NativeReply, RejectReason, RequestView } from '../define.js';
import type { Rejection } from '../outcomes.js';
import { type BotcakeCredential, PAGE_ID } from './schema.js';

/** Seen on live calls for any bad parameter, including a token sent as `?access_token=`. */
export const PARAMS_WRONG = 'your params wrong';
export const INVALID_TOKEN = 'invalid access token';

const fail = (status: number, message: string, headers?: Record<string, string>): NativeReply => ({
  status,
  body: { success: false, message },
  ...(headers && { headers }),
});

/** Renders a rejection as Botcake's `{success:false,message}`. */
export function reject(outcome: Rejection, reason: RejectReason = {}): NativeReply {
  switch (outcome) {
    case 'invalid_request':
      // assumption: a body over 1 MB gets 413 from the web server in front, still in the JSON wrapper.
      if (reason.status === 413) return fail(413, 'request entity too large');
      return fail(400, PARAMS_WRONG);
    case 'unauthorized':
      return fail(401, INVALID_TOKEN);
    case 'insufficient_quota':
      // assumption: an exhausted page credit / plan is 402 (undocumented).
      return fail(402, 'your page has run out of credit');
    case 'blocked_recipient':
      // assumption: a customer who blocked the page is 403 (undocumented).
      return fail(403, 'customer has blocked this page');
    case 'rate_limited':
      // assumption: 429 with Retry-After; Botcake documents no rate limit.
      return fail(429, 'too many requests', { 'retry-after': String(reason.retryAfter ?? 60) });
    case 'provider_error':
      // assumption: 500 "internal server error", or 503 "service unavailable" when asked for.
      return reason.status === 503
        ? fail(503, 'service unavailable')
        : fail(reason.status ?? 500, 'internal server error');
  }
}

/**
 * `access-token: <page token>` (a plain header, not `Authorization`). Without pinned credentials any
 * non-empty token is accepted; with them, the token must be pinned and, if bound, for this page.
 */
export function authenticate(req: RequestView, credentials?: BotcakeCredential[]): AuthVerdict {
  const page = req.params.page_id ?? '';
  if (!PAGE_ID.test(page)) {
    // assumption: a malformed page id is a wrong param (400), not an auth error.
    return {
      ok: false,
      outcome: 'invalid_request',
      reason: {
        problem: 'invalid_field',
        field: 'page_id',
        message: 'page_id must be waba_<digits> or a numeric Facebook page id',
      },
    };
  }
  const token = req.header('access-token')?.trim();
  if (!token) {
    if (req.query('access_token') !== undefined) {
      // Live calls: the token in the query string is refused with 400, not 401.
      return {
        ok: false,
        outcome: 'invalid_request',
        reason: {
          problem: 'invalid_field',
          field: 'access_token',
          message: 'access_token belongs in the access-token header, not the query string',
        },
      };
    }
    return {
      ok: false,
      outcome: 'unauthorized',
      reason: { problem: 'bad_credentials', message: 'missing access-token header' },
    };
  }
  // assumption: with the header present, a stray ?access_token= is ignored.
  if (credentials && !credentials.some((c) => c.token === token && (c.page === undefined || c.page === page))) {
    // A token issued for another page reads the same as a bad token.
    return {
      ok: false,
      outcome: 'unauthorized',
      reason: { problem: 'bad_credentials', message: `token is not registered for page ${page}` },
    };
  }
  // assumption: quota and rate-limit counters are per page (Botcake issues one token per page).
  return { ok: true, account: page };
}
