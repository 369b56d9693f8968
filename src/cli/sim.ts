/**
 * `waotp sim`: start the simulator and print where every provider lives.
 * @module
 */
import { parseArgs } from 'node:util';
import { providers } from '../providers/index.js';
import { describeProviders } from '../simulator/app.js';
import { type RulePack, loadRulePack } from '../simulator/catalogue.js';
import { ConfigError, type SimulatorConfig, loadConfig } from '../simulator/config.js';
import { startSimulator } from '../simulator/server.js';
import { closeOnSignal } from './args.js';

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
                   default: any URL
  -h, --help       show this help`;

export async function run(argv: string[]): Promise<number | void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '4010' },
        host: { type: 'string', default: '127.0.0.1' },
        config: { type: 'string' },
        seed: { type: 'string' },
        scenarios: { type: 'string', multiple: true },
        'callback-allow': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`waotp sim: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`waotp sim: --port must be 0-65535, got "${values.port}"`);
    return 2;
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    console.error(`waotp sim: --seed must be an integer, got "${values.seed}"`);
    return 2;
  }
  let config: SimulatorConfig = {};
  if (values.config) {
    try {
      config = await loadConfig(values.config, providers);
    } catch (error) {
      console.error(`waotp sim: ${error instanceof ConfigError ? error.message : `cannot read ${values.config}: ${(error as Error).message}`}`);
      return 2;
    }
  }
  let rulePacks: RulePack[];
  try {
    rulePacks = (values.scenarios ?? []).map(loadRulePack);
  } catch (error) {
    console.error(`waotp sim: ${(error as Error).message}`);
    return 2;
  }
  const allow = values['callback-allow']?.flatMap((list) => list.split(',')).map((host) => host.trim()).filter(Boolean);
  const sim = await startSimulator({ port, host: values.host, config, rulePacks, ...(seed !== undefined && { seed }), ...(allow && { callbacks: { allow } }) });
  // Handlers first: a script may signal as soon as it reads the banner.
  closeOnSignal(sim.close);
  console.log(banner(sim.url));
}

function banner(url: string): string {
  const lines = [`waotp simulator listening on ${url}`, `  Inbox: ${url}/`, `  admin API: ${url}/__admin  (health: ${url}/__admin/health)`, '', '  providers (documented paths at the root, or under the base path):'];
  for (const p of describeProviders(providers)) {
    lines.push(`  ${p.name} (${url}${p.basePath})`);
    for (const e of p.endpoints) lines.push(`      ${e.method.padEnd(5)} ${e.path}`);
    lines.push(`      demo credentials: ${Object.entries(p.demoCredentials).map(([k, v]) => `${k}: ${v}`).join('  ')}`);
  }
  return lines.join('\n');
}
