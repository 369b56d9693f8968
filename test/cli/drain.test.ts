import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdminClient } from '../../src/testing/index.js';
import { cliEnv, exited, startCli } from '../helpers/cli.js';
import { type Connection, openConnection, rawRequest } from '../helpers/connection.js';
import { call } from '../helpers/http.js';
import { type RedisServer, startRedis } from '../helpers/redis.js';

/** `waotp dev` with `config` as its waotp.yaml (and any extra flags). */
async function startDevCli(config = '', flags: string[] = [], env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'waotp-drain-')), 'waotp.yaml');
  writeFileSync(file, config);
  const args = ['dev', '--port', '0', '--core-port', '0', '--config', file, ...flags];
  const started = await startCli(args, /OTP service listening on (http:\/\/\S+)/, cliEnv(env));
  const simulator = /simulator listening on (http:\/\/\S+)/.exec(started.output())![1]!;
  return { ...started, core: started.match[1]!, admin: createAdminClient(simulator) };
}

const send = (to: string) => rawRequest('POST', '/v1/verifications', { to });
const sendOverFetch = (core: string, to: string) => call(`${core}/v1/verifications`, { method: 'POST', json: { to } });
// The simulator's `slow` outcome answers after 2 s: sends are still in flight this long after they went out.
const IN_FLIGHT_MS = 1000;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

const connections: Connection[] = [];
const open = async (url: string) => {
  const connection = await openConnection(url);
  connections.push(connection);
  return connection;
};
afterEach(() => {
  for (const connection of connections.splice(0)) connection.destroy();
});

describe('SIGTERM under load', () => {
  const N = 20;

  it('answers every request in flight, then exits 0', async () => {
    const { child, core, admin } = await startDevCli();
    await admin.arm({ provider: 'verihubs', outcomes: ['slow'], times: N });
    const inFlight = Array.from({ length: N }, (_, i) => sendOverFetch(core, `+62813500${String(i).padStart(5, '0')}`));
    await settle(500);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(N).fill(201));
    expect(await exited(child)).toBe(0);
    console.log(`drain: ${N} sends in flight answered 201, exit 0 after ${Date.now() - signalled} ms`);
  }, 30_000);

  it('closes idle keep-alive connections at once, busy ones after their answer; exits when all are done', async () => {
    // A drain deadline far beyond the test: the exit must come from the work being done, not from the deadline.
    const { child, core, admin } = await startDevCli('core:\n  drainTimeout: 120s\n');
    const busy = await Promise.all(Array.from({ length: 10 }, () => open(core)));
    const idle = await Promise.all(Array.from({ length: 5 }, () => open(core)));
    for (const connection of [...busy, ...idle]) {
      connection.write(rawRequest('GET', '/health'));
      expect((await connection.reply()).headers.connection).toBe('keep-alive');
    }
    await admin.arm({ provider: 'verihubs', outcomes: ['slow'], times: busy.length });
    busy.forEach((connection, i) => connection.write(send(`+62813700${String(i).padStart(5, '0')}`)));
    await settle(IN_FLIGHT_MS);
    const signalled = Date.now();
    child.kill('SIGTERM');

    const answered: number[] = [];
    const answers = busy.map((connection) =>
      connection.reply().then((reply) => {
        answered.push(Date.now());
        return reply;
      }),
    );
    await Promise.all(idle.map((connection) => connection.closed));
    // The idle ones were closed while the sends were still in flight.
    expect(answered).toEqual([]);
    for (const reply of await Promise.all(answers)) {
      expect(reply.status).toBe(201);
      // The client learns the connection is done, so it does not send its next request into a closing socket.
      expect(reply.headers.connection).toBe('close');
    }
    await Promise.all(busy.map((connection) => connection.closed));
    expect(await exited(child)).toBe(0);
    const ms = Date.now() - signalled;
    expect(ms).toBeLessThan(60_000);
    console.log(`drain: ${busy.length} sends answered (Connection: close), ${idle.length} idle closed; ${ms} ms`);
  }, 60_000);

  it('answers a request arriving on an open keep-alive connection while draining: 503, Connection: close', async () => {
    const { child, core } = await startDevCli('core:\n  drainTimeout: 60s\n');
    const connection = await open(core);
    connection.write(rawRequest('GET', '/health'));
    expect((await connection.reply()).headers.connection).toBe('keep-alive');
    // The next request is on its way (its first bytes are in) when the signal comes.
    const request = send('+6281380000001');
    const split = request.indexOf('Content-Type');
    connection.write(request.slice(0, split));
    await settle(200);
    child.kill('SIGTERM');
    // Longer than the fixed grace the drain used to give before dropping every connection.
    await settle(1500);
    expect(child.exitCode).toBeNull();
    connection.write(request.slice(split));
    const reply = await connection.reply();
    expect(reply.status).toBe(503);
    expect(reply.headers.connection).toBe('close');
    expect(reply.headers['retry-after']).toBe('1');
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: '/problems/shutting-down' });
    await connection.closed;
    expect(await exited(child)).toBe(0);
  }, 30_000);

  it('cuts what outlasts the drain deadline with a 503, and still exits 0', async () => {
    const { child, core, admin } = await startDevCli('core:\n  drainTimeout: 200ms\n');
    await admin.arm({ provider: 'verihubs', outcomes: ['slow'], times: N });
    const inFlight = Array.from({ length: N }, (_, i) => sendOverFetch(core, `+62813600${String(i).padStart(5, '0')}`));
    await settle(500);
    const signalled = Date.now();
    child.kill('SIGINT');
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(N).fill(503));
    expect(answers[0]!.body).toMatchObject({ type: '/problems/shutting-down' });
    expect(answers[0]!.headers.get('retry-after')).toBe('1');
    expect(await exited(child)).toBe(0);
    console.log(`drain deadline: ${N} sends cut with 503, exit 0 after ${Date.now() - signalled} ms`);
  }, 30_000);
});

describe('a send cut by the drain deadline, on Redis', () => {
  let redis: RedisServer | undefined;
  afterEach(async () => {
    await redis?.stop();
  });

  it("releases its cooldown: after a restart on the same redis-server the user's retry is accepted", async () => {
    redis = await startRedis();
    // A cooldown no restart outlasts, so only a released one lets the retry through.
    const config = 'core:\n  drainTimeout: 300ms\n  policy:\n    resendCooldown: 10m\n';
    const flags = ['--store', redis.url];
    const env = { WAOTP_SECRET: 'drain-test-secret-0123456789' };
    const sent = '+6281390000001';
    const cut = '+6281390000002';

    const first = await startDevCli(config, flags, env);
    expect((await sendOverFetch(first.core, sent)).status).toBe(201);
    await first.admin.arm({ to: cut, outcomes: ['slow'] });
    const inFlight = sendOverFetch(first.core, cut);
    await settle(IN_FLIGHT_MS);
    first.child.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ type: '/problems/shutting-down' });
    expect(await exited(first.child)).toBe(0);

    const second = await startDevCli(config, flags, env);
    const retry = await sendOverFetch(second.core, cut);
    expect(retry.status).toBe(201);
    // The store kept the cooldown of the send that did go out.
    const again = await sendOverFetch(second.core, sent);
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ type: '/problems/resend-cooldown' });
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  }, 60_000);
});
