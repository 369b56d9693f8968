/**
 * The OTP service: send a code, check it, cancel it, follow its delivery. Twilio Verify's semantics.
 * Production code: it knows providers only through their adapters and never imports the simulator.
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Adapter, CallbackRequest, DeliveryEvent, OtpMessage } from '../providers/adapter.js';
import { generateCode, hashCode, hashesMatch, secretsMatch } from './codes.js';
import { createDelivery, type Delivery, type DeliveryOptions } from './delivery.js';
import {
  CooldownError,
  DeliveryFailedError,
  InvalidRequestError,
  LimitReachedError,
  NotFoundError,
  type OtpError,
  ProviderCheckError,
  ReportRefusedError,
  ShuttingDownError,
  TooManySendsError,
  UnknownProviderError,
} from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import { normalizePhone } from './phone.js';
import { type Policy, type PolicyInput, resolvePolicy } from './policy.js';
import { createMemoryStore } from './stores/memory.js';
import {
  type DeliveryRecord,
  effectiveStatus,
  type OtpStore,
  type SendLimits,
  type SendReservation,
  type VerificationRecord,
  type VerificationStatus,
} from './stores/types.js';

/** A store's refusal of a send: the cooldown or the window's maximum. */
type Refusal = Extract<SendReservation, { ok: false }>;

/** At most `max` in any `windowMs`. */
export interface WindowLimit {
  max: number;
  windowMs: number;
}

/** Limits beyond the number's own; each is off when absent. */
export interface AbuseLimits {
  /** Sends per client IP. */
  sendsPerIp?: WindowLimit;
  /** Sends in all, whoever asks: the bill's ceiling. */
  sendBudget?: WindowLimit;
  /** Checks per client IP. */
  checksPerIp?: WindowLimit;
}

/** Proves a delivery report came from the provider: by its signature over the raw body. */
export type ReportVerifier = (rawBody: string, headers: Record<string, string>) => boolean;

/** What a delivery report carries as proof of where it came from. */
export interface ReportProof {
  /** The token from the callback URL (`/v1/callbacks/<provider>/<token>`), when the URL had one. */
  token?: string;
  rawBody: string;
}

/**
 * The token the core puts in the callback URLs it hands to providers: derived from the secret, so every
 * instance of a deployment agrees on it and nobody without the secret can guess it.
 */
export function deriveReportToken(secret: string): string {
  return createHmac('sha256', secret).update('waotp delivery reports').digest('base64url').slice(0, 32);
}

export interface Clock {
  now(): number;
}

export interface OtpServiceOptions {
  /** Default: an in-memory store. */
  store?: OtpStore;
  /** In failover order. */
  adapters: readonly Adapter[];
  /** Reads each provider's native delivery callbacks, by provider id. */
  callbackParsers?: Readonly<Record<string, (request: CallbackRequest) => DeliveryEvent[]>>;
  policy?: PolicyInput;
  /** The HMAC key for stored codes: at least 16 characters, the same on every instance sharing a store. */
  secret: string;
  clock?: Clock;
  delivery?: DeliveryOptions;
  /** Send a fresh code through the next provider when a provider reports a failed delivery. */
  resendOnDeliveryFailure?: boolean;
  logger?: Logger;
  limits?: AbuseLimits;
  /** The token delivery reports must carry (default: derived from the secret, see deriveReportToken). */
  reportToken?: string;
  /** For providers that sign their reports: the signature check, by provider id (it replaces the token). */
  reportVerifiers?: Readonly<Record<string, ReportVerifier>>;
}

export interface Verification {
  id: string;
  /** E.164 with `+`. */
  to: string;
  status: VerificationStatus;
  provider: string | null;
  createdAt: string;
  expiresAt: string;
  attemptsLeft: number;
  delivery: DeliveryRecord[];
}

/** `not_found`: no such verification, or it is no longer pending (approved, replaced); over HTTP a 404. */
export type CheckStatus = 'approved' | 'pending' | 'expired' | 'max_attempts_reached' | 'not_found' | 'canceled';

export interface CheckResult {
  status: CheckStatus;
  id?: string;
  to?: string;
  /** Checks left, when the verification is still pending. */
  attemptsLeft?: number;
}

export interface SendInput {
  to: string;
  provider?: string;
  locale?: string;
  /** The same key (for the same number) returns the verification the first request created. */
  idempotencyKey?: string;
  /** The caller's address, for the per-IP send limit. */
  clientIp?: string;
}

export interface OtpService {
  send(input: SendInput): Promise<Verification>;
  check(input: { to?: string; id?: string; code: string; clientIp?: string }): Promise<CheckResult>;
  cancel(id: string): Promise<Verification>;
  get(id: string): Promise<Verification>;
  /**
   * Applies a provider's native delivery callback once `proof` shows it came from the provider (its signature, or
   * else the report token); throws ReportRefusedError otherwise. Returns how many events matched a verification.
   */
  handleCallback(
    provider: string,
    request: CallbackRequest,
    proof: ReportProof,
  ): Promise<{ events: number; matched: number }>;
  readonly providers: readonly string[];
  /** A configured provider's adapter (its callback receiver's handshake and signature check), by id. */
  adapter(provider: string): Adapter | undefined;
  readonly delivery: Delivery;
  /** The token delivery reports must carry in their URL. */
  readonly reportToken: string;
  /** `ready` or `down` (the store cannot answer). */
  storeState(): Promise<'ready' | 'down'>;
  /** Cuts every send still in flight (shutdown): their reservations are released and they answer 503. */
  abort(): void;
  close(): Promise<void>;
}

/**
 * Creates the OTP service.
 * @example
 * const otp = createOtpService({ secret: process.env.WAOTP_SECRET!, adapters: [verihubs, splashify] });
 * const verification = await otp.send({ to: '+6281234567890' });
 * const { status } = await otp.check({ to: '+6281234567890', code: '482913' }); // 'approved'
 */
export function createOtpService(options: OtpServiceOptions): OtpService {
  const {
    adapters,
    secret,
    clock = { now: Date.now },
    logger = silentLogger,
    resendOnDeliveryFailure = true,
  } = options;
  if (typeof secret !== 'string' || secret.length < 16)
    throw new InvalidRequestError('the service secret must be at least 16 characters');
  if (adapters.length === 0) throw new InvalidRequestError('at least one provider adapter is required');
  const policy: Policy = resolvePolicy(options.policy);
  const store = options.store ?? createMemoryStore({ now: clock.now });
  const delivery = createDelivery(adapters, { now: clock.now, ...options.delivery });
  const order = adapters.map((a) => a.provider);
  const byId = new Map(adapters.map((a) => [a.provider, a]));
  const keepMs = policy.ttl + policy.retention;
  const deliveryDeadline = options.delivery?.deadlineMs ?? 20_000;
  const limits = options.limits ?? {};
  const reportToken = options.reportToken ?? deriveReportToken(secret);
  const stopping = new AbortController();

  /** A slot to take in one send window: its store key, its limits, and the error that refuses it. */
  type Claim = { key: string; limits: SendLimits; refuse: (refusal: Refusal) => OtpError };
  type Reserved = { ok: true; release: () => Promise<void> } | { ok: false; error: OtpError };
  const numberClaim = (phone: string, cooldownMs: number): Claim => ({
    key: phone,
    limits: { windowMs: policy.sendWindow, max: policy.maxSends, cooldownMs },
    refuse: ({ reason, retryAfterMs }) =>
      reason === 'cooldown' ? new CooldownError(retryAfterMs) : new TooManySendsError(retryAfterMs, policy.maxSends),
  });
  /** The claim for one of the abuse limits, none when it is off. */
  const limitClaim = (type: LimitReachedError['type'], key: string, limit: WindowLimit | undefined): Claim[] => {
    if (!limit) return [];
    const refuse = (r: Refusal) => new LimitReachedError(type, limit, r.retryAfterMs);
    return [{ key, limits: { ...limit, cooldownMs: 0 }, refuse }];
  };
  /**
   * Takes a slot under every claim in turn, or none: a refusal gives back the slots taken before it. On success,
   * `release` gives them all back (a send that never went out).
   */
  const reserveAll = async (claims: Claim[], now = clock.now()): Promise<Reserved> => {
    const held: { key: string; hold: string }[] = [];
    const release = async () => void (await Promise.all(held.map((h) => store.releaseSend(h.key, h.hold))));
    try {
      for (const claim of claims) {
        const r = await store.reserveSend(claim.key, now, claim.limits);
        if (!r.ok) {
          await release().catch(() => undefined);
          return { ok: false, error: claim.refuse(r) };
        }
        held.push({ key: claim.key, hold: r.hold });
      }
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
    return { ok: true, release };
  };

  const view = (r: VerificationRecord): Verification => ({
    id: r.id,
    to: `+${r.to}`,
    status: effectiveStatus(r, clock.now()),
    provider: r.provider ?? null,
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    attemptsLeft: Math.max(0, r.maxAttempts - r.attempts),
    delivery: r.delivery,
  });

  const orderFor = (provider?: string) => {
    if (provider === undefined) return order;
    if (!byId.has(provider)) throw new UnknownProviderError(provider, order);
    return [provider, ...order.filter((p) => p !== provider)];
  };

  /** Sends `code` through `providers` and records who took it. */
  const deliver = async (record: VerificationRecord, code: string, providers: readonly string[]) => {
    const message: OtpMessage = {
      to: record.to,
      code,
      reference: record.id,
      ...(record.locale && { locale: record.locale }),
    };
    const outcome = await delivery.send(message, providers, stopping.signal);
    logger.info(
      {
        event: 'send',
        verification: record.id,
        to: mask(record.to),
        ok: outcome.ok,
        attempts: outcome.attempts.map((a) => `${a.provider}:${a.ok ? 'ok' : a.kind}`),
      },
      'otp send',
    );
    if (!outcome.ok) return outcome;
    const { result } = outcome;
    const delegated = byId.get(result.provider)?.delegatesCodes === true;
    await store.update(record.id, {
      provider: result.provider,
      ...(result.providerMessageId && { providerMessageId: result.providerMessageId }),
      ...(delegated ? { delegatedTo: result.provider } : {}),
    });
    if (result.providerMessageId)
      await store.linkProviderMessage(result.provider, result.providerMessageId, record.id, keepMs);
    return outcome;
  };

  const waitForRecord = async (id: string): Promise<VerificationRecord> => {
    const until = Date.now() + deliveryDeadline;
    for (;;) {
      const record = await store.get(id);
      if (record?.provider || (record && record.status !== 'pending')) return record;
      if (Date.now() >= until)
        throw new InvalidRequestError('an earlier request with this Idempotency-Key has not completed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const service: OtpService = {
    providers: order,
    adapter: (provider) => byId.get(provider),
    delivery,
    async send({ to, provider, locale, idempotencyKey, clientIp }) {
      if (stopping.signal.aborted)
        throw new ShuttingDownError('the service is shutting down; retry on another instance');
      const phone = normalizePhone(to);
      const providers = orderFor(provider);
      const now = clock.now();
      const id = `VE${randomBytes(16).toString('hex')}`;
      if (idempotencyKey !== undefined) {
        if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 255) {
          throw new InvalidRequestError('Idempotency-Key must be 1 to 255 characters');
        }
        const holder = await store.claimIdempotencyKey(`${phone}:${idempotencyKey}`, id, keepMs);
        if (holder !== id) return view(await waitForRecord(holder));
      }
      // Cheapest refusal first.
      const claims = [
        ...(clientIp ? limitClaim('ip-send-limit', `ip:${clientIp}`, limits.sendsPerIp) : []),
        numberClaim(phone, policy.resendCooldown),
        ...limitClaim('send-budget', 'budget', limits.sendBudget),
      ];
      const reserved = await reserveAll(claims, now);
      if (!reserved.ok) throw reserved.error;
      const code = generateCode(policy.codeLength);
      const record: VerificationRecord = {
        id,
        to: phone,
        status: 'pending',
        codeHash: hashCode(secret, id, code),
        ...(locale && { locale }),
        attempts: 0,
        maxAttempts: policy.maxChecks,
        createdAt: now,
        expiresAt: now + policy.ttl,
        delivery: [],
      };
      await store.create(record, keepMs);
      const outcome = await deliver(record, code, providers);
      if (!outcome.ok) {
        await store.update(id, { status: 'failed' });
        if (stopping.signal.aborted) {
          // Cut by shutdown: nothing went out, so the user's retry (on another instance) must not meet a cooldown.
          await reserved.release();
          throw new ShuttingDownError('the service shut down before a provider took the message; retry');
        }
        throw new DeliveryFailedError(id, outcome.attempts);
      }
      return view((await store.get(id)) ?? record);
    },

    async check({ to, id, code, clientIp }) {
      if (typeof code !== 'string' || !/^[0-9A-Za-z]{1,20}$/.test(code))
        throw new InvalidRequestError('code must be 1 to 20 letters or digits');
      if (clientIp) {
        const reserved = await reserveAll(limitClaim('ip-check-limit', `checks-ip:${clientIp}`, limits.checksPerIp));
        if (!reserved.ok) throw reserved.error;
      }
      const found =
        id !== undefined ? await store.get(id) : to !== undefined ? await store.active(normalizePhone(to)) : undefined;
      if (id === undefined && to === undefined)
        throw new InvalidRequestError('give the verification id or the phone number (to)');
      if (!found) return { status: 'not_found' };
      const attempt = await store.consumeAttempt(found.id, clock.now());
      const ids = { id: found.id, to: `+${found.to}` };
      if (attempt.verdict === 'not_found') return { status: 'not_found' };
      // A verification that was approved or replaced no longer answers to any code.
      if (attempt.verdict === 'approved' || attempt.verdict === 'failed') return { ...ids, status: 'not_found' };
      if (attempt.verdict !== 'ok') return { ...ids, status: attempt.verdict };
      const { record } = attempt;
      const attemptsLeft = Math.max(0, record.maxAttempts - record.attempts);
      let correct: boolean;
      if (record.delegatedTo) {
        const verdict = await byId.get(record.delegatedTo)!.check!(
          { to: record.to, code },
          { signal: AbortSignal.timeout(options.delivery?.attemptTimeoutMs ?? 5000) },
        );
        if (verdict === 'failed')
          throw new ProviderCheckError(`${record.delegatedTo} could not check the code; try again`);
        if (verdict === 'expired') return { ...ids, status: 'expired' };
        correct = verdict === 'approved';
      } else {
        correct = hashesMatch(record.codeHash, hashCode(secret, record.id, code));
      }
      logger.info({ event: 'check', verification: record.id, correct }, 'otp check');
      if (!correct) return { ...ids, status: 'pending', attemptsLeft };
      return (await store.approve(record.id)) ? { ...ids, status: 'approved' } : { ...ids, status: 'not_found' };
    },

    async cancel(id) {
      const record = await store.get(id);
      if (!record) throw new NotFoundError(`no verification ${id}`);
      if (record.status !== 'pending') return view(record);
      return view((await store.update(id, { status: 'canceled' })) ?? record);
    },

    async get(id) {
      const record = await store.get(id);
      if (!record) throw new NotFoundError(`no verification ${id}`);
      return view(record);
    },

    async handleCallback(provider, request, proof) {
      const parse = options.callbackParsers?.[provider];
      if (!parse) throw new UnknownProviderError(provider, Object.keys(options.callbackParsers ?? {}));
      authenticate(provider, request, proof);
      const events = parse(request);
      let matched = 0;
      for (const event of events) {
        const id = await store.byProviderMessage(provider, event.providerMessageId);
        if (!id) continue;
        matched++;
        const record = await store.addDelivery(id, {
          provider,
          state: event.state,
          at: event.at ?? new Date(clock.now()).toISOString(),
          ...(event.error && { error: event.error }),
        });
        logger.info({ event: 'delivery', verification: id, provider, state: event.state }, 'otp delivery');
        if (event.state === 'failed' && resendOnDeliveryFailure && record) await resend(record, provider);
      }
      return { events: events.length, matched };
    },

    reportToken,
    storeState: () => store.state(),
    abort: () => stopping.abort(),
    close: () => store.close(),
  };

  /** A report proves itself by the provider's signature where the provider signs, else by the URL's token. */
  const authenticate = (provider: string, request: CallbackRequest, proof: ReportProof) => {
    const verify = options.reportVerifiers?.[provider];
    if (verify) {
      if (verify(proof.rawBody, request.headers)) return;
      throw new ReportRefusedError(401, `the report does not carry a valid ${provider} signature`);
    }
    if (proof.token === undefined)
      throw new ReportRefusedError(401, 'the report URL carries no token; use the callback URL the service gave');
    if (!secretsMatch(reportToken, proof.token)) {
      throw new ReportRefusedError(403, 'the report URL carries a wrong token');
    }
  };

  /** After a failed delivery: a fresh code through the next provider that has not had this verification. */
  const resend = async (record: VerificationRecord, failed: string) => {
    if (record.status !== 'pending' || record.provider !== failed || clock.now() >= record.expiresAt) return;
    const tried = new Set(record.delivery.filter((d) => d.state === 'failed').map((d) => d.provider));
    const next = order.slice(order.indexOf(failed) + 1).filter((p) => !tried.has(p));
    if (next.length === 0) return;
    // One resend per verification per failed provider, however often the provider repeats its report.
    const claimant = randomBytes(8).toString('hex');
    if ((await store.claimIdempotencyKey(`resend:${record.id}:${failed}`, claimant, keepMs)) !== claimant) return;
    // A resend is a send: it counts against the number's window and the budget (the cooldown does not apply).
    const claims = [numberClaim(record.to, 0), ...limitClaim('send-budget', 'budget', limits.sendBudget)];
    const reserved = await reserveAll(claims);
    if (!reserved.ok) {
      const reason = reserved.error instanceof LimitReachedError ? 'send budget' : 'number send limit';
      return void logger.warn({ event: 'resend_refused', verification: record.id, reason }, 'otp resend refused');
    }
    const code = generateCode(policy.codeLength);
    await store.update(record.id, { codeHash: hashCode(secret, record.id, code) });
    const outcome = await deliver({ ...record }, code, next);
    if (!outcome.ok)
      logger.warn(
        { event: 'resend_failed', verification: record.id },
        'otp resend after a failed delivery found no provider',
      );
  };

  return service;
}

/** The number with all but its last four digits hidden, for logs. */
export function mask(digits: string): string {
  return `+${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}
