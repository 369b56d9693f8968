import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('npm run soak, shortened', () => {
  it('keeps callbacks flowing through a receiver that fails 30% and hangs 10%: ' +
    'nothing dropped, pending drains, memory flat', () => {
    // 10 s of sends; callbacks time out at 1 s here so the drain fits the test budget (the full soak keeps each
    // provider's documented 10 s).
    const run = spawnSync(
      process.execPath,
      [`${ROOT}scripts/soak.mjs`, '--seconds', '10', '--rate', '20', '--callback-timeout', '1000', '--json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 100_000,
      },
    );
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.sends.accepted).toBeGreaterThan(50);
    expect(result.inboxTotal).toBe(result.sends.accepted);
    expect(result.callbacks.reportsAttempted).toBe(result.callbacks.reportsExpected);
    expect(result.callbacks.retryPolicyViolations).toBe(0);
    expect(result.callbacks.attempts.timedOut).toBeGreaterThan(0);
    expect(result.callbacks.dropped).toBe(0);
    expect(result.callbacks.pendingAtEnd).toBe(result.callbacks.scheduledLater);
    expect(result.rssMb.end).toBeLessThan(200);
    // Latency targets belong to the printed soak, not to a test on a shared machine: only a gross stall fails here.
    expect(result.healthMs.p99).toBeLessThan(2000);
  }, 120_000);
});
