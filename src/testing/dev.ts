/**
 * `waotp dev` as a function: a simulator plus an OTP service whose providers all point at it.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { InvalidRequestError } from '../core/errors.js';
import { type CoreServerOptions, startCore } from '../core/server.js';
import { deriveReportToken } from '../core/service.js';
import { providers as registry } from '../providers/index.js';
import { type SimulatorConfig, withWebhookUrl } from '../simulator/config.js';
import { type RunningSimulator, type StartOptions, startSimulator } from '../simulator/server.js';

/**
 * The constant secret earlier versions used. Refused with a Redis store: anyone who reads a stored record could
 * recover its code offline with a published key. Without a configured secret each run makes a random one.
 */
export const DEV_SECRET = 'waotp-dev-secret-not-for-production';

export interface DevOptions extends CoreServerOptions {
  simulatorPort?: number;
  simulator?: Omit<StartOptions, 'port' | 'host'>;
}

/**
 * Starts a simulator and a core whose providers all point at it.
 * @example
 * const dev = await startDev({ simulatorPort: 0, port: 0 });
 * await fetch(`${dev.core.url}/v1/verifications`, { method: 'POST', body: JSON.stringify({ to: '+6281234567890' }) });
 */
export async function startDev({
  simulatorPort = 4010,
  simulator: simulatorOptions = {},
  host = '127.0.0.1',
  ...core
}: DevOptions = {}) {
  // The core's port is fixed first: the simulator's webhooks and per-request callback URLs must name it.
  const port = core.port === undefined ? 4020 : core.port === 0 ? await freePort(host) : core.port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const secret = core.secret ?? core.config?.secret ?? randomBytes(24).toString('base64url');
  const store = core.store ?? core.config?.store;
  if (secret === DEV_SECRET && store && store !== 'memory') {
    throw new InvalidRequestError(
      'the built-in dev secret is public: with a Redis store set a secret of your own (WAOTP_SECRET or core.secret)',
    );
  }
  // The simulator's webhooks carry the report token, as a provider's dashboard setting would.
  const token = core.config?.reportToken ?? deriveReportToken(secret);
  const simulator: RunningSimulator = await startSimulator({
    ...simulatorOptions,
    config: reportTo(base, token, simulatorOptions.config),
    port: simulatorPort,
    host,
  });
  try {
    const running = await startCore({
      ...core,
      port,
      host,
      secret,
      simulatorUrl: simulator.url,
      callbackBaseUrl: base,
      providers: registry,
    });
    return {
      simulator,
      core: running,
      close: async () => {
        await running.close();
        await simulator.close();
      },
    };
  } catch (error) {
    await simulator.close();
    throw error;
  }
}

/**
 * The simulator config with every provider whose webhook URL is a setting reporting to the core, unless the
 * user set one: as config, so the wiring survives the simulator's resets.
 */
function reportTo(base: string, token: string, config: SimulatorConfig = {}): SimulatorConfig {
  return registry
    .filter((p) => p.callbacks && 'setting' in p.callbacks.target)
    .reduce((wired, p) => withWebhookUrl(wired, p.id, `${base}/v1/callbacks/${p.id}/${token}`), config);
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
