/**
 * The callback send queue: a delivery waits on the scheduler for its time, then for one of `concurrency` sending
 * slots; it is then filled in (where it goes, what it says), cleared by the provider's handshake if it has one,
 * sent, recorded, and tried again after the provider's backoff while its retry policy has attempts left.
 * Cancelled deliveries record nothing; a full reset also outdates results still on their way.
 * @module
 */
import { attemptOf, type Job } from './callback-job.js';
import { type CallbackOptions, retryDelayAfter } from './callback-options.js';
import type { CallbackPolicy } from './callback-policy.js';
import { createScheduler, type Scheduler } from './callback-scheduler.js';
import { buildCallbackRequest, type Sender, type SendResult } from './callback-sender.js';
import type { ReadyReport } from './callback-targets.js';
import type { Clock } from './clock.js';
import type { CallbackAttempt, InboxMessage } from './inbox.js';
import type { ReportState } from './timeline.js';
import { waitWhile } from './wait-while.js';

export interface CallbackQueueDeps {
  clock: Clock;
  options: Pick<CallbackOptions, 'capacity' | 'concurrency' | 'retryDelayMs'>;
  /** Plays retry backoff this many times faster (> 0). */
  speed: number;
  policy: CallbackPolicy;
  sender: Pick<Sender, 'send'>;
  /** Where a report goes and what it says, once it falls due; undefined when it sends nothing after all. */
  prepare(job: Job): ReadyReport | undefined;
  /** The provider's handshake with `url` before its first report there, if it has one: resolves why not. */
  verify(job: Job, url: string): Promise<string | undefined> | undefined;
  /** Keeps one attempt (on the message and in the history); `kind` is absent for a delivery dropped unsent. */
  record(job: Job, attempt: CallbackAttempt, kind?: SendResult['kind']): void;
  /** A waiting delivery was dropped to make room. */
  dropped(): void;
}

export interface CallbackQueue {
  /** Sends a report when simulated time reaches `at` (once a slot is free); refused once draining. */
  add(message: InboxMessage, state: ReportState, at: number): void;
  /** Removes matching deliveries still waiting (for their time or a slot); those in flight go on. */
  unschedule(match: (job: Job) => boolean): void;
  /** Removes matching deliveries, waiting or in flight; the ones in flight end now and record nothing. */
  cancel(match: (job: Job) => boolean): void;
  /** Cancels every delivery, and outdates one whose answer is already on its way: it records nothing either. */
  clear(): void;
  /** Refuses new deliveries and retries, sends what falls due before the deadline, then clears; returns the dropped. */
  drain(deadlineMs: number): Promise<number>;
  /** Deliveries waiting or in flight. */
  readonly pending: number;
  /** Deliveries waiting for their time (or a retry's), not yet due. */
  readonly later: number;
  readonly inFlight: number;
}

/**
 * Creates the send queue of one dispatcher.
 * @example
 * const queue = createCallbackQueue({ clock, options, speed: 1, policy, sender, prepare, verify, record, dropped });
 * queue.add(message, 'delivered', clock.now() + 300); // sent when the virtual clock gets there
 */
export function createCallbackQueue(deps: CallbackQueueDeps): CallbackQueue {
  const { clock, options, speed, policy, sender, prepare, verify } = deps;
  /** Deliveries in flight, each with what ends it now. */
  const inFlight = new Map<Job, () => void>();
  const wakers = new Set<() => void>();
  let generation = 0;
  let closing = false;

  /** Fills in where a job goes and what it says; false when it sends nothing after all. */
  const ready = (job: Job): boolean => {
    if (job.native) return true;
    const found = prepare(job);
    if (!found) return false;
    Object.assign(job, found);
    return true;
  };

  const record = (job: Job, url: string, result: Partial<SendResult> & { error?: string }, at: number) =>
    deps.record(job, attemptOf(job, url, result, at), result.kind);

  /** The next attempt, after the provider's backoff, while its retry policy has one left. */
  const retryLater = (job: Job) => {
    if (job.attempt >= job.attempts! || closing || job.generation !== generation) return;
    scheduler.add(clock.now() + retryDelayAfter(job.attempt, options.retryDelayMs, speed), {
      ...job,
      attempt: job.attempt + 1,
    });
  };

  const scheduler: Scheduler<Job> = createScheduler<Job>({
    clock,
    capacity: options.capacity,
    onReady: () => pump(),
    onDrop(job) {
      deps.dropped();
      if (ready(job)) {
        const error = `callback queue full (${options.capacity} pending): oldest dropped`;
        record(job, job.url!, { error }, clock.now());
      }
    },
  });

  const pump = () => {
    for (let job: Job | undefined; inFlight.size < options.concurrency && (job = scheduler.take()); ) void send(job);
    wakers.forEach((wake) => wake());
  };

  const send = async (job: Job) => {
    if (!ready(job)) return;
    const at = clock.now();
    const built = buildCallbackRequest(job.url!, job.native!, policy);
    if (!built.request) return record(job, built.url, { kind: 'refused', error: built.refused! }, at);
    // The slot is taken before anything is awaited, so pump() counts it: without this, every due report started
    // at once (thousands of connections to one receiver under load, and its accept queue overflowed).
    let cancelled = false;
    inFlight.set(job, () => {
      cancelled = true;
    });
    const handshake = verify(job, built.url);
    const handshakeFailed = handshake && (await handshake);
    if (handshakeFailed || cancelled) inFlight.delete(job);
    if (cancelled) return pump();
    if (handshakeFailed) {
      // Recorded instead of the POST; the report is tried again like an unanswered one.
      record(job, built.url, { kind: 'refused', error: handshakeFailed }, at);
      retryLater(job);
      return pump();
    }
    const sending = sender.send(built.request, job.timeoutMs!);
    inFlight.set(job, sending.cancel);
    const result = await sending.result;
    inFlight.delete(job);
    if (result.kind !== 'cancelled' && job.generation === generation) {
      const answered = result.kind === 'answered' && result.status! >= 200 && result.status! <= 299;
      const error = result.error ?? (answered ? undefined : `receiver answered ${result.status}`);
      record(job, built.url, { ...result, ...(error !== undefined && { error }) }, at);
      if (!answered && result.kind !== 'refused') retryLater(job);
    }
    pump();
  };

  const cancel = (match: (job: Job) => boolean) => {
    scheduler.cancel(match);
    for (const [job, stop] of inFlight) if (match(job)) stop();
    pump();
  };

  const clear = () => {
    cancel(() => true);
    generation++;
  };

  return {
    add(message, state, at) {
      if (!closing) scheduler.add(at, { message, state, at, attempt: 1, generation });
    },
    unschedule: (match) => void scheduler.cancel(match),
    cancel,
    clear,
    async drain(deadlineMs) {
      closing = true;
      const end = Date.now() + deadlineMs;
      // Busy while something is due or in flight, or will be due before the deadline (in simulated time).
      const busy = () => scheduler.due > 0 || inFlight.size > 0 || scheduler.nextAt() - clock.now() <= end - Date.now();
      await waitWhile(busy, end, wakers);
      const dropped = scheduler.size + inFlight.size;
      clear();
      return dropped;
    },
    get pending() {
      return scheduler.size + inFlight.size;
    },
    get later() {
      return scheduler.size - scheduler.due;
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}
