/**
 * `waotp/testing`: start a simulator from a test and steer it.
 * @module
 */
import { z } from 'zod';
import { providers } from '../providers/index.js';
import { loadRulePack } from '../simulator/catalogue.js';
import { ConfigError, parseConfig, type SimulatorConfig } from '../simulator/config.js';
import { LOG_FORMATS, LOG_LEVELS } from '../simulator/request-log.js';
import { startSimulator as startServer } from '../simulator/server.js';
import { type AdminClient, createAdminClient } from './admin-client.js';

export type { AdminClient, ArmInput, RequestFilter } from './admin-client.js';
export { AdminError, createAdminClient } from './admin-client.js';

export interface TestSimulator extends AdminClient {
  port: number;
  close(): Promise<void>;
}

/** What only a test sets; everything else is the config file's own shape (`waotp sim --config`). */
const knobsSchema = z.strictObject({
  /** Default 0: a free port. */
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).optional(),
  /** Rule pack files armed at start and after every reset, as `waotp sim --scenarios`. */
  scenarios: z.array(z.string()).optional(),
  /** The request log on stderr, as `--log-level` / `--log-format`; default: silent. */
  log: z.strictObject({ level: z.enum(LOG_LEVELS).optional(), format: z.enum(LOG_FORMATS).optional() }).optional(),
});
const KNOBS = Object.keys(knobsSchema.shape);

/** The config file's shape (seed, providers, inbox, journal, callbacks) plus `port`, `host`, `scenarios` and `log`. */
export type TestSimulatorOptions = Omit<SimulatorConfig, 'core'> & z.input<typeof knobsSchema>;

/**
 * Starts a simulator on a free loopback port and returns its admin client. Takes the config file's shape,
 * checked by the same schema with the same messages, plus test-only knobs.
 * @example
 * const sim = await startSimulator({ seed: 42, providers: { splashify: { credentials: [{ key: 'sk_test' }] } } });
 * await sim.arm({ provider: 'splashify', outcome: 'rate_limited' });
 * // ... point your code at sim.url, then:
 * expect(await sim.latestOtp('+6281234567890')).toMatch(/^\d{6}$/);
 * await sim.close();
 */
export async function startSimulator(options: TestSimulatorOptions = {}): Promise<TestSimulator> {
  const source = 'startSimulator() options';
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${source}: expected an object`);
  if ('config' in options) {
    throw new ConfigError(
      `${source}: pass the config file's fields directly, ` +
        'e.g. startSimulator({ seed: 42, providers: {…} }), not { config: {…} }',
    );
  }
  const knobs: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) (KNOBS.includes(key) ? knobs : rest)[key] = value;
  const parsed = knobsSchema.safeParse(knobs);
  if (!parsed.success) throw new ConfigError(`${source}: ${z.prettifyError(parsed.error)}`);
  const config = parseConfig(rest, providers, source);
  const { port = 0, host, scenarios = [], log } = parsed.data;
  const running = await startServer({
    port,
    ...(host !== undefined && { host }),
    config,
    rulePacks: scenarios.map(loadRulePack),
    ...(log && { log }),
  });
  // A config that locks the control plane gives its token to the test's own admin client.
  const token = config.admin?.token;
  return {
    ...createAdminClient(running.url, { ...(token !== undefined && { token }) }),
    port: running.port,
    close: running.close,
  };
}
export { DEV_SECRET, type DevOptions, startDev } from './dev.js';
export {
  type AdapterReport,
  type CellReport,
  EXPECTED_KIND,
  formatCells,
  type VerifyAdapterOptions,
  verifyAdapter,
} from './verify-adapter.js';
