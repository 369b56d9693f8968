import { afterAll, beforeAll } from 'vitest';
import { type RunningSimulator, type StartOptions, startSimulator } from '../../src/simulator/server.js';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** Sends a request and reads the reply as JSON when it is JSON. */
export async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Reply> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const response = await fetch(url, { ...rest, headers, ...(json !== undefined && { body: JSON.stringify(json) }) });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Starts a real simulator on a free loopback port for the enclosing describe block. */
export function useSimulator(options: StartOptions = {}): { readonly url: string; readonly sim: RunningSimulator } {
  let sim: RunningSimulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 1, ...options });
  });
  afterAll(async () => {
    await sim?.close();
  });
  return {
    get url() {
      if (!sim) throw new Error('simulator not started yet');
      return sim.url;
    },
    get sim() {
      if (!sim) throw new Error('simulator not started yet');
      return sim;
    },
  };
}
