/**
 * The real clients' side of the vocabulary: what a provider adapter takes, what it returns, and the
 * helpers every adapter shares to turn HTTP into a typed `SendResult`. The core decides retry and
 * failover from `SendResult.kind` and `retryable` only, never from a provider's status codes.
 * @module
 */
import type { z } from 'zod';
import type { DeliveryState } from './outcomes.js';

/** One OTP to deliver, provider-neutral. */
export interface OtpMessage {
  /** Recipient as E.164 digits without `+`. */
  to: string;
  /** The code to send; absent when the provider generates it (Verihubs delegation). */
  code?: string;
  /** BCP 47-ish language, e.g. `en` or `id`. */
  locale?: string;
  /** The core's verification id, for correlation (`callbackData`, logs). */
  reference: string;
}

export type FailureKind =
  | 'invalid_request'
  | 'unauthorized'
  | 'insufficient_quota'
  | 'blocked_recipient'
  | 'not_on_whatsapp'
  | 'rate_limited'
  | 'provider_error'
  | 'timeout'
  | 'network';

export type SendResult =
  | {
      ok: true;
      provider: string;
      status: number;
      /** The provider's id for the message (Verihubs: session_id), used to match delivery callbacks. */
      providerMessageId?: string;
      /** The code the provider generated, when it did. */
      code?: string;
    }
  | {
      ok: false;
      provider: string;
      kind: FailureKind;
      /** Worth trying again on the same provider (after `retryAfterMs`, when given). */
      retryable: boolean;
      retryAfterMs?: number;
      status?: number;
      /** Human words of the cause; never contains codes, tokens or keys. */
      message: string;
    };

/** The result of asking a provider to check a code it generated. */
export type ProviderCheck = 'approved' | 'wrong_code' | 'expired' | 'failed';

export interface DeliveryEvent {
  providerMessageId: string;
  state: DeliveryState | 'verified' | 'unverified';
  at?: string;
  error?: { code: string | number; message: string };
}

/** The part of an incoming callback request an adapter needs to read it. */
export interface CallbackRequest {
  method: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface CallOptions {
  signal: AbortSignal;
}

export interface Adapter {
  provider: string;
  send(message: OtpMessage, options: CallOptions): Promise<SendResult>;
  /** Only for providers that generate and check codes themselves (Verihubs). */
  check?(input: { to: string; code: string }, options: CallOptions): Promise<ProviderCheck>;
  /** True when this adapter lets the provider generate and check the code. */
  readonly delegatesCodes?: boolean;
  /**
   * Providers whose webhook is verified by a handshake (Cloud API): the reply body for a GET with this query,
   * or undefined to refuse it (403).
   */
  answerHandshake?(query: Record<string, string>): string | undefined;
}

export interface AdapterDeps {
  fetch?: typeof fetch;
  now?: () => number;
}

export interface AdapterDefinition<Config = any> {
  /** Schema of this adapter's config (credentials, template, base URL). */
  config: z.ZodType<Config, any>;
  create(config: Config, deps?: AdapterDeps): Adapter;
  /**
   * A config that works against a waotp simulator at `baseUrl` with no simulator config. `callbackUrl` is
   * where the core receives this provider's delivery reports, for providers whose request names one.
   */
  simulator(baseUrl: string, options?: { callbackUrl?: string }): Config;
  /** Reads the provider's native delivery callback; absent when the provider sends none. */
  parseCallback?(request: CallbackRequest): DeliveryEvent[];
  /**
   * For providers that sign their delivery reports (the Cloud API's `X-Hub-Signature-256`): true when `rawBody`
   * carries a valid signature made with the secret in this adapter's `config`. The core then requires it in place
   * of the token it puts in callback URLs.
   */
  verifyReport?(rawBody: string, headers: Record<string, string>, config: Config): boolean;
}

/** What each failure kind means for the same provider: retry it, or move on. */
export const RETRYABLE: Record<FailureKind, boolean> = {
  invalid_request: false,
  unauthorized: false,
  insufficient_quota: false,
  blocked_recipient: false,
  not_on_whatsapp: false,
  rate_limited: true,
  provider_error: true,
  timeout: true,
  network: true,
};

export function failure(
  provider: string,
  kind: FailureKind,
  message: string,
  extra: { status?: number; retryAfterMs?: number } = {},
): SendResult {
  return { ok: false, provider, kind, retryable: RETRYABLE[kind], message, ...extra };
}

/** The usual meaning of an HTTP error status, for providers whose body says no more. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 402) return 'insufficient_quota';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'provider_error';
  return 'invalid_request';
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: () => number = Date.now): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

export type HttpReply = { status: number; headers: Headers; text: string; json: unknown; jsonOk: boolean };

/**
 * Sends JSON and reads the reply; transport failures become typed results, never exceptions.
 * @example
 * const reply = await requestJson(fetch, 'botcake', url, { headers, body, signal });
 * if ('ok' in reply) return reply; // a timeout or network SendResult
 */
export async function requestJson(
  fetchImpl: typeof fetch,
  provider: string,
  url: string,
  {
    method = 'POST',
    headers = {},
    body,
    signal,
  }: { method?: string; headers?: Record<string, string>; body?: unknown; signal: AbortSignal },
): Promise<HttpReply | Extract<SendResult, { ok: false }>> {
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal,
      // A provider API that answers with a redirect is misconfigured: the request (an OTP) is never re-sent
      // elsewhere. It also spares fetch cloning every request body in case it must be replayed.
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (signal.aborted || name === 'AbortError' || name === 'TimeoutError') {
      return failure(provider, 'timeout', 'no reply before the attempt timed out') as Extract<
        SendResult,
        { ok: false }
      >;
    }
    const cause = (error as Error).cause as Error | undefined;
    const message = /redirect/i.test(cause?.message ?? '')
      ? 'the provider answered with a redirect, which is never followed'
      : `network error: ${(error as Error).message}`;
    return failure(provider, 'network', message) as Extract<SendResult, { ok: false }>;
  }
  try {
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: text ? JSON.parse(text) : undefined,
      jsonOk: true,
    };
  } catch {
    return { status: response.status, headers: response.headers, text, json: undefined, jsonOk: false };
  }
}

/** A 2xx whose body does not parse: the provider may have sent the message, but we cannot tell. */
export function malformed(provider: string, status: number): SendResult {
  return failure(provider, 'provider_error', `HTTP ${status} with a body that is not the documented JSON`, { status });
}

/**
 * Provider text made safe for a result's message: every secret masked (longest first, so one inside another
 * is not half-masked), then cut short. Masking before cutting: a cut can never leave part of a secret.
 * @example
 * scrubSecrets('bad otp 482913 for key sk_live_x', ['482913', 'sk_live_x']); // 'bad otp *** for key ***'
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[], maxLength = 300): string {
  const masked = secrets
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join('***'), text);
  return masked.length > maxLength ? `${masked.slice(0, maxLength)}…` : masked;
}
