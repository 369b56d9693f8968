/**
 * Every request the simulator answered, with the outcome it got and why.
 * @module
 */
import type { Outcome } from '../providers/outcomes.js';
import { createRing } from './ring.js';

/** Where an outcome came from, in order of precedence. */
export type DecidedBy = 'auth' | 'validation' | 'rule' | 'header' | 'number' | 'chaos' | 'state' | 'sandbox' | 'default';

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
}

/** The body as the journal shows it: parsed JSON, or the text when it is not JSON. */
function bodyOf(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function materialize(record: JournalRecord): JournalEntry {
  const { at, request, id, ...rest } = record;
  return {
    id,
    time: new Date(at).toISOString(),
    ...rest,
    request: { headers: maskSecrets(request.headers), query: request.query ?? {}, body: bodyOf(request.bodyText) },
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

const SECRET_HEADERS = new Set(['authorization', 'access-token', 'api-key', 'cookie']);

/** Keeps enough of a secret to tell credentials apart, never the whole value. */
export function maskSecrets(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? mask(value) : value;
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
 * const journal = createJournal({ capacity: 5000, onAdd: createRequestLog({ level: 'info' }) });
 * journal.list({ provider: 'verihubs', outcome: 'rate_limited' });
 */
export function createJournal({ capacity = 10_000, onAdd }: { capacity?: number; onAdd?: (record: JournalRecord) => void } = {}): Journal {
  const ring = createRing<JournalRecord>(capacity);
  let sequence = 0;
  const matches = (e: JournalRecord, f: JournalFilter) =>
    (f.provider === undefined || e.provider === f.provider) &&
    (f.outcome === undefined || e.outcome === f.outcome) &&
    (f.to === undefined || e.to === f.to) &&
    (f.session === undefined || e.session === f.session);
  return {
    nextId: () => `req_${(++sequence).toString().padStart(6, '0')}`,
    // onAdd is the request log (request-log.ts), when one is switched on.
    add: onAdd
      ? (record) => {
          ring.push(record);
          onAdd(record);
        }
      : (record) => void ring.push(record),
    list: (filter = {}, limit) => ring.newest((e) => matches(e, filter), limit).map(materialize),
    count: (filter = {}) => ring.count((e) => matches(e, filter)),
    get(id) {
      const record = ring.find((e) => e.id === id);
      return record && materialize(record);
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
