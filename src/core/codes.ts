/**
 * OTP codes: generated from the OS's CSPRNG, stored only as a keyed hash, compared in constant time.
 * @module
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** A numeric code of `length` digits, uniformly distributed (leading zeros allowed). */
export function generateCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += randomInt(0, 10).toString();
  return code;
}

/**
 * HMAC-SHA256 of the code, bound to its verification so a hash is useless for any other one.
 * @example
 * const hash = hashCode(secret, 'VE1234', '482913');
 */
export function hashCode(secret: string, verificationId: string, code: string): string {
  return createHmac('sha256', secret).update(`${verificationId}:${code}`).digest('hex');
}

/** Constant-time equality of two hex hashes. */
export function hashesMatch(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(actual, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Constant-time equality of two secrets given as text (an API key, a report token); false when none is given. */
export function secretsMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
