/**
 * Every message the simulated providers accepted: what "arrived on the phone", with its code.
 * A message is stored as plain data (its planned delivery reports and the callback attempts made); what a
 * reader sees is worked out at read time (delivery-state.ts), so reading never changes what is stored.
 * @module
 */
import type { CapturedMessage } from '../providers/define.js';
import type { Outcome } from '../providers/outcomes.js';
import { deliveryState, type MessageStatus } from './delivery-state.js';
import { createRing } from './ring.js';
import type { PlannedReport } from './timeline.js';

/** One attempt to deliver a callback about a message. */
export interface CallbackAttempt {
  event: string;
  url: string;
  method: string;
  /** The native request as sent: query and body. */
  request: { query?: Record<string, string>; headers: Record<string, string>; body?: unknown };
  attempt: number;
  status?: number;
  durationMs?: number;
  error?: string;
  at: string;
}

/** A message as stored. */
export interface StoredMessage extends CapturedMessage {
  id: string;
  provider: string;
  /** `x-waotp-session` of the request that sent it, or null. */
  session: string | null;
  outcome: Outcome;
  /** The status it was stored with; reports due since move it on when read. */
  status: MessageStatus;
  createdAt: string;
  /** Journal id of the request that sent it. */
  requestId: string;
  /** Delivery reports planned for it, sorted by simulated time. */
  plan: PlannedReport[];
  /** Callback attempts made for it, oldest first (at most MAX_ATTEMPTS_KEPT). */
  callbacks: CallbackAttempt[];
  /** Estimated bytes held, for the inbox's byte budget. */
  bytes: number;
}

/** A message as read: its status and the events due by now. */
export interface InboxMessage extends Omit<StoredMessage, 'plan' | 'callbacks' | 'bytes'> {
  /** Delivery states reported so far, oldest first. */
  events?: { state: string; at: string }[];
  /** Callback deliveries attempted for this message. */
  callbacks?: CallbackAttempt[];
}

export type NewMessage = Omit<StoredMessage, 'id' | 'plan' | 'callbacks' | 'bytes'> & { plan?: PlannedReport[] };
export type InboxChange = 'added' | 'updated' | 'cleared';

export interface MessageFilter {
  to?: string;
  provider?: string;
  session?: string | null;
}

export interface Inbox {
  /** Stores a message under a new id. */
  add(message: NewMessage): InboxMessage;
  /**
   * Stores a message under a new id and returns it as stored, without working out a view: the send path's
   * `add`, whose caller only needs its id and fields (the view is built when someone reads it).
   */
  put(message: NewMessage): StoredMessage;
  get(id: string): InboxMessage | undefined;
  /** The reports planned for a message (for live viewers that wake up when one falls due). */
  plan(id: string): readonly PlannedReport[];
  /** Changes a stored message and tells subscribers; undefined when it was evicted. */
  update(id: string, change: (message: StoredMessage) => void): InboxMessage | undefined;
  /** Records a callback attempt on a message (the oldest are let go past MAX_ATTEMPTS_KEPT). */
  addAttempt(id: string, attempt: CallbackAttempt): void;
  list(filter?: MessageFilter, limit?: number): InboxMessage[];
  /** How many stored messages match (the `total` of a filtered list). */
  count(filter?: MessageFilter): number;
  latest(filter?: MessageFilter): InboxMessage | undefined;
  /** Resolves with the first matching message to arrive, or undefined after `ms` or on abort. */
  waitFor(filter: MessageFilter, ms: number, signal?: AbortSignal): Promise<InboxMessage | undefined>;
  clear(session?: string | null): void;
  /** Subscribes to every message added or updated (and to clears); returns the unsubscribe function. */
  subscribe(listener: (message: InboxMessage | undefined, change: InboxChange) => void): () => void;
  readonly size: number;
  readonly bytes: number;
  /** Messages added since the last full clear, evicted ones included. */
  readonly total: number;
  /** Messages dropped past `capacity` since the last full clear. */
  readonly evicted: number;
}

/** Attempts kept per message: enough for every report of a timeline and its retries. */
export const MAX_ATTEMPTS_KEPT = 32;
export const DEFAULT_INBOX_CAPACITY = 10_000;
export const DEFAULT_INBOX_MAX_BYTES = 64 * 1024 * 1024;

/** Matches a filter. `session: undefined` means any session; null means only requests without one. */
export function matchesMessage(
  message: Pick<InboxMessage, 'to' | 'provider' | 'session'>,
  filter: MessageFilter,
): boolean {
  return (
    (filter.to === undefined || message.to === filter.to) &&
    (filter.provider === undefined || message.provider === filter.provider) &&
    (filter.session === undefined || message.session === filter.session)
  );
}

/** A rough size in bytes (UTF-16 strings, plus a fixed overhead per object): enough to bound memory. */
export function estimateBytes(value: unknown): number {
  if (value === undefined) return 0;
  try {
    return 64 + 2 * (JSON.stringify(value)?.length ?? 0);
  } catch {
    return 64;
  }
}

const BASE_BYTES = 512;

export interface InboxOptions {
  capacity?: number;
  /** Estimated bytes held at most; the oldest messages go first. */
  maxBytes?: number;
  /** Simulated time, for the delivery state a message shows. */
  now?: () => number;
}

/**
 * Creates a bounded inbox; the oldest messages are evicted past `capacity` or `maxBytes` (and counted).
 * @example
 * const inbox = createInbox({ capacity: 1000, now: clock.now });
 * const next = await inbox.waitFor({ to: '6281234567890' }, 5000);
 */
export function createInbox({
  capacity = DEFAULT_INBOX_CAPACITY,
  maxBytes = DEFAULT_INBOX_MAX_BYTES,
  now = Date.now,
}: InboxOptions = {}): Inbox {
  // The same messages by id, so callbacks update a message without a scan.
  const byId = new Map<string, StoredMessage>();
  const ring = createRing<StoredMessage>(capacity, {
    maxBytes,
    sizeOf: (m) => m.bytes,
    onEvict: (m) => byId.delete(m.id),
  });
  const listeners = new Set<(message: InboxMessage | undefined, change: InboxChange) => void>();
  const view = (m: StoredMessage): InboxMessage => {
    const { plan, callbacks, bytes: _bytes, status, ...rest } = m;
    return { ...rest, ...deliveryState(plan, callbacks, now(), status) };
  };
  const viewOf = (m: StoredMessage | undefined) => m && view(m);
  const notify = (message: StoredMessage | undefined, change: InboxChange) => {
    if (listeners.size === 0) return;
    const shown = message && view(message);
    for (const listener of [...listeners]) listener(shown, change);
  };
  let sequence = 0;
  const put = (message: NewMessage): StoredMessage => {
    const stored = message as StoredMessage;
    stored.id = `msg_${(++sequence).toString().padStart(6, '0')}`;
    stored.plan ??= [];
    stored.callbacks = [];
    stored.bytes =
      BASE_BYTES +
      2 * (message.text?.length ?? 0) +
      (message.callback === undefined ? 0 : estimateBytes(message.callback)) +
      48 * stored.plan.length;
    ring.push(stored);
    byId.set(stored.id, stored);
    notify(stored, 'added');
    return stored;
  };
  return {
    add: (message) => view(put(message)),
    put,
    get: (id) => viewOf(byId.get(id)),
    plan: (id) => byId.get(id)?.plan ?? [],
    update(id, change) {
      const message = byId.get(id);
      if (!message) return undefined;
      change(message);
      notify(message, 'updated');
      return view(message);
    },
    addAttempt(id, attempt) {
      const message = byId.get(id);
      if (!message) return;
      const size = estimateBytes(attempt);
      message.callbacks.push(attempt);
      message.bytes += size;
      let delta = size;
      if (message.callbacks.length > MAX_ATTEMPTS_KEPT) {
        const dropped = estimateBytes(message.callbacks.shift());
        message.bytes -= dropped;
        delta -= dropped;
      }
      ring.resized(delta);
      // Evicted to make room for its own attempt: nobody can read it any more.
      if (byId.has(id)) notify(message, 'updated');
    },
    list: (filter = {}, limit) => ring.newest((m) => matchesMessage(m, filter), limit).map(view),
    count: (filter = {}) => ring.count((m) => matchesMessage(m, filter)),
    latest: (filter = {}) => viewOf(ring.find((m) => matchesMessage(m, filter))),
    waitFor(filter, ms, signal) {
      return new Promise((resolve) => {
        const done = (message: InboxMessage | undefined) => {
          clearTimeout(timer);
          unsubscribe();
          signal?.removeEventListener('abort', onAbort);
          resolve(message);
        };
        const onAbort = () => done(undefined);
        const unsubscribe = this.subscribe((message, change) => {
          if (change === 'added' && message && matchesMessage(message, filter)) done(message);
        });
        const timer = setTimeout(() => done(undefined), ms);
        signal?.addEventListener('abort', onAbort);
      });
    },
    clear(session) {
      if (session === undefined) ring.clear();
      else ring.retain((m) => m.session !== session);
      for (const [id, m] of byId) if (session === undefined || m.session === session) byId.delete(id);
      notify(undefined, 'cleared');
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size() {
      return ring.size;
    },
    get bytes() {
      return ring.bytes;
    },
    get total() {
      return ring.total;
    },
    get evicted() {
      return ring.evicted;
    },
  };
}
