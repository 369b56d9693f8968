import { describe, expect, it } from 'vitest';
import { createUnmatched, nearestRoute, type RouteInfo } from '../../src/simulator/unmatched.js';

const ROUTES: RouteInfo[] = [
  { provider: 'verihubs', method: 'POST', path: '/v1/whatsapp/otp/send' },
  { provider: 'verihubs', method: 'POST', path: '/v1/whatsapp/otp/verify' },
  { provider: 'botcake', method: 'POST', path: '/bots/:id/fire' },
];

describe('nearestRoute', () => {
  it('names the segment that differs', () => {
    expect(nearestRoute(ROUTES, 'POST', '/v1/whatsapp/otp/sent')).toEqual({
      ...ROUTES[0],
      differences: ['segment 4 is "sent", expected "send"'],
    });
  });

  it('prefers the route with the same method when paths are equally near', () => {
    const routes: RouteInfo[] = [
      { provider: 'a', method: 'GET', path: '/x/one' },
      { provider: 'b', method: 'POST', path: '/x/two' },
    ];
    expect(nearestRoute(routes, 'POST', '/x/three')?.provider).toBe('b');
  });

  it('says when only the method is wrong', () => {
    expect(nearestRoute(ROUTES, 'GET', '/v1/whatsapp/otp/verify')?.differences).toEqual([
      'method is GET, the route expects POST',
    ]);
  });

  it('lets a :param segment match anything, and reports extra and missing segments', () => {
    expect(nearestRoute(ROUTES, 'POST', '/bots/abc/fire/now')).toMatchObject({
      path: '/bots/:id/fire',
      differences: ['extra segments: /now'],
    });
    expect(nearestRoute(ROUTES, 'POST', '/bots/abc')).toMatchObject({
      path: '/bots/:id/fire',
      differences: ['missing segments: /fire'],
    });
  });

  it('finds nothing when there are no routes', () => {
    expect(nearestRoute([], 'GET', '/')).toBeUndefined();
  });
});

describe('unmatched', () => {
  const request = (path: string, session: string | null = null) => ({
    time: '2026-01-01T00:00:00.000Z',
    method: 'POST',
    path,
    session,
  });

  it('records each request with its nearest route, newest first, per session', () => {
    const unmatched = createUnmatched(ROUTES);
    expect(unmatched.record(request('/v1/whatsapp/otp/sent', 's1')).nearest?.path).toBe('/v1/whatsapp/otp/send');
    unmatched.record(request('/nope'));
    expect(unmatched.list().map((e) => e.path)).toEqual(['/nope', '/v1/whatsapp/otp/sent']);
    expect(unmatched.list('s1').map((e) => e.path)).toEqual(['/v1/whatsapp/otp/sent']);
    unmatched.clear('s1');
    expect(unmatched.list().map((e) => e.path)).toEqual(['/nope']);
    unmatched.clear();
    expect(unmatched.list()).toEqual([]);
  });

  it('keeps at most its capacity', () => {
    const unmatched = createUnmatched(ROUTES, 2);
    for (const path of ['/a', '/b', '/c']) unmatched.record(request(path));
    expect(unmatched.list().map((e) => e.path)).toEqual(['/c', '/b']);
  });
});
