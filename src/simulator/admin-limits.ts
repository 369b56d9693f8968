/**
 * The admin API's own limits: request bodies capped in size like provider bodies and in nesting depth,
 * and a cap on armed rules (each one is checked on every send).
 * @module
 */
import { problem } from '../util/problem.js';
import { readBodyText } from './body.js';
import { MAX_JSON_DEPTH, parseJsonText } from './json-limits.js';

/** Rules armed at most through the admin API; each is checked on every send. */
export const MAX_RULES = 10_000;

/** The largest admin request body read. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

/**
 * The parsed body, or the problem+json answer to send instead (413 too large, 400 malformed or too deep).
 * @example
 * const body = await readAdminJson(c.req.raw);
 * if (!body.ok) return body.error;
 */
export async function readAdminJson(
  request: Request,
): Promise<{ ok: true; value: unknown } | { ok: false; error: Response }> {
  const text = await readBodyText(request, MAX_ADMIN_BODY_BYTES);
  if (text === undefined) {
    return {
      ok: false,
      error: problem(
        413,
        'Payload Too Large',
        `admin request bodies are limited to ${MAX_ADMIN_BODY_BYTES} bytes`,
        {},
        { connection: 'close' },
      ),
    };
  }
  const json = parseJsonText(text);
  if (json.ok) return json;
  if (json.tooDeep)
    return {
      ok: false,
      error: problem(400, 'Malformed JSON', `the body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`),
    };
  return { ok: false, error: problem(400, 'Malformed JSON', `the body is not valid JSON: ${json.error}`) };
}
