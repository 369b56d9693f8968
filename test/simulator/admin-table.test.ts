import { readFileSync } from 'node:fs';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { openApiPath } from '../../src/contracts/build.js';
import { createContractValidator } from '../../src/contracts/validate.js';
import { ADMIN_ROUTES } from '../../src/simulator/admin-routes.js';
import type { AdminRoute } from '../../src/simulator/admin-table.js';
import { createSimulator } from '../../src/simulator/app.js';
import { call, useSimulator } from '../helpers/http.js';

const contract = JSON.parse(
  readFileSync(new URL('../../contracts/admin.openapi.json', import.meta.url), 'utf8'),
) as OpenAPIObject;
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];
const contractOperations = Object.entries(contract.paths ?? {}).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((method) => METHODS.includes(method))
    .map((method) => `${method.toUpperCase()} ${path}`),
);
const key = (route: AdminRoute) => `${route.method.toUpperCase()} ${openApiPath(route.path)}`;

describe('the admin route table', () => {
  it('is what the simulator mounts under /__admin, and what the committed contract describes', () => {
    const mounted = createSimulator()
      // The inbox page's own two files (ui/index.ts) are not part of the API.
      .app.routes.filter(
        (r) => r.path.startsWith('/__admin') && !r.path.startsWith('/__admin/ui/') && r.method !== 'ALL',
      )
      .map((r) => `${r.method} ${openApiPath(r.path)}`);
    const table = ADMIN_ROUTES.map(key);
    expect(new Set(table).size, 'a route is in the table twice').toBe(table.length);
    expect(mounted.sort()).toEqual([...table].sort());
    expect(contractOperations.sort()).toEqual([...table].sort());
  });

  describe('over HTTP, each route answers what the contract declares', () => {
    const s = useSimulator();
    const validator = createContractValidator(contract);

    /** A known state: one captured message (and its journal entry) and one armed rule; path ids filled from it. */
    async function prepare(route: AdminRoute): Promise<string> {
      await call(`${s.url}/__admin/reset`, { method: 'POST' });
      const send = await call(`${s.url}/api/v1/public/message`, {
        method: 'POST',
        headers: { authorization: 'Basic k' },
        json: {
          phoneNumber: '9028883545',
          type: 'Template',
          template: {
            name: 'itk_auth_one_tap',
            languageCode: 'en',
            bodyValues: ['482913'],
            buttonValues: { 0: ['1'] },
          },
        },
      });
      expect(send.status, send.text).toBeLessThan(300);
      const rule = await call(`${s.url}/__admin/scenarios`, {
        method: 'POST',
        json: { provider: 'botcake', outcomes: ['accepted'] },
      });
      const journal = await call(`${s.url}/__admin/requests?provider=splashify`);
      const ids: Record<string, string> = {
        '/__admin/requests/:id': journal.body.requests[0].id,
        '/__admin/scenarios/:id': rule.body.id,
        '/__admin/contracts/:id': 'admin',
        '/__admin/docs/:id': 'verihubs',
      };
      return route.path.replace(/:\w+/, () => ids[route.path] ?? 'missing');
    }

    it.each(ADMIN_ROUTES.map((route) => [key(route), route] as const))('%s', async (_name, route) => {
      const path = await prepare(route);
      const method = route.method.toUpperCase();
      const success = Object.keys(route.replies).map(Number);
      if (route.replies[200] === 'event-stream') {
        const abort = new AbortController();
        const r = await fetch(s.url + path, { signal: abort.signal });
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toBe('text/event-stream');
        const first = await r.body!.getReader().read();
        expect(new TextDecoder().decode(first.value)).toContain('event: ready');
        abort.abort();
        return;
      }
      const body = route.body?.example;
      if (body !== undefined) expect(validator.checkRequest({ method, path, headers: {}, body })).toEqual([]);
      const r = await call(s.url + path, { method, ...(body !== undefined && { json: body }) });
      expect(success, r.text).toContain(r.status);
      const reply = route.replies[r.status];
      expect(validator.checkReply(method, path, r.status, reply === 'html' ? r.text : r.body)).toEqual([]);
      if (reply === 'html') expect(r.headers.get('content-type')).toContain('text/html');
      else if (reply === 'empty') expect(r.text).toBe('');
      else expect(r.headers.get('content-type')).toContain('application/json');
    });

    const checked = ADMIN_ROUTES.filter((route) => route.query && route.replies[200] !== 'event-stream');
    it.each(checked.map((route) => [key(route), route] as const))('%s: refused queries', async (_name, route) => {
      const path = await prepare(route);
      const names = Object.keys((route.query as unknown as { shape: object }).shape);
      let refused = 0;
      for (const name of names) {
        const r = await call(`${s.url}${path}?${name}=-1.5`, { method: route.method.toUpperCase() });
        expect(validator.checkReply(route.method, path, r.status, r.body), `${name}=-1.5`).toEqual([]);
        if (r.status === 400) {
          refused++;
          expect(r.headers.get('content-type')).toBe('application/problem+json');
          expect(r.body).toMatchObject({ title: 'Invalid query', detail: expect.stringContaining(name) });
        }
      }
      expect(refused, 'a route with a query schema refuses at least one parameter').toBeGreaterThan(0);
    });

    it('PUT /__admin/callbacks/targets names the first entry it refuses, and sets none of them', async () => {
      await call(`${s.url}/__admin/reset`, { method: 'POST' });
      const put = (json: unknown) => call(`${s.url}/__admin/callbacks/targets`, { method: 'PUT', json });
      const good = 'http://127.0.0.1:3000/hooks';
      for (const [json, detail] of [
        [['x'], 'send {"<provider>": "http(s)://…"}, or null to remove one'],
        [{ splashify: good, nope: 5 }, 'unknown provider "nope"; webhook targets can be set for: '],
        [{ botcake: good }, 'botcake documents no delivery callbacks, so it sends none'],
        [{ verihubs: good }, 'verihubs sends its callbacks to the URL each send carries (callback_url)'],
        [{ messcat: 'ftp://example.test' }, 'messcat: the target must be an http(s) URL, or null to remove it'],
        [{ messcat: 5 }, 'messcat: the target must be an http(s) URL, or null to remove it'],
      ] as const) {
        const r = await put(json);
        expect(r.status, JSON.stringify(json)).toBe(400);
        expect(r.body.title).toBe('Invalid targets');
        expect(r.body.detail).toContain(detail);
      }
      expect((await call(`${s.url}/__admin/callbacks/targets`)).body).toEqual({});
      expect((await put({ splashify: good, messcat: good })).body).toEqual({ splashify: good, messcat: good });
      expect((await put({ messcat: null })).body).toEqual({ splashify: good });
    });

    const withBody = ADMIN_ROUTES.filter((route) => route.body);
    it.each(withBody.map((route) => [key(route), route] as const))('%s: refused bodies', async (_name, route) => {
      const path = await prepare(route);
      const method = route.method.toUpperCase();
      const send = (text: string) =>
        call(s.url + path, { method, headers: { 'content-type': 'application/json' }, body: text });
      for (const [text, title] of [
        ['{', 'Malformed JSON'],
        ['[1, "two"]', route.body!.invalid],
        [`${'['.repeat(65)}${']'.repeat(65)}`, 'Malformed JSON'],
        [JSON.stringify({ pad: 'x'.repeat(70_000) }), 'Payload Too Large'],
      ] as const) {
        const r = await send(text);
        expect(r.headers.get('content-type'), text.slice(0, 20)).toBe('application/problem+json');
        expect(r.body.title, text.slice(0, 20)).toBe(title);
        expect(validator.checkReply(method, path, r.status, r.body), text.slice(0, 20)).toEqual([]);
      }
    });
  });
});
