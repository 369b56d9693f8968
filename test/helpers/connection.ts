import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface RawReply {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: any;
}

export interface Connection {
  /** Writes raw bytes: a request, or part of one. */
  write(text: string): void;
  /** The next whole reply on this connection (waits up to 20 s). */
  reply(): Promise<RawReply>;
  /** Resolves once the server has closed the connection. */
  readonly closed: Promise<void>;
  destroy(): void;
}

/** A request's raw text, keeping the connection alive. */
export function rawRequest(method: string, path: string, json?: unknown): string {
  const body = json === undefined ? '' : JSON.stringify(json);
  const head = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive'];
  if (json !== undefined) head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * One HTTP/1.1 connection written by hand, so a test decides when each byte goes out and sees when the server
 * closes it (a fetch client hides both). Replies must carry Content-Length (the core's all do).
 */
export async function openConnection(url: string): Promise<Connection> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  let buffer = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    wake?.();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => wake?.());
  socket.on('error', () => undefined);

  /** A whole reply at the head of the buffer, taken off it; undefined while it is incomplete. */
  const take = (): RawReply | undefined => {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    const length = Number(headers['content-length'] ?? 0);
    if (buffer.length < end + 4 + length) return undefined;
    const text = buffer.subarray(end + 4, end + 4 + length).toString();
    buffer = buffer.subarray(end + 4 + length);
    return { status: Number(statusLine!.split(' ')[1]), headers, body: text ? JSON.parse(text) : undefined };
  };

  return {
    write: (text) => void socket.write(text),
    async reply() {
      const until = Date.now() + 20_000;
      for (;;) {
        const reply = take();
        if (reply) return reply;
        if (socket.destroyed) throw new Error(`closed before a whole reply (${buffer.length} bytes held)`);
        if (Date.now() > until) throw new Error('no whole reply within 20 s');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    closed,
    destroy: () => socket.destroy(),
  };
}
