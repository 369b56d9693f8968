/**
 * Splashify Pro: no client is published on npm (the official generated SDK, github.com/splashifypro/sdk-node,
 * names itself `@splashifypro/sdk` but the registry has no such package). So:
 * - an independent OpenAPI validator, Prism's validation proxy (`@stoplight/prism-cli`), checks the seed's own
 *   request against contracts/splashify.openapi.json on its way to the simulator;
 * - the SDK's exact request is replayed: `MessagesApi.publicMessagePost` (src/apis/MessagesApi.ts) POSTs
 *   `basePath + "/public/message"` (basePath "https://apis.splashifypro.com/api/v1", src/runtime.ts) with
 *   `Content-Type: application/json` and `Authorization: await configuration.apiKey("Authorization")`, the whole
 *   header as configured; its README configures `username` instead, which that code never sends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splashifyAdapter } from '../../src/providers/splashify/adapter.js';
import { call, useSimulator } from '../helpers/http.js';
import { useReceiver } from '../helpers/receiver.js';

const CONTRACT = join(import.meta.dirname, '../../contracts/splashify.openapi.json');
const PRISM = join(createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json'), '../dist/index.js');
/** The seed page's request ("Send Authentication Template"), headers and body as written. */
const SEED_HEADERS = { Authorization: 'Basic YOUR_API_KEY', 'Content-Type': 'application/json' };
const SEED_BODY =
  '{ "phoneNumber": "9028883545", "callbackData": "some text here", "type": "Template", ' +
  '"template": { "name": "itk_auth_one_tap", "languageCode": "en", "bodyValues": ["LIPSUM"], ' +
  '"buttonValues": { "0": ["LIPSUM"] } } }';

/** Starts Prism's validation proxy in front of `upstream` on a free port; resolves with its URL once it listens. */
function startPrism(upstream: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [PRISM, 'proxy', CONTRACT, upstream, '--errors', '--host', '127.0.0.1', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`Prism did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Prism is listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited ${code}:\n${output}`));
    });
  });
}

describe("Splashify contract under Prism's validation proxy", () => {
  const s = useSimulator();
  let prism: { url: string; child: ChildProcess } | undefined;
  beforeAll(async () => {
    prism = await startPrism(s.url);
  }, 40_000);
  afterAll(() => {
    prism?.child.kill('SIGTERM');
  });

  it(
    'passes the seed request with its raw-key "Authorization: Basic YOUR_API_KEY" ' +
      'through to a 201, without violations',
    async () => {
      const r = await fetch(`${prism!.url}/api/v1/public/message`, {
        method: 'POST',
        headers: SEED_HEADERS,
        body: SEED_BODY,
      });
      const text = await r.text();
      expect(r.status, text).toBe(201);
      expect(JSON.parse(text)).toMatchObject({ result: true, message: 'Message created successfully' });
      expect(r.headers.get('sl-violations')).toBeNull();
      expect((await call(`${s.url}/__admin/messages/latest?to=919028883545`)).body.code).toBe('LIPSUM');
    },
  );

  it('refuses a request with no Authorization header at all, as the contract now says it is required', async () => {
    const r = await fetch(`${prism!.url}/api/v1/public/message`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: SEED_BODY,
    });
    expect(r.status).toBe(401);
    // Prism's own refusal (problem+json), not the simulator's {result:false}: the validator checked the scheme.
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(((await r.json()) as { title: string }).title).toBe('Invalid security scheme used');
  });
});

describe('Splashify SDK (splashifypro/sdk-node) requests, replayed', () => {
  const s = useSimulator({ callbacks: { speed: 10 } });
  const receiver = useReceiver(s);
  /** What `publicMessagePost({ body })` sends for a Configuration with `basePath` and `apiKey`. */
  const publicMessagePost = (apiKey: string | undefined, body: unknown) =>
    fetch(`${s.url}/api/v1/public/message`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(apiKey !== undefined && { Authorization: apiKey }) },
      body: JSON.stringify(body),
    });
  const authTemplate = {
    type: 'Template',
    countryCode: '+91',
    phoneNumber: '9999999999',
    template: { name: 'auth_otp', languageCode: 'en', bodyValues: ['482913'], buttonValues: { '0': ['482913'] } },
  };

  it(
    'sends an authentication template the way the SDK README builds one (countryCode + phoneNumber): ' +
      '201, code in the inbox',
    async () => {
      const r = await publicMessagePost('Basic sk_live_0123456789abcdef0123456789abcdef', authTemplate);
      expect(r.status).toBe(201);
      // JSONApiResponse.value(): the parsed body; the README reads `result.id`.
      const result = (await r.json()) as { id: string };
      expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await call(`${s.url}/__admin/messages/latest?to=919999999999`)).body).toMatchObject({
        code: '482913',
        providerMessageId: result.id,
      });
    },
  );

  it('is refused 401 when configured as its README shows (`username`): no Authorization header goes out', async () => {
    // BaseAPI.request throws ResponseError for any status outside 2xx; the app reads error.response.
    const r = await publicMessagePost(undefined, authTemplate);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ result: false, message: 'Invalid API key' });
  });

  it("gets the documented 400 for the README's free-form Text quickstart outside the 24-hour window", async () => {
    const r = await publicMessagePost('Bearer sk_live_0123456789abcdef0123456789abcdef', {
      type: 'Text',
      countryCode: '+91',
      phoneNumber: '9999999999',
      data: { message: 'Hi! Thanks for reaching out' },
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      result: false,
      message: 'Please correct the following error - Customer has not messaged within last 24 hours',
    });
  });

  it('delivers status webhooks the sending core parses back to the message id', async () => {
    // The dashboard's webhook (Settings -> Developer), set through the admin API here.
    s.sim.simulator.callbacks.setTargets({ splashify: `${receiver.url}/hook` });
    const r = await publicMessagePost('Basic sk_live_0123456789abcdef0123456789abcdef', {
      ...authTemplate,
      callbackData: 'login:42',
    });
    const { id } = (await r.json()) as { id: string };
    const got = await receiver.waitFor(3);
    const events = got.flatMap((request) =>
      splashifyAdapter.parseCallback!({
        method: 'POST',
        query: {},
        headers: request.headers as Record<string, string>,
        body: request.body,
      }),
    );
    expect(events.map((e) => e.providerMessageId)).toEqual([id, id, id]);
    expect(events.map((e) => e.state).sort()).toEqual(['delivered', 'read', 'sent']);
    expect(got[0]!.body.data.callback_data).toBe('login:42');
  });
});
