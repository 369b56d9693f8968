/**
 * The OTP service over HTTP: `/v1/verifications` for apps, `/v1/callbacks/<provider>` for providers'
 * delivery reports. Errors are `application/problem+json`.
 * @module
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { nestsDeeperThan } from '../util/json-depth.js';
import { problem } from '../util/problem.js';
import { secretsMatch } from './codes.js';
import { InvalidRequestError, OtpError, ReportRefusedError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { OtpService } from './service.js';

export interface OtpHttpOptions {
  /** When set, `/v1/verifications*` requires `Authorization: Bearer <apiKey>` (or `X-API-Key`). */
  apiKey?: string;
  logger?: Logger;
  /** Extra facts for `/health` (store kind, ...). */
  health?: () => Record<string, unknown>;
  /** Largest request body accepted, in bytes (default 16 KB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted (default 32); deeper bodies get 400 before they are parsed. */
  maxJsonDepth?: number;
  /** Take the client address from the last `X-Forwarded-For` entry (behind one trusted proxy). */
  trustProxy?: boolean;
}

const NO_PENDING = {
  not_found: 'no pending verification for this number or id (never sent, already approved, or replaced by a newer one)',
  expired: 'the verification expired: send a new code',
  canceled: 'the verification was canceled: send a new code',
};

/** Limits that apply to every request body. */
export const INPUT_DEFAULTS = { maxBodyBytes: 16 * 1024, maxJsonDepth: 32 };

const sendSchema = z.strictObject({
  to: z.string().min(1, 'to is required'),
  provider: z.string().min(1).optional(),
  locale: z
    .string()
    .regex(/^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]{2,8})?$/, 'locale must look like en or id or pt_BR')
    .optional(),
});

const checkSchema = z
  .strictObject({
    to: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    code: z.string().min(1, 'code is required'),
  })
  .refine((b) => b.to !== undefined || b.id !== undefined, { message: 'give to or id', path: ['to'] });

async function readJson<T>(c: Context, schema: z.ZodType<T>, maxDepth: number): Promise<T> {
  let raw: unknown;
  const text = await c.req.text();
  if (nestsDeeperThan(text, maxDepth)) throw new InvalidRequestError(`the body nests deeper than ${maxDepth} levels`);
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('the body must be JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidRequestError(issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
  }
  return parsed.data;
}

/** The `problem+json` answer for a service error, with `Retry-After` when it says when to retry. */
export function problemFor(error: OtpError): Response {
  const retryAfterMs = (error.details() as { retryAfterMs?: number }).retryAfterMs;
  const headers: Record<string, string> =
    retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {};
  const title = error.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  return problem(error.status, title, error.message, { type: `/problems/${error.type}`, ...error.details() }, headers);
}

/**
 * Creates the Hono app for a service.
 * @example
 * serve({ fetch: createOtpHttp(service, { apiKey: process.env.WAOTP_API_KEY }).fetch, port: 4020 });
 */
export function createOtpHttp(service: OtpService, options: OtpHttpOptions = {}) {
  const { apiKey, logger = silentLogger, health = () => ({}), trustProxy = false } = options;
  const { maxBodyBytes = INPUT_DEFAULTS.maxBodyBytes, maxJsonDepth = INPUT_DEFAULTS.maxJsonDepth } = options;
  const app = new Hono();
  let refusedReports = 0;

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // A callback URL's last segment is the report token: never in a log line.
    const path = c.req.path.replace(/^(\/v1\/callbacks\/[^/]+\/).+$/, '$1[token]');
    logger.info(
      { method: c.req.method, path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'http',
    );
  });

  const tooLarge = () => problem(413, 'Content Too Large', `request bodies are limited to ${maxBodyBytes} bytes`);
  const streamedLimit = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });
  app.use('*', (c, next) => {
    // A declared length is enforced by Node's parser, so it is enough to check; hono's bodyLimit would open the
    // body as a web stream on every request. Only a streamed (chunked) body is counted as it arrives.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return streamedLimit(c, next);
    return Number(declared) <= maxBodyBytes ? next() : Promise.resolve(tooLarge());
  });

  // The JSON API takes JSON only: a form or text/plain body (which a browser may send cross-site) is refused.
  const requireJson = async (c: Context, next: () => Promise<void>) => {
    const type = c.req.header('content-type');
    const json = type !== undefined && /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type);
    const bodiless = type === undefined && !c.req.raw.body;
    if (c.req.method !== 'POST' || json || (bodiless && c.req.path.endsWith('/cancel'))) return next();
    return problem(
      415,
      'Unsupported Media Type',
      'send the body as Content-Type: application/json',
      {},
      { accept: 'application/json' },
    );
  };

  const clientIp = (c: Context): string | undefined => {
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
      if (forwarded) return forwarded;
    }
    try {
      return getConnInfo(c).remote.address;
    } catch {
      return undefined; // in-process app.request(): no socket
    }
  };

  const requireKey = async (c: Context, next: () => Promise<void>) => {
    if (!apiKey) return next();
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (secretsMatch(apiKey, bearer ?? c.req.header('x-api-key'))) return next();
    return problem(
      401,
      'Unauthorized',
      'send the API key as Authorization: Bearer <key>',
      {},
      { 'www-authenticate': 'Bearer' },
    );
  };
  app.use('/v1/verifications', requireKey, requireJson);
  app.use('/v1/verifications/*', requireKey, requireJson);

  // Load balancers read the status: 503 while the store cannot answer, so they route elsewhere.
  app.get('/health', async (c) => {
    const store = await service.storeState();
    const body = {
      status: store === 'ready' ? 'ok' : 'unavailable',
      storeState: store,
      providers: service.providers.map((id) => ({ id, circuit: service.delivery.circuit(id) })),
      refusedReports,
      ...health(),
    };
    return c.json(body, store === 'ready' ? 200 : 503, store === 'ready' ? {} : { 'retry-after': '1' });
  });

  app.post('/v1/verifications', async (c) => {
    const body = await readJson(c, sendSchema, maxJsonDepth);
    const idempotencyKey = c.req.header('idempotency-key');
    const ip = clientIp(c);
    const verification = await service.send({
      ...body,
      ...(idempotencyKey !== undefined && { idempotencyKey }),
      ...(ip && { clientIp: ip }),
    });
    return c.json(verification, 201);
  });

  // Twilio Verify's answers: 200 approved or pending (a wrong code); 404 once the verification is missing or no
  // longer pending (expired, approved, canceled, replaced); 429 once its checks are spent. So a client that tests
  // `res.ok` never reads a dead verification as a success.
  app.post('/v1/verifications/check', async (c) => {
    const ip = clientIp(c);
    const result = await service.check({
      ...(await readJson(c, checkSchema, maxJsonDepth)),
      ...(ip && { clientIp: ip }),
    });
    const ids = { ...(result.id && { id: result.id }), verificationStatus: result.status };
    if (result.status === 'approved' || result.status === 'pending') return c.json(result);
    if (result.status === 'max_attempts_reached') {
      return problem(429, 'Too Many Requests', 'this verification has no checks left: send a new code', {
        type: '/problems/max-check-attempts',
        ...ids,
      });
    }
    return problem(404, 'Not Found', NO_PENDING[result.status], { type: '/problems/verification-not-found', ...ids });
  });
  app.get('/v1/verifications/:id', async (c) => c.json(await service.get(c.req.param('id'))));
  app.post('/v1/verifications/:id/cancel', async (c) => c.json(await service.cancel(c.req.param('id'))));

  // A provider's report proves where it came from by its signature, or by the token in the URL the core handed out.
  app.on(['GET', 'POST'], ['/v1/callbacks/:provider', '/v1/callbacks/:provider/:token'], async (c) => {
    const provider = c.req.param('provider');
    if (!service.providers.includes(provider))
      return problem(404, 'Unknown provider', `no provider "${provider}" is configured`);
    const adapter = service.adapter(provider);
    if (c.req.method === 'GET' && adapter?.answerHandshake) {
      // The webhook verification handshake (Cloud API): echo the challenge only for our verify token.
      const challenge = adapter.answerHandshake(c.req.query());
      return challenge === undefined
        ? problem(403, 'Forbidden', 'hub.verify_token does not match, or hub.mode is not subscribe')
        : c.text(challenge);
    }
    // A GET report (Verihubs') has no body; reading one would build a whole fetch Request for nothing.
    const text = c.req.method === 'GET' ? '' : await c.req.text();
    const token = c.req.param('token');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the parser gets the raw text and decides.
    }
    const request = { method: c.req.method, query: c.req.query(), headers: c.req.header(), body };
    try {
      const result = await service.handleCallback(provider, request, {
        rawBody: text,
        ...(token !== undefined && { token }),
      });
      return c.json({ received: result.events, matched: result.matched });
    } catch (error) {
      if (error instanceof ReportRefusedError) {
        refusedReports++;
        logger.warn(
          { event: 'report_refused', provider, status: error.status, reason: error.message, client: clientIp(c) },
          'delivery report refused',
        );
      }
      throw error;
    }
  });

  app.notFound((c) => problem(404, 'Not Found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((error) => {
    if (error instanceof OtpError) return problemFor(error);
    logger.error({ error: (error as Error).message }, 'unhandled error');
    return problem(500, 'Internal Server Error', 'the OTP service failed unexpectedly');
  });
  return app;
}
