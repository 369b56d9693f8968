/**
 * Every message the simulated providers accepted: what "arrived on the phone", with its code.
 * @module
 */
import type { CapturedMessage } from '../providers/define.js';
import type { DeliveryState, Outcome } from '../providers/outcomes.js';
import { createRing } from './ring.js';

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
}

export interface MessageFilter {
  to?: string;
  provider?: string;
  session?: string | null;
}

export interface Inbox {
  add(message: Omit<InboxMessage, 'id'>): InboxMessage;
  list(filter?: MessageFilter, limit?: number): InboxMessage[];
  latest(filter?: MessageFilter): InboxMessage | undefined;
  /** Resolves with the first matching message to arrive, or undefined after `ms` or on abort. */
  waitFor(filter: MessageFilter, ms: number, signal?: AbortSignal): Promise<InboxMessage | undefined>;
  clear(session?: string | null): void;
  /** Subscribes to every message added; returns the unsubscribe function. */
  subscribe(listener: (message: InboxMessage) => void): () => void;
  readonly size: number;
  readonly total: number;
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
 * Creates a bounded inbox; the oldest messages are evicted past `capacity`, totals are kept.
 * @example
 * const inbox = createInbox({ capacity: 1000 });
 * const next = await inbox.waitFor({ to: '6281234567890' }, 5000);
 */
export function createInbox({ capacity = 10_000 }: { capacity?: number } = {}): Inbox {
  const ring = createRing<InboxMessage>(capacity);
  const listeners = new Set<(message: InboxMessage) => void>();
  let sequence = 0;
  return {
    add(message) {
      const stored: InboxMessage = { id: `msg_${(++sequence).toString().padStart(6, '0')}`, ...message };
      ring.push(stored);
      for (const listener of [...listeners]) listener(stored);
      return stored;
    },
    list: (filter = {}, limit) => ring.newest((m) => matchesMessage(m, filter), limit),
    latest: (filter = {}) => ring.find((m) => matchesMessage(m, filter)),
    waitFor(filter, ms, signal) {
      return new Promise((resolve) => {
        const done = (message: InboxMessage | undefined) => {
          clearTimeout(timer);
          unsubscribe();
          signal?.removeEventListener('abort', onAbort);
          resolve(message);
        };
        const onAbort = () => done(undefined);
        const unsubscribe = this.subscribe((message) => {
          if (matchesMessage(message, filter)) done(message);
        });
        const timer = setTimeout(() => done(undefined), ms);
        signal?.addEventListener('abort', onAbort);
      });
    },
    clear(session) {
      ring.retain((m) => session !== undefined && m.session !== session);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size() {
      return ring.size;
    },
    get total() {
      return ring.total;
    },
  };
}
