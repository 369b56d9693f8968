/**
 * Reading a request body: the size cap, JSON parsing with the provider-neutral reasons a provider words
 * in its own dialect, and zod issues as those reasons. The pipeline's "read body" and "parse" steps.
 * @module
 */
import type { z } from 'zod';
import type { RejectReason } from '../providers/define.js';
import { parseJsonText } from './json-limits.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** The journal keeps this much of a body; a larger one is cut short. */
export const JOURNAL_BODY_CHARS = 16_384;

/** Past the cap, a body is still read and discarded up to this size, so the client sees the 413. */
const DRAIN_LIMIT = 16 * MAX_BODY_BYTES;

/**
 * Reads a body with a hard size cap, without trusting Content-Length alone; undefined when over it.
 * An oversized body is drained (up to DRAIN_LIMIT) rather than cut off, because a client still writing
 * when the server answers sees a reset instead of the 413.
 */
export async function readBodyText(request: Request, max = MAX_BODY_BYTES): Promise<string | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null) {
    const length = Number(declared);
    if (!(length <= DRAIN_LIMIT)) return undefined;
    if (length > max) {
      await request.arrayBuffer().catch(() => undefined);
      return undefined;
    }
    // The declared length bounds the read, and @hono/node-server reads it straight from the socket;
    // touching request.body instead would build a web stream per request.
    return request.text();
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > DRAIN_LIMIT) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    if (size <= max) chunks.push(value);
  }
  return size > max ? undefined : Buffer.concat(chunks, size).toString('utf8');
}

type JsonRead = { ok: true; value: unknown } | { ok: false; reason: RejectReason };

const BLANK = /^\s*$/;
const JSON_MEDIA_TYPE = /^\s*application\/([\w.+-]+\+)?json\b/i;

/** Parses a JSON body, refusing other media types. */
export function parseJson(text: string, contentType: string | undefined, optional: boolean): JsonRead {
  // Tested, not trimmed: a trimmed copy of every body was a measurable share of a send.
  const blank = BLANK.test(text);
  // An empty optional body is fine whatever its type: `curl -d ''` labels it form-encoded.
  if (optional && blank) return { ok: true, value: {} };
  // assumption: a missing Content-Type is read as JSON (lenient, like most JSON APIs); a non-JSON one is refused.
  if (contentType && !JSON_MEDIA_TYPE.test(contentType)) {
    return {
      ok: false,
      reason: {
        problem: 'unsupported_media_type',
        message: `Content-Type must be application/json, not ${contentType}`,
      },
    };
  }
  if (blank) return { ok: false, reason: { problem: 'missing_field', message: 'request body is empty' } };
  // One depth limit for every JSON body: a deeply nested one is refused before it can overflow a stack later.
  const json = parseJsonText(text);
  if (json.ok) return json;
  return {
    ok: false,
    reason: {
      problem: 'malformed_json',
      message: json.tooDeep ? `body is refused: ${json.error}` : `body is not valid JSON: ${json.error}`,
    },
  };
}

/** The first zod issue as a provider-neutral reason: which field, and whether it is missing or wrong. */
export function describeIssue(error: z.ZodError, input: unknown): RejectReason {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  const field = path.join('.');
  const missing = path.length > 0 && valueAt(input, path) === undefined;
  const problem = missing ? 'missing_field' : 'invalid_field';
  // Refinements word their own message; zod's built-in ones need the field named.
  if (issue.code === 'custom') return { problem, ...(field && { field }), message: issue.message };
  if (missing) return { problem, field, message: `${field} is required` };
  return { problem, ...(field && { field }), message: field ? `${field}: ${issue.message}` : issue.message };
}

function valueAt(input: unknown, path: string[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
