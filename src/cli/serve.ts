/**
 * `waotp serve`: the OTP service's HTTP API, for production.
 * @module
 */
import { createLogger } from '../core/logger.js';
import { type CoreConfig, loadCoreConfig } from '../core/config.js';
import { startCore } from '../core/server.js';
import { closeOnSignal, guard, parse, port } from './args.js';

export const HELP = `Usage: waotp serve [options]

Serve the OTP service: POST /v1/verifications, POST /v1/verifications/check, GET /v1/verifications/:id.

Options:
  --port <n>       port                                     (default 4020)
  --host <addr>    address to bind                          (default 127.0.0.1)
  --config <file>  waotp.yaml: its core: section lists providers in failover order with credentials
  --store <spec>   memory | redis://host:port/db            (default memory, or core.store)
Environment: WAOTP_SECRET (the code-hashing key, required unless core.secret is set), WAOTP_API_KEY.`;

export function run(argv: string[]) {
  return guard('serve', HELP, async () => {
    const { values } = parse(argv, {
      port: { type: 'string', default: '4020' },
      host: { type: 'string', default: '127.0.0.1' },
      config: { type: 'string' },
      store: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) return void console.log(HELP);
    const config: CoreConfig = values.config ? await loadCoreConfig(values.config) : {};
    if (process.env.WAOTP_API_KEY) config.apiKey = process.env.WAOTP_API_KEY;
    const logger = await createLogger();
    const core = await startCore({
      config,
      port: port(values.port, '--port'),
      host: values.host,
      logger,
      ...(values.store && { store: values.store }),
      ...(process.env.WAOTP_SECRET && { secret: process.env.WAOTP_SECRET }),
    });
    closeOnSignal(core.close);
    console.log(`waotp OTP service listening on ${core.url} (providers: ${core.service.providers.join(' -> ')})`);
  });
}
