import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { startDev } from '../../src/testing/dev.js';
import { call } from '../helpers/http.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

type Dev = Awaited<ReturnType<typeof startDev>>;
interface Answer {
  started: number;
  ms: number;
  status: number;
  retryAfter: string | null;
}

describe('redis-server killed and restarted under load', () => {
  let redis: RedisServer;
  let dev: Dev;
  const warnings: string[] = [];
  const logger: Logger = {
    info() {},
    warn: (_, message) => void warnings.push(message),
    error: (_, message) => void warnings.push(`error: ${message}`),
  };
  const consoleErrors = vi.spyOn(console, 'error');

  beforeAll(async () => {
    redis = await startRedis();
    dev = await startDev({
      port: 0,
      simulatorPort: 0,
      store: redis.url,
      secret: 'outage-test-secret-0123456789',
      logger,
    });
  });
  afterAll(async () => {
    await dev?.close();
    await redis?.stop();
    consoleErrors.mockRestore();
  });

  it('answers 503 with Retry-After within about a second, ' +
    'reports down on /health, and recovers by itself', async () => {
    const answers: Answer[] = [];
    let running = true;
    let n = 0;
    // Eight clients sending and checking, each request bounded by the test's own timer.
    const client = async () => {
      for (let i = 0; running && i < 2000; i++) {
        const to = `+6281300${String(++n).padStart(5, '0')}`;
        for (const [path, json] of [
          ['/v1/verifications', { to }],
          ['/v1/verifications/check', { to, code: '123456' }],
        ] as const) {
          const started = Date.now();
          const r = await call(`${dev.core.url}${path}`, { method: 'POST', json, signal: AbortSignal.timeout(10_000) });
          answers.push({
            started,
            ms: Date.now() - started,
            status: r.status,
            retryAfter: r.headers.get('retry-after'),
          });
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, client));
    await new Promise((r) => setTimeout(r, 300));

    const killedAt = Date.now();
    await redis.stop('SIGKILL');
    let firstUnavailable: number | undefined;
    for (let i = 0; i < 100 && firstUnavailable === undefined; i++) {
      firstUnavailable = answers.find((a) => a.started >= killedAt && a.status === 503)?.started;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(firstUnavailable, 'a 503 after the kill').toBeDefined();
    const health = await call(`${dev.core.url}/health`);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable', storeState: 'down', store: 'redis' });
    await new Promise((r) => setTimeout(r, 1000));

    const restartedAt = Date.now();
    redis = await startRedis(redis.port);
    let recoveredAt: number | undefined;
    for (let i = 0; i < 200 && recoveredAt === undefined; i++) {
      if ((await call(`${dev.core.url}/health`)).status === 200) recoveredAt = Date.now();
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(recoveredAt, 'healthy again without a restart').toBeDefined();
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await load;

    const during = answers.filter((a) => a.started >= killedAt + 200 && a.started < restartedAt);
    expect(during.length).toBeGreaterThan(0);
    for (const a of during) {
      expect(a.status).toBe(503);
      expect(a.retryAfter).toBe('1');
    }
    // Fast refusals, not requests queued behind a dead connection (generous: the machine is shared).
    expect(Math.max(...during.map((a) => a.ms))).toBeLessThan(3000);
    expect(answers.some((a) => a.status >= 500 && a.status !== 503)).toBe(false);
    expect(answers.some((a) => a.started >= recoveredAt! && a.status === 201)).toBe(true);
    const sent = await call(`${dev.core.url}/v1/verifications`, { method: 'POST', json: { to: '+6281399999999' } });
    expect(sent.status).toBe(201);

    // One warning when it went down, one when it came back; ioredis kept quiet.
    expect(warnings.filter((w) => /redis/.test(w))).toHaveLength(2);
    expect(consoleErrors.mock.calls.flat().join('\n')).not.toContain('Unhandled error event');
    console.log(
      `outage: first 503 ${firstUnavailable! - killedAt} ms after the kill; ` +
        `slowest refusal ${Math.max(...during.map((a) => a.ms))} ms over ${during.length} requests; ` +
        `healthy ${recoveredAt! - restartedAt} ms after the restart`,
    );
  }, 60_000);

  it('answers 503 within about a second when Redis stops answering but keeps the connection open', async () => {
    warnings.length = 0;
    redis.pause();
    try {
      const started = Date.now();
      const r = await call(`${dev.core.url}/v1/verifications`, {
        method: 'POST',
        json: { to: '+6281388888888' },
        signal: AbortSignal.timeout(10_000),
      });
      const ms = Date.now() - started;
      expect(r.status).toBe(503);
      expect(ms).toBeLessThan(4000); // the 1 s command timeout, with room for a loaded machine
      const health = await call(`${dev.core.url}/health`, { signal: AbortSignal.timeout(10_000) });
      expect(health.status).toBe(503);
      console.log(`hung redis: 503 after ${ms} ms`);
    } finally {
      redis.resume();
    }
    let healthy = false;
    for (let i = 0; i < 100 && !healthy; i++) {
      healthy = (await call(`${dev.core.url}/health`)).status === 200;
      if (!healthy) await new Promise((r) => setTimeout(r, 50));
    }
    expect(healthy).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/unreachable/), expect.stringMatching(/reachable again/)]);
  }, 30_000);
});
