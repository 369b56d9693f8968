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

export interface OnPremState {
  /** Known users: the default admin, or the pinned credentials. */
  passwords: Map<string, string>;
  /** Users whose next login must carry `new_password`. */
  mustChangePassword: Set<string>;
  tokens: Map<string, IssuedToken>;
  tokenTtlMs: number;
  application: ApplicationSettings;
}

/**
 * A fresh Webapp: the default admin (or the pinned users), no tokens, webhooks off unless preset.
 * @example
 * const state = createOnPremState({ now: Date.now, ids, settings: { options: { tokenTtlSeconds: 60 } } });
 */
export function createOnPremState({ settings }: StateDeps<OnPremCredential>): OnPremState {
  const parsed = optionsSchema.safeParse(settings.options ?? {});
  if (!parsed.success) throw new Error(`whatsapp-onprem options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { tokenTtlSeconds = DEFAULT_TOKEN_TTL_SECONDS, webhookUrl } = parsed.data;
  const users = settings.credentials ?? [DEFAULT_ADMIN];
  const passwords = new Map(users.map((u) => [u.username, u.password]));
  // assumption: admin/secret must be changed on first login even when pinned: it is the factory default.
  const mustChangePassword = new Set(passwords.get(DEFAULT_ADMIN.username) === DEFAULT_ADMIN.password ? [DEFAULT_ADMIN.username] : []);
  return {
    passwords,
    mustChangePassword,
    tokens: new Map(),
    tokenTtlMs: tokenTtlSeconds * 1000,
    application: { callback_persist: true, sent_status: false, webhooks: { url: webhookUrl ?? '' } },
  };
}

/** Issues a new token; earlier tokens of the same user stay valid. */
export function issueToken(state: OnPremState, user: string, now: number, ids: IdSource): { token: string; expiresAt: number } {
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
export function mergeSettings(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
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
