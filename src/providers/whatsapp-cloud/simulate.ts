/**
 * WhatsApp Cloud API native replies (Graph's `{"error":{message,type,code,error_data?,error_subcode?,fbtrace_id}}`)
 * with Meta's HTTP mapping, and the auth rules: `Authorization: Bearer <token>` and a numeric phone-number id.
 * @module
 */
import { createHash } from 'node:crypto';
import { readAuthorization } from '../credentials.js';
import type { AuthContext, AuthVerdict, NativeReply, RejectReason, RequestView } from '../define.js';
import type { Rejection } from '../outcomes.js';
import { type CloudCredential, PHONE_NUMBER_ID } from './schema.js';

interface GraphErrorSpec {
  status: number;
  code: number;
  /** The title after `(#code)`; Graph's token errors (190) use their own full wording instead. */
  title: string;
  details?: string;
  subcode?: number;
  type?: string;
  headers?: Record<string, string>;
}

// assumption: fbtrace_id is opaque; a hash of the error keeps replies reproducible without a random source here.
const traceOf = (text: string) => `A${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;

/** One Graph error reply. WhatsApp codes carry `error_data`; Graph-level ones (190, 10, 100/33) do not. */
export function graphError({
  status,
  code,
  title,
  details,
  subcode,
  type = 'OAuthException',
  headers,
}: GraphErrorSpec): NativeReply {
  const message = code === 190 ? title : `(#${code}) ${title}`;
  const error = {
    message,
    type,
    code,
    ...(subcode !== undefined && { error_subcode: subcode }),
    ...(details !== undefined && { error_data: { messaging_product: 'whatsapp' as const, details } }),
    fbtrace_id: traceOf(`${code}:${subcode ?? ''}:${details ?? title}`),
  };
  return { status, body: { error }, ...(headers && { headers }) };
}

/** Renders a rejection in Graph's envelope. Throttling is HTTP 400, never 429: Meta's table. */
export function reject(outcome: Rejection, reason: RejectReason = {}): NativeReply {
  const details = reason.problem === 'scenario' ? undefined : reason.message;
  switch (outcome) {
    case 'invalid_request':
      return invalidRequest(reason);
    case 'unauthorized':
      if (reason.problem === 'missing_scope') {
        return graphError({ status: 403, code: 10, title: 'Application does not have permission for this action' });
      }
      if (reason.problem === 'token_expired') {
        return graphError({
          status: 401,
          code: 190,
          subcode: 463,
          title: 'Error validating access token: Session has expired.',
        });
      }
      // Docs: 190 is an expired or invalid token; 467 marks an invalid one.
      return graphError({
        status: 401,
        code: 190,
        subcode: 467,
        title: 'Invalid OAuth access token - Cannot parse access token',
      });
    case 'insufficient_quota':
      return graphError({
        status: 400,
        code: 131042,
        title: 'Business eligibility payment issue',
        details: 'Message failed to send because there were one or more errors related to your payment method.',
      });
    case 'blocked_recipient':
      // assumption: Meta has no "recipient blocked the business" code; 131030 (recipient not allowed) is the one
      // sync refusal of a recipient.
      return graphError({
        status: 400,
        code: 131030,
        title: 'Recipient phone number not in allowed list',
        details:
          details ?? 'Recipient phone number not in allowed list: add it to the allowed list of the test number.',
      });
    case 'rate_limited': {
      const retryAfter = reason.retryAfter ?? 1;
      // Docs: Cloud API throughput (130429) is HTTP 400, never 429.
      // assumption: a Retry-After header is added (Meta sends none) so generic clients can back off.
      return graphError({
        status: 400,
        code: 130429,
        title: 'Rate limit hit',
        details: 'Cloud API message throughput has been reached.',
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    case 'provider_error':
      // Meta's table: 131016 Service unavailable and 131000 Something went wrong are both HTTP 500.
      if (reason.status === 503)
        return graphError({
          status: 500,
          code: 131016,
          title: 'Service unavailable',
          details: 'A service is temporarily unavailable.',
        });
      return graphError({
        status: 500,
        code: 131000,
        title: 'Something went wrong',
        details: 'Message failed to send because of an unknown error.',
      });
  }
}

function invalidRequest(reason: RejectReason): NativeReply {
  const details = reason.message;
  if (reason.problem === 'too_large' || reason.status === 413) {
    // assumption: a body over 1 MB is 413 in Graph's envelope with code 100 (Meta documents no limit for this call).
    return graphError({
      status: 413,
      code: 100,
      title: 'Invalid parameter',
      details: details ?? 'Request body is too large.',
    });
  }
  if (reason.problem === 'unknown_template') {
    return graphError({
      status: 404,
      code: 132001,
      title: 'Template name does not exist in the translation',
      details: details ?? 'template name does not exist in the translation',
    });
  }
  if (reason.field === 'phone_number_id') {
    // [lib] seen for the GET variant; the POST wording is an assumption.
    return graphError({
      status: 400,
      code: 100,
      subcode: 33,
      type: 'GraphMethodException',
      title:
        `Unsupported post request. ${details ?? ''} does not exist, cannot be loaded due to missing permissions, ` +
        'or does not support this operation. ' +
        'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
    });
  }
  if (reason.problem === 'missing_field')
    return graphError({
      status: 400,
      code: 131008,
      title: 'Required parameter is missing',
      details: details ?? 'Required parameter is missing.',
    });
  if (reason.problem === 'invalid_field')
    return graphError({
      status: 400,
      code: 131009,
      title: 'Parameter value is not valid',
      details: details ?? 'Parameter value is not valid.',
    });
  // assumption: malformed JSON, a non-JSON Content-Type and scenario-forced invalid requests are code 100
  // Invalid parameter.
  return graphError({ status: 400, code: 100, title: 'Invalid parameter', details: details ?? 'Invalid parameter.' });
}

const denied = (problem: 'bad_credentials' | 'token_expired', message: string): AuthVerdict => ({
  ok: false,
  outcome: 'unauthorized',
  reason: { problem, message },
});

/**
 * `Authorization: Bearer <token>` on `/:version/:phone_number_id/messages`. Without pinned credentials any token
 * and any numeric phone-number id work; with them, the token must be pinned and, if bound, for this number.
 */
export function authenticate(req: RequestView, { credentials }: AuthContext<unknown, CloudCredential>): AuthVerdict {
  const phoneNumberId = req.params.phone_number_id ?? '';
  const token = readAuthorization(req.header('authorization'), 'Bearer');
  if (!token) return denied('bad_credentials', 'Authorization: Bearer <access token> is required');
  const unknownObject: AuthVerdict = {
    ok: false,
    outcome: 'invalid_request',
    reason: { field: 'phone_number_id', message: `Object with ID '${phoneNumberId}'` },
  };
  if (!PHONE_NUMBER_ID.test(phoneNumberId)) return unknownObject;
  if (credentials) {
    const mine = credentials.filter((c) => c.token === token);
    if (mine.length === 0) return denied('bad_credentials', 'access token is not one of the pinned tokens');
    if (!mine.some((c) => c.phoneNumberId === undefined || c.phoneNumberId === phoneNumberId)) return unknownObject;
  }
  // Meta's throughput limit is per phone number, so quota and rate-limit counters are too.
  return { ok: true, account: phoneNumberId };
}
