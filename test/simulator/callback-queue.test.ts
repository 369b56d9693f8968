import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/simulator/callback-job.js';
import { type CallbackQueueDeps, createCallbackQueue } from '../../src/simulator/callback-queue.js';
import type { CallbackRequest, SendResult } from '../../src/simulator/callback-sender.js';
import { createClock } from '../../src/simulator/clock.js';
import type { InboxMessage } from '../../src/simulator/inbox.js';

/** A sender that answers only when the test says so. */
function manualSender() {
  const calls: { request: CallbackRequest; answer(result: Partial<SendResult>): void; cancelled: boolean }[] = [];
  return {
    calls,
    send(request: CallbackRequest) {
      let resolve!: (result: SendResult) => void;
      const result = new Promise<SendResult>((r) => {
        resolve = r;
      });
      const call = {
        request,
        cancelled: false,
        answer: (answer: Partial<SendResult>) => resolve({ kind: 'answered', durationMs: 1, ...answer }),
      };
      calls.push(call);
      return {
        result,
        cancel() {
          call.cancelled = true;
          resolve({ kind: 'cancelled', error: 'dropped', durationMs: 0 });
        },
      };
    },
  };
}

/** Lets every pending promise continuation run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const message = (id: string, session: string | null = null) => ({ id, provider: 'p', session }) as InboxMessage;

function setup(overrides: Partial<CallbackQueueDeps> & { concurrency?: number; capacity?: number } = {}) {
  const clock = createClock({ wall: () => 0 });
  const sender = manualSender();
  const records: { id: string; state: string; attempt: number; status?: number; error?: string; kind?: string }[] = [];
  let dropped = 0;
  const queue = createCallbackQueue({
    clock,
    options: { capacity: overrides.capacity ?? 100, concurrency: overrides.concurrency ?? 10, retryDelayMs: 100 },
    speed: 2,
    policy: { allow: [], self: {} },
    sender,
    prepare: (job: Job) => ({
      url: `http://127.0.0.1:9/hook/${job.state}`,
      native: { method: 'POST', headers: {}, body: { state: job.state } },
      attempts: 3,
      timeoutMs: 1000,
    }),
    verify: () => undefined,
    record(job, attempt, kind) {
      const { status, error } = attempt;
      records.push({ id: job.message.id, state: job.state, attempt: attempt.attempt, status, error, kind });
    },
    dropped: () => void dropped++,
    ...overrides,
  });
  return { clock, sender, records, queue, dropped: () => dropped };
}

describe('createCallbackQueue', () => {
  it('sends due reports in at most `concurrency` slots, the next as soon as one frees', async () => {
    const { sender, records, queue } = setup({ concurrency: 2 });
    for (const id of ['a', 'b', 'c']) queue.add(message(id), 'sent', 0);
    expect(sender.calls.map((c) => c.request.url)).toEqual(['http://127.0.0.1:9/hook/sent', expect.any(String)]);
    expect([queue.inFlight, queue.pending]).toEqual([2, 3]);
    sender.calls[0]!.answer({ status: 200 });
    await settle();
    expect(sender.calls).toHaveLength(3);
    expect(JSON.parse(sender.calls[0]!.request.body!)).toEqual({ state: 'sent' });
    expect(records).toEqual([{ id: 'a', state: 'sent', attempt: 1, status: 200, error: undefined, kind: 'answered' }]);
  });

  it('waits for the virtual clock to reach a report', () => {
    const { clock, sender, queue } = setup();
    queue.add(message('a'), 'delivered', 500);
    expect([sender.calls.length, queue.later]).toEqual([0, 1]);
    clock.advance(499);
    expect(sender.calls).toHaveLength(0);
    clock.advance(1);
    expect([sender.calls.length, queue.later, queue.inFlight]).toEqual([1, 0, 1]);
  });

  it('retries an unanswered report after a doubling backoff (at its speed) until its attempts run out', async () => {
    const { clock, sender, records, queue } = setup();
    queue.add(message('a'), 'sent', 0);
    sender.calls[0]!.answer({ status: 503 });
    await settle();
    clock.advance(49);
    expect(sender.calls).toHaveLength(1);
    clock.advance(1); // 100 ms / speed 2
    expect(sender.calls).toHaveLength(2);
    sender.calls[1]!.answer({ kind: 'timeout', error: 'no answer within 1000 ms' });
    await settle();
    clock.advance(99);
    expect(sender.calls).toHaveLength(2);
    clock.advance(1); // 200 ms / speed 2
    sender.calls[2]!.answer({ status: 500 });
    await settle();
    clock.advance(60_000);
    expect(sender.calls).toHaveLength(3);
    expect(queue.pending).toBe(0);
    expect(records.map((r) => [r.attempt, r.error])).toEqual([
      [1, 'receiver answered 503'],
      [2, 'no answer within 1000 ms'],
      [3, 'receiver answered 500'],
    ]);
  });

  it('does not retry a 2xx or an address refused once resolved', async () => {
    const { clock, sender, records, queue } = setup();
    queue.add(message('a'), 'sent', 0);
    queue.add(message('b'), 'sent', 0);
    sender.calls[0]!.answer({ status: 204 });
    sender.calls[1]!.answer({ kind: 'refused', error: 'resolves to a link-local address' });
    await settle();
    clock.advance(60_000);
    expect([sender.calls.length, queue.pending]).toEqual([2, 0]);
    expect(records.map((r) => r.kind)).toEqual(['answered', 'refused']);
  });

  it('records a URL the policy refuses instead of sending it, and does not retry it', () => {
    const { clock, sender, records, queue } = setup({
      prepare: () => ({
        url: 'ftp://127.0.0.1/hook',
        native: { method: 'POST', headers: {} },
        attempts: 3,
        timeoutMs: 1,
      }),
    });
    queue.add(message('a'), 'sent', 0);
    clock.advance(60_000);
    expect(sender.calls).toHaveLength(0);
    expect(records).toMatchObject([{ attempt: 1, kind: 'refused', error: expect.stringMatching(/only http\(s\)/) }]);
  });

  it('sends nothing for a report that turns out to have no target when it falls due', () => {
    const { sender, records, queue } = setup({ prepare: () => undefined });
    queue.add(message('a'), 'sent', 0);
    expect([sender.calls.length, records.length, queue.pending]).toEqual([0, 0, 0]);
  });

  it('drops the oldest waiting delivery past its capacity, and records why', () => {
    const { records, queue, dropped } = setup({ capacity: 2 });
    queue.add(message('a'), 'sent', 1000);
    queue.add(message('b'), 'sent', 1000);
    queue.add(message('c'), 'sent', 1000);
    expect([queue.pending, dropped()]).toEqual([2, 1]);
    expect(records).toMatchObject([{ id: 'a', error: 'callback queue full (2 pending): oldest dropped' }]);
    expect(records[0]!.kind).toBeUndefined();
  });

  it('records a failed handshake instead of the send, and tries the report again later', async () => {
    let refusals = 1;
    const { clock, sender, records, queue } = setup({
      verify: () => Promise.resolve(refusals-- > 0 ? 'handshake: challenge not echoed' : undefined),
    });
    queue.add(message('a'), 'sent', 0);
    await settle();
    expect([sender.calls.length, queue.inFlight]).toEqual([0, 0]);
    expect(records).toMatchObject([{ attempt: 1, kind: 'refused', error: 'handshake: challenge not echoed' }]);
    clock.advance(50);
    await settle();
    expect(sender.calls).toHaveLength(1);
  });

  it('cancels waiting and in-flight deliveries that match, recording nothing for them', async () => {
    const { sender, records, queue } = setup({ concurrency: 1 });
    queue.add(message('a', 's1'), 'sent', 0);
    queue.add(message('b', 's1'), 'sent', 0);
    queue.add(message('c', 's2'), 'sent', 0);
    queue.cancel((job) => job.message.session === 's1');
    expect(sender.calls[0]!.cancelled).toBe(true);
    await settle();
    // b never went out; c took the freed slot.
    expect([sender.calls.length, sender.calls[1]!.cancelled, queue.inFlight, queue.pending]).toEqual([2, false, 1, 1]);
    expect(records).toEqual([]);
  });

  it('unschedules only waiting deliveries: one in flight goes on', async () => {
    const { sender, records, queue } = setup();
    queue.add(message('a'), 'sent', 0);
    queue.add(message('a'), 'unverified', 5000);
    queue.unschedule(() => true);
    expect([queue.pending, sender.calls[0]!.cancelled]).toEqual([1, false]);
    sender.calls[0]!.answer({ status: 200 });
    await settle();
    expect(records.map((r) => r.state)).toEqual(['sent']);
  });

  it('outdates an answer already on its way when cleared: it is neither recorded nor retried', async () => {
    const { clock, sender, records, queue } = setup();
    queue.add(message('a'), 'sent', 0);
    sender.calls[0]!.answer({ status: 500 });
    queue.clear();
    await settle();
    clock.advance(60_000);
    expect([records.length, sender.calls.length, queue.pending]).toEqual([0, 1, 0]);
  });

  it('drains: sends what is due, refuses new deliveries, and drops what falls due after the deadline', async () => {
    const { clock, sender, records, queue } = setup();
    queue.add(message('a'), 'sent', 0);
    queue.add(message('b'), 'read', clock.now() + 3_600_000);
    const draining = queue.drain(60_000);
    queue.add(message('c'), 'sent', 0);
    expect([sender.calls.length, queue.pending]).toEqual([1, 2]);
    sender.calls[0]!.answer({ status: 200 });
    expect(await draining).toBe(1);
    expect(records.map((r) => r.id)).toEqual(['a']);
    expect(queue.pending).toBe(0);
  });
});
