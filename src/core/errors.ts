/**
 * The core's typed errors. Each carries the HTTP status and problem type its HTTP face answers with,
 * so callers of the library and of the service see the same causes.
 * @module
 */
import type { FailureKind } from '../providers/adapter.js';

export abstract class OtpError extends Error {
  abstract readonly status: number;
  /** A short, stable slug: the problem `type` is `/problems/<type>`. */
  abstract readonly type: string;
  /** Extra problem members (retryAfterMs, attempts...). */
  details(): Record<string, unknown> {
    return {};
  }
}

export class InvalidPhoneError extends OtpError {
  override name = 'InvalidPhoneError';
  readonly status = 400;
  readonly type = 'invalid-phone';
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`"${input}" is not a valid phone number: ${reason}`);
  }
}

export class InvalidRequestError extends OtpError {
  override name = 'InvalidRequestError';
  readonly status = 400;
  readonly type = 'invalid-request';
}

export class UnknownProviderError extends OtpError {
  override name = 'UnknownProviderError';
  readonly status = 400;
  readonly type = 'unknown-provider';
  constructor(
    readonly provider: string,
    known: string[],
  ) {
    super(`provider "${provider}" is not configured; configured: ${known.join(', ')}`);
  }
}

export class CooldownError extends OtpError {
  override name = 'CooldownError';
  readonly status = 429;
  readonly type = 'resend-cooldown';
  constructor(readonly retryAfterMs: number) {
    super(`a code was sent to this number moments ago; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
  override details() {
    return { retryAfterMs: this.retryAfterMs };
  }
}

export class TooManySendsError extends OtpError {
  override name = 'TooManySendsError';
  readonly status = 429;
  readonly type = 'too-many-sends';
  constructor(
    readonly retryAfterMs: number,
    max: number,
  ) {
    super(
      `at most ${max} codes may be sent to one number in the send window; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
  }
  override details() {
    return { retryAfterMs: this.retryAfterMs };
  }
}

export interface AttemptSummary {
  provider: string;
  ok: boolean;
  kind?: FailureKind | 'circuit_open' | 'deadline';
  status?: number;
  message?: string;
  at: string;
}

export class DeliveryFailedError extends OtpError {
  override name = 'DeliveryFailedError';
  readonly status = 502;
  readonly type = 'delivery-failed';
  constructor(
    readonly verificationId: string,
    readonly attempts: AttemptSummary[],
  ) {
    const tried = attempts.map((a) => `${a.provider}: ${a.kind ?? 'ok'}`).join(', ');
    super(`no provider accepted the message (${tried || 'none configured'})`);
  }
  override details() {
    return { verificationId: this.verificationId, attempts: this.attempts };
  }
}

export class NotFoundError extends OtpError {
  override name = 'NotFoundError';
  readonly status = 404;
  readonly type = 'not-found';
}

export class ProviderCheckError extends OtpError {
  override name = 'ProviderCheckError';
  readonly status = 502;
  readonly type = 'provider-check-failed';
}

const LIMITS = {
  'ip-send-limit': (max: number, s: number) => `at most ${max} codes may be sent per client address in ${s} s`,
  'send-budget': (max: number, s: number) => `the service's send budget (${max} per ${s} s) is spent`,
  'ip-check-limit': (max: number, s: number) => `at most ${max} checks per client address in ${s} s`,
};

/** A limit beyond the number's own: sends per client IP, the global send budget, checks per client IP. */
export class LimitReachedError extends OtpError {
  override name = 'LimitReachedError';
  readonly status = 429;
  constructor(
    readonly type: keyof typeof LIMITS,
    limit: { max: number; windowMs: number },
    readonly retryAfterMs: number,
  ) {
    super(`${LIMITS[type](limit.max, limit.windowMs / 1000)}; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
  override details() {
    return { retryAfterMs: this.retryAfterMs };
  }
}

/** The store (Redis) cannot answer now: the client should retry shortly, a load balancer should route elsewhere. */
export class StoreUnavailableError extends OtpError {
  override name = 'StoreUnavailableError';
  readonly status = 503;
  readonly type = 'store-unavailable';
  override details() {
    return { retryAfterMs: 1000 };
  }
}

/** The service is shutting down: a send cut by the drain deadline, or a request that arrived while draining. */
export class ShuttingDownError extends OtpError {
  override name = 'ShuttingDownError';
  readonly status = 503;
  readonly type = 'shutting-down';
  override details() {
    return { retryAfterMs: 1000 };
  }
}

/** A delivery report that does not prove it came from the provider. */
export class ReportRefusedError extends OtpError {
  override name = 'ReportRefusedError';
  readonly type = 'report-refused';
  /** 401 when the report carries no proof, 403 when its proof is wrong. */
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}
