/**
 * The simulated Webapp's memory: users and their passwords, issued tokens, and the application settings
 * (the webhook URL a callbacks module reads through {@link webhookUrlOf}).
 * @module
 */
import type { IdSource, StateDeps } from '../define.js';
import { type ApplicationSettings, type OnPremCredential, optionsSchema } from './schema.js';

/** Docs: a login token is valid for 7 days. */
export const DEFAULT_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Every fresh On-Prem install has this user, and its first login must set a new password. */
export const DEFAULT_ADMIN = { username: 'admin', password: 'secret' } as const;

export interface IssuedToken {
  user: string;
  expiresAt: number;
  revoked: boolean;
}

/** How long a checked contact stays in the Webapp's cache; `force_check` skips the cache. */
// assumption: 7 days, as Meta's contacts page is commonly quoted (not re-checked against a live page).
export const CONTACT_CACHE_MS = 7 * 24 * 60 * 60 * 1000;
/** The contact cache is bounded: past this many numbers the oldest check is forgotten. */
export const CONTACT_CACHE_LIMIT = 10_000;

export interface OnPremState {
  /** Users with a known password: the pinned ones, and any user that set `new_password`. */
  passwords: Map<string, string>;
  /** Users whose factory password (admin/secret) must be changed by their next login. */
  mustChangePassword: Set<string>;
  tokens: Map<string, IssuedToken>;
  tokenTtlMs: number;
  /** `options.strictAuth`: only issued, unexpired tokens are accepted. */
  strictAuth: boolean;
  /** `options.spamRateLimited`: every send gets 471 "Spam Rate limit hit". */
  spamRateLimited: boolean;
  /** Numbers checked with POST /v1/contacts (wa_id -> simulated epoch ms of the check), oldest first. */
  contacts: Map<string, number>;
  application: ApplicationSettings;
}

/**
 * A fresh Webapp: the factory admin (or the pinned users), no tokens, no checked contacts, webhooks off unless preset.
 * @example
 * const state = createOnPremState({ now: Date.now, ids, settings: { options: { tokenTtlSeconds: 60 } } });
 */
export function createOnPremState({ settings }: StateDeps<OnPremCredential>): OnPremState {
  const parsed = optionsSchema.safeParse(settings.options ?? {});
  if (!parsed.success)
    throw new Error(
      `whatsapp-onprem options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const {
    tokenTtlSeconds = DEFAULT_TOKEN_TTL_SECONDS,
    webhookUrl,
    strictAuth = false,
    spamRateLimited = false,
  } = parsed.data;
  // Without pinned users no password is known: any pair logs in (admin too), and admin/secret is the factory pair.
  const passwords = new Map((settings.credentials ?? []).map((u) => [u.username, u.password]));
  const pinnedAdmin = passwords.get(DEFAULT_ADMIN.username);
  // assumption: admin/secret must be changed on first login even when pinned: it is the factory default.
  const factoryAdmin = settings.credentials === undefined || pinnedAdmin === DEFAULT_ADMIN.password;
  return {
    passwords,
    mustChangePassword: new Set(factoryAdmin ? [DEFAULT_ADMIN.username] : []),
    tokens: new Map(),
    tokenTtlMs: tokenTtlSeconds * 1000,
    strictAuth,
    spamRateLimited,
    contacts: new Map(),
    application: { callback_persist: true, sent_status: false, webhooks: { url: webhookUrl ?? '' } },
  };
}

/** Whether a login is the factory admin/secret pair that must still set `new_password`. */
export function isFactoryLogin(state: OnPremState, username: string, password: string): boolean {
  const factoryPair = username === DEFAULT_ADMIN.username && password === DEFAULT_ADMIN.password;
  return factoryPair && state.mustChangePassword.has(username);
}

/** Whether `waId` was checked with POST /v1/contacts within the cache lifetime. */
export function isKnownContact(state: OnPremState, waId: string, now: number): boolean {
  const checkedAt = state.contacts.get(waId);
  return checkedAt !== undefined && now - checkedAt < CONTACT_CACHE_MS;
}

/** Records a contacts check; the cache keeps the newest CONTACT_CACHE_LIMIT numbers. */
export function rememberContact(state: OnPremState, waId: string, now: number): void {
  state.contacts.delete(waId);
  state.contacts.set(waId, now);
  if (state.contacts.size > CONTACT_CACHE_LIMIT) state.contacts.delete(state.contacts.keys().next().value!);
}

/** Issues a new token; earlier tokens of the same user stay valid. */
export function issueToken(
  state: OnPremState,
  user: string,
  now: number,
  ids: IdSource,
): { token: string; expiresAt: number } {
  // assumption: tokens are opaque 64-character strings (real Webapps issue JWTs; clients must not parse them).
  const token = ids.alphanumeric(64);
  const expiresAt = now + state.tokenTtlMs;
  state.tokens.set(token, { user, expiresAt, revoked: false });
  return { token, expiresAt };
}

/** `2026-01-22 09:14:03+00:00`: UTC, seconds precision, the format clients parse. */
export function formatExpiresAfter(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00:00`;
}

/** Applies a PATCH: nested objects merge, other values replace. */
export function mergeSettings(
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const before = merged[key];
    merged[key] = isPlainObject(value) && isPlainObject(before) ? mergeSettings(before, value) : value;
  }
  return merged;
}

/** The configured webhook URL, or undefined while none is set. */
export function webhookUrlOf(state: OnPremState): string | undefined {
  return state.application.webhooks?.url || undefined;
}

/**
 * Whether the Webapp posts a status of this kind to the webhook. `failed` always goes out; `sent` only
 * when switched on by `sent_status` or `webhooks.message.sent`; `delivered` and `read` unless switched off.
 */
export function wantsStatus(state: OnPremState, status: 'sent' | 'delivered' | 'read' | 'failed'): boolean {
  const flags = state.application.webhooks?.message;
  if (status === 'failed') return true;
  // assumption: the v2.41.2 per-status flags win over sent_status when both are set.
  if (status === 'sent') return flags?.sent ?? state.application.sent_status === true;
  return flags?.[status] ?? true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
