/**
 * The one schema of a scenario rule, shared by `POST /__admin/scenarios`, rule packs (`--scenarios`) and
 * the admin client, so a rule that works in one place works in the other with the same error messages.
 * @module
 */
import { z } from 'zod';
import { OUTCOMES } from '../providers/outcomes.js';
import { didYouMean } from '../util/suggest.js';
import { TIMELINES } from './timeline.js';

const digits = (value: string) => value.replace(/\D+/g, '');

const ruleFields = {
  provider: z.string().min(1).optional(),
  to: z
    .string()
    .transform(digits)
    .refine((d) => d.length >= 4 && d.length <= 20, 'to must be a phone number (digits or E.164)')
    .optional(),
  times: z.number().int().positive().optional(),
  label: z.string().max(200).optional(),
  /** The delivery timeline of the sends this rule answers (normal, duplicate, out_of_order, late, missing). */
  timeline: z.enum(TIMELINES).optional(),
};

/** A rule as stored and armed: `outcomes` always a list. */
export const ruleInputSchema = z.strictObject({
  ...ruleFields,
  outcomes: z.array(z.enum(OUTCOMES)).min(1, 'outcomes must name at least one outcome'),
});
export type RuleInput = z.infer<typeof ruleInputSchema>;

/** A rule as written: `outcomes`, or `outcome` as shorthand for a list of one. */
export const writtenRuleSchema = z
  .strictObject({
    ...ruleFields,
    outcome: z.enum(OUTCOMES).optional(),
    outcomes: ruleInputSchema.shape.outcomes.optional(),
  })
  .refine((r) => (r.outcome === undefined) !== (r.outcomes === undefined), {
    message: 'give "outcomes" (a list) or "outcome" (one), not both or neither',
    path: ['outcomes'],
  })
  .transform(({ outcome, outcomes, ...rest }): RuleInput => ({ ...rest, outcomes: outcomes ?? [outcome!] }));

/** The check both rules and chaos make of the provider ids they name: unknown ones refused, the closest suggested. */
export function unknownProviderMessage(id: string, providerIds: readonly string[]): string | undefined {
  if (providerIds.includes(id)) return undefined;
  return `unknown provider "${id}"${didYouMean(id, providerIds)}; known: ${providerIds.join(', ')}`;
}

/**
 * The rule schema for a set of provider ids: an unknown provider is refused, naming the closest known one.
 * @example
 * ruleSchema(['verihubs']).safeParse({ provider: 'verihub', outcome: 'rate_limited' });
 * // error: unknown provider "verihub" (did you mean "verihubs"?); known: verihubs
 */
export function ruleSchema(providerIds: readonly string[]) {
  return writtenRuleSchema.superRefine((rule, ctx) => {
    const message = rule.provider === undefined ? undefined : unknownProviderMessage(rule.provider, providerIds);
    if (message) ctx.addIssue({ code: 'custom', path: ['provider'], message });
  });
}
