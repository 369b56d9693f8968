import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandshakes } from '../../src/simulator/handshake.js';

describe('createHandshakes', () => {
  let url = '';
  let gets = 0;
  let mode: 'echo' | 'hang' | 'huge' = 'echo';
  const server = createServer((req, res) => {
    gets++;
    const challenge = new URL(req.url ?? '/', 'http://x').searchParams.get('hub.challenge') ?? '';
    if (mode === 'hang') return;
    if (mode === 'huge') return void res.end('x'.repeat(5_000_000));
    setTimeout(() => res.end(challenge), 20);
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const query = (challenge: string) => ({ 'hub.mode': 'subscribe', 'hub.challenge': challenge });

  it('verifies a URL once, even for reports due at the same time, and again after a reset', async () => {
    mode = 'echo';
    gets = 0;
    const handshakes = createHandshakes();
    expect(await Promise.all([1, 2, 3].map(() => handshakes.ensure('p', url, query, 2000)))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(await handshakes.ensure('p', url, query, 2000)).toBeUndefined();
    expect(gets).toBe(1);
    handshakes.reset();
    await handshakes.ensure('p', url, query, 2000);
    expect(gets).toBe(2);
  });

  it('gives up on a receiver that never answers, within its timeout', async () => {
    mode = 'hang';
    const started = Date.now();
    const refused = await createHandshakes().ensure('p', url, query, 200);
    expect(refused).toMatch(/no answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reads no more than a small part of a huge answer, and refuses it', async () => {
    mode = 'huge';
    expect(await createHandshakes().ensure('p', url, query, 5000)).toMatch(
      /verification handshake failed: GET answered 200 "x{10}/,
    );
  });
});
