/**
 * WhatsApp On-Premises native replies (`{"errors":[{code,title,details}],"meta"}`) and auth rules:
 * Basic on login, Bearer tokens from login everywhere else.
 * @module
 */
import { readAuthorization, readBasicPair } from '../credentials.js';
import type { AuthContext, AuthVerdict, NativeReply, RejectReason, RequestView } from '../define.js';
import type { Rejection } from '../outcomes.js';
import { META, type OnPremCredential } from './schema.js';
import type { OnPremState } from './state.js';

type Ctx = AuthContext<OnPremState, OnPremCredential>;

/** Marks a rate_limited rejection as Meta's 471 "Spam Rate limit hit" (the number's messaging limit), not 1015. */
export const SPAM_RATE_LIMIT = 'spam_rate_limit';
const SPAM_DETAILS =
  'Message failed to send because there are restrictions on how many messages can be sent from this phone number.';

/** 404 1006 "unknown contact": the send names a number the contact store has not checked yet (courier's wording). */
export function unknownContact(): NativeReply {
  return onPremError(404, 1006, 'Resource not found', 'unknown contact');
}

/** One `errors[]` entry in On-Prem's wording: code and title from Meta's error table. */
export function onPremError(
  status: number,
  code: number,
  title: string,
  details: string,
  headers?: Record<string, string>,
): NativeReply {
  return { status, body: { errors: [{ code, title, details }], meta: META }, ...(headers && { headers }) };
}

/** Renders a rejection in On-Prem's `errors[]` shape. */
export function reject(outcome: Rejection, reason: RejectReason = {}): NativeReply {
  switch (outcome) {
    case 'invalid_request':
      return invalidRequest(reason);
    case 'unauthorized':
      // The login handler marks a missing new_password on the default admin's first login this way.
      if (reason.field === 'new_password')
        return onPremError(
          401,
          1024,
          'Password change required',
          reason.message ?? 'Password change required: log in with {"new_password": "..."}.',
        );
      return onPremError(401, 1005, 'Access denied', ownWords(reason) ?? 'Invalid credentials.');
    case 'insufficient_quota':
      // assumption: a self-hosted Webapp has no wallet; Meta's payment failure (402, async on the real API) is
      // answered at once with HTTP 402.
      return onPremError(
        402,
        402,
        'Business eligibility payment issue',
        'Message failed to send because there were one or more errors related to your payment method.',
      );
    case 'blocked_recipient':
      return onPremError(
        400,
        1007,
        'Recipient blocked to receive message',
        'The recipient cannot receive messages from this business.',
      );
    case 'rate_limited': {
      if (reason.field === SPAM_RATE_LIMIT) {
        // assumption: a synchronous 471 is HTTP 400 like the Webapp's other refusals; clients branch on the code.
        return onPremError(400, 471, 'Spam Rate limit hit', reason.message ?? SPAM_DETAILS);
      }
      const retryAfter = reason.retryAfter ?? 1;
      // No Retry-After: Meta's docs name no header on any Webapp reply, and courier's On-Prem handler waits a fixed
      // 2 s on 429 with a note that the header is not available.
      // assumption: the wait is worded in details instead ("Retry after N seconds."), so a client can still read it.
      return onPremError(429, 1015, 'Too many requests', `Too many requests. Retry after ${retryAfter} seconds.`);
    }
    case 'provider_error':
      // assumption: 503 is 1011 Service not ready (Coreapp still starting), everything else 500 1014 Internal error.
      if (reason.status === 503)
        return onPremError(503, 1011, 'Service not ready', 'The Coreapp is not ready yet. Retry later.');
      return onPremError(500, 1014, 'Internal error', 'An internal error occurred. Retry later.');
  }
}

function invalidRequest(reason: RejectReason): NativeReply {
  const details = ownWords(reason);
  if (reason.problem === 'too_large' || reason.status === 413) {
    // assumption: a body over 1 MB is 413 with 1001 "Message too long" (the nearest documented code).
    return onPremError(413, 1001, 'Message too long', details ?? 'Request body is too large.');
  }
  if (reason.field === 'recipient_type' && reason.problem === 'invalid_field') {
    return onPremError(400, 1002, 'Invalid recipient type', details ?? 'recipient_type must be "individual".');
  }
  if (reason.problem === 'missing_field')
    return onPremError(400, 1008, 'Required parameter is missing', details ?? 'Required parameter is missing.');
  // assumption: malformed JSON and a non-JSON Content-Type are 1009 too, with the cause in details.
  return onPremError(400, 1009, 'Parameter value is not valid', details ?? 'Parameter value is not valid.');
}

/** The reason's own words in On-Prem's `components[1].sub_type must ...` style; none for scenario-forced replies. */
function ownWords(reason: RejectReason): string | undefined {
  if (!reason.message || reason.problem === 'scenario') return undefined;
  if (!reason.field) return reason.message;
  const bracketed = reason.field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  // The docs word it "components[1].sub_type must be one of ...", without the colon the pipeline puts there.
  return reason.message.replace(`${reason.field}: `, `${reason.field} `).split(reason.field).join(bracketed);
}

const denied = (message: string, problem: 'bad_credentials' | 'token_expired' = 'bad_credentials'): AuthVerdict => ({
  ok: false,
  outcome: 'unauthorized',
  reason: { problem, message },
});

/**
 * `POST /v1/users/login`: `Authorization: Basic base64(user:pass)`. A user with a known password (pinned, or set
 * with `new_password`) must give it; with no pinned users any other pair logs in, `admin` included.
 */
export function authenticateLogin(req: RequestView, { state, credentials }: Ctx): AuthVerdict {
  const pair = readBasicPair(req.header('authorization'));
  if (!pair) return denied('Authorization: Basic base64(username:password) is required.');
  const password = state.passwords.get(pair.username);
  if (password !== undefined)
    return password === pair.password ? { ok: true, account: pair.username } : denied('Invalid credentials.');
  // assumption: without pinned credentials any username/password logs in (a deployment's real admin password too),
  // so a developer needs no setup; only the factory pair admin/secret keeps the password-change step.
  if (credentials) return denied('Invalid credentials.');
  return { ok: true, account: pair.username };
}

/**
 * `Authorization: Bearer <token>`. An issued token works until it expires or is logged out; a token the
 * simulator never issued is accepted unless credentials are pinned or `options.strictAuth` is set.
 */
export function authenticateBearer(req: RequestView, { state, now, credentials }: Ctx): AuthVerdict {
  const token = readAuthorization(req.header('authorization'), 'Bearer');
  if (!token) return denied('Authorization: Bearer <token> is required; get a token from POST /v1/users/login.');
  const issued = state.tokens.get(token);
  // assumption: an expired or logged-out token gets the same 401 1005 Access denied as a wrong password, with the
  // cause in details.
  if (issued?.revoked) return denied('Token is no longer valid: it was logged out.');
  if (issued && issued.expiresAt <= now()) return denied('Token expired. Log in again.', 'token_expired');
  if (issued) return { ok: true, account: issued.user };
  // assumption: a token never issued is accepted by default, so a developer can send without logging in first.
  if (credentials || state.strictAuth) return denied('Invalid token. Log in with POST /v1/users/login.');
  return { ok: true, account: token };
}
