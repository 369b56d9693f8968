/**
 * Every request the simulator answered, with the outcome it got and why.
 * @module
 */
import type { Outcome } from '../providers/outcomes.js';
import { parseJsonText } from './json-limits.js';
import { createRing } from './ring.js';

/** Where an outcome came from, in order of precedence. */
export type DecidedBy =
  | 'auth'
  | 'validation'
  | 'rule'
  | 'header'
  | 'number'
  | 'chaos'
  | 'state'
  | 'sandbox'
  | 'default';

export interface JournalEntry {
  id: string;
  time: string;
  session: string | null;
  method: string;
  path: string;
  provider: string;
  operationId: string;
  status: number;
  outcome: Outcome;
  reason: { by: DecidedBy; detail: string };
  /** Recipient digits, when the endpoint names one. */
  to?: string;
  durationMs: number;
  request: { headers: Record<string, string>; query: Record<string, string>; body: unknown };
  reply: { status: number; headers: Record<string, string>; body: unknown };
}

/**
 * An entry as stored: the body as received text and the headers as received, a timestamp as a number.
 * Parsing, masking and formatting wait until someone reads the journal: at load, most entries never are.
 */
export interface JournalRecord extends Omit<JournalEntry, 'time' | 'request'> {
  at: number;
  request: { headers: Record<string, string>; query?: Record<string, string>; bodyText?: string };
  /** Estimated bytes held, for the journal's byte budget: worked out once, when the entry is added. */
  bytes?: number;
}

/** The body as the journal shows it: parsed JSON, or the text when it is not JSON. */
function bodyOf(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  // Too deep to parse safely (the request got its 400 for it): shown as the text it was.
  const json = parseJsonText(text);
  return json.ok ? json.value : text;
}

/** A record's estimated size: its body text and headers dominate. */
function sizeOf(record: JournalRecord): number {
  let bytes = 512 + 2 * (record.request.bodyText?.length ?? 0);
  for (const name in record.request.headers) bytes += 2 * (name.length + record.request.headers[name]!.length) + 32;
  return bytes;
}

/**
 * Header values repeat request after request (content type, host, agent, connection): the journal keeps one copy
 * of each short one it has seen, up to `max` values, instead of one per entry.
 */
function createInterner(max = 1024, maxLength = 128): (value: string) => string {
  const known = new Map<string, string>();
  return (value) => {
    if (value.length > maxLength) return value;
    const seen = known.get(value);
    if (seen !== undefined) return seen;
    if (known.size < max) known.set(value, value);
    return value;
  };
}

function materialize(record: JournalRecord, secretHeaders: ReadonlySet<string>): JournalEntry {
  const { at, request, id, bytes: _bytes, ...rest } = record;
  return {
    id,
    time: new Date(at).toISOString(),
    ...rest,
    request: {
      headers: maskSecrets(request.headers, secretHeaders),
      query: request.query ?? {},
      body: bodyOf(request.bodyText),
    },
  };
}

export interface JournalFilter {
  provider?: string;
  outcome?: string;
  to?: string;
  session?: string | null;
}

export interface Journal {
  nextId(): string;
  add(record: JournalRecord): void;
  list(filter?: JournalFilter, limit?: number): JournalEntry[];
  /** How many stored entries match (the `total` of a filtered list). */
  count(filter?: JournalFilter): number;
  get(id: string): JournalEntry | undefined;
  clear(session?: string | null): void;
  readonly size: number;
  /** Entries recorded since the last full clear, evicted ones included. */
  readonly total: number;
  /** Entries dropped past `capacity` since the last full clear. */
  readonly evicted: number;
}

export const DEFAULT_JOURNAL_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Keeps enough of a secret to tell credentials apart, never the whole value. `secretHeaders` are lower-case
 * names: every registered provider's credential headers (from its security schemes), plus `cookie`.
 */
export function maskSecrets(
  headers: Record<string, string>,
  secretHeaders: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = secretHeaders.has(name.toLowerCase()) || name.toLowerCase() === 'cookie' ? mask(value) : value;
  }
  return out;
}

function mask(value: string): string {
  const space = value.indexOf(' ');
  const scheme = space > 0 && space < 10 ? value.slice(0, space + 1) : '';
  const secret = value.slice(scheme.length);
  return `${scheme}${secret.slice(0, 4)}…`;
}

/**
 * Creates a bounded journal; the oldest entries are evicted past `capacity` (and counted).
 * @example
 * const log = createRequestLog();
 * const journal = createJournal({ capacity: 5000, secretHeaders: new Set(['authorization']), onAdd: log?.request });
 * journal.list({ provider: 'verihubs', outcome: 'rate_limited' });
 */
export function createJournal({
  capacity = 10_000,
  maxBytes = DEFAULT_JOURNAL_MAX_BYTES,
  secretHeaders = new Set<string>(),
  onAdd,
}: {
  capacity?: number;
  maxBytes?: number;
  secretHeaders?: ReadonlySet<string>;
  onAdd?: (record: JournalRecord) => void;
} = {}): Journal {
  const ring = createRing<JournalRecord>(capacity, { maxBytes, sizeOf: (r) => r.bytes ?? 0 });
  let sequence = 0;
  const intern = createInterner();
  const matches = (e: JournalRecord, f: JournalFilter) =>
    (f.provider === undefined || e.provider === f.provider) &&
    (f.outcome === undefined || e.outcome === f.outcome) &&
    (f.to === undefined || e.to === f.to) &&
    (f.session === undefined || e.session === f.session);
  return {
    nextId: () => `req_${(++sequence).toString().padStart(6, '0')}`,
    add(record) {
      const { headers } = record.request;
      for (const name in headers) headers[name] = intern(headers[name]!);
      record.bytes = sizeOf(record);
      ring.push(record);
      // The request log (request-log.ts), when one is switched on.
      onAdd?.(record);
    },
    list: (filter = {}, limit) =>
      ring.newest((e) => matches(e, filter), limit).map((e) => materialize(e, secretHeaders)),
    count: (filter = {}) => ring.count((e) => matches(e, filter)),
    get(id) {
      const record = ring.find((e) => e.id === id);
      return record && materialize(record, secretHeaders);
    },
    clear(session) {
      if (session === undefined) ring.clear();
      else ring.retain((e) => e.session !== session);
    },
    get size() {
      return ring.size;
    },
    get total() {
      return ring.total;
    },
    get evicted() {
      return ring.evicted;
    },
  };
}
