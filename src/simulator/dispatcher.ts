/**
 * Delivery callbacks: plays each captured message's timeline on the virtual clock and sends the
 * provider's native reports in the background. Never awaited by a provider request: the queue is bounded,
 * each attempt has a timeout, failures are retried with exponential backoff as far as the provider's
 * documented policy goes, and every attempt is recorded on the message and in a bounded list.
 * Knows providers only through their `callbacks` definition.
 * @module
 */
import type { CallbackDefinition, CallbackEvent, NativeCallback, ProviderSettings } from '../providers/define.js';
import type { Clock } from './clock.js';
import type { CallbackAttempt, Inbox, InboxMessage } from './inbox.js';
import { createRing } from './ring.js';
import { DEFAULT_LATE_AFTER_MS, GAP_MS, type PlannedReport, type ReportState, type Timeline, type TimelineDelays, planTimeline } from './timeline.js';

export interface CallbackOptions {
  /** Hosts callbacks may go to (`host`, `host:port` or `*.domain`); empty = any URL. */
  allow: string[];
  /** 2 plays timelines and retry backoff twice as fast. */
  speed: number;
  /** Overrides every provider's documented wait for one attempt. */
  timeoutMs?: number;
  /** The first retry's wait; each later one doubles it. */
  retryDelayMs: number;
  /** Deliveries waiting to be sent (scheduled, queued or between retries); past it new ones are dropped. */
  capacity: number;
  /** Attempts in flight at once. */
  concurrency: number;
  /** Attempts kept for `GET /__admin/callbacks`. */
  history: number;
  /** How long a shutdown waits for pending callbacks before dropping them. */
  drainMs: number;
  /** Where the send names no OTP expiry, the `late` timeline reports this long after it. */
  lateAfterMs: number;
  delays?: Partial<TimelineDelays>;
}

export const DEFAULT_CALLBACK_OPTIONS: CallbackOptions = {
  allow: [],
  speed: 1,
  retryDelayMs: 250,
  capacity: 10_000,
  concurrency: 32,
  history: 1000,
  drainMs: 5000,
  lateAfterMs: DEFAULT_LATE_AFTER_MS,
};

/** One recorded attempt, as `GET /__admin/callbacks` lists it. */
export interface CallbackRecord extends CallbackAttempt {
  id: string;
  provider: string;
  /** Inbox id of the message reported on. */
  messageId: string;
  providerMessageId?: string;
  session: string | null;
}

export interface CallbackFilter {
  provider?: string;
  message?: string;
  session?: string | null;
}

/** What the dispatcher needs to know of one provider (its runtime in the simulator). */
export interface CallbackProvider {
  definition: { callbacks?: CallbackDefinition };
  settings: ProviderSettings;
  state: unknown;
}

export interface DispatcherDeps {
  clock: Clock;
  inbox: Inbox;
  provider(id: string): CallbackProvider;
  options?: Partial<CallbackOptions>;
}

export interface Dispatcher {
  /** Plays the timeline of a message just captured. */
  start(message: InboxMessage, timeline: Timeline): void;
  /** A later event of a message, by provider and provider message id (Verihubs: verified). */
  report(provider: string, providerMessageId: string, state: 'verified'): void;
  list(filter?: CallbackFilter, limit?: number): CallbackRecord[];
  /** Attempts recorded since the last full reset, evicted ones included. */
  readonly total: number;
  /** Attempts kept now, and dropped past `history` since the last full reset. */
  readonly stored: number;
  readonly evicted: number;
  /** Webhook URLs set through the admin API, by provider id; they win over config. */
  targets(): Record<string, string>;
  /** Sets (a URL) or removes (null) targets; returns them all. */
  setTargets(patch: Record<string, string | null>): Record<string, string>;
  /** Drops pending callbacks and records (of one session, or all, targets included). */
  reset(session?: string | null): void;
  /** Sends what is due before the deadline, then drops the rest; new timelines are refused from now on. */
  drain(deadlineMs?: number): Promise<{ dropped: number }>;
  /** Deliveries scheduled, queued, in flight or waiting for a retry. */
  readonly pending: number;
  readonly options: CallbackOptions;
}

interface Pending {
  at: number;
  /** Whether it will send a callback (and so counts as pending for the bound and the drain). */
  sends: boolean;
  cancel(): void;
}

/** A message whose reports are still to come: everything scheduled for it, so a reset can cancel it. */
interface Track {
  message: InboxMessage;
  pending: Map<number, Pending>;
  /** Time of the last planned delivery report; a verified report follows it. */
  lastAt: number;
  /** Key of the scheduled `unverified` report, cancelled by a verify. */
  unverified?: number;
}

interface Delivery {
  message: InboxMessage;
  state: ReportState;
  url: string;
  native: NativeCallback;
  attempt: number;
  attempts: number;
  timeoutMs: number;
  generation: number;
  cancelled?: boolean;
  controller?: AbortController;
}

/** Messages remembered for a later report (a verify), as many as Verihubs keeps sessions. */
const REMEMBERED = 100_000;

/** Status order for the inbox: a late or repeated report never moves a message back. */
const RANK: Record<string, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Reports of a message that sends no callbacks, kept on the message while no one watches the inbox live:
 * applied when the message is read instead of on timers, which at load cost more than the sends.
 * A symbol key, so the plan never shows in the message's JSON.
 */
const PLAN = Symbol('waotp.plan');
type LazyPlan = { reports: PlannedReport[]; lastAt: number } | { later: () => PlannedReport[] };
type Planned = InboxMessage & { [PLAN]?: LazyPlan };

/** The reports of a lazy plan, worked out on first need; sorted, as they will be applied. */
function reportsOf(message: Planned): { reports: PlannedReport[]; lastAt: number } | undefined {
  const lazy = message[PLAN];
  if (!lazy || !('later' in lazy)) return lazy;
  const reports = lazy.later().sort((a, b) => a.at - b.at);
  const planned = { reports, lastAt: Math.max(0, ...reports.map((r) => r.at)) };
  message[PLAN] = planned;
  return planned;
}

/** What a due report changes on a message: its events, and its status (never backwards). */
function applyReport(message: InboxMessage, report: PlannedReport) {
  (message.events ??= []).push({ state: report.state, at: new Date(report.at).toISOString() });
  if (report.state in RANK && RANK[report.state]! >= RANK[message.status]!) message.status = report.state as InboxMessage['status'];
}

/**
 * Creates the dispatcher of one simulator.
 * @example
 * const callbacks = createDispatcher({ clock, inbox, provider: (id) => runtime(id), options: { speed: 10 } });
 * callbacks.start(message, 'normal'); // sent, delivered, read follow on the virtual clock
 */
export function createDispatcher({ clock, inbox, provider, options: given = {} }: DispatcherDeps): Dispatcher {
  // An option given as undefined keeps its default.
  const options: CallbackOptions = { ...DEFAULT_CALLBACK_OPTIONS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  const speed = options.speed > 0 ? options.speed : 1;
  const records = createRing<CallbackRecord>(options.history);
  const tracks = new Map<string, Track>();
  /**
   * Messages a later event may be reported for (providers that report `verified`), by provider and
   * provider message id; `missing` ones report nothing. Bounded: the oldest are forgotten.
   */
  const rememberedKeys: (string | undefined)[] = [];
  let remembered = 0;
  const reportable = new Map<string, { message: InboxMessage; missing: boolean }>();
  const queue: Delivery[] = [];
  const inFlight = new Set<Delivery>();
  let targets: Record<string, string> = {};
  let waiting = 0;
  let sequence = 0;
  let keys = 0;
  let generation = 0;
  let closing = false;
  const wakers = new Set<() => void>();
  const changed = () => wakers.forEach((wake) => wake());

  const record = (delivery: Pick<Delivery, 'message' | 'state' | 'native' | 'url' | 'attempt'>, result: { status?: number; durationMs?: number; error?: string; at: number }) => {
    const { message, native } = delivery;
    const attempt: CallbackAttempt = {
      event: delivery.state,
      url: delivery.url,
      method: native.method,
      request: { ...(native.query && { query: native.query }), headers: native.headers, ...(native.body !== undefined && { body: native.body }) },
      attempt: delivery.attempt,
      ...(result.status !== undefined && { status: result.status }),
      ...(result.durationMs !== undefined && { durationMs: result.durationMs }),
      ...(result.error !== undefined && { error: result.error }),
      at: new Date(result.at).toISOString(),
    };
    records.push({
      id: `cb_${(++sequence).toString().padStart(6, '0')}`,
      provider: message.provider,
      messageId: message.id,
      ...(message.providerMessageId !== undefined && { providerMessageId: message.providerMessageId }),
      session: message.session,
      ...attempt,
    });
    inbox.update(message.id, (m) => (m.callbacks ??= []).push(attempt));
  };

  /** Where a report of this message goes now; undefined: nowhere (no URL given or configured). */
  const targetOf = (message: InboxMessage, runtime: CallbackProvider, definition: CallbackDefinition): string | undefined => {
    if ('requestField' in definition.target) return message.callback?.url || undefined;
    const option = runtime.settings.options?.webhookUrl;
    return targets[message.provider] ?? definition.settingUrl?.(runtime.state) ?? (typeof option === 'string' && option ? option : undefined);
  };

  const eventOf = (message: InboxMessage, state: ReportState, at: number): CallbackEvent => ({
    state,
    at,
    message: {
      to: message.to,
      ...(message.providerMessageId !== undefined && { providerMessageId: message.providerMessageId }),
      ...(message.failure && { failure: message.failure }),
      ...(message.callback && { callback: message.callback }),
    },
  });

  /** The native callback a report sends now, with its URL; undefined when it sends none. */
  const prepare = (message: InboxMessage, state: ReportState, at: number, runtime = provider(message.provider)) => {
    const definition = runtime.definition.callbacks;
    if (!definition || !definition.states.includes(state)) return undefined;
    const event = eventOf(message, state, at);
    if (definition.reports && !definition.reports(runtime.state, event)) return undefined;
    const url = targetOf(message, runtime, definition);
    if (url === undefined) return undefined;
    return { definition, url, event };
  };

  /** A report falls due: the inbox shows it, and the provider's callback goes out if it sends one. */
  const fire = (message: InboxMessage, report: PlannedReport) => {
    inbox.update(message.id, (m) => applyReport(m, report));
    const ready = prepare(message, report.state, report.at);
    if (!ready) return;
    enqueue({
      message,
      state: report.state,
      url: ready.url,
      native: ready.definition.render(ready.event),
      attempt: 1,
      attempts: Math.max(1, ready.definition.delivery.attempts),
      timeoutMs: options.timeoutMs ?? ready.definition.delivery.timeoutMs,
      generation,
    });
  };

  const enqueue = (delivery: Delivery) => {
    if (queue.length + inFlight.size + waiting >= options.capacity) {
      record(delivery, { error: `callback queue full (${options.capacity} pending): dropped`, at: clock.now() });
      return;
    }
    queue.push(delivery);
    pump();
  };

  const pump = () => {
    while (inFlight.size < options.concurrency && queue.length > 0) void send(queue.shift()!);
    changed();
  };

  const send = async (delivery: Delivery) => {
    const controller = new AbortController();
    delivery.controller = controller;
    inFlight.add(delivery);
    const at = clock.now();
    const started = performance.now();
    let status: number | undefined;
    let error: string | undefined;
    let retryable = false;
    const target = checkUrl(delivery.url, delivery.native, options.allow);
    if (target.refused) {
      error = target.refused;
    } else {
      try {
        const { method, headers, body } = delivery.native;
        const response = await fetch(target.url, {
          method,
          headers: { 'user-agent': 'waotp-simulator', ...headers },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(delivery.timeoutMs), controller.signal]),
        });
        status = response.status;
        // Read and thrown away so the connection can be reused; nothing in it matters.
        await response.arrayBuffer().catch(() => undefined);
        retryable = status < 200 || status > 299;
        if (retryable) error = `receiver answered ${status}`;
      } catch (caught) {
        const failure = caught as Error & { cause?: { code?: string; message?: string } };
        retryable = true;
        error =
          failure.name === 'TimeoutError'
            ? `no answer within ${delivery.timeoutMs} ms`
            : controller.signal.aborted
              ? 'dropped'
              : (failure.cause?.code ?? failure.cause?.message ?? failure.message);
      }
    }
    inFlight.delete(delivery);
    if (!delivery.cancelled && delivery.generation === generation) {
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      record({ ...delivery, url: target.url }, { ...(status !== undefined && { status }), durationMs, ...(error !== undefined && { error }), at });
      if (retryable && delivery.attempt < delivery.attempts && !closing) retry(delivery);
    }
    pump();
  };

  const trackOf = (message: InboxMessage, lastAt = clock.now()) => {
    let track = tracks.get(message.id);
    if (!track) tracks.set(message.id, (track = { message, pending: new Map(), lastAt }));
    return track;
  };

  /** Runs `run` at simulated time `at` on the message's track, where a reset can cancel it. */
  const schedule = (track: Track, at: number, sends: boolean, run: () => void): number => {
    const key = ++keys;
    if (sends) waiting++;
    const settle = () => {
      if (!track.pending.delete(key)) return false;
      if (sends) waiting--;
      if (track.pending.size === 0 && tracks.get(track.message.id) === track) tracks.delete(track.message.id);
      return true;
    };
    const cancelTask = clock.schedule(at, () => {
      if (settle()) run();
      changed();
    });
    track.pending.set(key, { at, sends, cancel: () => (cancelTask(), settle()) });
    return key;
  };

  const retry = (delivery: Delivery) => {
    const wait = (options.retryDelayMs * 2 ** (delivery.attempt - 1)) / speed;
    schedule(trackOf(delivery.message), clock.now() + wait, true, () => enqueue({ ...delivery, attempt: delivery.attempt + 1, cancelled: false }));
  };

  const plan = (track: Track, reports: PlannedReport[]) => {
    const runtime = provider(track.message.provider);
    for (const report of reports) {
      const sends = prepare(track.message, report.state, report.at, runtime) !== undefined;
      const key = schedule(track, report.at, sends, () => fire(track.message, report));
      if (report.state === 'unverified') track.unverified = key;
    }
  };

  const cancelTrack = (track: Track) => {
    for (const pending of [...track.pending.values()]) pending.cancel();
    tracks.delete(track.message.id);
  };

  const cancelDeliveries = (match: (d: Delivery) => boolean) => {
    for (let i = queue.length - 1; i >= 0; i--) if (match(queue[i]!)) queue.splice(i, 1);
    for (const delivery of inFlight) {
      if (!match(delivery)) continue;
      delivery.cancelled = true;
      delivery.controller?.abort();
    }
  };

  /** Applies a lazy message's reports that are due by now. */
  const settle = (message: InboxMessage) => {
    if (!(message as Planned)[PLAN]) return;
    const lazy = reportsOf(message as Planned)!;
    const now = clock.now();
    while (lazy.reports.length > 0 && lazy.reports[0]!.at <= now) applyReport(message, lazy.reports.shift()!);
    if (lazy.reports.length === 0) delete (message as Planned)[PLAN];
  };

  /** Someone watches now: a lazy message's remaining reports go on timers, so they arrive live. */
  const activate = (message: InboxMessage) => {
    settle(message);
    const lazy = reportsOf(message as Planned);
    if (!lazy) return;
    delete (message as Planned)[PLAN];
    plan(trackOf(message, lazy.lastAt), lazy.reports);
  };

  inbox.setSettle(settle);
  inbox.onWatch(() => {
    for (const message of inbox.list()) activate(message);
  });

  return {
    options,
    start(message, timeline) {
      if (closing) return;
      const runtime = provider(message.provider);
      const definition = runtime.definition.callbacks;
      if (message.providerMessageId !== undefined && definition?.states.includes('verified')) {
        const key = `${message.provider}\u0000${message.providerMessageId}`;
        reportable.set(key, { message, missing: timeline === 'missing' });
        // A ring of keys names the one to forget: a Map's first key is found by walking past deleted ones.
        const slot = remembered++ % REMEMBERED;
        const forgotten = rememberedKeys[slot];
        rememberedKeys[slot] = key;
        if (forgotten !== undefined && forgotten !== key) reportable.delete(forgotten);
      }
      if (timeline === 'missing') return;
      const createdAt = clock.now();
      const planFor = () =>
        planTimeline({
          timeline,
          failed: message.failure !== undefined || message.outcome === 'not_on_whatsapp',
          createdAt,
          ...(message.expiresAt !== undefined && { expiresAt: message.expiresAt }),
          ...(definition && { states: definition.states }),
          speed,
          ...(options.delays && { delays: options.delays }),
          lateAfterMs: options.lateAfterMs,
        });
      // No receiver for this message and no one watching live: nothing needs the plan before someone reads
      // the message, so it is neither worked out nor put on timers now (at load this cost more than the send).
      if (inbox.watching === 0 && (!definition || targetOf(message, runtime, definition) === undefined)) {
        (message as Planned)[PLAN] = { later: () => planFor().filter((r) => r.state !== 'unverified') };
        return;
      }
      const reports = planFor()
        // `unverified` only matters to a receiver: without one, nothing waits minutes for it.
        .filter((r) => r.state !== 'unverified' || prepare(message, r.state, r.at, runtime) !== undefined);
      if (tracks.size >= options.capacity) {
        const first = reports.find((r) => prepare(message, r.state, r.at, runtime));
        const ready = first && prepare(message, first.state, first.at, runtime);
        if (first && ready) record({ message, state: first.state, native: ready.definition.render(ready.event), url: ready.url, attempt: 0 }, { error: `callback queue full (${options.capacity} timelines pending): timeline dropped`, at: createdAt });
        return;
      }
      const lastAt = Math.max(createdAt, ...reports.filter((r) => r.state !== 'unverified').map((r) => r.at));
      if (inbox.watching === 0 && !reports.some((r) => prepare(message, r.state, r.at, runtime))) {
        (message as Planned)[PLAN] = { reports: [...reports].sort((a, b) => a.at - b.at), lastAt };
        return;
      }
      plan(trackOf(message, lastAt), reports);
    },
    report(providerId, providerMessageId, state) {
      if (closing) return;
      const found = reportable.get(`${providerId}\u0000${providerMessageId}`);
      if (!found || found.missing) return;
      const { message } = found;
      const lazy = reportsOf(message as Planned);
      if (lazy) {
        settle(message);
        const pending = reportsOf(message as Planned) ?? { reports: [], lastAt: lazy.lastAt };
        pending.reports.push({ state, at: Math.max(clock.now(), lazy.lastAt + GAP_MS / speed) });
        (message as Planned)[PLAN] = pending;
        if (inbox.watching > 0) activate(message);
        return;
      }
      const track = tracks.get(message.id);
      if (track?.unverified !== undefined) track.pending.get(track.unverified)?.cancel();
      const lastAt = track?.lastAt ?? clock.now();
      plan(trackOf(message, lastAt), [{ state, at: Math.max(clock.now(), lastAt + GAP_MS / speed) }]);
    },
    list: (filter = {}, limit) =>
      records.newest(
        (r) =>
          (filter.provider === undefined || r.provider === filter.provider) &&
          (filter.message === undefined || r.messageId === filter.message || r.providerMessageId === filter.message) &&
          (filter.session === undefined || r.session === filter.session),
        limit,
      ),
    get total() {
      return records.total;
    },
    get stored() {
      return records.size;
    },
    get evicted() {
      return records.evicted;
    },
    targets: () => ({ ...targets }),
    setTargets(patch) {
      const next = { ...targets };
      for (const [id, url] of Object.entries(patch)) {
        if (url === null) delete next[id];
        else next[id] = url;
      }
      targets = next;
      return { ...targets };
    },
    reset(session) {
      const mine = (m: InboxMessage) => session === undefined || m.session === session;
      for (const track of [...tracks.values()]) if (mine(track.message)) cancelTrack(track);
      cancelDeliveries((d) => mine(d.message));
      if (session === undefined) {
        generation++;
        targets = {};
        reportable.clear();
        rememberedKeys.length = 0;
        remembered = 0;
      }
      if (session === undefined) records.clear();
      else records.retain((r) => r.session !== session);
      changed();
    },
    async drain(deadlineMs = options.drainMs) {
      closing = true;
      const end = Date.now() + deadlineMs;
      // Busy while something is queued or in flight, or will send before the deadline (in simulated time).
      const busy = () => queue.length > 0 || inFlight.size > 0 || nextSend() - clock.now() <= end - Date.now();
      while (busy() && Date.now() < end) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            wakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(50, Math.max(1, end - Date.now())));
          wakers.add(wake);
        });
      }
      const dropped = queue.length + inFlight.size + waiting;
      for (const track of [...tracks.values()]) cancelTrack(track);
      cancelDeliveries(() => true);
      generation++;
      return { dropped };
    },
    get pending() {
      return queue.length + inFlight.size + waiting;
    },
  };

  /** The earliest simulated time a scheduled callback (or retry) is due; Infinity when none is. */
  function nextSend(): number {
    let next = Infinity;
    if (waiting === 0) return next;
    for (const track of tracks.values()) for (const p of track.pending.values()) if (p.sends && p.at < next) next = p.at;
    return next;
  }
}

/**
 * The URL an attempt goes to (a GET callback's query appended) and why it may not go there, if so.
 * @example
 * checkUrl('http://127.0.0.1:9/hook', { method: 'GET', headers: {}, query: { status: '2' } }, ['127.0.0.1']);
 * // { url: 'http://127.0.0.1:9/hook?status=2' }
 */
export function checkUrl(raw: string, native: NativeCallback, allow: readonly string[]): { url: string; refused?: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: raw, refused: `invalid URL: ${raw}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { url: raw, refused: `invalid URL: only http(s) callbacks are sent, not ${url.protocol}` };
  for (const [key, value] of Object.entries(native.query ?? {})) url.searchParams.append(key, value);
  if (!isAllowed(url, allow)) return { url: url.href, refused: `refused by the callback allow-list (${allow.join(', ')}): ${url.host}` };
  return { url: url.href };
}

/** Whether a URL's host is on the allow-list: `host`, `host:port`, or `*.domain` for its subdomains; empty allows all. */
export function isAllowed(url: URL, allow: readonly string[]): boolean {
  if (allow.length === 0) return true;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allow.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e.startsWith('*.')) return host.endsWith(e.slice(1));
    const withPort = /^(\[.*\]|[^:]+):(\d+)$/.exec(e);
    if (withPort) return withPort[1]!.replace(/^\[|\]$/g, '') === host && withPort[2] === port;
    return e.replace(/^\[|\]$/g, '') === host;
  });
}
