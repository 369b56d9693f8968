/**
 * The `core:` section of waotp.yaml, and turning it into a running service: store, adapters in
 * failover order, policy and delivery settings.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Adapter, CallbackRequest, DeliveryEvent } from '../providers/adapter.js';
import type { AdapterDefinition } from '../providers/adapter.js';
import { parseDuration } from '../util/duration.js';
import { InvalidRequestError } from './errors.js';
import type { Logger } from './logger.js';
import { policySchema } from './policy.js';
import { type OtpService, createOtpService } from './service.js';
import { createMemoryStore } from './stores/memory.js';
import type { OtpStore } from './stores/types.js';
import { parseYaml } from '../util/yaml.js';

const ms = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (e.g. 5s, 10m)` });
    return z.NEVER;
  }
  return parsed;
});

export const coreConfigSchema = z.strictObject({
  secret: z.string().min(16, 'secret must be at least 16 characters').optional(),
  apiKey: z.string().min(8).optional(),
  store: z.string().optional(),
  policy: policySchema.partial().optional(),
  delivery: z
    .strictObject({
      attemptTimeout: ms.optional(),
      deadline: ms.optional(),
      retries: z.number().int().min(0).max(10).optional(),
      initialBackoff: ms.optional(),
      maxBackoff: ms.optional(),
      breaker: z.strictObject({ failures: z.number().int().min(1).optional(), halfOpenAfter: ms.optional() }).optional(),
    })
    .optional(),
  resendOnDeliveryFailure: z.boolean().optional(),
  /** In failover order; each entry is `id` plus that provider's adapter config. */
  providers: z.array(z.looseObject({ id: z.string() })).min(1).optional(),
});
export type CoreConfig = z.infer<typeof coreConfigSchema>;
export type CoreConfigInput = z.input<typeof coreConfigSchema>;

/** What the core knows of a provider: its id and adapter; a full definition also gives its failover rank. */
export interface CoreProvider {
  id: string;
  adapter: AdapterDefinition;
  failoverRank?: number;
}

/** The order `waotp dev` uses when the config names none: by each definition's `failoverRank`, then as listed. */
export function defaultOrder(providers: readonly CoreProvider[]): string[] {
  return providers
    .map((p, i) => ({ id: p.id, rank: p.failoverRank ?? Number.POSITIVE_INFINITY, i }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((p) => p.id);
}

/** Reads the `core:` section of a YAML config file (other sections belong to the simulator). */
export async function loadCoreConfig(file: string): Promise<CoreConfig> {
  const raw = (await parseYaml(await readFile(file, 'utf8'))) as { core?: unknown } | null;
  const parsed = coreConfigSchema.safeParse(raw?.core ?? {});
  if (!parsed.success) throw new InvalidRequestError(`${file}: core: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function openStore(spec: string | undefined): Promise<{ store: OtpStore; kind: string }> {
  if (!spec || spec === 'memory') return { store: createMemoryStore(), kind: 'memory' };
  if (/^rediss?:\/\//.test(spec)) {
    const { createRedisStore } = await import('./stores/redis.js');
    return { store: await createRedisStore({ url: spec }), kind: 'redis' };
  }
  throw new InvalidRequestError(`--store must be "memory" or a redis:// URL, not "${spec}"`);
}

export interface BuildOptions {
  providers: readonly CoreProvider[];
  /** Point every provider at a waotp simulator: its demo credentials, overridable per provider. */
  simulatorUrl?: string;
  /** This service's own URL, so providers that take a callback URL per request report to it. */
  callbackBaseUrl?: string;
  storeSpec?: string;
  secret?: string;
  logger?: Logger;
}

/**
 * Builds a service from a core config.
 * @example
 * const { service } = await buildService(config, { providers, simulatorUrl: 'http://127.0.0.1:4010' });
 */
export async function buildService(config: CoreConfig, options: BuildOptions): Promise<{ service: OtpService; storeKind: string }> {
  const entries = config.providers ?? (options.simulatorUrl ? defaultOrder(options.providers).map((id) => ({ id })) : undefined);
  if (!entries) throw new InvalidRequestError('core.providers must list at least one provider with its credentials');
  const adapters: Adapter[] = [];
  const callbackParsers: Record<string, (request: CallbackRequest) => DeliveryEvent[]> = {};
  for (const entry of entries) {
    const definition = options.providers.find((p) => p.id === entry.id);
    if (!definition) throw new InvalidRequestError(`core.providers: unknown provider "${entry.id}" (known: ${options.providers.map((p) => p.id).join(', ')})`);
    const { id: _id, ...own } = entry;
    const callbackUrl = options.callbackBaseUrl && `${options.callbackBaseUrl}/v1/callbacks/${definition.id}`;
    const raw = options.simulatorUrl
      ? { ...definition.adapter.simulator(options.simulatorUrl, { ...(callbackUrl && { callbackUrl }) }), ...own, baseUrl: options.simulatorUrl }
      : own;
    const parsed = definition.adapter.config.safeParse(raw);
    if (!parsed.success) throw new InvalidRequestError(`core.providers.${entry.id}: ${z.prettifyError(parsed.error)}`);
    adapters.push(definition.adapter.create(parsed.data));
    if (definition.adapter.parseCallback) callbackParsers[definition.id] = definition.adapter.parseCallback;
  }
  const secret = options.secret ?? config.secret;
  if (!secret) throw new InvalidRequestError('a secret is required: set core.secret in the config or WAOTP_SECRET');
  const { store, kind } = await openStore(options.storeSpec ?? config.store);
  const d = config.delivery ?? {};
  const service = createOtpService({
    store,
    adapters,
    callbackParsers,
    secret,
    ...(config.policy && { policy: config.policy }),
    ...(options.logger && { logger: options.logger }),
    ...(config.resendOnDeliveryFailure !== undefined && { resendOnDeliveryFailure: config.resendOnDeliveryFailure }),
    delivery: {
      ...(d.attemptTimeout !== undefined && { attemptTimeoutMs: d.attemptTimeout }),
      ...(d.deadline !== undefined && { deadlineMs: d.deadline }),
      ...(d.retries !== undefined && { retries: d.retries }),
      ...(d.initialBackoff !== undefined && { initialBackoffMs: d.initialBackoff }),
      ...(d.maxBackoff !== undefined && { maxBackoffMs: d.maxBackoff }),
      ...(d.breaker && { breaker: { ...(d.breaker.failures && { failures: d.breaker.failures }), ...(d.breaker.halfOpenAfter && { halfOpenAfterMs: d.breaker.halfOpenAfter }) } }),
    },
  });
  return { service, storeKind: kind };
}
