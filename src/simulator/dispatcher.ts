/**
 * Delivery callbacks: schedules the reports a captured message's plan sends on the virtual clock
 * (callback-scheduler.ts), sends each when due (callback-sender.ts) as far as the provider's documented retry
 * policy goes, and records every attempt on the message and in a bounded history. Never awaited by a
 * provider request. Knows providers only through their `callbacks` definition.
 * @module
 */
import { type CallbackHistory, type CallbackStats, createCallbackHistory } from './callback-history.js';
import { attemptOf, type Job } from './callback-job.js';
import { type CallbackOptions, DEFAULT_CALLBACK_OPTIONS } from './callback-options.js';
import type { SelfAddress } from './callback-policy.js';
import { createScheduler, type Scheduler } from './callback-scheduler.js';
import { buildCallbackRequest, createSender, type SendResult } from './callback-sender.js';
import { type CallbackProvider, createCallbackTargets, type ReportedMessage } from './callback-targets.js';
import type { Clock } from './clock.js';
import { withFollowUp } from './delivery-state.js';
import { createHandshakes } from './handshake.js';
import type { Inbox, InboxMessage } from './inbox.js';
import { createReportRegistry } from './report-registry.js';
import { GAP_MS, type PlannedReport, planTimeline, type Timeline } from './timeline.js';
import { waitWhile } from './wait-while.js';

export type { CallbackFilter, CallbackRecord, CallbackStats } from './callback-history.js';
export { type CallbackOptions, DEFAULT_CALLBACK_OPTIONS } from './callback-options.js';
export type { CallbackProvider } from './callback-targets.js';

export interface DispatcherDeps {
  clock: Clock;
  inbox: Inbox;
  provider(id: string): CallbackProvider;
  options?: Partial<CallbackOptions>;
  /** Where the simulator listens, never a callback target; filled in once it does. */
  self?: SelfAddress;
}

export interface Dispatcher {
  /** The reports a message about to be stored gets (sorted by time): what the inbox keeps as its plan. */
  plan(message: ReportedMessage, timeline: Timeline): PlannedReport[];
  /** Schedules the callbacks of a message just stored with its plan. */
  start(message: InboxMessage, timeline: Timeline): void;
  /** A later event of a message, by provider and provider message id (Verihubs: verified). */
  report(provider: string, providerMessageId: string, state: 'verified'): void;
  list: CallbackHistory['list'];
  /** Attempts recorded since the last full reset, evicted ones included. */
  readonly total: number;
  /** Attempts kept now, and dropped past the history's caps since the last full reset. */
  readonly stored: number;
  readonly evicted: number;
  /** Attempts by result, reports dropped, deliveries pending and in flight. */
  stats(): CallbackStats;
  /** Webhook URLs set through the admin API, by provider id; they win over config. */
  targets(): Record<string, string>;
  /** Sets (a URL) or removes (null) targets; returns them all. */
  setTargets(patch: Record<string, string | null>): Record<string, string>;
  /** Drops pending callbacks and records (of one session, or all, targets included). */
  reset(session?: string | null): void;
  /** Sends what is due before the deadline, then drops the rest; new timelines are refused from now on. */
  drain(deadlineMs?: number): Promise<{ dropped: number }>;
  /** Deliveries scheduled, due, in flight or waiting for a retry. */
  readonly pending: number;
  readonly options: CallbackOptions;
}

/**
 * Creates the dispatcher of one simulator.
 * @example
 * const callbacks = createDispatcher({ clock, inbox, provider: (id) => runtime(id), options: { speed: 10 } });
 * const stored = inbox.add({ ...message, plan: callbacks.plan(message, 'normal') });
 * callbacks.start(stored, 'normal'); // sent, delivered, read go out on the virtual clock
 */
export function createDispatcher({
  clock,
  inbox,
  provider,
  options: given = {},
  self = {},
}: DispatcherDeps): Dispatcher {
  // An option given as undefined keeps its default.
  const options: CallbackOptions = {
    ...DEFAULT_CALLBACK_OPTIONS,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  };
  const speed = options.speed > 0 ? options.speed : 1;
  const policy = { allow: options.allow, self };
  const history = createCallbackHistory({ capacity: options.history, maxBytes: options.historyBytes });
  const registry = createReportRegistry();
  const sender = createSender({ policy, sockets: options.concurrency });
  const handshakes = createHandshakes();
  const inFlight = new Map<Job, () => void>();
  const targets = createCallbackTargets({
    provider,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
  let generation = 0;
  let closing = false;
  const wakers = new Set<() => void>();

  /** Fills in where a job goes and what it says; false when it sends nothing after all. */
  const ready = (job: Job): boolean => {
    if (job.native) return true;
    const found = targets.prepare(job.message, job.state, job.at);
    if (!found) return false;
    Object.assign(job, found);
    return true;
  };

  const record = (job: Job, url: string, result: Partial<SendResult> & { error?: string }, at = clock.now()) => {
    const attempt = attemptOf(job, url, result, at);
    history.add(job.message, attempt, result.kind);
    inbox.addAttempt(job.message.id, attempt);
  };

  /** The next attempt, after the provider's backoff, while its retry policy has one left. */
  const retryLater = (job: Job) => {
    if (job.attempt >= job.attempts! || closing || job.generation !== generation) return;
    scheduler.add(clock.now() + (options.retryDelayMs * 2 ** (job.attempt - 1)) / speed, {
      ...job,
      attempt: job.attempt + 1,
    });
  };

  const scheduler: Scheduler<Job> = createScheduler<Job>({
    clock,
    capacity: options.capacity,
    onReady: () => pump(),
    onDrop(job) {
      history.countDrop();
      if (ready(job))
        record(job, job.url!, { error: `callback queue full (${options.capacity} pending): oldest dropped` });
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
    const handshake = verifyTarget(job, built.url);
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

  /** The provider's verification handshake with a URL before its first report there (Cloud API), if it has one. */
  const verifyTarget = (job: Job, url: string): Promise<string | undefined> | undefined => {
    const runtime = provider(job.message.provider);
    const handshake = runtime.definition.callbacks?.handshake;
    return (
      handshake &&
      handshakes.ensure(job.message.provider, url, (challenge) => handshake(runtime.state, challenge), job.timeoutMs!)
    );
  };

  const schedule = (message: InboxMessage, reports: readonly PlannedReport[]) => {
    for (const r of reports) {
      if (targets.sends(message, r.state, r.at))
        scheduler.add(r.at, { message, state: r.state, at: r.at, attempt: 1, generation });
    }
  };

  const cancel = (match: (job: Job) => boolean) => {
    scheduler.cancel(match);
    for (const [job, stop] of inFlight) if (match(job)) stop();
  };

  return {
    options,
    plan(message, timeline) {
      const states = provider(message.provider).definition.callbacks?.states;
      const createdAt = clock.now();
      return (
        planTimeline({
          timeline,
          failed: message.failure !== undefined || message.outcome === 'not_on_whatsapp',
          createdAt,
          ...(message.expiresAt !== undefined && { expiresAt: message.expiresAt }),
          ...(states && { states }),
          speed,
          ...(options.delays && { delays: options.delays }),
          lateAfterMs: options.lateAfterMs,
        })
          // `unverified` only matters to a receiver: without one, nothing waits minutes for it.
          .filter((r) => r.state !== 'unverified' || targets.sends(message, r.state, r.at))
      );
    },
    start(message, timeline) {
      const definition = provider(message.provider).definition.callbacks;
      if (message.providerMessageId !== undefined && definition?.states.includes('verified')) {
        registry.remember(message.provider, message.providerMessageId, {
          messageId: message.id,
          missing: timeline === 'missing',
        });
      }
      if (closing || timeline === 'missing') return;
      schedule(message, inbox.plan(message.id));
    },
    report(providerId, providerMessageId, state) {
      const found = registry.find(providerId, providerMessageId);
      if (!found || found.missing) return;
      const now = clock.now();
      const message = inbox.update(
        found.messageId,
        (m) => void (m.plan = withFollowUp(m.plan, state, now, GAP_MS / speed)),
      );
      if (!message) return;
      scheduler.cancel((job) => job.message.id === message.id && job.state === 'unverified' && job.at > now);
      if (!closing)
        schedule(
          message,
          inbox.plan(message.id).filter((r) => r.state === state),
        );
    },
    list: history.list,
    get total() {
      return history.total;
    },
    get stored() {
      return history.stored;
    },
    get evicted() {
      return history.evicted;
    },
    stats: () => ({
      ...history.stats(),
      pending: scheduler.size + inFlight.size,
      later: scheduler.size - scheduler.due,
      inFlight: inFlight.size,
      sockets: sender.sockets,
    }),
    targets: targets.list,
    setTargets: targets.set,
    reset(session) {
      cancel((job) => session === undefined || job.message.session === session);
      if (session === undefined) {
        generation++;
        targets.clear();
        registry.clear();
        handshakes.reset();
      }
      history.clear(session);
      pump();
    },
    async drain(deadlineMs = options.drainMs) {
      closing = true;
      const end = Date.now() + deadlineMs;
      // Busy while something is due or in flight, or will be due before the deadline (in simulated time).
      const busy = () => scheduler.due > 0 || inFlight.size > 0 || scheduler.nextAt() - clock.now() <= end - Date.now();
      await waitWhile(busy, end, wakers);
      const dropped = scheduler.size + inFlight.size;
      cancel(() => true);
      generation++;
      sender.close();
      return { dropped };
    },
    get pending() {
      return scheduler.size + inFlight.size;
    },
  };
}
