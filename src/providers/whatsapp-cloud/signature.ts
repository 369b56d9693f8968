/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, exact body bytes)>`.
 * Self-contained so the simulator (signing) and the sending core's receiver (checking) share one definition.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>` for the exact bytes of a body. */
export function signPayload(rawBody: string | Uint8Array, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/**
 * Whether `header` (the `X-Hub-Signature-256` value) signs exactly `rawBody` with the app secret.
 * @example
 * verifyPayloadSignature(await req.text(), req.headers.get('x-hub-signature-256') ?? undefined, appSecret);
 */
export function verifyPayloadSignature(
  rawBody: string | Uint8Array,
  header: string | undefined,
  appSecret: string,
): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header.trim())) return false;
  const expected = Buffer.from(signPayload(rawBody, appSecret).slice(7), 'hex');
  const given = Buffer.from(header.trim().slice(7).toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** JSON as Meta writes webhook bodies: every non-ASCII character escaped as `\uXXXX` (some SDKs sign that form). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
