import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EndpointDefinition, ProviderDefinition } from '../../src/providers/define.js';
import { providers } from '../../src/providers/index.js';
import { createSimulator } from '../../src/simulator/app.js';
import { MAX_BODY_BYTES } from '../../src/simulator/pipeline.js';
import { call, useSimulator } from '../helpers/http.js';

const endpoints = providers.flatMap((provider) =>
  provider.endpoints.map((endpoint) => ({
    provider,
    endpoint,
    name: `${provider.id} ${endpoint.method} ${endpoint.path}`,
  })),
);

/**
 * The endpoint's path with its parameters filled in, and headers that pass its auth where a sample exists. A
 * parameter with a pattern (`:version{v\\d+\\.\\d+}`) keeps the sample's value: junk there is another route.
 */
function target(endpoint: EndpointDefinition, params: string[]) {
  let i = 0;
  const sample = endpoint.sample?.('6281234567890');
  const sampleSegments = sample?.path.split('/') ?? [];
  const path = endpoint.path
    .split('/')
    .map((segment, n) =>
      /^:\w+\{/.test(segment)
        ? (sampleSegments[n] ?? 'x')
        : segment.replace(/^:\w+$/, () => encodeURIComponent(params[i++] || 'x')),
    )
    .join('/');
  return { path: sample && !params.length ? sample.path : path, headers: sample?.headers ?? {} };
}

/** A provider's reply to bad input: a 4xx in its own error shape, never a 5xx. */
function expectNativeRejection(provider: ProviderDefinition, status: number, text: string) {
  expect(status, text).toBeLessThan(500);
  if (status >= 400) {
    expect(provider.errorSchema.safeParse(JSON.parse(text)).success, `native error shape: ${text}`).toBe(true);
  }
}

const junkBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constantFrom('{', '{"a":', 'null', '[]', '""', '{"psid":1}', '\u0000', '{"msisdn":{"$gt":""}}'),
);
const junkHeaders = fc.dictionary(
  fc.constantFrom('authorization', 'access-token', 'app-id', 'api-key', 'content-type', 'x-extra'),
  fc.oneof(
    fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    fc.constantFrom('Basic YWRtaW46c2VjcmV0', 'Bearer apit_x', 'Basic ', 'text/plain', 'application/json'),
  ),
);

describe('bad input never gets a 5xx', () => {
  const sim = createSimulator({ seed: 5 });

  it.each(endpoints)(
    '$name: junk bodies with working credentials get a native 4xx or a success',
    async ({ provider, endpoint }) => {
      await fc.assert(
        fc.asyncProperty(junkBody, async (text) => {
          const { path, headers } = target(endpoint, []);
          const r = await sim.app.request(path, {
            method: endpoint.method,
            headers: { ...headers, 'content-type': 'application/json' },
            body: endpoint.method === 'GET' ? undefined : text,
          });
          expectNativeRejection(provider, r.status, await r.text());
        }),
        { numRuns: 150 },
      );
    },
  );

  it.each(endpoints)(
    '$name: junk headers, path parameters and bodies get a native 4xx or a success',
    async ({ provider, endpoint }) => {
      await fc.assert(
        fc.asyncProperty(
          junkHeaders,
          fc.array(
            fc.string({ minLength: 1, maxLength: 30 }).filter((p) => p !== '.' && p !== '..'),
            { maxLength: 3 },
          ),
          junkBody,
          async (headers, params, text) => {
            // Dot segments are resolved away by URL parsing: they name another path, not junk for this one.
            const { path } = target(endpoint, params.length ? params : ['x']);
            const r = await sim.app.request(path, {
              method: endpoint.method,
              headers,
              body: endpoint.method === 'GET' ? undefined : text,
            });
            expectNativeRejection(provider, r.status, await r.text());
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it.each(endpoints.filter((e) => e.endpoint.sample))(
    '$name: a valid request with one field replaced by junk gets a native 4xx or a success',
    async ({ provider, endpoint }) => {
      const sample = endpoint.sample!('6281234567890');
      const fields = Object.keys(sample.body as object);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), fc.jsonValue(), async (field, value) => {
          const body = { ...(sample.body as object), [field]: value };
          const r = await sim.app.request(sample.path, {
            method: endpoint.method,
            headers: sample.headers,
            body: JSON.stringify(body),
          });
          expectNativeRejection(provider, r.status, await r.text());
        }),
        { numRuns: 150 },
      );
    },
  );
});

describe('bad input over HTTP', () => {
  const s = useSimulator();
  const withBody = endpoints.filter((e) => e.endpoint.body && e.endpoint.sample);

  it.each(withBody)('$name: a body over 1 MB gets a native 413', async ({ provider, endpoint }) => {
    const sample = endpoint.sample!('6281234567890');
    const r = await call(s.url + sample.path, {
      method: endpoint.method,
      headers: sample.headers,
      body: JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    expect(r.status).toBe(413);
    expect(provider.errorSchema.safeParse(r.body).success).toBe(true);
  });

  it.each(withBody)(
    '$name: a chunked body over 1 MB without Content-Length gets a native 413',
    async ({ provider, endpoint }) => {
      const sample = endpoint.sample!('6281234567890');
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream({
        pull(controller) {
          if (sent++ > 20) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const r = await call(s.url + sample.path, {
        method: endpoint.method,
        headers: sample.headers,
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(r.status).toBe(413);
      expect(provider.errorSchema.safeParse(r.body).success).toBe(true);
    },
  );

  it.each(withBody)('$name: malformed JSON gets a native 4xx', async ({ provider, endpoint }) => {
    const sample = endpoint.sample!('6281234567890');
    const r = await call(s.url + sample.path, { method: endpoint.method, headers: sample.headers, body: '{"to": ' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(provider.errorSchema.safeParse(r.body).success).toBe(true);
  });

  it.each(withBody)('$name: a form-encoded body gets a native 4xx', async ({ provider, endpoint }) => {
    const sample = endpoint.sample!('6281234567890');
    const r = await call(s.url + sample.path, {
      method: endpoint.method,
      headers: { ...sample.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(provider.errorSchema.safeParse(r.body).success).toBe(true);
  });

  it('answers an unknown path with a JSON 404', async () => {
    const r = await call(`${s.url}/no/such/path`);
    expect(r.status).toBe(404);
    expect(r.body.status).toBe(404);
  });
});
