/**
 * Locks the control plane (`/__admin` and the inbox page) against the web pages a developer visits: a Host
 * check against DNS rebinding, no state change from another origin (a form or `text/plain` "simple request"
 * needs no preflight), JSON-only bodies, and an optional admin token. Provider routes are not guarded: they
 * stay as open and lenient as the providers they imitate.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { MiddlewareHandler } from 'hono';
import { problem } from '../util/problem.js';
import type { SelfAddress } from './callback-policy.js';

export interface AdminGuardOptions {
  /** When set, `/__admin` (but its health check) and the page need it: `Authorization: Bearer …` or the cookie. */
  token?: string;
  /** Host names accepted besides loopback names and the bound address (`--allow-host`). */
  allowHosts?: readonly string[];
  /** Origins whose pages may change state (and get CORS answers), e.g. `http://localhost:3000`. */
  allowOrigins?: readonly string[];
  /** The address the simulator is bound to, once it is. */
  self?: SelfAddress;
}

/** The cookie `/?token=…` sets for the inbox page. */
export const TOKEN_COOKIE = 'waotp_admin_token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/** Whether a request's host name may reach the control plane. */
export function isAllowedHost(hostname: string, { allowHosts = [], self = {} }: AdminGuardOptions): boolean {
  const host = bare(hostname).replace(/\.$/, '');
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    (isIP(host) === 4 && host.startsWith('127.'))
  )
    return true;
  if (allowHosts.some((allowed) => bare(allowed) === host)) return true;
  const bound = self.host === undefined ? undefined : bare(self.host);
  if (bound === host) return true;
  // assumption: bound to every interface, each of this machine's own addresses names it.
  if (bound === '0.0.0.0' || bound === '::')
    return Object.values(networkInterfaces()).some((list) => list?.some((i) => bare(i.address) === host));
  return false;
}

const digest = (value: string) => createHash('sha256').update(value).digest();
const sameSecret = (given: string | undefined, token: string) =>
  given !== undefined && timingSafeEqual(digest(given), digest(token));

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Creates the guard, to be used on `/__admin/*` and on the page at `/`.
 * @example
 * const guard = createAdminGuard({ token: process.env.WAOTP_ADMIN_TOKEN, allowHosts: ['sim.internal'] });
 * app.use('/__admin/*', guard);
 */
export function createAdminGuard(options: AdminGuardOptions): MiddlewareHandler {
  const allowOrigins = new Set((options.allowOrigins ?? []).map((o) => o.replace(/\/$/, '').toLowerCase()));
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (!isAllowedHost(url.hostname, options)) {
      return problem(
        403,
        'Host not allowed',
        "the simulator's control plane answers to loopback names and its bound address; " +
          `start it with --allow-host ${url.hostname} to use this name`,
      );
    }
    const origin = c.req.header('origin')?.toLowerCase();
    const allowed = origin !== undefined && allowOrigins.has(origin);
    const foreign = origin !== undefined && origin !== url.origin.toLowerCase() && !allowed;
    const cors = allowed ? { 'access-control-allow-origin': origin!, vary: 'Origin' } : undefined;
    if (c.req.method === 'OPTIONS') {
      if (!cors)
        return problem(
          403,
          'Cross-origin request refused',
          'the admin API grants no preflight to other origins; list an origin under admin.allowOrigins to allow it',
        );
      const headers = {
        ...cors,
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, x-waotp-session',
        'access-control-max-age': '600',
      };
      return c.body(null, 204, headers);
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      if (foreign || (c.req.header('sec-fetch-site') === 'cross-site' && !allowed)) {
        return problem(
          403,
          'Cross-origin request refused',
          `state-changing admin requests are refused from ${origin ?? 'another site'}; ` +
            'list the origin under admin.allowOrigins to allow it',
        );
      }
      const hasBody =
        Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined;
      const type = c.req.header('content-type');
      if (hasBody && !(type && JSON_TYPE.test(type))) {
        return problem(
          415,
          'Unsupported Media Type',
          `admin request bodies must be application/json, not ${type ?? 'untyped'}`,
        );
      }
    }
    // assumption: the health check stays open with a token: readiness probes carry none, and it tells nothing secret.
    if (options.token !== undefined && c.req.path !== '/__admin/health') {
      const query = c.req.path === '/' ? c.req.query('token') : undefined;
      if (query !== undefined) {
        if (!sameSecret(query, options.token))
          return problem(401, 'Unauthorized', 'the token in ?token= is not the admin token');
        // The page keeps the token in a cookie and drops it from the address bar (and from history).
        const set = `${TOKEN_COOKIE}=${encodeURIComponent(query)}; Path=/; HttpOnly; SameSite=Strict`;
        return c.body(null, 303, { location: '/', 'set-cookie': set, 'cache-control': 'no-store' });
      }
      const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
      if (!sameSecret(bearer ?? cookie(c.req.header('cookie'), TOKEN_COOKIE), options.token)) {
        return problem(
          401,
          'Unauthorized',
          'this simulator needs its admin token: send Authorization: Bearer <token>, ' +
            'or open the page once at /?token=<token>',
          {},
          { 'www-authenticate': 'Bearer realm="waotp"' },
        );
      }
    }
    await next();
    if (cors) for (const [name, value] of Object.entries(cors)) c.res.headers.set(name, value);
  };
}
