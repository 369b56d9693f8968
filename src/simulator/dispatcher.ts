/**
 * Delivery callbacks: plans the reports a captured message gets, hands those that send a callback to the send
 * queue (callback-queue.ts: due on the virtual clock, sent, retried as far as the provider's documented policy
 * goes), and records every attempt on the message and in a bounded history. Never awaited by a provider
 * request. Knows providers only through their `callbacks` definition.
 * @module
 */
import { type CallbackHistory, type CallbackStats, createCallbackHistory } from './callback-history.js';
import type { Job } from './callback-job.js';
import { type CallbackOptions, DEFAULT_CALLBACK_OPTIONS } from './callback-options.js';
import type { SelfAddress } from './callback-policy.js';
import { createCallbackQueue } from './callback-queue.js';
import { createSender } from './callback-sender.js';
import { type CallbackProvider, createCallbackTargets, type ReportedMessage } from './callback-targets.js';
import type { Clock } from './clock.js';
import { withFollowUp } from './delivery-state.js';
import { createHandshakes } from './handshake.js';
import type { Inbox, InboxMessage } from './inbox.js';
import { createReportRegistry } from './report-registry.js';
import { GAP_MS, type PlannedReport, planTimeline, type Timeline } from './timeline.js';

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
  const targets = createCallbackTargets({
    provider,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });

  /** The provider's verification handshake with a URL before its first report there (Cloud API), if it has one. */
  const verifyTarget = (job: Job, url: string): Promise<string | undefined> | undefined => {
    const runtime = provider(job.message.provider);
    const handshake = runtime.definition.callbacks?.handshake;
    return (
      handshake &&
      handshakes.ensure(job.message.provider, url, (challenge) => handshake(runtime.state, challenge), job.timeoutMs!)
    );
  };

  const queue = createCallbackQueue({
    clock,
    options,
    speed,
    policy,
    sender,
    prepare: (job) => targets.prepare(job.message, job.state, job.at),
    verify: verifyTarget,
    record(job, attempt, kind) {
      history.add(job.message, attempt, kind);
      inbox.addAttempt(job.message.id, attempt);
    },
    dropped: history.countDrop,
  });

  const schedule = (message: InboxMessage, reports: readonly PlannedReport[]) => {
    for (const r of reports) if (targets.sends(message, r.state, r.at)) queue.add(message, r.state, r.at);
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
      // Once draining, the queue refuses new deliveries.
      if (timeline !== 'missing') schedule(message, inbox.plan(message.id));
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
      queue.unschedule((job) => job.message.id === message.id && job.state === 'unverified' && job.at > now);
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
      pending: queue.pending,
      later: queue.later,
      inFlight: queue.inFlight,
      sockets: sender.sockets,
    }),
    targets: targets.list,
    setTargets: targets.set,
    reset(session) {
      if (session === undefined) {
        queue.clear();
        targets.clear();
        registry.clear();
        handshakes.reset();
      } else queue.cancel((job) => job.message.session === session);
      history.clear(session);
    },
    async drain(deadlineMs = options.drainMs) {
      const dropped = await queue.drain(deadlineMs);
      sender.close();
      return { dropped };
    },
    get pending() {
      return queue.pending;
    },
  };
}
