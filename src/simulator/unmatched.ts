/**
 * Requests that matched no route, each with the nearest route and what differed, so a client that swapped
 * its base URL learns why it got a 404 instead of guessing.
 * @module
 */
import { createRing } from './ring.js';

export interface RouteInfo {
  provider: string;
  method: string;
  path: string;
}

export interface UnmatchedRequest {
  time: string;
  method: string;
  path: string;
  session: string | null;
  nearest?: RouteInfo & { differences: string[] };
}

export interface Unmatched {
  record(request: Omit<UnmatchedRequest, 'nearest'>): UnmatchedRequest;
  list(session?: string | null): UnmatchedRequest[];
  clear(session?: string | null): void;
}

/**
 * Creates the record of unmatched requests, explained against the known routes.
 * @example
 * const unmatched = createUnmatched(routes);
 * unmatched.record({ time, method: 'POST', path: '/v1/whatsapp/otp/sent', session: null }).nearest;
 */
export function createUnmatched(routes: RouteInfo[], capacity = 500): Unmatched {
  const ring = createRing<UnmatchedRequest>(capacity);
  return {
    record(request) {
      const nearest = nearestRoute(routes, request.method, request.path);
      const entry: UnmatchedRequest = { ...request, ...(nearest && { nearest }) };
      ring.push(entry);
      return entry;
    },
    list: (session) => ring.newest((e) => session === undefined || e.session === session),
    clear(session) {
      ring.retain((e) => session !== undefined && e.session !== session);
    },
  };
}

/** The route whose path is fewest segment edits away (method breaks ties), and how the request differs. */
export function nearestRoute(
  routes: RouteInfo[],
  method: string,
  path: string,
): (RouteInfo & { differences: string[] }) | undefined {
  const segments = split(path);
  let best: { route: RouteInfo; cost: number } | undefined;
  for (const route of routes) {
    const cost = distance(segments, split(route.path)) * 2 + (route.method === method ? 0 : 1);
    if (!best || cost < best.cost) best = { route, cost };
  }
  if (!best) return undefined;
  return { ...best.route, differences: explain(best.route, method, segments) };
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

const matchesSegment = (actual: string, expected: string) => expected.startsWith(':') || actual === expected;

/** Edit distance over path segments; a `:param` segment matches anything. */
function distance(a: string[], b: string[]): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (matchesSegment(a[i - 1]!, b[j - 1]!) ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function explain(route: RouteInfo, method: string, segments: string[]): string[] {
  const expected = split(route.path);
  const differences: string[] = [];
  if (route.method !== method) differences.push(`method is ${method}, the route expects ${route.method}`);
  const common = Math.min(segments.length, expected.length);
  for (let i = 0; i < common; i++) {
    if (!matchesSegment(segments[i]!, expected[i]!))
      differences.push(`segment ${i + 1} is "${segments[i]}", expected "${expected[i]}"`);
  }
  if (segments.length > expected.length)
    differences.push(`extra segments: /${segments.slice(expected.length).join('/')}`);
  if (segments.length < expected.length)
    differences.push(`missing segments: /${expected.slice(segments.length).join('/')}`);
  return differences;
}
