import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { providers } from '../../src/providers/index.js';
import { parseConfig } from '../../src/simulator/config.js';
import { AdminError, createAdminClient, startSimulator } from '../../src/testing/index.js';

const splashifySend = (url: string, key: string) =>
  fetch(`${url}/api/v1/public/message`, {
    method: 'POST',
    headers: { authorization: `Basic ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      fullPhoneNumber: '6281234567890',
      type: 'Template',
      template: { name: 't', languageCode: 'en', bodyValues: ['1'], buttonValues: { '0': ['1'] } },
    }),
  });

describe('startSimulator options', () => {
  it("take the config file's shape directly: seed, providers, inbox, callbacks", async () => {
    const sim = await startSimulator({
      seed: 42,
      providers: { splashify: { credentials: [{ key: 'sk_live_pinned' }] } },
      inbox: { capacity: 5 },
    });
    try {
      expect((await splashifySend(sim.url, 'sk_live_other')).status).toBe(401);
      expect((await splashifySend(sim.url, 'sk_live_pinned')).status).toBe(201);
    } finally {
      await sim.close();
    }
  });

  it('are refused with the same message as the same mistake in a config file', async () => {
    const raw = { providers: { verihub: {} } };
    const fromFile = (() => {
      try {
        parseConfig(raw, providers, 'waotp.yaml');
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const fromCode = await startSimulator(raw as never).catch((error: Error) => error.message);
    expect(fromFile).toContain('unknown provider "verihub" (did you mean "verihubs"?)');
    expect(fromCode).toBe(fromFile!.replace('waotp.yaml', 'startSimulator() options'));
  });

  it('refuse an unknown key as a config file does', async () => {
    await expect(startSimulator({ sead: 1 } as never)).rejects.toThrow(
      /startSimulator\(\) options: .*Unrecognized key: "sead"/s,
    );
  });

  it('explain the old { config } wrapper', async () => {
    await expect(startSimulator({ config: {} } as never)).rejects.toThrow("pass the config file's fields directly");
  });

  it('arm rule packs given as files, like --scenarios', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'waotp-')), 'pack.yaml');
    writeFileSync(file, 'rules:\n  - { provider: splashify, outcome: provider_error }\n');
    const sim = await startSimulator({ scenarios: [file] });
    try {
      expect((await splashifySend(sim.url, 'k')).status).toBe(500);
      await sim.reset();
      expect((await splashifySend(sim.url, 'k')).status).toBe(500);
    } finally {
      await sim.close();
    }
  });
});

describe('admin client network errors', () => {
  it('name the URL and what to check', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const error = await createAdminClient(`http://127.0.0.1:${port}`)
      .messages()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminError);
    expect((error as AdminError).status).toBe(0);
    expect((error as Error).message).toContain(
      `cannot reach the waotp simulator at http://127.0.0.1:${port} (GET /__admin/messages): ECONNREFUSED`,
    );
    expect((error as Error).message).toContain('Check that it is running');
  });
});

describe('createSimulator options', () => {
  it('explain a config-shaped `providers` instead of failing inside', async () => {
    const { createSimulator } = await import('../../src/simulator/app.js');
    expect(() => createSimulator({ providers: { splashify: {} } } as never)).toThrow(
      'per-provider settings go in `config.providers`',
    );
  });
});
