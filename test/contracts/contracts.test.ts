import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import { buildAdminContract } from '../../src/contracts/admin.js';
import { buildContract, stableStringify } from '../../src/contracts/build.js';
import { createContractValidator } from '../../src/contracts/validate.js';
import { providers } from '../../src/providers/index.js';
import { call, useSimulator } from '../helpers/http.js';

const file = (id: string) => new URL(`../../contracts/${id}.openapi.json`, import.meta.url);
const committed = (id: string) => readFileSync(file(id), 'utf8');
const contract = (id: string) => JSON.parse(committed(id)) as OpenAPIObject;
const ids = [...providers.map((p) => p.id), 'admin'];

describe('contracts/', () => {
  it.each(providers.map((p) => [p.id, p] as const))(
    '%s.openapi.json matches what the schemas generate',
    (id, provider) => {
      expect(committed(id), `contracts/${id}.openapi.json is out of date: run \`npm run contracts\``).toBe(
        stableStringify(buildContract(provider)),
      );
    },
  );

  it('admin.openapi.json matches what the admin routes declare', () => {
    expect(committed('admin'), 'contracts/admin.openapi.json is out of date: run `npm run contracts`').toBe(
      stableStringify(buildAdminContract(providers)),
    );
  });

  it.each(ids)('%s is valid OpenAPI 3.1', async (id) => {
    const result = await new Validator().validate(contract(id) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(contract(id).openapi).toBe('3.1.0');
  });

  it.each(providers.map((p) => p.id))('%s: every documented example fits its own schema', (id) => {
    const c = contract(id);
    const validator = createContractValidator(c);
    for (const [path, item] of Object.entries(c.paths ?? {})) {
      for (const [method, op] of Object.entries(
        item as Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>,
      )) {
        for (const [status, response] of Object.entries(op.responses)) {
          const example = response.content?.['application/json']?.example;
          if (example !== undefined)
            expect(
              validator.checkReply(method, path.replace(/\{(\w+)\}/g, 'x'), Number(status), example),
              `${method} ${path} ${status}`,
            ).toEqual([]);
        }
      }
    }
  });

  it.each(providers.filter((p) => p.callbacks).map((p) => p.id))(
    '%s: documents the delivery callbacks it sends',
    (id) => {
      const c = contract(id);
      const inOperations = JSON.stringify(c.paths).includes('"callbacks"');
      expect(inOperations || Boolean(c.webhooks?.deliveryStatus)).toBe(true);
    },
  );

  it.each(providers.map((p) => [p.id, p] as const))(
    '%s: documents its security scheme on every operation',
    (id, provider) => {
      const c = contract(id);
      expect(Object.keys(c.components?.securitySchemes ?? {}).sort()).toEqual(
        Object.keys(provider.securitySchemes).sort(),
      );
      for (const item of Object.values(c.paths ?? {}))
        for (const op of Object.values(item as Record<string, { security?: unknown[] }>))
          expect(op.security?.length).toBe(1);
    },
  );
});

/** The example requests of the user's own source documents (../shared/seeds), as written. */
const SEED_REQUESTS: {
  provider: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}[] = [
  {
    provider: 'botcake',
    method: 'POST',
    path: '/api/public_api/v1/pages/waba_1029384756102938/flows/send_flow',
    headers: { 'access-token': 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IndhYmFfMTAyOTM4NDc1NjEwMjkzOCJ9.sig' },
    body: { psid: 'wa_6281219110199', flow_id: 7731, payload: { code: '482913' } },
  },
  {
    provider: 'messcat',
    method: 'POST',
    path: '/bots/bot_8d3b30d69965baf7/fire',
    headers: { authorization: 'Bearer apit_KjLAhuzJIdAA9SpZfLEUOAMs8D1450k16ppuRW' },
    body: {
      accountId: 'acc_36dce712-a9eb-4275-96_ca8s',
      toContact: '918074906794',
      parameters: { verificationCode: '123456' },
    },
  },
  {
    provider: 'whatsapp-onprem',
    method: 'POST',
    path: '/v1/messages',
    headers: { authorization: 'Bearer token' },
    body: {
      to: 'recipient_wa_id',
      type: 'template',
      template: {
        namespace: 'your-namespace',
        name: 'your-template-name',
        language: { code: 'your-language-and-locale-code', policy: 'deterministic' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: 'user-otp-code' }] },
          { type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'user-otp-code' }] },
        ],
      },
    },
  },
  {
    provider: 'verihubs',
    method: 'POST',
    path: '/v1/whatsapp/otp/send/sandbox',
    headers: { 'app-id': 'app', 'api-key': 'key' },
    body: { msisdn: '6282123060001', content: ['Registration'], callback_url: 'your-callback-url.com/callback' },
  },
  {
    provider: 'splashify',
    method: 'POST',
    path: '/api/v1/public/message',
    headers: { authorization: 'Basic YOUR_API_KEY' },
    body: {
      phoneNumber: '9028883545',
      callbackData: 'some text here',
      type: 'Template',
      template: {
        name: 'itk_auth_one_tap',
        languageCode: 'en',
        bodyValues: ['LIPSUM'],
        buttonValues: { '0': ['LIPSUM'] },
      },
    },
  },
];

describe('the seeds example requests', () => {
  const s = useSimulator();

  it.each(SEED_REQUESTS.map((r) => [r.provider, r] as const))(
    '%s: validates against the contract, and so does the reply it gets',
    async (id, request) => {
      const validator = createContractValidator(contract(id));
      expect(validator.checkRequest(request)).toEqual([]);
      const reply = await call(s.url + request.path, {
        method: request.method,
        headers: request.headers,
        json: request.body,
      });
      expect(reply.status).toBeLessThan(300);
      expect(validator.checkReply(request.method, request.path, reply.status, reply.body)).toEqual([]);
    },
  );
});

describe('the admin contract', () => {
  const s = useSimulator();
  const validator = () => createContractValidator(contract('admin'));

  it('describes real admin replies', async () => {
    await call(`${s.url}/api/v1/public/message`, {
      method: 'POST',
      headers: { authorization: 'Basic k' },
      json: SEED_REQUESTS[4]!.body,
    });
    const v = validator();
    for (const path of [
      '/__admin/health',
      '/__admin/messages',
      '/__admin/messages/latest',
      '/__admin/requests',
      '/__admin/scenarios',
      '/__admin/clock',
      '/__admin/chaos',
      '/__admin/callbacks',
      '/__admin/callbacks/targets',
    ]) {
      const reply = await call(s.url + path);
      expect(v.checkReply('GET', path, reply.status, reply.body), path).toEqual([]);
    }
    const armed = await call(`${s.url}/__admin/scenarios`, { method: 'POST', json: { outcomes: ['accepted'] } });
    expect(
      v.checkRequest({ method: 'POST', path: '/__admin/scenarios', headers: {}, body: { outcomes: ['accepted'] } }),
    ).toEqual([]);
    expect(v.checkReply('POST', '/__admin/scenarios', armed.status, armed.body)).toEqual([]);
  });

  it('is served by the simulator, with each provider contract', async () => {
    for (const id of ids) {
      const r = await call(`${s.url}/__admin/contracts/${id}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(contract(id));
    }
    expect((await call(`${s.url}/__admin/contracts/twilio`)).status).toBe(404);
  });

  it('renders browsable docs', async () => {
    const r = await fetch(`${s.url}/__admin/docs`);
    expect(r.headers.get('content-type')).toContain('text/html');
    const html = await r.text();
    for (const p of providers) expect(html).toContain(p.name);
    const verihubs = await (await fetch(`${s.url}/__admin/docs/verihubs`)).text();
    expect(verihubs).toContain('/v1/whatsapp/otp/send/sandbox');
    expect(verihubs).toContain('Too many request in the allowed time frame');
  });
});
