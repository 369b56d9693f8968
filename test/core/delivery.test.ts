import { describe, expect, it } from 'vitest';
import { abortAfter, createDelivery } from '../../src/core/delivery.js';
import { type Adapter, failure, type SendResult } from '../../src/providers/adapter.js';

const MESSAGE = { to: '6281234567890', code: '482913', reference: 'VE1' };

function adapter(provider: string, send: Adapter['send']): Adapter {
  return { provider, send };
}
const ok = (provider: string): SendResult => ({ ok: true, provider, status: 201, providerMessageId: `${provider}-1` });

/** Resolves with a timeout failure when the signal aborts (or already has, as fetch does); never answers otherwise. */
const hangs = (provider: string) =>
  adapter(provider, (_, { signal }) => {
    const timedOut = () => failure(provider, 'timeout', String(signal.reason?.name));
    if (signal.aborted) return Promise.resolve(timedOut());
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(timedOut()), { once: true }));
  });

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('delivery', () => {
  it('stamps attempts and measures its deadline on the injected clock, not Date.now()', async () => {
    let now = Date.UTC(2030, 0, 1);
    const first = adapter('first', async () => {
      now += 60_000; // the first provider takes a (simulated) minute
      return failure('first', 'invalid_request', 'nope');
    });
    const second = adapter('second', async () => ok('second'));
    const delivery = createDelivery([first, second], { now: () => now, deadlineMs: 20_000, retries: 0 });
    const outcome = await delivery.send(MESSAGE, ['first', 'second']);
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts.map((a) => [a.provider, a.ok ? 'ok' : a.kind, a.at])).toEqual([
      ['first', 'invalid_request', '2030-01-01T00:01:00.000Z'],
      ['second', 'deadline', '2030-01-01T00:01:00.000Z'],
    ]);
  });

  it('times an attempt out with its own timer, and fails over to the next provider', async () => {
    const delivery = createDelivery([hangs('slow'), adapter('fast', async () => ok('fast'))], {
      attemptTimeoutMs: 30,
      retries: 0,
    });
    const outcome = await delivery.send(MESSAGE, ['slow', 'fast']);
    expect(outcome.ok).toBe(true);
    expect(outcome.attempts.map((a) => (a.ok ? a.provider : `${a.provider}:${a.kind}:${a.message}`))).toEqual([
      'slow:timeout:TimeoutError',
      'fast',
    ]);
  });

  it('leaves no timer behind once a send is over', async () => {
    const before = timers();
    const delivery = createDelivery([adapter('p', async () => ok('p'))], {
      attemptTimeoutMs: 60_000,
      deadlineMs: 120_000,
    });
    for (let i = 0; i < 20; i++) await delivery.send(MESSAGE, ['p']);
    expect(timers()).toBe(before);
  });

  it('stops at the deadline even when attempts would wait longer', async () => {
    const delivery = createDelivery([hangs('a'), hangs('b')], { attemptTimeoutMs: 10_000, deadlineMs: 50, retries: 0 });
    const outcome = await delivery.send(MESSAGE, ['a', 'b']);
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts[0]).toMatchObject({ provider: 'a', ok: false });
    expect(outcome.attempts.at(-1)).toMatchObject({ kind: expect.stringMatching(/deadline|timeout/) });
  });
});

describe('abortAfter', () => {
  it('aborts with a TimeoutError when its time is up', async () => {
    const { signal } = abortAfter(10);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts with the reason of the first parent that aborts', () => {
    const parent = new AbortController();
    const { signal, clear } = abortAfter(60_000, [new AbortController().signal, parent.signal]);
    parent.abort(new Error('cancelled'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('cancelled');
    clear();
  });

  it('is aborted at once under a parent that already is', () => {
    const { signal } = abortAfter(60_000, [AbortSignal.abort('gone')]);
    expect(signal.reason).toBe('gone');
  });

  it('lets go of its parents and its timer when cleared', async () => {
    const parent = new AbortController();
    const before = timers();
    const { signal, clear } = abortAfter(20, [parent.signal]);
    clear();
    expect(timers()).toBe(before);
    parent.abort();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(signal.aborted).toBe(false);
  });
});
