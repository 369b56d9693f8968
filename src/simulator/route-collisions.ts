/**
 * Two providers answering the same request at the server root would make one of them silently unreachable
 * (the first mounted wins), so the simulator refuses to start instead. Paths are Hono-style: `:name`,
 * `:name{regex}` and a trailing `*`.
 * @module
 */
import type { ProviderDefinition } from '../providers/define.js';

interface Route {
  provider: string;
  operationId: string;
  method: string;
  path: string;
}

/** One path segment as a predicate on the other path's segment: a literal, or a parameter with its pattern. */
type Segment = { literal: string } | { param: RegExp | undefined };

function segmentsOf(path: string): { segments: Segment[]; rest: boolean } {
  const parts = path.split('/').filter((p) => p !== '');
  const rest = parts.at(-1) === '*';
  const segments = (rest ? parts.slice(0, -1) : parts).map((part): Segment => {
    const param = /^:[\w-]+(?:\{(.+)\})?\??$/.exec(part);
    if (!param) return { literal: part };
    return { param: param[1] === undefined ? undefined : new RegExp(`^(?:${param[1]})$`) };
  });
  return { segments, rest };
}

/** Whether some segment value matches both; two parameters are taken to overlap (patterns are not compared). */
function segmentsOverlap(a: Segment, b: Segment): boolean {
  if ('literal' in a && 'literal' in b) return a.literal === b.literal;
  if ('literal' in a) return (b as { param?: RegExp }).param?.test(a.literal) ?? true;
  if ('literal' in b) return a.param?.test(b.literal) ?? true;
  return true;
}

type Parsed = ReturnType<typeof segmentsOf>;

/** Whether one request path could match both route paths. */
export function pathsOverlap(a: string, b: string): boolean {
  return parsedOverlap(segmentsOf(a), segmentsOf(b));
}

function parsedOverlap(x: Parsed, y: Parsed): boolean {
  const shared = Math.min(x.segments.length, y.segments.length);
  if (x.segments.length !== y.segments.length) {
    // Only a trailing `*` on the shorter path can reach the longer one's extra segments.
    const shorter = x.segments.length < y.segments.length ? x : y;
    if (!shorter.rest) return false;
  }
  for (let i = 0; i < shared; i++) if (!segmentsOverlap(x.segments[i]!, y.segments[i]!)) return false;
  return true;
}

/** Every route a provider answers: each endpoint at its documented path and under `/<id>`. */
function routesOf(provider: ProviderDefinition): Route[] {
  return provider.endpoints.flatMap((e) =>
    [e.path, `/${provider.id}${e.path}`].map((path) => ({
      provider: provider.id,
      operationId: e.operationId,
      method: e.method,
      path,
    })),
  );
}

/** Human descriptions of every pair of routes of different providers that one request could match. */
export function findRouteCollisions(providers: readonly ProviderDefinition[]): string[] {
  // Each path is parsed once (its parameter patterns compiled once), not once per pair: this runs at every start.
  const routes = providers.flatMap(routesOf).map((route) => ({ ...route, parsed: segmentsOf(route.path) }));
  const found: string[] = [];
  routes.forEach((a, i) => {
    for (const b of routes.slice(i + 1)) {
      if (a.provider === b.provider || a.method !== b.method || !parsedOverlap(a.parsed, b.parsed)) continue;
      found.push(
        `${a.method} ${a.path} (${a.provider} ${a.operationId}) and ` +
          `${b.method} ${b.path} (${b.provider} ${b.operationId})`,
      );
    }
  });
  return found;
}

/**
 * Throws when two providers' routes collide, naming both, so a new slice cannot be silently shadowed.
 * @example
 * assertNoRouteCollisions(providers); // at simulator start
 */
export function assertNoRouteCollisions(providers: readonly ProviderDefinition[]): void {
  const collisions = findRouteCollisions(providers);
  if (collisions.length === 0) return;
  throw new Error(
    `route collision between providers: ${collisions.join('; ')}. ` +
      'Give one of them a path the other cannot match (the /<id> prefixed copy of every route always stays reachable).',
  );
}
