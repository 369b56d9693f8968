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
import { MAX_JSON_DEPTH, valueTooDeep } from './json-limits.js';

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
  historyBytes: z.number().int().positive().optional(),
  drainMs: ms.optional(),
  lateAfterMs: ms.optional(),
  delays: z.strictObject({ sent: ms, delivered: ms, read: ms, failed: ms }).partial().optional(),
});

/** `admin:` in the config file: who may use the control plane (see admin-guard.ts). */
export const adminConfigSchema = z.strictObject({
  /** Required on `/__admin` and the page when set (`--admin-token`, `WAOTP_ADMIN_TOKEN`). */
  token: z.string().min(1).optional(),
  /** Host names accepted besides loopback names and the bound address (`--allow-host`). */
  allowHosts: z.array(z.string().trim().min(1)).optional(),
  /** Origins whose pages may change state, e.g. `http://localhost:3000`. */
  allowOrigins: z.array(z.url()).optional(),
  /** Unsent bytes an event-stream client may hold before it is disconnected. */
  sseBufferBytes: z.number().int().positive().optional(),
});

/** `server:` in the config file: how long slow or silent sockets are kept (see server.ts). */
export const serverConfigSchema = z.strictObject({
  headersTimeoutMs: z.number().int().positive().optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  keepAliveTimeoutMs: z.number().int().positive().optional(),
});

export const configSchema = z.strictObject({
  seed: z.number().int().optional(),
  providers: z.record(z.string(), settingsSchema).optional(),
  inbox: z
    .strictObject({
      capacity: z.number().int().positive().optional(),
      maxBytes: z.number().int().positive().optional(),
    })
    .optional(),
  journal: z
    .strictObject({
      capacity: z.number().int().positive().optional(),
      maxBytes: z.number().int().positive().optional(),
    })
    .optional(),
  admin: adminConfigSchema.optional(),
  server: serverConfigSchema.optional(),
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
export function parseConfig(
  raw: unknown,
  providers: readonly ProviderDefinition[],
  source = 'config',
): SimulatorConfig {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`${source}: ${z.prettifyError(parsed.error)}`);
  for (const [id, settings] of Object.entries(parsed.data.providers ?? {})) {
    const provider = providers.find((p) => p.id === id);
    if (!provider) {
      const ids = providers.map((p) => p.id);
      throw new ConfigError(`${source}: unknown provider "${id}"${didYouMean(id, ids)} (known: ${ids.join(', ')})`);
    }
    const webhookUrl = settings.options?.webhookUrl;
    if (webhookUrl !== undefined && !webhookUrlSchema.safeParse(webhookUrl).success) {
      throw new ConfigError(`${source}: providers.${id}.options.webhookUrl must be an http(s) URL`);
    }
    settings.credentials = settings.credentials?.map((credential, i) => {
      const result = provider.credential.safeParse(credential);
      if (!result.success)
        throw new ConfigError(`${source}: providers.${id}.credentials[${i}]: ${z.prettifyError(result.error)}`);
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
  if (valueTooDeep(raw)) throw new ConfigError(`${file}: nested deeper than ${MAX_JSON_DEPTH} levels`);
  return parseConfig(raw, providers, file);
}

const webhookUrlSchema = z.url({ protocol: /^https?$/ });

/** A provider's settings, with its webhook URL (config `options.webhookUrl`) resolved into the typed `webhookUrl`. */
export function settingsFor(config: SimulatorConfig, id: string): ProviderSettings {
  const settings = (config.providers?.[id] ?? {}) as ProviderSettings;
  const webhookUrl = settings.options?.webhookUrl;
  return typeof webhookUrl === 'string' && webhookUrl !== '' ? { ...settings, webhookUrl } : settings;
}

/**
 * The config with `url` as a provider's webhook URL setting (`options.webhookUrl`), unless one is set already.
 * @example
 * const wired = withWebhookUrl(config, 'splashify', 'http://127.0.0.1:4020/v1/callbacks/splashify');
 */
export function withWebhookUrl(config: SimulatorConfig, id: string, url: string): SimulatorConfig {
  const settings = config.providers?.[id] ?? {};
  if (settings.options?.webhookUrl !== undefined) return config;
  return {
    ...config,
    providers: { ...config.providers, [id]: { ...settings, options: { ...settings.options, webhookUrl: url } } },
  };
}
