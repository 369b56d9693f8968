/**
 * The OTP service over HTTP: `/v1/verifications` for apps, `/v1/callbacks/<provider>` for providers'
 * delivery reports. Errors are `application/problem+json`.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { problem } from '../util/problem.js';
import { InvalidRequestError, OtpError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { OtpService } from './service.js';

export interface OtpHttpOptions {
  /** When set, `/v1/verifications*` requires `Authorization: Bearer <apiKey>` (or `X-API-Key`). */
  apiKey?: string;
  logger?: Logger;
  /** Extra facts for `/health` (store kind, ...). */
  health?: () => Record<string, unknown>;
}

const sendSchema = z.strictObject({
  to: z.string().min(1, 'to is required'),
  provider: z.string().min(1).optional(),
  locale: z.string().regex(/^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]{2,8})?$/, 'locale must look like en or id or pt_BR').optional(),
});

const checkSchema = z
  .strictObject({ to: z.string().min(1).optional(), id: z.string().min(1).optional(), code: z.string().min(1, 'code is required') })
  .refine((b) => b.to !== undefined || b.id !== undefined, { message: 'give to or id', path: ['to'] });

async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
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

function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Creates the Hono app for a service.
 * @example
 * serve({ fetch: createOtpHttp(service, { apiKey: process.env.WAOTP_API_KEY }).fetch, port: 4020 });
 */
export function createOtpHttp(service: OtpService, { apiKey, logger = silentLogger, health = () => ({}) }: OtpHttpOptions = {}) {
  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'http');
  });

  const requireKey = async (c: Context, next: () => Promise<void>) => {
    if (!apiKey) return next();
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (sameSecret(apiKey, bearer ?? c.req.header('x-api-key'))) return next();
    return problem(401, 'Unauthorized', 'send the API key as Authorization: Bearer <key>', {}, { 'www-authenticate': 'Bearer' });
  };
  app.use('/v1/verifications', requireKey);
  app.use('/v1/verifications/*', requireKey);

  app.get('/health', (c) =>
    c.json({ status: 'ok', providers: service.providers.map((id) => ({ id, circuit: service.delivery.circuit(id) })), ...health() }),
  );

  app.post('/v1/verifications', async (c) => {
    const body = await readJson(c, sendSchema);
    const idempotencyKey = c.req.header('idempotency-key');
    const verification = await service.send({ ...body, ...(idempotencyKey !== undefined && { idempotencyKey }) });
    return c.json(verification, 201);
  });

  app.post('/v1/verifications/check', async (c) => c.json(await service.check(await readJson(c, checkSchema))));
  app.get('/v1/verifications/:id', async (c) => c.json(await service.get(c.req.param('id'))));
  app.post('/v1/verifications/:id/cancel', async (c) => c.json(await service.cancel(c.req.param('id'))));

  app.on(['GET', 'POST'], '/v1/callbacks/:provider', async (c) => {
    const provider = c.req.param('provider');
    if (!service.providers.includes(provider)) return problem(404, 'Unknown provider', `no provider "${provider}" is configured`);
    const adapter = service.adapter(provider);
    if (c.req.method === 'GET' && adapter?.answerHandshake) {
      // The webhook verification handshake (Cloud API): echo the challenge only for our verify token.
      const challenge = adapter.answerHandshake(c.req.query());
      return challenge === undefined ? problem(403, 'Forbidden', 'hub.verify_token does not match, or hub.mode is not subscribe') : c.text(challenge);
    }
    const text = await c.req.text();
    if (adapter?.authenticateReport && !adapter.authenticateReport(text, c.req.header())) {
      return problem(401, 'Unauthorized', 'the report\'s signature does not match its body', {}, { 'www-authenticate': 'X-Hub-Signature-256' });
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: the parser gets the raw text and decides.
    }
    const result = await service.handleCallback(provider, { method: c.req.method, query: c.req.query(), headers: c.req.header(), body });
    return c.json({ received: result.events, matched: result.matched });
  });

  app.notFound((c) => problem(404, 'Not Found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((error) => {
    if (error instanceof OtpError) {
      const retryAfterMs = (error.details() as { retryAfterMs?: number }).retryAfterMs;
      const headers: Record<string, string> = retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {};
      return problem(error.status, error.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'), error.message, { type: `/problems/${error.type}`, ...error.details() }, headers);
    }
    logger.error({ error: (error as Error).message }, 'unhandled error');
    return problem(500, 'Internal Server Error', 'the OTP service failed unexpectedly');
  });
  return app;
}
