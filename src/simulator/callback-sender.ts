/**
 * Sending one callback: the request is built in one place (`buildCallbackRequest`, pure) and sent in
 * another (`createSender`). Every send ends within its timeout whatever the receiver does: a timer owned
 * here destroys the socket on expiry (on Node 20 a combined `AbortSignal.any` may never fire).
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type { NativeCallback } from '../providers/define.js';
import { type CallbackPolicy, guardedLookup, refusedUrl } from './callback-policy.js';

export interface CallbackRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The HTTP request a callback makes (a GET callback's query appended to the URL), or why it may not be made.
 * @example
 * buildCallbackRequest('http://127.0.0.1:9/hook', { method: 'GET', headers: {}, query: { status: '2' } }, policy);
 * // { url: 'http://127.0.0.1:9/hook?status=2', request: { method: 'GET', … } }
 */
export function buildCallbackRequest(
  raw: string,
  native: NativeCallback,
  policy: CallbackPolicy,
): { url: string; request?: CallbackRequest; refused?: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: raw, refused: `invalid URL: ${raw}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { url: raw, refused: `invalid URL: only http(s) callbacks are sent, not ${url.protocol}` };
  for (const [key, value] of Object.entries(native.query ?? {})) url.searchParams.append(key, value);
  const refused = refusedUrl(url, policy);
  if (refused) return { url: url.href, refused };
  // A provider that signs its reports gives the exact bytes it signed (rawBody); they go out unchanged.
  const body = native.body === undefined ? undefined : (native.rawBody ?? JSON.stringify(native.body));
  const headers: Record<string, string> = { 'user-agent': 'waotp-simulator', ...native.headers };
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return {
    url: url.href,
    request: { url: url.href, method: native.method, headers, ...(body !== undefined && { body }) },
  };
}

export interface SendResult {
  status?: number;
  error?: string;
  /** How it ended: an answer, no answer in time, a connection error, an address refused once resolved, or cancelled. */
  kind: 'answered' | 'timeout' | 'error' | 'refused' | 'cancelled';
  durationMs: number;
}

export interface Sending {
  result: Promise<SendResult>;
  /** Ends the attempt now (reset, shutdown); its result says `cancelled`. */
  cancel(): void;
}

export interface Sender {
  send(request: CallbackRequest, timeoutMs: number): Sending;
  /** Sockets open, in use or kept alive. */
  readonly sockets: number;
  close(): void;
}

/** The longest part of a receiver's answer read; the rest is thrown away unread. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Creates a sender with its own keep-alive connection pools.
 * @example
 * const sender = createSender({ policy: { allow: [], self: {} } });
 * const { result } = sender.send(request, 10_000);
 * (await result).status; // 200
 */
export function createSender({ policy, sockets = 128 }: { policy: CallbackPolicy; sockets?: number }): Sender {
  // Connections per receiver are capped, and as many are kept open as may be in use at once: keeping fewer
  // closed and reopened sockets under load, a flood of new connections the receiver had to accept.
  const pool = { keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets };
  const agents = { 'http:': new http.Agent(pool), 'https:': new https.Agent(pool) };
  const countSockets = (agent: http.Agent) =>
    [agent.sockets, agent.freeSockets].reduce(
      (sum, pool) => sum + Object.values(pool).reduce((n, list) => n + (list?.length ?? 0), 0),
      0,
    );
  return {
    send(request, timeoutMs) {
      const started = performance.now();
      const url = new URL(request.url);
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      let finish!: (result: Omit<SendResult, 'durationMs'>) => void;
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = new Promise<SendResult>((resolve) => {
        finish = (outcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ ...outcome, durationMs: Math.round((performance.now() - started) * 100) / 100 });
        };
      });
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method: request.method,
        headers: request.headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
        lookup: guardedLookup(port, policy.self) as never,
      });
      const end = (outcome: Omit<SendResult, 'durationMs'>) => {
        finish(outcome);
        // Whatever is still open goes: a hung receiver keeps nothing of ours.
        req.destroy();
      };
      timer = setTimeout(() => end({ kind: 'timeout', error: `no answer within ${timeoutMs} ms` }), timeoutMs);
      req.on('response', (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) end({ kind: 'answered', status: res.statusCode! });
        });
        res.on('end', () => finish({ kind: 'answered', status: res.statusCode! }));
        res.on('error', () => end({ kind: 'answered', status: res.statusCode! }));
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        finish(
          error.code === 'EREFUSED'
            ? { kind: 'refused', error: error.message }
            : { kind: 'error', error: error.code ?? error.message },
        ),
      );
      req.end(request.body);
      return { result, cancel: () => end({ kind: 'cancelled', error: 'dropped' }) };
    },
    get sockets() {
      return countSockets(agents['http:']) + countSockets(agents['https:']);
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
