/**
 * The `core:` section of waotp.yaml, and turning it into a running service: store, adapters in
 * failover order, policy and delivery settings.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Adapter, AdapterDefinition, CallbackRequest, DeliveryEvent } from '../providers/adapter.js';
import { parseDuration } from '../util/duration.js';
import { parseYaml } from '../util/yaml.js';
import { InvalidRequestError } from './errors.js';
import type { Logger } from './logger.js';
import { policySchema } from './policy.js';
import {
  type AbuseLimits,
  createOtpService,
  deriveReportToken,
  type OtpService,
  type ReportVerifier,
} from './service.js';
import { createMemoryStore } from './stores/memory.js';
import type { OtpStore } from './stores/types.js';

const ms = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (e.g. 5s, 10m)` });
    return z.NEVER;
  }
  return parsed;
});

/** `{ max, window }`, or `false` to switch a limit off. */
const windowLimit = z.union([z.literal(false), z.strictObject({ max: z.number().int().min(1), window: ms })]);

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
      breaker: z
        .strictObject({ failures: z.number().int().min(1).optional(), halfOpenAfter: ms.optional() })
        .optional(),
    })
    .optional(),
  resendOnDeliveryFailure: z.boolean().optional(),
  /** The token delivery reports carry in their URL (default: derived from the secret). */
  reportToken: z
    .string()
    .regex(/^[\w-]{24,128}$/, 'reportToken must be 24 to 128 letters, digits, - or _')
    .optional(),
  limits: z
    .strictObject({
      bodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(10 * 1024 * 1024)
        .optional(),
      jsonDepth: z.number().int().min(2).max(1000).optional(),
      sendsPerIp: windowLimit.optional(),
      sendBudget: windowLimit.optional(),
      checksPerIp: windowLimit.optional(),
    })
    .optional(),
  /** Client addresses from the last X-Forwarded-For entry (set when one proxy you run sits in front). */
  trustProxy: z.boolean().optional(),
  /** How long a shutdown waits for requests in flight before cutting them. */
  drainTimeout: ms.optional(),
  /** Longest wait for one store command (Redis) before answering 503. */
  storeTimeout: ms.optional(),
  /** In failover order; each entry is `id` plus that provider's adapter config. */
  providers: z
    .array(z.looseObject({ id: z.string() }))
    .min(1)
    .optional(),
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

/** The limits `waotp serve` applies when the config says nothing; `waotp dev` applies only configured ones. */
export const LIMIT_DEFAULTS: Required<AbuseLimits> = {
  sendsPerIp: { max: 20, windowMs: 10 * 60_000 },
  sendBudget: { max: 1000, windowMs: 60 * 60_000 },
  checksPerIp: { max: 60, windowMs: 10 * 60_000 },
};

/** The abuse limits in force: configured ones, else (for `serve`) the defaults; `false` switches one off. */
export function resolveLimits(config: CoreConfig['limits'], withDefaults: boolean): AbuseLimits {
  const out: AbuseLimits = {};
  for (const name of ['sendsPerIp', 'sendBudget', 'checksPerIp'] as const) {
    const given = config?.[name];
    if (given === false) continue;
    if (given) out[name] = { max: given.max, windowMs: given.window };
    else if (withDefaults) out[name] = LIMIT_DEFAULTS[name];
  }
  return out;
}

export async function openStore(
  spec: string | undefined,
  options: { logger?: Logger; timeoutMs?: number } = {},
): Promise<{ store: OtpStore; kind: string }> {
  if (!spec || spec === 'memory') return { store: createMemoryStore(), kind: 'memory' };
  if (/^rediss?:\/\//.test(spec)) {
    const { createRedisStore } = await import('./stores/redis.js');
    return { store: await createRedisStore({ url: spec, ...options }), kind: 'redis' };
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
  /** Apply the default abuse limits where the config names none (`serve`); `waotp dev` leaves them off. */
  defaultLimits?: boolean;
}

/**
 * Builds a service from a core config.
 * @example
 * const { service } = await buildService(config, { providers, simulatorUrl: 'http://127.0.0.1:4010' });
 */
export async function buildService(
  config: CoreConfig,
  options: BuildOptions,
): Promise<{ service: OtpService; storeKind: string }> {
  const entries =
    config.providers ?? (options.simulatorUrl ? defaultOrder(options.providers).map((id) => ({ id })) : undefined);
  if (!entries) throw new InvalidRequestError('core.providers must list at least one provider with its credentials');
  const adapters: Adapter[] = [];
  const callbackParsers: Record<string, (request: CallbackRequest) => DeliveryEvent[]> = {};
  const reportVerifiers: Record<string, ReportVerifier> = {};
  const secret = options.secret ?? config.secret;
  if (!secret) throw new InvalidRequestError('a secret is required: set core.secret in the config or WAOTP_SECRET');
  const reportToken = config.reportToken ?? deriveReportToken(secret);
  for (const entry of entries) {
    const definition = options.providers.find((p) => p.id === entry.id);
    if (!definition)
      throw new InvalidRequestError(
        `core.providers: unknown provider "${entry.id}" (known: ${options.providers.map((p) => p.id).join(', ')})`,
      );
    const { id: _id, ...own } = entry;
    const callbackUrl =
      options.callbackBaseUrl && `${options.callbackBaseUrl}/v1/callbacks/${definition.id}/${reportToken}`;
    const raw = options.simulatorUrl
      ? {
          ...definition.adapter.simulator(options.simulatorUrl, { ...(callbackUrl && { callbackUrl }) }),
          ...own,
          baseUrl: options.simulatorUrl,
        }
      : own;
    const parsed = definition.adapter.config.safeParse(raw);
    if (!parsed.success) throw new InvalidRequestError(`core.providers.${entry.id}: ${z.prettifyError(parsed.error)}`);
    adapters.push(definition.adapter.create(parsed.data));
    if (definition.adapter.parseCallback) callbackParsers[definition.id] = definition.adapter.parseCallback;
    const verifyReport = definition.adapter.verifyReport;
    if (verifyReport)
      reportVerifiers[definition.id] = (rawBody, headers) => verifyReport(rawBody, headers, parsed.data);
  }
  const { store, kind } = await openStore(options.storeSpec ?? config.store, {
    ...(options.logger && { logger: options.logger }),
    ...(config.storeTimeout !== undefined && { timeoutMs: config.storeTimeout }),
  });
  const d = config.delivery ?? {};
  const service = createOtpService({
    store,
    adapters,
    callbackParsers,
    secret,
    reportToken,
    reportVerifiers,
    limits: resolveLimits(config.limits, options.defaultLimits ?? false),
    ...(config.policy && { policy: config.policy }),
    ...(options.logger && { logger: options.logger }),
    ...(config.resendOnDeliveryFailure !== undefined && { resendOnDeliveryFailure: config.resendOnDeliveryFailure }),
    delivery: {
      ...(d.attemptTimeout !== undefined && { attemptTimeoutMs: d.attemptTimeout }),
      ...(d.deadline !== undefined && { deadlineMs: d.deadline }),
      ...(d.retries !== undefined && { retries: d.retries }),
      ...(d.initialBackoff !== undefined && { initialBackoffMs: d.initialBackoff }),
      ...(d.maxBackoff !== undefined && { maxBackoffMs: d.maxBackoff }),
      ...(d.breaker && {
        breaker: {
          ...(d.breaker.failures && { failures: d.breaker.failures }),
          ...(d.breaker.halfOpenAfter && { halfOpenAfterMs: d.breaker.halfOpenAfter }),
        },
      }),
    },
  });
  return { service, storeKind: kind };
}
