/**
 * `waotp sim`: start the simulator and print where every provider lives.
 * @module
 */
import { providers } from '../providers/index.js';
import { loadRulePack, type RulePack } from '../simulator/catalogue.js';
import { ConfigError, loadConfig, type SimulatorConfig } from '../simulator/config.js';
import { startSimulator } from '../simulator/server.js';
import { closeOnSignal, guard, LOG_HELP, LOG_OPTIONS, logOptions, parse, port, UsageError } from './args.js';
import { simulatorBanner } from './banner.js';
import { boundHeap } from './heap.js';

export const HELP = `Usage: waotp sim [options]

Start the WhatsApp OTP provider simulator.

Options:
  --port <n>       port to listen on; 0 picks a free one   (default 4010)
  --host <addr>    address to bind                         (default 127.0.0.1)
  --config <file>  YAML config: pinned credentials, templates, quotas, rate limits, blocked numbers
  --seed <n>       seed for generated ids, codes and chaos, so runs reproduce
  --scenarios <f>  YAML rule pack armed at start and after every reset (repeatable)
  --callback-allow <host,...>
                   hosts delivery callbacks may go to (host, host:port, *.domain);
                   default: any URL but the simulator itself and link-local/metadata addresses
  --admin-token <secret>
                   require this token on /__admin and the inbox page (Bearer header, or
                   open the page once at /?token=<secret>); env WAOTP_ADMIN_TOKEN
  --allow-host <name,...>
                   host names the control plane answers to besides loopback names and the
                   bound address (DNS-rebinding guard)
${LOG_HELP}
  -h, --help       show this help`;

export function run(argv: string[]) {
  return guard('sim', HELP, async () => {
    const { values } = parse(argv, {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      config: { type: 'string' },
      seed: { type: 'string' },
      scenarios: { type: 'string', multiple: true },
      'callback-allow': { type: 'string', multiple: true },
      'admin-token': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      ...LOG_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) return void console.log(HELP);
    const listenOn = port(values.port, '--port');
    const log = logOptions(values);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed))
      throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
    let config: SimulatorConfig = {};
    if (values.config) {
      try {
        config = await loadConfig(values.config, providers);
      } catch (error) {
        throw error instanceof ConfigError
          ? error
          : new Error(`cannot read ${values.config}: ${(error as Error).message}`);
      }
    }
    const rulePacks: RulePack[] = (values.scenarios ?? []).map(loadRulePack);
    const allow = values['callback-allow']
      ?.flatMap((list) => list.split(','))
      .map((host) => host.trim())
      .filter(Boolean);
    const admin = adminOptions(values['admin-token'], values['allow-host']);
    const sim = await startSimulator({
      port: listenOn,
      host: values.host,
      config,
      rulePacks,
      admin,
      log,
      ...(seed !== undefined && { seed }),
      ...(allow && { callbacks: { allow } }),
    });
    // Handlers first: a script may signal as soon as it reads the banner.
    closeOnSignal(sim.close);
    // After start-up, which allocates freely and is quicker with V8's defaults.
    boundHeap();
    console.log([`waotp simulator listening on ${sim.url}`, ...simulatorBanner(sim.url, providers, config)].join('\n'));
  });
}

/** `--admin-token` (else WAOTP_ADMIN_TOKEN) and `--allow-host`, over the config file's `admin:`. */
export function adminOptions(token: string | undefined, hosts: string[] | undefined) {
  const secret = token ?? (process.env.WAOTP_ADMIN_TOKEN || undefined);
  const allowHosts = hosts
    ?.flatMap((list) => list.split(','))
    .map((h) => h.trim())
    .filter(Boolean);
  return { ...(secret !== undefined && { token: secret }), ...(allowHosts?.length && { allowHosts }) };
}
