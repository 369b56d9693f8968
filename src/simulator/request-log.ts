/**
 * The request log: one line per request on stderr, like Prism's and WireMock's verbose output. It reads the
 * journal record each request already produces, so the pipeline knows nothing about logging.
 * @module
 */
import type { JournalRecord } from './journal.js';
import { maskSecrets } from './journal.js';
import type { LogFormat, LogLevel } from './log-levels.js';
import type { UnmatchedRequest } from './unmatched.js';

export { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log-levels.js';

export interface RequestLogOptions {
  /** `info`: one line per request; `debug`: also the (masked) request headers and body, and the reply body. */
  level?: LogLevel;
  /** Default: pretty on a TTY, JSON lines otherwise. */
  format?: LogFormat;
  /** Where lines go; default: stderr, batched once per event-loop turn. */
  write?: (text: string) => void;
  /** Colours in the pretty format; default: whether stderr is a TTY. */
  color?: boolean;
  /** Credential headers masked at `debug`, as the journal masks them (lower-case names). */
  secretHeaders?: ReadonlySet<string>;
}

/** What a line says about one request: the fields of both formats. */
export interface LogLine {
  time: string;
  provider: string;
  method: string;
  path: string;
  status: number;
  outcome: string;
  /** Why this outcome: rule, header, number, chaos, state, auth, validation, default… */
  by: string;
  detail: string;
  ms: number;
  id: string;
  to?: string;
  session?: string;
  request?: { headers: Record<string, string>; body?: string };
  reply?: { body: unknown };
}

/** Longest request body a debug line carries. */
const DEBUG_BODY_CHARS = 2000;

export interface RequestLog {
  /** A provider request, from its journal record. */
  request(record: JournalRecord): void;
  /** A request that matched no route (answered 404 with the nearest route). */
  unmatched(entry: UnmatchedRequest, ms: number): void;
}

/**
 * The request log, or undefined when the level is `silent`.
 * @example
 * const log = createRequestLog({ level: 'info', format: 'json' });
 * const journal = createJournal({ onAdd: log?.request });
 */
export function createRequestLog({
  level = 'info',
  format,
  write,
  color,
  secretHeaders = new Set(),
}: RequestLogOptions = {}): RequestLog | undefined {
  if (level === 'silent') return undefined;
  const tty = Boolean(process.stderr.isTTY);
  const render =
    (format ?? (tty ? 'pretty' : 'json')) === 'json' ? (line: LogLine) => JSON.stringify(line) : pretty(color ?? tty);
  const out = write ?? batchedStderr();
  return {
    request: (record) => out(`${render(lineOf(record, level === 'debug', secretHeaders))}\n`),
    unmatched: (entry, ms) => {
      const nearest = entry.nearest
        ? `nearest: ${entry.nearest.method} ${entry.nearest.path} (${entry.nearest.differences.join('; ')})`
        : 'no route is near';
      const line: LogLine = {
        time: new Date().toISOString(),
        provider: entry.nearest?.provider ?? '-',
        method: entry.method,
        path: entry.path,
        status: 404,
        outcome: 'unmatched',
        by: 'route',
        detail: nearest,
        ms,
        id: '-',
        ...(entry.session !== null && { session: entry.session }),
      };
      out(`${render(line)}\n`);
    },
  };
}

/** The log line of a journal record: secrets masked exactly as the journal masks them. */
export function lineOf(record: JournalRecord, debug = false, secretHeaders: ReadonlySet<string> = new Set()): LogLine {
  const line: LogLine = {
    time: new Date().toISOString(),
    provider: record.provider,
    method: record.method,
    path: record.path,
    status: record.status,
    outcome: record.outcome,
    by: record.reason.by,
    detail: record.reason.detail,
    ms: record.durationMs,
    id: record.id,
    ...(record.to !== undefined && { to: record.to }),
    ...(record.session !== null && { session: record.session }),
  };
  if (debug) {
    const body = record.request.bodyText;
    line.request = {
      headers: maskSecrets(record.request.headers, secretHeaders),
      ...(body !== undefined && {
        body: body.length > DEBUG_BODY_CHARS ? `${body.slice(0, DEBUG_BODY_CHARS)}…` : body,
      }),
    };
    line.reply = { body: record.reply.body };
  }
  return line;
}

function pretty(color: boolean) {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  return (line: LogLine) => {
    const statusColor = line.status >= 500 ? 31 : line.status >= 400 ? 33 : 32;
    const parts = [
      paint(2, line.time.slice(11, 23)),
      line.provider.padEnd(15),
      `${line.method} ${line.path}`,
      paint(statusColor, String(line.status)),
      `${line.outcome} (${line.by}${line.detail && line.detail !== line.by ? `: ${line.detail}` : ''})`,
      paint(2, `${line.ms}ms`),
      ...(line.to ? [`to=${line.to}`] : []),
      ...(line.session ? [`session=${line.session}`] : []),
    ];
    const debug = line.request
      ? `\n    request ${JSON.stringify(line.request)}\n    reply ${JSON.stringify(line.reply)}`
      : '';
    return parts.join('  ') + debug;
  };
}

/**
 * Writes to stderr once per event-loop turn: under load a write per request would cost more than the request.
 * Bounded: a pipe to stderr is written asynchronously, so when its reader falls behind by 1 MB, lines are
 * dropped (and counted in the next line written) rather than queued in memory.
 */
function batchedStderr(limit = 1 << 20): (text: string) => void {
  let pending = '';
  let dropped = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const note = dropped ? `waotp: ${dropped} log lines dropped (stderr was not read fast enough)\n` : '';
    process.stderr.write(note + pending);
    pending = '';
    dropped = 0;
  };
  return (text) => {
    if (pending.length + process.stderr.writableLength > limit) return void dropped++;
    pending += text;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
