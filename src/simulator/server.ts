/**
 * Starting the simulator on a real port, for the CLI and for tests that need real HTTP.
 * @module
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { type Simulator, type SimulatorOptions, createSimulator } from './app.js';

export interface StartOptions extends SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningSimulator {
  url: string;
  port: number;
  simulator: Simulator;
  close(): Promise<void>;
}

/**
 * Starts a simulator over HTTP on loopback.
 * @example
 * const sim = await startSimulator({ port: 0, seed: 1 });
 * await fetch(`${sim.url}/__admin/health`);
 * await sim.close();
 */
export function startSimulator({ port = 4010, host = '127.0.0.1', ...options }: StartOptions = {}): Promise<RunningSimulator> {
  const simulator = createSimulator(options);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: simulator.app.fetch, port, hostname: host }, (info: AddressInfo) => {
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        port: info.port,
        simulator,
        // Stops taking requests, and meanwhile sends the callbacks still pending, up to `callbacks.drainMs`.
        close: async () => {
          await Promise.all([
            new Promise<void>((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
            simulator.callbacks.drain(),
          ]);
        },
      });
    });
    server.once('error', reject);
  });
}
