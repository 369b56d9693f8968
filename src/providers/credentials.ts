/**
 * Reading credentials out of request headers, shared by the slices that use standard HTTP schemes.
 * @module
 */

/** The token after `<scheme> ` in an Authorization header, or undefined. Scheme match is case-insensitive. */
export function readAuthorization(header: string | undefined, scheme: 'Basic' | 'Bearer'): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== scheme.toLowerCase()) return undefined;
  const token = header.slice(space + 1).trim();
  return token === '' ? undefined : token;
}

/** Decodes `Basic base64(user:pass)`; undefined when the header is not a well-formed Basic credential. */
export function readBasicPair(header: string | undefined): { username: string; password: string } | undefined {
  const token = readAuthorization(header, 'Basic');
  if (!token || !/^[A-Za-z0-9+/]+=*$/.test(token)) return undefined;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || /[\u0000-\u001f]/.test(decoded)) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** E.164 digits without `+`, spaces or punctuation. */
export function toDigits(phone: string): string {
  return phone.replace(/\D+/g, '');
}
