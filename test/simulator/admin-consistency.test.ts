import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/app.js';
import { loadRulePack, ScenarioFileError } from '../../src/simulator/catalogue.js';

const PATH = '/api/v1/public/message';
const body = (to: string) => ({
  fullPhoneNumber: to,
  type: 'Template',
  template: { name: 't', languageCode: 'en', bodyValues: ['123456'], buttonValues: { '0': ['123456'] } },
});

function setup(options: Parameters<typeof createSimulator>[0] = {}) {
  const sim = createSimulator({ seed: 1, ...options });
  const req = async (path: string, init: { method?: string; json?: unknown; session?: string } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: 'Basic k' };
    if (init.session) headers['x-waotp-session'] = init.session;
    const r = await sim.app.request(path, {
      method: init.method ?? (init.json ? 'POST' : 'GET'),
      headers,
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
  const send = (to: string, session?: string) => req(PATH, { json: body(to), ...(session && { session }) });
  return { sim, req, send };
}

function pack(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'waotp-pack-')), 'pack.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('totals', () => {
  it('count the matches of the filter, not everything ever stored', async () => {
    const { req, send } = setup();
    await send('6281111111111');
    await send('6282222222222');
    await send('6282222222222');
    const messages = await req('/__admin/messages?to=6282222222222&limit=1');
    expect(messages.body).toMatchObject({ total: 2, stored: 3, evicted: 0 });
    expect(messages.body.messages).toHaveLength(1);
    const requests = await req('/__admin/requests?to=6281111111111');
    expect(requests.body).toMatchObject({ total: 1, stored: 3, evicted: 0 });
  });

  it('reset with the state they count', async () => {
    const { req, send } = setup();
    await send('6281111111111');
    await req('/__admin/reset', { method: 'POST' });
    expect((await req('/__admin/messages')).body).toMatchObject({ total: 0, stored: 0, evicted: 0 });
    expect((await req('/__admin/requests')).body).toMatchObject({ total: 0, stored: 0, evicted: 0 });
    expect((await req('/__admin/callbacks')).body).toMatchObject({ total: 0, stored: 0, evicted: 0 });
  });

  it('say how many were evicted past capacity', async () => {
    const { req, send } = setup({ config: { inbox: { capacity: 2 }, journal: { capacity: 2 } } });
    for (const to of ['6281111111111', '6282222222222', '6283333333333']) await send(to);
    expect((await req('/__admin/messages')).body).toMatchObject({ total: 2, stored: 2, evicted: 1 });
    expect((await req('/__admin/requests')).body).toMatchObject({ total: 2, stored: 2, evicted: 1 });
  });

  it('follow the session of the caller', async () => {
    const { req, send } = setup();
    await send('6281111111111', 'a');
    await send('6281111111111', 'b');
    expect((await req('/__admin/requests', { session: 'a' })).body.total).toBe(1);
  });
});

describe('chaos', () => {
  it('is switched off with {"enabled": false} alone', async () => {
    const { req } = setup();
    expect(
      (await req('/__admin/chaos', { method: 'PUT', json: { probabilities: { provider_error: 1 } } })).body.enabled,
    ).toBe(true);
    const off = await req('/__admin/chaos', { method: 'PUT', json: { enabled: false } });
    expect(off.status).toBe(200);
    expect(off.body.enabled).toBe(false);
  });

  it('asks for probabilities only when it is switched on', async () => {
    const { req } = setup();
    const r = await req('/__admin/chaos', { method: 'PUT', json: { enabled: true } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('probabilities');
  });

  it('is reset by DELETE /__admin/chaos', async () => {
    const { req, send } = setup();
    await req('/__admin/chaos', { method: 'PUT', json: { probabilities: { provider_error: 1 } } });
    expect((await send('6281111111111')).status).toBe(500);
    const r = await req('/__admin/chaos', { method: 'DELETE' });
    expect(r.body).toMatchObject({ enabled: false, probabilities: {} });
    expect((await send('6281111111111')).status).toBe(201);
  });
});

describe('one rule schema for the admin API and rule packs', () => {
  it('refuses a mistyped provider in the admin API, naming the closest one', async () => {
    const { req } = setup();
    const r = await req('/__admin/scenarios', { json: { provider: 'verihub', outcome: 'rate_limited' } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('unknown provider "verihub" (did you mean "verihubs"?)');
  });

  it('refuses the same typo in a rule pack with the same message', () => {
    const file = pack('rules:\n  - { provider: verihub, outcome: rate_limited }\n');
    expect(() => loadRulePack(file)).toThrow(ScenarioFileError);
    expect(() => loadRulePack(file)).toThrow('unknown provider "verihub" (did you mean "verihubs"?)');
  });

  it('accepts `outcome` in a rule pack as in the admin API', async () => {
    const rulePacks = [loadRulePack(pack('rules:\n  - { provider: splashify, outcome: provider_error }\n'))];
    const { send } = setup({ rulePacks });
    expect((await send('6281111111111')).status).toBe(500);
  });

  it('refuses both `outcome` and `outcomes`, or neither, in either place', async () => {
    const { req } = setup();
    const both = await req('/__admin/scenarios', { json: { outcome: 'accepted', outcomes: ['accepted'] } });
    expect(both.status).toBe(400);
    expect(both.body.detail).toContain('give "outcomes" (a list) or "outcome" (one)');
    expect(() => loadRulePack(pack('rules:\n  - { provider: splashify }\n'))).toThrow(
      'give "outcomes" (a list) or "outcome" (one)',
    );
  });
});

describe('chaos providers', () => {
  it('are checked like a rule provider, in the admin API and in rule packs', async () => {
    const { req } = setup();
    const r = await req('/__admin/chaos', {
      method: 'PUT',
      json: { providers: ['splashfy'], probabilities: { provider_error: 0.1 } },
    });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain('unknown provider "splashfy" (did you mean "splashify"?)');
    expect(() =>
      loadRulePack(pack('chaos:\n  providers: [splashfy]\n  probabilities: { provider_error: 0.1 }\n')),
    ).toThrow('unknown provider "splashfy" (did you mean "splashify"?)');
  });
});
