/**
 * Starting the simulator on a real port, for the CLI and for tests that need real HTTP.
 * @module
 */

import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { createSimulator, type Simulator, type SimulatorOptions } from './app.js';

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
 * How long the Node server waits for slow or silent clients. A socket that has not sent its headers in
 * `headersTimeoutMs`, or its whole request in `requestTimeoutMs`, is closed, and so is a kept-alive one
 * idle for `keepAliveTimeoutMs`. Responses (an event stream, a held `timeout` outcome) are not cut.
 */
export const SERVER_TIMEOUTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

const LOOPBACK = /^(127\.|::1$|\[::1\]$|localhost$)/i;

/** The loud warning for a simulator bound beyond loopback without an admin token; undefined when none is due. */
export function exposureWarning(host: string, token: string | undefined): string | undefined {
  if (LOOPBACK.test(host) || token !== undefined) return undefined;
  return [
    '',
    `!!! waotp: the simulator is bound to ${host}, beyond loopback, WITHOUT an admin token.`,
    '!!! Anyone who can reach this address can read every code and token, and reset or arm the simulator.',
    '!!! Set --admin-token <secret> (or WAOTP_ADMIN_TOKEN), or bind to 127.0.0.1.',
    '',
  ].join('\n');
}

/**
 * Starts a simulator over HTTP on loopback.
 * @example
 * const sim = await startSimulator({ port: 0, seed: 1 });
 * await fetch(`${sim.url}/__admin/health`);
 * await sim.close();
 */
export function startSimulator({
  port = 4010,
  host = '127.0.0.1',
  ...options
}: StartOptions = {}): Promise<RunningSimulator> {
  const simulator = createSimulator(options);
  const timeouts = { ...SERVER_TIMEOUTS, ...options.config?.server };
  const warning = exposureWarning(host, options.admin?.token ?? options.config?.admin?.token);
  if (warning) console.warn(warning);
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: simulator.app.fetch,
        port,
        hostname: host,
        serverOptions: {
          headersTimeout: timeouts.headersTimeoutMs,
          requestTimeout: timeouts.requestTimeoutMs,
          keepAliveTimeout: timeouts.keepAliveTimeoutMs,
          // How often Node checks the two timeouts above; by default every 30 s, far coarser than they are.
          connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
        },
      },
      (info: AddressInfo) => {
        Object.assign(simulator.self, { host, port: info.port });
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
      },
    );
    // Node's headersTimeout only starts with the first byte: a connection that sends nothing is closed here.
    const silent = new WeakMap<Socket, ReturnType<typeof setTimeout>>();
    server.on('connection', (socket: Socket) => {
      silent.set(socket, setTimeout(() => socket.destroy(), timeouts.headersTimeoutMs).unref());
    });
    server.on('request', (req: IncomingMessage) => clearTimeout(silent.get(req.socket)));
    server.once('error', reject);
  });
}
