/**
 * `waotp dev` as a function: a simulator plus an OTP service whose providers all point at it.
 * @module
 */
import { type AddressInfo, createServer } from 'node:net';
import { type CoreServerOptions, startCore } from '../core/server.js';
import { providers as registry } from '../providers/index.js';
import { type SimulatorConfig, withWebhookUrl } from '../simulator/config.js';
import { type RunningSimulator, type StartOptions, startSimulator } from '../simulator/server.js';

/** Only for `waotp dev`: a fixed secret so dev instances sharing a Redis agree, never for production. */
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
export async function startDev({ simulatorPort = 4010, simulator: simulatorOptions = {}, host = '127.0.0.1', ...core }: DevOptions = {}) {
  // The core's port is fixed first: the simulator's webhooks and per-request callback URLs must name it.
  const port = core.port === undefined ? 4020 : core.port === 0 ? await freePort(host) : core.port;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const simulator: RunningSimulator = await startSimulator({ ...simulatorOptions, config: reportTo(base, simulatorOptions.config), port: simulatorPort, host });
  try {
    const running = await startCore({ ...core, port, host, secret: core.secret ?? core.config?.secret ?? DEV_SECRET, simulatorUrl: simulator.url, callbackBaseUrl: base, providers: registry });
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
function reportTo(base: string, config: SimulatorConfig = {}): SimulatorConfig {
  return registry
    .filter((p) => p.callbacks && 'setting' in p.callbacks.target)
    .reduce((wired, p) => withWebhookUrl(wired, p.id, `${base}/v1/callbacks/${p.id}`), config);
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
