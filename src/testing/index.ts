/**
 * `waotp/testing`: start a simulator from a test and steer it.
 * @module
 */
import { type StartOptions, startSimulator as startServer } from '../simulator/server.js';
import { type AdminClient, createAdminClient } from './admin-client.js';

export { AdminError, createAdminClient } from './admin-client.js';
export type { AdminClient, ArmInput, RequestFilter } from './admin-client.js';

export interface TestSimulator extends AdminClient {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts a simulator on a free loopback port and returns its admin client.
 * @example
 * const sim = await startSimulator();
 * await sim.arm({ provider: 'splashify', outcome: 'rate_limited' });
 * // ... point your code at sim.url, then:
 * expect(await sim.latestOtp('+6281234567890')).toMatch(/^\d{6}$/);
 * await sim.close();
 */
export async function startSimulator(options: StartOptions = {}): Promise<TestSimulator> {
  const running = await startServer({ port: 0, ...options });
  const token = options.admin?.token ?? options.config?.admin?.token;
  return { ...createAdminClient(running.url, { ...(token !== undefined && { token }) }), port: running.port, close: running.close };
}
export { startDev, DEV_SECRET, type DevOptions } from './dev.js';
export { verifyAdapter, formatCells, EXPECTED_KIND, type AdapterReport, type CellReport, type VerifyAdapterOptions } from './verify-adapter.js';
