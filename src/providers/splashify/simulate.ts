/**
 * Splashify Pro's native replies and auth rules.
 * @module
 */
import { readAuthorization, readBasicPair } from '../credentials.js';
import type { AuthVerdict, NativeReply, RejectReason, RequestView } from '../define.js';
import type { Rejection } from '../outcomes.js';
import type { SplashifyCredential } from './schema.js';

const fail = (status: number, message: string, headers?: Record<string, string>): NativeReply => ({
  status,
  body: { result: false, message },
  ...(headers && { headers }),
});

/** Renders a rejection as Splashify's `{result:false,message}`. */
export function reject(outcome: Rejection, reason: RejectReason = {}): NativeReply {
  switch (outcome) {
    case 'invalid_request':
      if (reason.status === 413) return fail(413, 'Please correct the following error - Request body is too large');
      // The category-mismatch text is documented verbatim and has no "Please correct" prefix.
      if (reason.field === 'template_category') return fail(400, reason.message ?? 'Template category mismatch');
      if (reason.problem === 'unknown_template')
        return fail(400, 'Please correct the following error - Template not found');
      return fail(400, `Please correct the following error - ${reason.message ?? 'Invalid request'}`);
    case 'unauthorized':
      // assumption: 401 {result:false,message:"Invalid API key"} for a missing or wrong key (undocumented).
      return fail(401, 'Invalid API key');
    case 'rate_limited':
      // Documented: 100 requests/minute per key, then 429 Too Many Requests.
      return fail(429, 'Too Many Requests', { 'retry-after': String(reason.retryAfter ?? 60) });
    case 'insufficient_quota':
      // assumption: an empty wallet is 402 (Splashify bills per message; no error is documented).
      return fail(402, 'Insufficient wallet balance. Please recharge to continue sending messages');
    case 'blocked_recipient':
      // assumption: a blocked recipient is a business error, worded like the other 400s.
      return fail(400, 'Please correct the following error - Recipient has blocked this business number');
    case 'provider_error':
      return fail(reason.status ?? 500, reason.status === 503 ? 'Service Unavailable' : 'Internal Server Error');
  }
}

/**
 * `Authorization: Basic <raw key>`, and `Bearer <key>` which the Developer Settings page shows.
 * By default any key is accepted except a base64 `user:pass` pair, which is a common client mistake.
 */
export function authenticate(req: RequestView, credentials?: SplashifyCredential[]): AuthVerdict {
  const header = req.header('authorization');
  const key = readAuthorization(header, 'Basic') ?? readAuthorization(header, 'Bearer');
  if (!key)
    return { ok: false, outcome: 'unauthorized', reason: { problem: 'bad_credentials', message: 'missing API key' } };
  // assumption: a base64-encoded user:pass is refused: Splashify wants the raw key after "Basic".
  if (readAuthorization(header, 'Basic') && readBasicPair(header)) {
    return {
      ok: false,
      outcome: 'unauthorized',
      reason: { problem: 'bad_credentials', message: 'Basic expects the raw API key, not base64(user:pass)' },
    };
  }
  if (credentials && !credentials.some((c) => c.key === key)) {
    return { ok: false, outcome: 'unauthorized', reason: { problem: 'bad_credentials', message: 'unknown API key' } };
  }
  return { ok: true, account: key };
}
