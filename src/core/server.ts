/**
 * Running the OTP service over HTTP, and stopping it without dropping requests.
 * @module
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { registry } from '../providers/registry.js';
import { buildService, type CoreConfigInput, type CoreProvider, coreConfigSchema } from './config.js';
import { drainable } from './drain.js';
import { InvalidRequestError, ShuttingDownError } from './errors.js';
import { createOtpHttp, problemFor } from './http.js';
import { type Logger, silentLogger } from './logger.js';
import type { OtpService } from './service.js';

/** How long a shutdown waits for requests in flight, unless configured (core.drainTimeout). */
export const DEFAULT_DRAIN_MS = 10_000;
// After the drain deadline cuts the sends still in flight, how long their 503 answers may take to leave.
const CUT_GRACE_MS = 2000;

export interface RunningCore {
  url: string;
  port: number;
  service: OtpService;
  /**
   * Stops accepting and closes idle connections; lets requests in flight finish for up to `drainMs`, each answer
   * closing its connection; then cuts the sends still running (they release their cooldown and answer 503), drops
   * what is still open, and closes the store. Resolves as soon as that is done.
   */
  close(drainMs?: number): Promise<void>;
}

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** Serves a service's HTTP app; `close()` drains it and closes the service's store. */
export function listen(
  service: OtpService,
  app: { fetch: Fetch },
  port: number,
  host: string,
  { drainMs: defaultDrainMs = DEFAULT_DRAIN_MS, logger = silentLogger }: { drainMs?: number; logger?: Logger } = {},
): Promise<RunningCore> {
  return new Promise((resolve, reject) => {
    // A request that reaches us during the drain (on a connection still open) goes elsewhere.
    const fetch: Fetch = (request, env) =>
      drain.draining
        ? problemFor(new ShuttingDownError('the service is shutting down; retry'))
        : app.fetch(request, env);
    const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`,
        port: info.port,
        service,
        close: (drainMs = defaultDrainMs) =>
          (closing ??= (async () => {
            const started = Date.now();
            const inFlight = drain.open;
            let cut = 0;
            if (!(await drain.stop(drainMs))) {
              // The deadline: the sends still running release their cooldown and answer 503.
              cut = drain.open;
              service.abort();
              if (cut === 0 || !(await drain.stop(CUT_GRACE_MS))) await drain.kill();
            }
            if (inFlight > 0) logger.warn({ inFlight, cut, ms: Date.now() - started }, 'drained requests in flight');
            await service.close().catch(() => undefined);
          })()),
      });
    }) as Server;
    const drain = drainable(server);
    server.once('error', reject);
  });
}

export interface CoreServerOptions {
  /** The `core:` section, as written in YAML or built in code; checked here. */
  config?: CoreConfigInput;
  port?: number;
  host?: string;
  store?: string;
  secret?: string;
  simulatorUrl?: string;
  /** This service's URL as providers reach it, for delivery reports (default: derived from host and port). */
  callbackBaseUrl?: string;
  logger?: Logger;
  /** Apply the default abuse limits where the config names none (`waotp serve` does; `waotp dev` does not). */
  defaultLimits?: boolean;
  /**
   * The providers it may use: default the registry's adapters; `waotp dev` passes full definitions (failover
   * ranks).
   */
  providers?: readonly CoreProvider[];
}

/**
 * Starts the OTP service's HTTP API.
 * @example
 * const core = await startCore({ config, port: 4020, store: 'redis://127.0.0.1:6379' });
 */
export async function startCore({
  config: input = {},
  port = 4020,
  host = '127.0.0.1',
  store,
  secret,
  simulatorUrl,
  callbackBaseUrl,
  logger,
  defaultLimits,
  providers = registry,
}: CoreServerOptions = {}): Promise<RunningCore> {
  const parsed = coreConfigSchema.safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(`core config: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  const { service, storeKind } = await buildService(config, {
    providers,
    ...(simulatorUrl && { simulatorUrl }),
    ...(callbackBaseUrl && { callbackBaseUrl }),
    ...(store && { storeSpec: store }),
    ...(secret && { secret }),
    ...(logger && { logger }),
    ...(defaultLimits !== undefined && { defaultLimits }),
  });
  const app = createOtpHttp(service, {
    ...(config.apiKey && { apiKey: config.apiKey }),
    ...(logger && { logger }),
    ...(config.limits?.bodyBytes !== undefined && { maxBodyBytes: config.limits.bodyBytes }),
    ...(config.limits?.jsonDepth !== undefined && { maxJsonDepth: config.limits.jsonDepth }),
    ...(config.trustProxy !== undefined && { trustProxy: config.trustProxy }),
    health: () => ({ store: storeKind }),
  });
  try {
    return await listen(service, app, port, host, {
      ...(config.drainTimeout !== undefined && { drainMs: config.drainTimeout }),
      ...(logger && { logger }),
    });
  } catch (error) {
    await service.close().catch(() => undefined);
    throw error;
  }
}
