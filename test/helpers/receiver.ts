import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type RunningSimulator, type StartOptions, startSimulator } from '../../src/simulator/server.js';

/** One callback request as a receiver saw it. */
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
  /** Real time of arrival, ms. */
  at: number;
}

/** What the receiver answers: a status (default 200), or `'hang'` to never answer. */
export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides the answer to each request; swap it per test. */
  answer: (request: Received, index: number) => Answer;
  /** Resolves with what arrived once `count` requests did, or after `ms` with what there is. */
  waitFor(count: number, ms?: number, match?: (r: Received) => boolean): Promise<Received[]>;
  clear(): void;
  close(): Promise<void>;
}

/** A webhook receiver on a free loopback port, recording every request. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received,
    answer: () => 200,
    async waitFor(count, ms = 3000, match = () => true) {
      const end = Date.now() + ms;
      while (received.filter(match).length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      return received.filter(match);
    },
    clear: () => void received.splice(0),
    close: () =>
      new Promise<void>((done) => {
        for (const res of hanging) res.destroy();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const text = Buffer.concat(chunks).toString('utf8');
      const request: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
        at: Date.now(),
      };
      received.push(request);
      const answer = receiver.answer(request, received.length - 1);
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

/**
 * A receiver for the enclosing describe block: started once, closed after, and before each test emptied and
 * answering 200 again, right after the simulator `s` is reset (so no report of an earlier test lands late).
 */
export function useReceiver(s: { readonly sim: RunningSimulator }): Receiver {
  let current: Receiver | undefined;
  const started = () => {
    if (!current) throw new Error('receiver not started yet');
    return current;
  };
  beforeAll(async () => {
    current = await startReceiver();
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    s.sim.simulator.reset();
    started().clear();
    started().answer = () => 200;
  });
  return {
    get url() {
      return started().url;
    },
    get received() {
      return started().received;
    },
    get answer() {
      return started().answer;
    },
    set answer(answer) {
      started().answer = answer;
    },
    waitFor: (count, ms, match) => started().waitFor(count, ms, match),
    clear: () => started().clear(),
    close: () => started().close(),
  };
}

/**
 * For tests that each start a simulator of their own (with their own callback options): a fresh receiver per
 * test, and the simulator the test started (`start`) reset and closed after it, then the receiver.
 */
export function useOwnSimulator() {
  let receiver: Receiver | undefined;
  let sim: RunningSimulator | undefined;
  const close = async () => {
    const closing = sim;
    sim = undefined;
    await closing?.close();
  };
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    sim?.simulator.reset();
    await close();
    await receiver?.close();
  });
  return {
    get receiver(): Receiver {
      if (!receiver) throw new Error('receiver not started yet');
      return receiver;
    },
    /** Starts this test's simulator. */
    async start(options: StartOptions): Promise<RunningSimulator> {
      sim = await startSimulator(options);
      return sim;
    },
    /** Closes this test's simulator now (for tests of its drain). */
    close,
  };
}
