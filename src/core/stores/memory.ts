/**
 * The default store: one process, no dependencies. Every method runs to completion without awaiting,
 * so each is atomic under Node's single thread.
 * @module
 */

import type { AttemptVerdict, DeliveryRecord, OtpStore, SendReservation, VerificationRecord } from './types.js';
import { effectiveStatus } from './types.js';

interface Expiring<T> {
  value: T;
  until: number;
}

/**
 * Creates an in-memory store. `now` decides when kept records are dropped.
 * @example
 * const service = createOtpService({ store: createMemoryStore(), adapters, secret });
 */
export function createMemoryStore({ now = Date.now }: { now?: () => number } = {}): OtpStore {
  const records = new Map<string, Expiring<VerificationRecord>>();
  const active = new Map<string, string>();
  const links = new Map<string, Expiring<string>>();
  // Per key, the send times in the window with their holds; dropped once the window has passed.
  const sends = new Map<string, Expiring<{ at: number; hold: string }[]>>();
  let holds = 0;
  const idempotency = new Map<string, Expiring<string>>();
  let operations = 0;

  const live = <T>(map: Map<string, Expiring<T>>, key: string): T | undefined => {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.until <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  };
  // Records are plain data (strings, numbers, arrays, objects): a plain copy, several times cheaper than
  // structuredClone, keeps callers from changing what is stored.
  const copy = (record: VerificationRecord): VerificationRecord => copyPlain(record);
  // Expired entries are also dropped in passing, so an idle-read store does not grow without bound.
  const sweep = () => {
    if (++operations % 1000 !== 0) return;
    const t = now();
    for (const map of [records, links, idempotency, sends] as Map<string, Expiring<unknown>>[]) {
      for (const [key, entry] of map) if (entry.until <= t) map.delete(key);
    }
    for (const [to, id] of active) if (!records.has(id)) active.delete(to);
  };

  return {
    async create(record, keepMs) {
      sweep();
      const previous = live(records, active.get(record.to) ?? '');
      if (previous?.status === 'pending') previous.status = 'canceled';
      records.set(record.id, { value: copy(record), until: now() + keepMs });
      active.set(record.to, record.id);
    },
    async get(id) {
      const record = live(records, id);
      return record && copy(record);
    },
    async active(to) {
      const record = live(records, active.get(to) ?? '');
      return record && copy(record);
    },
    async update(id, patch) {
      const record = live(records, id);
      if (!record) return undefined;
      Object.assign(record, patch);
      return copy(record);
    },
    async addDelivery(id, event: DeliveryRecord) {
      const record = live(records, id);
      if (!record) return undefined;
      record.delivery.push(event);
      return copy(record);
    },
    async consumeAttempt(id, at): Promise<AttemptVerdict> {
      const record = live(records, id);
      if (!record) return { verdict: 'not_found' };
      // Expiry and exhaustion are derived, never written: a check already in flight may still approve.
      const status = effectiveStatus(record, at);
      if (status !== 'pending') return { verdict: status, record: copy(record) };
      record.attempts++;
      return { verdict: 'ok', record: copy(record) };
    },
    async approve(id) {
      const record = live(records, id);
      if (record?.status !== 'pending') return false;
      record.status = 'approved';
      return true;
    },
    async linkProviderMessage(provider, providerMessageId, id, keepMs) {
      links.set(`${provider}:${providerMessageId}`, { value: id, until: now() + keepMs });
    },
    async byProviderMessage(provider, providerMessageId) {
      return live(links, `${provider}:${providerMessageId}`);
    },
    async reserveSend(key, at, { windowMs, max, cooldownMs }): Promise<SendReservation> {
      sweep();
      const times = (live(sends, key) ?? []).filter((t) => t.at > at - windowMs);
      const last = times[times.length - 1]?.at;
      if (last !== undefined && at - last < cooldownMs)
        return { ok: false, reason: 'cooldown', retryAfterMs: cooldownMs - (at - last) };
      if (times.length >= max) return { ok: false, reason: 'too_many', retryAfterMs: times[0]!.at + windowMs - at };
      const hold = String(++holds);
      times.push({ at, hold });
      sends.set(key, { value: times, until: at + windowMs });
      return { ok: true, hold };
    },
    async releaseSend(key, hold) {
      const entry = sends.get(key);
      if (entry) entry.value = entry.value.filter((t) => t.hold !== hold);
    },
    state: async () => 'ready',
    async claimIdempotencyKey(key, id, keepMs) {
      const held = live(idempotency, key);
      if (held !== undefined) return held;
      idempotency.set(key, { value: id, until: now() + keepMs });
      return id;
    },
    async close() {},
  };
}

/** A deep copy of plain data (what JSON can hold, plus undefined). */
function copyPlain<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = copyPlain((value as Record<string, unknown>)[key]);
  return out as T;
}
