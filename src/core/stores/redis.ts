/**
 * The shared store: several core instances on one Redis behave as one. Each state change is one Lua
 * script, so a check, an approval or a send reservation is atomic across instances.
 * @module
 */
import { Redis, type RedisOptions } from 'ioredis';
import { StoreUnavailableError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import type { AttemptVerdict, OtpStore, SendReservation, StoreState, VerificationRecord } from './types.js';

// Each script decodes the record, changes it and writes it back with its TTL kept. Expiry and exhaustion
// are derived (as in effectiveStatus), never written, so a check already in flight may still approve.
const SCRIPTS = {
  waotpCreate: {
    keys: 2,
    lua: `
local previous = redis.call('GET', KEYS[2])
if previous then
  local key = ARGV[3] .. previous
  local raw = redis.call('GET', key)
  if raw then
    local r = cjson.decode(raw)
    if r.status == 'pending' then
      r.status = 'canceled'
      redis.call('SET', key, cjson.encode(r), 'KEEPTTL')
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[2])
return 1`,
  },
  waotpConsume: {
    keys: 1,
    lua: `
local raw = redis.call('GET', KEYS[1])
if not raw then return cjson.encode({verdict = 'not_found'}) end
local r = cjson.decode(raw)
local verdict = r.status
if verdict == 'pending' and tonumber(ARGV[1]) >= r.expiresAt then verdict = 'expired' end
if verdict == 'pending' and r.attempts >= r.maxAttempts then verdict = 'max_attempts_reached' end
if verdict ~= 'pending' then return cjson.encode({verdict = verdict, record = r}) end
r.attempts = r.attempts + 1
redis.call('SET', KEYS[1], cjson.encode(r), 'KEEPTTL')
return cjson.encode({verdict = 'ok', record = r})`,
  },
  waotpApprove: {
    keys: 1,
    lua: `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local r = cjson.decode(raw)
if r.status ~= 'pending' then return 0 end
r.status = 'approved'
redis.call('SET', KEYS[1], cjson.encode(r), 'KEEPTTL')
return 1`,
  },
  waotpUpdate: {
    keys: 1,
    lua: `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local r = cjson.decode(raw)
for k, v in pairs(cjson.decode(ARGV[1])) do r[k] = v end
local out = cjson.encode(r)
redis.call('SET', KEYS[1], out, 'KEEPTTL')
return out`,
  },
  waotpDeliver: {
    keys: 1,
    lua: `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local r = cjson.decode(raw)
if type(r.delivery) ~= 'table' then r.delivery = {} end
table.insert(r.delivery, cjson.decode(ARGV[1]))
local out = cjson.encode(r)
redis.call('SET', KEYS[1], out, 'KEEPTTL')
return out`,
  },
  waotpReserve: {
    keys: 1,
    lua: `
local now, window, max, cooldown = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if last[2] and now - tonumber(last[2]) < cooldown then return {0, 'cooldown', cooldown - (now - tonumber(last[2]))} end
if redis.call('ZCARD', KEYS[1]) >= max then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, 'too_many', tonumber(first[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('PEXPIRE', KEYS[1], window)
return {1}`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;

export interface RedisStoreOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Prefix of every key, so several apps can share a Redis. */
  prefix?: string;
  /** Longest wait for one Redis command, and for each connection attempt (default 1 s). */
  timeoutMs?: number;
  /** Longest wait for the first connection before giving up (default 3 s). */
  startTimeoutMs?: number;
  /** Told once per change of state (down, back up); nothing else about the connection is logged. */
  logger?: Logger;
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(
    /\/\/([^@/]*)@/,
    (_, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`,
  );
}

/**
 * Creates a Redis-backed store; expiry is Redis's own TTLs. Every command fails fast while Redis is away (no
 * offline queue, a command timeout, no resend after a reconnect) and the store says `down` until it is back:
 * the service answers 503 instead of queueing requests behind a dead connection.
 * @example
 * const store = await createRedisStore({ url: 'redis://127.0.0.1:6379' });
 */
export async function createRedisStore({
  url,
  prefix = 'waotp:',
  timeoutMs = 1000,
  startTimeoutMs = 3000,
  logger = silentLogger,
}: RedisStoreOptions): Promise<OtpStore> {
  const where = redactUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    // Keep trying, at most a second apart, so the service recovers by itself when Redis is back.
    retryStrategy: (times) => Math.min(100 * times, 1000),
    // How long disconnect() waits for a socket to close: a failed start should not linger 2 s (the default).
    disconnectTimeout: Math.min(timeoutMs, 200),
  } as RedisOptions);
  let state: StoreState = 'down';
  let started = false;
  // One warning line per change of state; ioredis's own errors are listened to (or it prints
  // "[ioredis] Unhandled error event" on every failed reconnect) and otherwise kept quiet.
  const become = (next: StoreState, message: string, error?: unknown) => {
    if (!started || state === next) return;
    state = next;
    logger.warn({ store: where, ...(error !== undefined && { error: (error as Error).message }) }, message);
  };
  const DOWN = 'redis unreachable: answering 503 until it is back';
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => {
    firstError ??= error;
    become('down', DOWN, error);
  });
  redis.on('close', () => become('down', DOWN));
  redis.on('ready', () => become('ready', 'redis reachable again'));
  for (const [name, script] of Object.entries(SCRIPTS))
    redis.defineCommand(name, { numberOfKeys: script.keys, lua: script.lua });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${startTimeoutMs} ms`)), startTimeoutMs);
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    // ioredis rejects with "Connection is closed."; the socket's own error (ECONNREFUSED...) says more.
    const cause = firstError?.message ?? (error as Error).message;
    throw new StoreUnavailableError(
      `cannot reach Redis at ${where}: ${cause} ` +
        '(is redis-server running there, and are the host, port, password and TLS scheme right?)',
    );
  } finally {
    clearTimeout(timer);
  }
  started = true;
  state = 'ready';
  const fail = (error: unknown): never => {
    // A connection that stays open but does not answer (a paused or overloaded server) is down too.
    if (/timed out/i.test((error as Error).message)) become('down', DOWN, error);
    throw new StoreUnavailableError(`the store (Redis) did not answer: ${(error as Error).message}`);
  };
  const answered = <T>(value: T): T => {
    if (state === 'down' && redis.status === 'ready') become('ready', 'redis reachable again');
    return value;
  };
  const run = (name: ScriptName, ...args: (string | number)[]) =>
    (redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)
      [name](...args)
      .then(answered, fail);
  const get = (k: string) => redis.get(k).then(answered, fail);

  const key = {
    record: (id: string) => `${prefix}v:${id}`,
    active: (to: string) => `${prefix}to:${to}`,
    link: (provider: string, pmid: string) => `${prefix}pm:${provider}:${pmid}`,
    sends: (to: string) => `${prefix}sends:${to}`,
    idempotency: (k: string) => `${prefix}idem:${k}`,
  };
  let sendSequence = 0;

  return {
    async create(record, keepMs) {
      await run(
        'waotpCreate',
        key.record(record.id),
        key.active(record.to),
        JSON.stringify(record),
        Math.max(1, Math.round(keepMs)),
        `${prefix}v:`,
        record.id,
      );
    },
    async get(id) {
      return decode(await get(key.record(id)));
    },
    async active(to) {
      const id = await get(key.active(to));
      return id ? decode(await get(key.record(id))) : undefined;
    },
    async update(id, patch) {
      return decode((await run('waotpUpdate', key.record(id), JSON.stringify(patch))) as string | null);
    },
    async addDelivery(id, event) {
      return decode((await run('waotpDeliver', key.record(id), JSON.stringify(event))) as string | null);
    },
    async consumeAttempt(id, now): Promise<AttemptVerdict> {
      const result = JSON.parse((await run('waotpConsume', key.record(id), now)) as string) as {
        verdict: string;
        record?: unknown;
      };
      if (result.verdict === 'not_found') return { verdict: 'not_found' };
      return { verdict: result.verdict, record: normalize(result.record) } as AttemptVerdict;
    },
    async approve(id) {
      return (await run('waotpApprove', key.record(id))) === 1;
    },
    async linkProviderMessage(provider, providerMessageId, id, keepMs) {
      await redis
        .set(key.link(provider, providerMessageId), id, 'PX', Math.max(1, Math.round(keepMs)))
        .then(answered, fail);
    },
    async byProviderMessage(provider, providerMessageId) {
      return (await get(key.link(provider, providerMessageId))) ?? undefined;
    },
    async reserveSend(k, now, { windowMs, max, cooldownMs }): Promise<SendReservation> {
      const member = `${now}:${process.pid}:${++sendSequence}:${Math.random().toString(36).slice(2)}`;
      const [ok, reason, retryAfterMs] = (await run(
        'waotpReserve',
        key.sends(k),
        now,
        windowMs,
        max,
        cooldownMs,
        member,
      )) as [number, string?, number?];
      if (ok === 1) return { ok: true, hold: member };
      return { ok: false, reason: reason as 'cooldown' | 'too_many', retryAfterMs: Math.max(0, Number(retryAfterMs)) };
    },
    async releaseSend(k, hold) {
      await redis.zrem(key.sends(k), hold).catch(fail);
    },
    async claimIdempotencyKey(k, id, keepMs) {
      const claimed = await redis.set(key.idempotency(k), id, 'PX', Math.max(1, Math.round(keepMs)), 'NX').catch(fail);
      return claimed === 'OK' ? id : ((await get(key.idempotency(k))) ?? id);
    },
    async state() {
      // Asked by /health: a round trip, so a server that accepts connections but does not answer counts as down.
      if (redis.status !== 'ready') return 'down';
      await redis
        .ping()
        .then(answered, fail)
        .catch(() => undefined);
      return state;
    },
    async close() {
      started = false;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function decode(raw: string | null): VerificationRecord | undefined {
  return raw ? normalize(JSON.parse(raw)) : undefined;
}

/** Lua's cjson writes an empty array as `{}`; put the array back. */
function normalize(record: unknown): VerificationRecord {
  const r = record as VerificationRecord;
  if (!Array.isArray(r.delivery)) r.delivery = [];
  return r;
}
