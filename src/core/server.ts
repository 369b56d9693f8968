/**
 * Running the OTP service over HTTP.
 * @module
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { registry } from '../providers/registry.js';
import { z } from 'zod';
import { type CoreConfigInput, type CoreProvider, buildService, coreConfigSchema } from './config.js';
import { InvalidRequestError } from './errors.js';
import { createOtpHttp } from './http.js';
import type { Logger } from './logger.js';
import type { OtpService } from './service.js';

export interface RunningCore {
  url: string;
  port: number;
  service: OtpService;
  close(): Promise<void>;
}

/** Serves a service's HTTP app; `close()` also closes the service's store. */
export function listen(service: OtpService, app: { fetch: (request: Request) => Response | Promise<Response> }, port: number, host: string): Promise<RunningCore> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`,
        port: info.port,
        service,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => void service.close().then(done, done));
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
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
  /** The providers it may use: default the registry's adapters; `waotp dev` passes full definitions (failover ranks). */
  providers?: readonly CoreProvider[];
}

/**
 * Starts the OTP service's HTTP API.
 * @example
 * const core = await startCore({ config, port: 4020, store: 'redis://127.0.0.1:6379' });
 */
export async function startCore({ config: input = {}, port = 4020, host = '127.0.0.1', store, secret, simulatorUrl, callbackBaseUrl, logger, providers = registry }: CoreServerOptions = {}): Promise<RunningCore> {
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
  });
  const app = createOtpHttp(service, { ...(config.apiKey && { apiKey: config.apiKey }), ...(logger && { logger }), health: () => ({ store: storeKind }) });
  return listen(service, app, port, host);
}
