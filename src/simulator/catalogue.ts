/**
 * The scenario catalogue and rule packs: YAML files QA edits without touching code.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { providers as registry } from '../providers/index.js';
import { OUTCOMES, type Outcome } from '../providers/outcomes.js';
import { MAX_JSON_DEPTH, valueTooDeep } from './json-limits.js';
import { ruleSchema, unknownProviderMessage } from './rule-schema.js';

export { type RuleInput, ruleInputSchema } from './rule-schema.js';

const digits = (value: string) => value.replace(/\D+/g, '');

const rangeSchema = z
  .object({ from: z.string().min(1), to: z.string().min(1) })
  .transform((r) => ({ from: digits(r.from), to: digits(r.to) }))
  .refine((r) => r.from.length === r.to.length && r.from <= r.to && r.from.length >= 4, {
    message: 'a number range needs "from" <= "to" with the same number of digits',
  });
export type NumberRange = z.infer<typeof rangeSchema>;

const entrySchema = z.strictObject({
  summary: z.string(),
  numbers: z.array(rangeSchema).default([]),
  delayMs: z.number().int().nonnegative().max(60_000).optional(),
  capMs: z.number().int().positive().max(60_000).optional(),
  retryAfterSeconds: z.number().int().positive().optional(),
});
export type CatalogueEntry = z.infer<typeof entrySchema>;

export const catalogueSchema = z.strictObject({
  outcomes: z.record(z.enum(OUTCOMES), entrySchema).refine((o) => OUTCOMES.every((name) => name in o), {
    message: `the catalogue must describe every outcome: ${OUTCOMES.join(', ')}`,
  }),
});
export type Catalogue = { outcomes: Record<Outcome, CatalogueEntry> };

export const chaosSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    seed: z.number().int().optional(),
    providers: z.array(z.string()).optional(),
    // Optional so that `{"enabled": false}` alone switches chaos off.
    probabilities: z
      .partialRecord(z.enum(OUTCOMES), z.number().min(0).max(1))
      .refine((p) => Object.values(p).reduce((sum, x) => sum + (x ?? 0), 0) <= 1, {
        message: 'probabilities must add up to at most 1',
      })
      .default({}),
  })
  .refine((c) => !c.enabled || Object.keys(c.probabilities).length > 0, {
    message:
      'chaos needs "probabilities" (e.g. {"provider_error": 0.05}) when enabled; {"enabled": false} switches it off',
    path: ['probabilities'],
  });
export type ChaosInput = z.infer<typeof chaosSchema>;

/** The chaos schema for a set of provider ids, which `providers` may name. */
export function chaosSchemaFor(providerIds: readonly string[]) {
  return chaosSchema.superRefine((chaos, ctx) => {
    (chaos.providers ?? []).forEach((id, i) => {
      const message = unknownProviderMessage(id, providerIds);
      if (message) ctx.addIssue({ code: 'custom', path: ['providers', i], message });
    });
  });
}

/**
 * A rule pack's schema for a set of provider ids: read exactly as `POST /__admin/scenarios` and
 * `PUT /__admin/chaos` read.
 */
export function rulePackSchema(providerIds: readonly string[]) {
  return z.strictObject({
    rules: z.array(ruleSchema(providerIds)).default([]),
    chaos: chaosSchemaFor(providerIds).optional(),
  });
}
export type RulePack = z.infer<ReturnType<typeof rulePackSchema>>;

export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
}

const DEFAULT_CATALOGUE = new URL('../../scenarios/catalogue.yaml', import.meta.url);
/**
 * The default catalogue as the build parsed and checked it (`npm run build` writes dist/catalogue.json): start-up
 * then needs no YAML parser and no schema check, a sizeable share of `waotp sim`'s start. Used only while newer
 * than the YAML.
 */
const PREBUILT_CATALOGUE = new URL('../catalogue.json', import.meta.url);

function prebuilt(file: string | URL): string | undefined {
  if (String(file) !== String(DEFAULT_CATALOGUE)) return undefined;
  const built = statSync(PREBUILT_CATALOGUE, { throwIfNoEntry: false });
  return built && built.mtimeMs >= statSync(DEFAULT_CATALOGUE).mtimeMs
    ? readFileSync(PREBUILT_CATALOGUE, 'utf8')
    : undefined;
}

/** Reads and checks a YAML file against a schema, naming the file and field in any error. */
function readYaml<T>(file: string | URL, schema: z.ZodType<T>): T {
  // The build wrote the prebuilt catalogue from this schema's own output: checked there once, not at every start.
  const json = prebuilt(file);
  if (json !== undefined) return JSON.parse(json) as T;
  let raw: unknown;
  try {
    raw = (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScenarioFileError(`${file}: ${(error as Error).message}`);
  }
  if (valueTooDeep(raw)) throw new ScenarioFileError(`${file}: nested deeper than ${MAX_JSON_DEPTH} levels`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ScenarioFileError(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Loads the outcome catalogue (default: the package's `scenarios/catalogue.yaml`).
 * @example
 * const catalogue = loadCatalogue();
 * catalogue.outcomes.rate_limited.numbers; // [{ from: '12085550100', to: '12085550199' }]
 */
export function loadCatalogue(file: string | URL = DEFAULT_CATALOGUE): Catalogue {
  return readYaml(file, catalogueSchema) as Catalogue;
}

/** Loads a rule pack given with `--scenarios`, checking its providers against the registry. */
export function loadRulePack(file: string): RulePack {
  return readYaml(file, rulePackSchema(registry.map((p) => p.id)));
}
