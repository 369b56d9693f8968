import { describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/app.js';
import type { LogFormat, LogLevel } from '../../src/simulator/request-log.js';

async function logOf(level: LogLevel, format: LogFormat, send: (sim: ReturnType<typeof createSimulator>) => unknown) {
  const lines: string[] = [];
  const sim = createSimulator({ seed: 1, log: { level, format, color: false, write: (text) => lines.push(text) } });
  await send(sim);
  return lines.join('');
}

const splashify = (sim: ReturnType<typeof createSimulator>, prefer?: string) =>
  sim.app.request('/api/v1/public/message', {
    method: 'POST',
    headers: {
      authorization: 'Basic sk_live_verysecret',
      'content-type': 'application/json',
      ...(prefer && { prefer }),
    },
    body: JSON.stringify({
      fullPhoneNumber: '6281234567890',
      type: 'Template',
      template: { name: 't', languageCode: 'en', bodyValues: ['482913'], buttonValues: { '0': ['482913'] } },
    }),
  });

describe('request log', () => {
  it('writes one pretty line per request: time, provider, method, path, status, outcome and why, ms', async () => {
    const text = await logOf('info', 'pretty', async (sim) => {
      await splashify(sim, 'scenario=rate_limited');
      await splashify(sim);
    });
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        /^\d\d:\d\d:\d\d\.\d{3} {2}splashify\s+POST \/api\/v1\/public\/message {2}429 {2}rate_limited/.source +
          / \(header: Prefer: scenario=rate_limited\) {2}[\d.]+ms {2}to=6281234567890$/.source,
      ),
    );
    expect(lines[1]).toMatch(/ {2}201 {2}accepted \(default/);
  });

  it('writes JSON lines with the same fields, and nothing at silent', async () => {
    const line = JSON.parse(await logOf('info', 'json', (sim) => splashify(sim)));
    expect(line).toMatchObject({
      provider: 'splashify',
      method: 'POST',
      status: 201,
      outcome: 'accepted',
      by: 'default',
      to: '6281234567890',
      id: 'req_000001',
    });
    expect(line.request).toBeUndefined();
    expect(await logOf('silent', 'json', (sim) => splashify(sim))).toBe('');
  });

  it('adds masked headers and the bodies at debug, never the whole secret', async () => {
    const text = await logOf('debug', 'json', (sim) => splashify(sim));
    const line = JSON.parse(text);
    expect(line.request.headers.authorization).toBe('Basic sk_l…');
    expect(line.request.body).toContain('482913');
    expect(line.reply.body).toMatchObject({ result: true });
    expect(text).not.toContain('verysecret');
  });

  it('logs a request that matched no route with its nearest route', async () => {
    const line = JSON.parse(
      await logOf('info', 'json', (sim) => sim.app.request('/api/v1/public/messages', { method: 'POST' })),
    );
    expect(line).toMatchObject({ status: 404, outcome: 'unmatched', by: 'route', provider: 'splashify' });
    expect(line.detail).toContain('nearest: POST /api/v1/public/message');
  });
});
