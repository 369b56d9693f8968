/**
 * Stopping a Node HTTP server without dropping answers: from the drain on, idle keep-alive connections close at
 * once, busy ones right after their answer (which says `Connection: close`), and the wait ends as soon as the last
 * connection has closed.
 * @module
 */
import type { Server, ServerResponse } from 'node:http';

export interface Drain {
  /** True once `stop` has been called: new requests get a refusal. */
  readonly draining: boolean;
  /** Answers not yet written in full. */
  readonly open: number;
  /** Stops accepting and waits up to `ms` for every connection to close; false if some are still open. */
  stop(ms: number): Promise<boolean>;
  /** Drops the connections still open (after the deadline) and waits for the server to close. */
  kill(): Promise<void>;
}

/** Watches `server`'s answers so that it can be drained; call before it receives requests. */
export function drainable(server: Server): Drain {
  let draining = false;
  let closed: Promise<void> | undefined;
  const open = new Set<ServerResponse>();
  // Prepended: it must see each answer before the app can write it.
  server.prependListener('request', (_request, response: ServerResponse) => {
    // During the drain every answer says Connection: close, and Node closes its socket once it is written.
    if (draining) response.shouldKeepAlive = false;
    open.add(response);
    response.once('close', () => {
      open.delete(response);
      // An answer whose headers left before the drain kept its socket alive: close it now that it is idle.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    get draining() {
      return draining;
    },
    get open() {
      return open.size;
    },
    stop(ms) {
      if (!closed) {
        draining = true;
        for (const response of open) if (!response.headersSent) response.shouldKeepAlive = false;
        closed = new Promise((done) => server.close(() => done()));
        server.closeIdleConnections();
      }
      const all = closed;
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        void all.then(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async kill() {
      server.closeAllConnections();
      await closed;
    },
  };
}
