/**
 * The simulator's config file (`--config waotp.yaml`): pinned credentials, templates, quotas, rate limits
 * and blocked numbers per provider. Everything is optional; an absent file means "accept anything well-formed".
 * @module
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ProviderDefinition, ProviderSettings } from '../providers/define.js';
import { didYouMean } from '../util/suggest.js';
import { parseYaml } from '../util/yaml.js';

const rateLimitSchema = z.union([
  z.literal(false),
  z.strictObject({ limit: z.number().int().positive(), windowMs: z.number().int().positive() }),
]);

const settingsSchema = z.strictObject({
  credentials: z.array(z.unknown()).optional(),
  templates: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
  quota: z.number().int().nonnegative().optional(),
  rateLimit: rateLimitSchema.optional(),
  blocked: z.array(z.union([z.string(), z.number()]).transform((v) => String(v).replace(/\D+/g, ''))).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

const ms = z.number().int().nonnegative();

/** `callbacks:` in the config file; every field has a default (see dispatcher.ts). */
export const callbacksConfigSchema = z.strictObject({
  /** Hosts callbacks may go to (`host`, `host:port`, `*.domain`); absent or empty: any URL. */
  allow: z.array(z.string().trim().min(1)).optional(),
  speed: z.number().positive().optional(),
  timeoutMs: z.number().int().positive().optional(),
  retryDelayMs: ms.optional(),
  capacity: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  history: z.number().int().positive().optional(),
  drainMs: ms.optional(),
  lateAfterMs: ms.optional(),
  delays: z.strictObject({ sent: ms, delivered: ms, read: ms, failed: ms }).partial().optional(),
});

export const configSchema = z.strictObject({
  seed: z.number().int().optional(),
  providers: z.record(z.string(), settingsSchema).optional(),
  inbox: z.strictObject({ capacity: z.number().int().positive() }).optional(),
  journal: z.strictObject({ capacity: z.number().int().positive() }).optional(),
  callbacks: callbacksConfigSchema.optional(),
  /** The sending core's section (`waotp serve` / `waotp dev`); the simulator ignores it. */
  core: z.unknown().optional(),
});
export type SimulatorConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates a parsed config against the registered providers, including each pinned credential's shape.
 * @example
 * const config = parseConfig({ providers: { splashify: { credentials: [{ key: 'sk_live_x' }] } } }, providers);
 */
export function parseConfig(raw: unknown, providers: readonly ProviderDefinition[], source = 'config'): SimulatorConfig {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`${source}: ${z.prettifyError(parsed.error)}`);
  for (const [id, settings] of Object.entries(parsed.data.providers ?? {})) {
    const provider = providers.find((p) => p.id === id);
    if (!provider) {
      const ids = providers.map((p) => p.id);
      throw new ConfigError(`${source}: unknown provider "${id}"${didYouMean(id, ids)} (known: ${ids.join(', ')})`);
    }
    settings.credentials = settings.credentials?.map((credential, i) => {
      const result = provider.credential.safeParse(credential);
      if (!result.success) throw new ConfigError(`${source}: providers.${id}.credentials[${i}]: ${z.prettifyError(result.error)}`);
      return result.data;
    });
  }
  return parsed.data;
}

/** Reads a YAML (or JSON) config file; the YAML parser is loaded only when a file is given. */
export async function loadConfig(file: string, providers: readonly ProviderDefinition[]): Promise<SimulatorConfig> {
  const text = await readFile(file, 'utf8');
  let raw: unknown;
  try {
    raw = await parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  return parseConfig(raw, providers, file);
}

export function settingsFor(config: SimulatorConfig, id: string): ProviderSettings {
  return (config.providers?.[id] ?? {}) as ProviderSettings;
}
