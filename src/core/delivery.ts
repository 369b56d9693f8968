/**
 * Getting one message out through the configured providers: a timeout per attempt, retries with
 * exponential backoff and jitter that honour Retry-After, failover to the next provider, a circuit
 * breaker per provider, and a deadline for the whole send. Decisions come from outcome kinds only.
 * @module
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoffFactory,
  type IRetryBackoffContext,
  retry,
  TaskCancelledError,
  wrap,
} from 'cockatiel';
import type { Adapter, FailureKind, OtpMessage, SendResult } from '../providers/adapter.js';
import type { AttemptSummary } from './errors.js';

export interface DeliveryOptions {
  /** Longest wait for one provider reply. */
  attemptTimeoutMs?: number;
  /** Longest the whole send may take, retries and failover included. */
  deadlineMs?: number;
  /** Extra attempts on the same provider for retryable failures. */
  retries?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Consecutive provider-side failures that open a provider's circuit, and how long it stays open. */
  breaker?: { failures?: number; halfOpenAfterMs?: number };
  /** The service's clock (epoch ms): deadlines and attempt times are read from it, never from Date.now(). */
  now?: () => number;
}

export type DeliveryOutcome =
  | { ok: true; result: Extract<SendResult, { ok: true }>; attempts: AttemptSummary[] }
  | { ok: false; attempts: AttemptSummary[] };

export interface Delivery {
  /** Tries `order` (provider ids) in turn; adapters not named are not used. `stop` cuts it short (shutdown). */
  send(message: OtpMessage, order: readonly string[], stop?: AbortSignal): Promise<DeliveryOutcome>;
  /** `closed`, `open`, `halfOpen` or `isolated`, for health and tests. */
  circuit(provider: string): string;
}

/** A failed attempt, thrown so cockatiel's policies can see it. */
class AttemptFailed extends Error {
  constructor(readonly result: Extract<SendResult, { ok: false }>) {
    super(result.message);
  }
}

// The recipient cannot get WhatsApp messages: no other provider can change that.
const STOPS_FAILOVER = new Set<FailureKind>(['not_on_whatsapp']);
// Failures that say something about the provider, not about this one request or recipient.
const COUNTS_AGAINST_PROVIDER = new Set<FailureKind>([
  'unauthorized',
  'insufficient_quota',
  'rate_limited',
  'provider_error',
  'timeout',
  'network',
]);

/** Exponential backoff with jitter, never shorter than the provider's Retry-After. */
function honourRetryAfter(factory: IBackoffFactory<unknown>): IBackoffFactory<IRetryBackoffContext<unknown>> {
  return {
    next(context) {
      const backoff = factory.next(context);
      const error = 'error' in context.result ? context.result.error : undefined;
      const retryAfter = error instanceof AttemptFailed ? (error.result.retryAfterMs ?? 0) : 0;
      return { duration: Math.max(backoff.duration, retryAfter), next: honourRetryAfter(backoff).next };
    },
  };
}

/**
 * Creates the delivery engine; circuit state lives as long as it does.
 * @example
 * const delivery = createDelivery(adapters, { attemptTimeoutMs: 5000, deadlineMs: 20_000 });
 * const message = { to: '6281234567890', code: '482913', reference: 'VE1' };
 * const outcome = await delivery.send(message, ['verihubs', 'splashify']);
 */
export function createDelivery(adapters: readonly Adapter[], options: DeliveryOptions = {}): Delivery {
  const {
    attemptTimeoutMs = 5000,
    deadlineMs = 20_000,
    retries = 2,
    initialBackoffMs = 200,
    maxBackoffMs = 5000,
    breaker: { failures = 5, halfOpenAfterMs = 30_000 } = {},
    now = Date.now,
  } = options;
  const stamp = () => new Date(now()).toISOString();
  const byId = new Map(adapters.map((a) => [a.provider, a]));
  const breakers = new Map(
    adapters.map((a) => [
      a.provider,
      circuitBreaker(
        handleWhen((e) => e instanceof AttemptFailed && COUNTS_AGAINST_PROVIDER.has(e.result.kind)),
        { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(failures) },
      ),
    ]),
  );

  return {
    circuit: (provider) => {
      const state = breakers.get(provider)?.state;
      return state === undefined ? 'unknown' : CircuitState[state].replace(/^./, (c) => c.toLowerCase());
    },
    async send(message, order, stop) {
      const attempts: AttemptSummary[] = [];
      const deadline = now() + deadlineMs;
      // The deadline and a shutdown (`stop`) end the send alike, on a timer we own.
      const deadlineTimer = abortAfter(deadlineMs, stop ? [stop] : []);
      try {
        for (const provider of order) {
          const adapter = byId.get(provider);
          if (!adapter) continue;
          if (now() >= deadline || deadlineTimer.signal.aborted) {
            attempts.push({
              provider,
              ok: false,
              kind: 'deadline',
              message: 'the send deadline passed before this provider was tried',
              at: stamp(),
            });
            break;
          }
          const retrying = retry(
            handleWhen((e) => {
              if (!(e instanceof AttemptFailed) || !e.result.retryable) return false;
              // A Retry-After that outlasts the deadline is better spent on the next provider.
              return now() + (e.result.retryAfterMs ?? 0) + initialBackoffMs < deadline;
            }),
            {
              maxAttempts: retries,
              backoff: honourRetryAfter(
                new ExponentialBackoff({ initialDelay: initialBackoffMs, maxDelay: maxBackoffMs }),
              ),
            },
          );
          try {
            const result = await wrap(retrying, breakers.get(provider)!).execute(async ({ signal }) => {
              const attempt = abortAfter(Math.max(1, Math.min(attemptTimeoutMs, deadline - now())), [
                signal,
                deadlineTimer.signal,
              ]);
              try {
                const sent = await adapter.send(message, { signal: attempt.signal });
                attempts.push(summarize(sent, stamp()));
                if (!sent.ok) throw new AttemptFailed(sent);
                return sent;
              } finally {
                attempt.clear();
              }
            }, deadlineTimer.signal);
            return { ok: true, result, attempts };
          } catch (error) {
            if (error instanceof BrokenCircuitError) {
              attempts.push({
                provider,
                ok: false,
                kind: 'circuit_open',
                message: 'skipped: the provider kept failing, its circuit is open',
                at: stamp(),
              });
              continue;
            }
            if (error instanceof TaskCancelledError) {
              attempts.push({
                provider,
                ok: false,
                kind: 'deadline',
                message: 'the send deadline passed',
                at: stamp(),
              });
              break;
            }
            if (!(error instanceof AttemptFailed)) throw error;
            if (STOPS_FAILOVER.has(error.result.kind)) break;
          }
        }
        return { ok: false, attempts };
      } finally {
        deadlineTimer.clear();
      }
    },
  };
}

/**
 * A signal that aborts after `ms` (a TimeoutError, like AbortSignal.timeout) or as soon as a parent does.
 * `clear()` drops the timer and the listeners at once. Node 20's AbortSignal.any and AbortSignal.timeout keep
 * their timers and listeners until they fire: one per attempt was thousands of live timers under load.
 */
export function abortAfter(ms: number, parents: readonly AbortSignal[] = []): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onParent = function (this: AbortSignal) {
    controller.abort(this.reason);
  };
  const clear = () => {
    clearTimeout(timer);
    for (const parent of parents) parent.removeEventListener('abort', onParent);
  };
  const timer = setTimeout(() => {
    clear();
    controller.abort(new DOMException('the attempt timed out', 'TimeoutError'));
  }, ms);
  for (const parent of parents) {
    if (parent.aborted) {
      clear();
      controller.abort(parent.reason);
      break;
    }
    parent.addEventListener('abort', onParent, { once: true });
  }
  return { signal: controller.signal, clear };
}

function summarize(result: SendResult, at: string): AttemptSummary {
  if (result.ok) return { provider: result.provider, ok: true, status: result.status, at };
  return {
    provider: result.provider,
    ok: false,
    kind: result.kind,
    message: result.message,
    at,
    ...(result.status !== undefined && { status: result.status }),
  };
}
