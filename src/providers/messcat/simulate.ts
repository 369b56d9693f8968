/**
 * Messcat's native replies (`@hapi/boom` bodies, Ajv validation wording) and its auth rules.
 * @module
 */
import { readAuthorization } from '../credentials.js';
import type { AuthVerdict, NativeReply, RejectReason, RequestView } from '../define.js';
import type { Rejection } from '../outcomes.js';
import { HOOK_SCOPES, type MesscatCredential, type Scope, SEND_SCOPES } from './schema.js';

/** Boom's `error` text for each status this provider answers with. */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const SERVER_ERROR_STATUSES = [500, 502, 503, 504] as const;

export const MISSING_AUTHENTICATION = 'Missing authentication';
// assumption: the 403 names only MESSAGES_SEND_TO_ALL, the scope the article asks for,
// though either send scope would do.
export const MISSING_SCOPES = `missing scopes: ${SEND_SCOPES[0]}`;
export const NO_STARTING_ACTION = 'bot has no starting action';

// assumption: Boom-style texts for the cases the docs do not word: hapi-auth-jwt2's 401 texts, hapi's 413 text,
// Boom's default 500 text.
export const TEXTS = {
  invalidToken: 'Invalid token',
  tokenExpired: 'Token expired',
  botNotFound: 'bot not found',
  tooLarge: `Payload content length greater than maximum allowed: ${1024 * 1024}`,
  noCredits: 'insufficient credits to send message',
  blocked: 'contact has blocked this account',
  serverError: 'An internal server error occurred',
} as const;

const boom = (status: number, message: string, headers?: Record<string, string>): NativeReply => ({
  status,
  body: { statusCode: status, error: PHRASES[status] ?? 'Error', message },
  ...(headers && { headers }),
});

/** Renders a rejection as a Boom body `{statusCode, error, message}`. */
export function reject(outcome: Rejection, reason: RejectReason = {}): NativeReply {
  switch (outcome) {
    case 'invalid_request':
      return invalid(reason);
    case 'unauthorized':
      if (reason.problem === 'missing_scope' || reason.status === 403) {
        return boom(403, reason.message?.startsWith('missing scopes: ') ? reason.message : MISSING_SCOPES);
      }
      if (reason.problem === 'token_expired') return boom(401, TEXTS.tokenExpired);
      return boom(401, reason.message === MISSING_AUTHENTICATION ? MISSING_AUTHENTICATION : TEXTS.invalidToken);
    case 'rate_limited': {
      const wait = reason.retryAfter ?? 60;
      // assumption: Boom's default 429 with Retry-After in seconds; ChatDaddy documents no limit or wording.
      return boom(429, PHRASES[429]!, { 'retry-after': String(wait) });
    }
    case 'insufficient_quota':
      // assumption: an empty message balance is 402 Payment Required (undocumented).
      return boom(402, TEXTS.noCredits);
    case 'blocked_recipient':
      // assumption: a contact who blocked the channel is refused with 400 (undocumented; the real service may only
      // fail the message later).
      return boom(400, TEXTS.blocked);
    case 'provider_error': {
      const status = (SERVER_ERROR_STATUSES as readonly number[]).includes(reason.status ?? 0) ? reason.status! : 500;
      return boom(status, status === 500 ? TEXTS.serverError : PHRASES[status]!);
    }
  }
}

function invalid(reason: RejectReason): NativeReply {
  if (reason.status === 413 || reason.problem === 'too_large') return boom(413, TEXTS.tooLarge);
  if (reason.status === 415 || reason.problem === 'unsupported_media_type') {
    // assumption: a non-JSON body is 415 in express-openapi-validator's words; the pipeline's message ends with the
    // refused type.
    const type = /not (\S+)\s*$/.exec(reason.message ?? '')?.[1];
    return boom(415, type ? `unsupported media type ${type}` : 'unsupported media type');
  }
  if (reason.status === 404 || reason.problem === 'unknown_template') return boom(404, TEXTS.botNotFound);
  return boom(400, validationMessage(reason));
}

/** Ajv's wording, as express-openapi-validator joins it: `request/body/<path> <message>`. */
function validationMessage({ problem, field, message }: RejectReason): string {
  if (problem === 'missing_field') {
    // assumption: an empty body reaches the validator as `{}` (as express.json leaves it),
    // so toContact is named as missing.
    if (!field) return "request/body must have required property 'toContact'";
    const path = field.split('.');
    const property = path.pop()!;
    return `${['request/body', ...path].join('/')} must have required property '${property}'`;
  }
  if (problem === 'invalid_field') {
    const text =
      field && message?.startsWith(`${field}: `) ? message.slice(field.length + 2) : (message ?? 'is invalid');
    return `${['request/body', ...(field ? field.split('.') : [])].join('/')} ${text}`;
  }
  if (problem === 'malformed_json') {
    // assumption: malformed JSON is 400 with JSON.parse's own message, as body-parser passes it through; the pipeline
    // prefixes it.
    return message?.replace(/^body is not valid JSON: /, '') ?? 'Unexpected end of JSON input';
  }
  return message || PHRASES[400]!;
}

const SCOPE_BITS: Record<Scope, number> = {
  // Bit positions in the access token's `scope` claim, from the SDK's src/scopes.json.
  MESSAGES_SEND_TO_ALL: 59,
  MESSAGES_SEND_TO_ASSIGNED: 58,
  CHATDADDY_HOOK: 65,
};
const ALL_SCOPES = [...SEND_SCOPES, ...HOOK_SCOPES] as const;

/** Hapi's answer to a path no route matches, method mismatches included. */
export function notFound(): NativeReply {
  return boom(404, PHRASES[404]!);
}

const JWT = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/;

type Refusal = Extract<AuthVerdict, { ok: false }>;

const unauthorized = (message: string, problem: 'bad_credentials' | 'token_expired' = 'bad_credentials'): Refusal => ({
  ok: false,
  outcome: 'unauthorized',
  reason: { problem, message },
});

/**
 * `Authorization: Bearer <token>`. Pinned credentials accept only their tokens, with their scopes; without
 * them any `apit_…` API token is accepted with every scope, and a JWT access token with the scopes in
 * its `scope` claim. Any one of `required` is enough (either send scope for a fire); a token with none answers 403.
 */
export function authenticate(
  req: RequestView,
  now: number,
  credentials?: MesscatCredential[],
  required: readonly Scope[] = SEND_SCOPES,
): AuthVerdict {
  const header = req.header('authorization');
  const token = readAuthorization(header, 'Bearer');
  if (!token) {
    return header
      ? unauthorized(`${TEXTS.invalidToken}: expected "Bearer <token>"`)
      : unauthorized(MISSING_AUTHENTICATION);
  }
  const found = credentials ? fromPinned(token, credentials) : fromToken(token, now);
  if ('ok' in found) return found;
  if (!required.some((scope) => found.scopes.includes(scope))) {
    const message = `missing scopes: ${required[0]}`;
    return { ok: false, outcome: 'unauthorized', reason: { problem: 'missing_scope', status: 403, message } };
  }
  return { ok: true, account: token };
}

type Grant = { scopes: readonly string[] } | Refusal;

function fromPinned(token: string, credentials: MesscatCredential[]): Grant {
  // assumption: a pinned token written with its "Bearer " prefix, as the article shows tokens, still matches.
  const pinned = credentials.find((c) => c.token.replace(/^Bearer\s+/i, '') === token);
  if (!pinned) return unauthorized(`${TEXTS.invalidToken}: not a pinned token`);
  return { scopes: pinned.scopes ?? [SEND_SCOPES[0], ...HOOK_SCOPES] };
}

function fromToken(token: string, now: number): Grant {
  if (/^apit_\S+$/.test(token)) return { scopes: ALL_SCOPES };
  // assumption: JWT access tokens are accepted without checking their ES256 signature (the simulator has no
  // ChatDaddy key); only `exp` (against the simulator clock) and the `scope` bit string are read.
  const payload = decodeJwtPayload(token);
  if (!payload) {
    const hint = /^bearer\s/i.test(token)
      ? ': "Bearer" appears twice'
      : ': expected an apit_ API token or a JWT access token';
    return unauthorized(`${TEXTS.invalidToken}${hint}`);
  }
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= now)
    return unauthorized(TEXTS.tokenExpired, 'token_expired');
  const bits = typeof payload.scope === 'string' ? payload.scope : '';
  return { scopes: ALL_SCOPES.filter((scope) => bits[SCOPE_BITS[scope]] === '1') };
}

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const segment = JWT.exec(token)?.[1];
  if (!segment) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
