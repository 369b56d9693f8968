/**
 * `waotp serve`: the OTP service's HTTP API, for production.
 * @module
 */

import { type CoreConfig, loadCoreConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { startCore } from '../core/server.js';
import { deriveReportToken } from '../core/service.js';
import { registry } from '../providers/registry.js';
import { closeOnSignal, guard, parse, port, UsageError } from './args.js';

export const HELP = `Usage: waotp serve [options]

Serve the OTP service: POST /v1/verifications, POST /v1/verifications/check, GET /v1/verifications/:id.

Options:
  --port <n>       port                                     (default 4020)
  --host <addr>    address to bind                          (default 127.0.0.1)
  --config <file>  waotp.yaml: its core: section lists providers in failover order with credentials
  --store <spec>   memory | redis://host:port/db            (default memory, or core.store)
  --insecure       serve beyond loopback without an API key (refused otherwise)
  --report-urls <base>  print each provider's delivery-report URL (with its token) under <base>, and exit
Environment: WAOTP_SECRET (the code-hashing key, required unless core.secret is set), WAOTP_API_KEY.
Stops on SIGTERM/SIGINT after requests in flight finish (core.drainTimeout, default 10s).`;

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function run(argv: string[]) {
  return guard('serve', HELP, async () => {
    const { values } = parse(argv, {
      port: { type: 'string', default: '4020' },
      host: { type: 'string', default: '127.0.0.1' },
      config: { type: 'string' },
      store: { type: 'string' },
      insecure: { type: 'boolean' },
      'report-urls': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) return void console.log(HELP);
    const config: CoreConfig = values.config ? await loadCoreConfig(values.config) : {};
    if (process.env.WAOTP_API_KEY) config.apiKey = process.env.WAOTP_API_KEY;
    const secret = process.env.WAOTP_SECRET ?? config.secret;
    if (values['report-urls'] !== undefined) {
      if (!secret) throw new UsageError('the report URLs derive from the secret: set WAOTP_SECRET or core.secret');
      const token = config.reportToken ?? deriveReportToken(secret);
      const base = values['report-urls'].replace(/\/+$/, '');
      const ids = config.providers?.map((p) => p.id) ?? registry.map((p) => p.id);
      for (const id of ids)
        if (registry.find((p) => p.id === id)?.adapter.parseCallback)
          console.log(`${id}\t${base}/v1/callbacks/${id}/${token}`);
      return;
    }
    if (!config.apiKey) {
      if (!isLoopback(values.host) && !values.insecure) {
        throw new UsageError(
          `refusing to serve on ${values.host} without an API key: ` +
            'set WAOTP_API_KEY or core.apiKey (or pass --insecure)',
        );
      }
      console.error(
        `waotp serve: warning: no API key; anyone who can reach ${values.host} can send codes (set WAOTP_API_KEY)`,
      );
    }
    const logger = await createLogger();
    const core = await startCore({
      config,
      port: port(values.port, '--port'),
      host: values.host,
      logger,
      defaultLimits: true,
      ...(values.store && { store: values.store }),
      ...(secret && { secret }),
    });
    closeOnSignal(() => core.close());
    console.log(`waotp OTP service listening on ${core.url} (providers: ${core.service.providers.join(' -> ')})`);
  });
}
