/**
 * Callback attempts as `GET /__admin/callbacks` lists them, bounded by count and by bytes, and counted by
 * result (counts survive eviction; a reset clears them).
 * @module
 */
import type { CallbackAttempt, InboxMessage } from './inbox.js';
import { estimateBytes } from './inbox.js';
import { createRing } from './ring.js';

/** One recorded attempt. */
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

export type AttemptKind = 'answered' | 'timeout' | 'error' | 'refused' | 'cancelled';

export interface CallbackStats {
  /** Attempts by result: a 2xx answer, another answer, no answer in time, a connection error, refused. */
  attempts: { delivered: number; rejected: number; timedOut: number; failed: number; refused: number };
  /** Reports dropped because the queue was full. */
  dropped: number;
  /** Deliveries scheduled, due, waiting for a retry or in flight. */
  pending: number;
  /** Of those, the ones whose time has not come yet (scheduled later on the simulator's clock). */
  later: number;
  inFlight: number;
  /** Sockets the sender holds open (in use or kept alive). */
  sockets: number;
}

export interface CallbackHistory {
  add(message: InboxMessage, attempt: CallbackAttempt, kind?: AttemptKind): void;
  list(filter?: CallbackFilter, limit?: number): CallbackRecord[];
  clear(session?: string | null): void;
  stats(): Omit<CallbackStats, 'pending' | 'later' | 'inFlight' | 'sockets'>;
  /** Counts a report dropped for a full queue. */
  countDrop(): void;
  /** Attempts recorded since the last full reset, evicted ones included. */
  readonly total: number;
  /** Attempts kept now, and dropped past the caps since the last full reset. */
  readonly stored: number;
  readonly evicted: number;
}

const zero = () => ({ delivered: 0, rejected: 0, timedOut: 0, failed: 0, refused: 0 });

/**
 * Creates the history.
 * @example
 * const history = createCallbackHistory({ capacity: 1000, maxBytes: 8 << 20 });
 * history.list({ provider: 'verihubs' }, 10);
 */
export function createCallbackHistory({ capacity, maxBytes }: { capacity: number; maxBytes: number }): CallbackHistory {
  const sizes = new WeakMap<CallbackRecord, number>();
  const records = createRing<CallbackRecord>(capacity, { maxBytes, sizeOf: (r) => sizes.get(r) ?? 0 });
  let attempts = zero();
  let sequence = 0;
  let dropped = 0;
  return {
    countDrop: () => void dropped++,
    add(message, attempt, kind) {
      const record: CallbackRecord = {
        id: `cb_${(++sequence).toString().padStart(6, '0')}`,
        provider: message.provider,
        messageId: message.id,
        ...(message.providerMessageId !== undefined && { providerMessageId: message.providerMessageId }),
        session: message.session,
        ...attempt,
      };
      sizes.set(record, estimateBytes(attempt) + 256);
      records.push(record);
      if (kind === 'refused') attempts.refused++;
      else if (kind === 'timeout') attempts.timedOut++;
      else if (kind === 'error') attempts.failed++;
      else if (kind === 'answered') attempt.error === undefined ? attempts.delivered++ : attempts.rejected++;
    },
    list: (filter = {}, limit) =>
      records.newest(
        (r) =>
          (filter.provider === undefined || r.provider === filter.provider) &&
          (filter.message === undefined || r.messageId === filter.message || r.providerMessageId === filter.message) &&
          (filter.session === undefined || r.session === filter.session),
        limit,
      ),
    clear(session) {
      if (session !== undefined) return records.retain((r) => r.session !== session);
      records.clear();
      attempts = zero();
      dropped = 0;
    },
    stats() {
      return { attempts: { ...attempts }, dropped };
    },
    get total() {
      return records.total;
    },
    get stored() {
      return records.size;
    },
    get evicted() {
      return records.evicted;
    },
  };
}
