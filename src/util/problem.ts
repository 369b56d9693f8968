/**
 * waotp's own APIs (the simulator's admin API, the OTP service) answer errors as RFC 9457 problem
 * details; provider endpoints never do.
 * @module
 */

export function problem(
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, ...(detail && { detail }), ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
