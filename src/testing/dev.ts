/**
 * `waotp dev` as a function: a simulator plus an OTP service whose providers all point at it.
 * @module
 */
import { type CoreServerOptions, startCore } from '../core/server.js';
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
  const simulator: RunningSimulator = await startSimulator({ ...simulatorOptions, port: simulatorPort, host });
  try {
    const running = await startCore({ ...core, host, secret: core.secret ?? core.config?.secret ?? DEV_SECRET, simulatorUrl: simulator.url });
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
