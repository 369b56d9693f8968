/**
 * The rules a verification lives by: code length, lifetime, checks, resend cooldown, send window.
 * Defaults follow Twilio Verify, which users know.
 * @module
 */
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

const duration = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (e.g. 30s, 10m, 1h)` });
    return z.NEVER;
  }
  return ms;
});

export const policySchema = z.strictObject({
  codeLength: z.number().int().min(4).max(10).default(6),
  ttl: duration.default(10 * 60_000),
  maxChecks: z.number().int().min(1).max(100).default(5),
  resendCooldown: duration.default(30_000),
  maxSends: z.number().int().min(1).default(5),
  sendWindow: duration.default(10 * 60_000),
  /** How long a finished verification stays readable through GET /v1/verifications/:id. */
  retention: duration.default(24 * 60 * 60_000),
});
export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

/** The policy with every default filled in; throws a ZodError naming the bad field. */
export function resolvePolicy(input: PolicyInput = {}): Policy {
  return policySchema.parse(input);
}
