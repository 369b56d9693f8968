/**
 * Every message the simulated providers accepted: what "arrived on the phone", with its code.
 * @module
 */
import type { CapturedMessage } from '../providers/define.js';
import type { DeliveryState, Outcome } from '../providers/outcomes.js';
import { createRing } from './ring.js';

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

export interface InboxMessage extends CapturedMessage {
  id: string;
  provider: string;
  /** `x-waotp-session` of the request that sent it, or null. */
  session: string | null;
  outcome: Outcome;
  status: 'accepted' | DeliveryState;
  createdAt: string;
  /** Journal id of the request that sent it. */
  requestId: string;
  /** Delivery states reported so far, oldest first. */
  events?: { state: string; at: string }[];
  /** Callback deliveries attempted for this message. */
  callbacks?: CallbackAttempt[];
}

export type InboxChange = 'added' | 'updated' | 'cleared';

export interface MessageFilter {
  to?: string;
  provider?: string;
  session?: string | null;
}

export interface Inbox {
  /** Stores the message (taking ownership of the object) under a new id. */
  add(message: Omit<InboxMessage, 'id'>): InboxMessage;
  get(id: string): InboxMessage | undefined;
  /** Changes a stored message in place and tells subscribers; undefined when it was evicted. */
  update(id: string, change: (message: InboxMessage) => void): InboxMessage | undefined;
  list(filter?: MessageFilter, limit?: number): InboxMessage[];
  /** How many stored messages match (the `total` of a filtered list). */
  count(filter?: MessageFilter): number;
  latest(filter?: MessageFilter): InboxMessage | undefined;
  /** Resolves with the first matching message to arrive, or undefined after `ms` or on abort. */
  waitFor(filter: MessageFilter, ms: number, signal?: AbortSignal): Promise<InboxMessage | undefined>;
  clear(session?: string | null): void;
  /**
   * Declares a live viewer (the inbox page's event stream) until the returned function is called.
   * While none watches, delivery timelines need not run on timers: they are settled when read.
   */
  watch(): () => void;
  readonly watching: number;
  /** Called when the first viewer starts watching. */
  onWatch(listener: () => void): void;
  /** Brings a message up to date before it is read (applies delivery reports already due). */
  setSettle(settle: (message: InboxMessage) => void): void;
  /** Subscribes to every message added or updated (and to clears); returns the unsubscribe function. */
  subscribe(listener: (message: InboxMessage | undefined, change: InboxChange) => void): () => void;
  readonly size: number;
  /** Messages added since the last full clear, evicted ones included. */
  readonly total: number;
  /** Messages dropped past `capacity` since the last full clear. */
  readonly evicted: number;
}

/** Matches a filter. `session: undefined` means any session; null means only requests without one. */
export function matchesMessage(message: InboxMessage, filter: MessageFilter): boolean {
  return (
    (filter.to === undefined || message.to === filter.to) &&
    (filter.provider === undefined || message.provider === filter.provider) &&
    (filter.session === undefined || message.session === filter.session)
  );
}

/**
 * Creates a bounded inbox; the oldest messages are evicted past `capacity` (and counted).
 * @example
 * const inbox = createInbox({ capacity: 1000 });
 * const next = await inbox.waitFor({ to: '6281234567890' }, 5000);
 */
export function createInbox({ capacity = 10_000 }: { capacity?: number } = {}): Inbox {
  const ring = createRing<InboxMessage>(capacity);
  // The same messages by id, oldest first like the ring, so callbacks update a message without a scan.
  const byId = new Map<string, InboxMessage>();
  const listeners = new Set<(message: InboxMessage | undefined, change: InboxChange) => void>();
  let watching = 0;
  const watchListeners: (() => void)[] = [];
  let settle: ((message: InboxMessage) => void) | undefined;
  const settled = <T extends InboxMessage | undefined>(message: T): T => {
    if (message && settle) settle(message);
    return message;
  };
  const notify = (message: InboxMessage | undefined, change: InboxChange) => {
    if (listeners.size === 0) return;
    for (const listener of [...listeners]) listener(message, change);
  };
  let sequence = 0;
  return {
    add(message) {
      const stored = message as InboxMessage;
      stored.id = `msg_${(++sequence).toString().padStart(6, '0')}`;
      // Evicted with its ring slot: taking a Map's first key walks past every deleted entry before it.
      const evicted = ring.push(stored);
      if (evicted) byId.delete(evicted.id);
      byId.set(stored.id, stored);
      notify(stored, 'added');
      return stored;
    },
    get: (id) => settled(byId.get(id)),
    update(id, change) {
      const message = byId.get(id);
      if (!message) return undefined;
      change(message);
      notify(message, 'updated');
      return message;
    },
    list(filter = {}, limit) {
      const found = ring.newest((m) => matchesMessage(m, filter), limit);
      if (settle) found.forEach(settle);
      return found;
    },
    count: (filter = {}) => ring.count((m) => matchesMessage(m, filter)),
    latest: (filter = {}) => settled(ring.find((m) => matchesMessage(m, filter))),
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
    watch() {
      if (++watching === 1) watchListeners.forEach((listener) => listener());
      let done = false;
      return () => {
        if (!done) watching--;
        done = true;
      };
    },
    get watching() {
      return watching;
    },
    onWatch: (listener) => void watchListeners.push(listener),
    setSettle(fn) {
      settle = fn;
    },
    get size() {
      return ring.size;
    },
    get total() {
      return ring.total;
    },
    get evicted() {
      return ring.evicted;
    },
  };
}
