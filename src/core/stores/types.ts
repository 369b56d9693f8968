/**
 * What the service needs from storage, in operations that are each atomic on their own: the service
 * never reads, decides and writes back a verification's state in separate steps.
 * @module
 */
import type { DeliveryEvent } from '../../providers/adapter.js';

export type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'expired' | 'max_attempts_reached' | 'failed';

export interface DeliveryRecord {
  provider: string;
  state: DeliveryEvent['state'];
  at: string;
  error?: DeliveryEvent['error'];
}

export interface VerificationRecord {
  id: string;
  /** E.164 digits. */
  to: string;
  status: VerificationStatus;
  /** HMAC of the code the core generated; the code itself is never stored. */
  codeHash: string;
  /** The provider that generated the code and checks it (Verihubs delegation), if any. */
  delegatedTo?: string;
  provider?: string;
  providerMessageId?: string;
  locale?: string;
  attempts: number;
  maxAttempts: number;
  createdAt: number;
  expiresAt: number;
  delivery: DeliveryRecord[];
}

export type AttemptVerdict =
  | { verdict: 'ok'; record: VerificationRecord }
  | { verdict: 'not_found' }
  | { verdict: Exclude<VerificationStatus, 'pending'>; record: VerificationRecord };

/** `hold` names this send in the window, so it can be released (a send cut by shutdown). */
export type SendReservation =
  | { ok: true; hold: string }
  | { ok: false; reason: 'cooldown' | 'too_many'; retryAfterMs: number };

export interface SendLimits {
  windowMs: number;
  max: number;
  cooldownMs: number;
}

export type StoreState = 'ready' | 'down';

export interface OtpStore {
  /** Stores a new verification as the number's active one; a pending one it replaces is canceled. */
  create(record: VerificationRecord, keepMs: number): Promise<void>;
  get(id: string): Promise<VerificationRecord | undefined>;
  active(to: string): Promise<VerificationRecord | undefined>;
  /** Shallow-merges `patch` into the record; undefined when it is gone. */
  update(
    id: string,
    patch: Partial<Omit<VerificationRecord, 'id' | 'attempts' | 'delivery'>>,
  ): Promise<VerificationRecord | undefined>;
  addDelivery(id: string, event: DeliveryRecord): Promise<VerificationRecord | undefined>;
  /** Spends one check if the verification is pending, unexpired and has checks left; else says why not. */
  consumeAttempt(id: string, now: number): Promise<AttemptVerdict>;
  /** pending -> approved, once: exactly one of any number of concurrent callers gets true. */
  approve(id: string): Promise<boolean>;
  linkProviderMessage(provider: string, providerMessageId: string, id: string, keepMs: number): Promise<void>;
  byProviderMessage(provider: string, providerMessageId: string): Promise<string | undefined>;
  /**
   * Records a send under `key` (a number's digits, or `ip:<addr>`, `budget`...) unless it breaks the cooldown or
   * the window's maximum.
   */
  reserveSend(key: string, now: number, limits: SendLimits): Promise<SendReservation>;
  /** Forgets a reservation: the send it held never went out. */
  releaseSend(key: string, hold: string): Promise<void>;
  /** `ready`, or `down` while the store cannot answer (Redis unreachable or not answering): for /health. */
  state(): Promise<StoreState>;
  /** The verification id already holding `key`, or `id` after claiming it. */
  claimIdempotencyKey(key: string, id: string, keepMs: number): Promise<string>;
  close(): Promise<void>;
}

/** The status a record has at `now`: a pending one past its expiry or out of checks says so. */
export function effectiveStatus(record: VerificationRecord, now: number): VerificationStatus {
  if (record.status !== 'pending') return record.status;
  if (now >= record.expiresAt) return 'expired';
  if (record.attempts >= record.maxAttempts) return 'max_attempts_reached';
  return 'pending';
}
