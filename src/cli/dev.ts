/**
 * `waotp dev`: the simulator and an OTP service wired to it, for local development. `npm start` runs it.
 * @module
 */
import { type CoreConfig, loadCoreConfig } from '../core/config.js';
import { providers } from '../providers/index.js';
import { loadRulePack, type RulePack } from '../simulator/catalogue.js';
import { loadConfig, type SimulatorConfig } from '../simulator/config.js';
import { startDev } from '../testing/dev.js';
import { closeOnSignal, guard, LOG_HELP, LOG_OPTIONS, logOptions, parse, port } from './args.js';
import { simulatorBanner } from './banner.js';
import { boundHeap } from './heap.js';
import { adminOptions } from './sim.js';

export const HELP = `Usage: waotp dev [options]

Start the simulator and an OTP service whose providers all point at it.

Options:
  --port <n>         simulator port                         (default 4010)
  --core-port <n>    OTP service port                       (default 4020)
  --host <addr>      address to bind                        (default 127.0.0.1)
  --store <spec>     memory | redis://host:port/db          (default memory)
  --config <file>    waotp.yaml (simulator settings; core: failover order, policy, delivery)
  --seed <n>         simulator seed
  --scenarios <f>    simulator rule pack (repeatable)
  --admin-token <s>  require this token on the simulator's /__admin and inbox page (env WAOTP_ADMIN_TOKEN)
  --allow-host <n>   extra host names the simulator's control plane answers to (repeatable)
${LOG_HELP}
Environment: WAOTP_SECRET (default: a random secret per run; required with a Redis store shared by instances).
Abuse limits (core.limits) are off unless configured: a test suite may send many codes from 127.0.0.1.`;

export function run(argv: string[]) {
  return guard('dev', HELP, async () => {
    const { values } = parse(argv, {
      port: { type: 'string', default: '4010' },
      'core-port': { type: 'string', default: '4020' },
      host: { type: 'string', default: '127.0.0.1' },
      store: { type: 'string' },
      config: { type: 'string' },
      seed: { type: 'string' },
      scenarios: { type: 'string', multiple: true },
      'admin-token': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      ...LOG_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) return void console.log(HELP);
    const log = logOptions(values);
    const simulatorConfig: SimulatorConfig = values.config ? await loadConfig(values.config, providers) : {};
    const coreConfig: CoreConfig = values.config ? await loadCoreConfig(values.config) : {};
    const rulePacks: RulePack[] = (values.scenarios ?? []).map(loadRulePack);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    const dev = await startDev({
      config: coreConfig,
      port: port(values['core-port'], '--core-port'),
      simulatorPort: port(values.port, '--port'),
      host: values.host,
      ...(values.store && { store: values.store }),
      ...(process.env.WAOTP_SECRET && { secret: process.env.WAOTP_SECRET }),
      simulator: {
        config: simulatorConfig,
        rulePacks,
        log,
        admin: adminOptions(values['admin-token'], values['allow-host']),
        ...(seed !== undefined && Number.isInteger(seed) && { seed }),
      },
    });
    closeOnSignal(() => dev.close());
    // After start-up, which allocates freely and is quicker with V8's defaults.
    boundHeap();
    console.log(
      [
        `waotp dev: simulator listening on ${dev.simulator.url}  ` +
          `(messages as JSON: ${dev.simulator.url}/__admin/messages)`,
        `waotp dev: OTP service listening on ${dev.core.url}  (providers: ${dev.core.service.providers.join(' -> ')})`,
        '',
        ...simulatorBanner(dev.simulator.url, providers, simulatorConfig),
        '',
        '  Try it (the inbox page shows every code as it arrives):',
        `  curl -s ${dev.core.url}/v1/verifications -H 'Content-Type: application/json' -d '{"to":"+6281234567890"}'`,
        `  curl -s '${dev.simulator.url}/__admin/messages/latest?to=6281234567890'`,
        `  curl -s ${dev.core.url}/v1/verifications/check -H 'Content-Type: application/json' ` +
          `-d '{"to":"+6281234567890","code":"<code>"}'`,
      ].join('\n'),
    );
  });
}
