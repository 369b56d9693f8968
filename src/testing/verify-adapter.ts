/**
 * `verifyAdapter`: the provider x outcome conformance matrix, for waotp's adapters and for adapters users
 * write. Each cell sends through the adapter to a real simulator over HTTP, then checks every request the
 * simulator journaled and every reply against the provider's contract (ajv on the contract JSON), and the
 * adapter's typed result against the outcome.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { createContractValidator } from '../contracts/validate.js';
import type { Adapter, FailureKind } from '../providers/adapter.js';
import { OUTCOMES, type Outcome } from '../providers/outcomes.js';
import { loadCatalogue } from '../simulator/catalogue.js';
import type { JournalEntry } from '../simulator/journal.js';
import { startSimulator } from '../simulator/server.js';

/** The typed result every adapter must give for each outcome. */
export const EXPECTED_KIND: Record<Outcome, FailureKind | 'ok'> = {
  accepted: 'ok',
  slow: 'ok',
  // The provider takes the message; its failure arrives later as a delivery report.
  not_on_whatsapp: 'ok',
  // Sent once the number is looked up: On-Prem adapters check it with /v1/contacts and retry; others never see it.
  unknown_contact: 'ok',
  invalid_request: 'invalid_request',
  unauthorized: 'unauthorized',
  insufficient_quota: 'insufficient_quota',
  blocked_recipient: 'blocked_recipient',
  rate_limited: 'rate_limited',
  provider_error: 'provider_error',
  timeout: 'timeout',
  connection_reset: 'network',
  malformed_reply: 'provider_error',
};

// No reply reached the client for these, so only the requests are held to the contract.
const NO_REPLY = new Set<Outcome>(['timeout', 'connection_reset']);

export interface CellReport {
  provider: string;
  outcome: Outcome;
  passed: boolean;
  expected: FailureKind | 'ok';
  got: FailureKind | 'ok';
  /** Requests the adapter sent for this cell, as the simulator journaled them. */
  requests: number;
  /** What is wrong, one line each; empty when the cell passed. */
  problems: string[];
  durationMs: number;
}

export interface AdapterReport {
  provider: string;
  cells: CellReport[];
  passed: boolean;
  /** A readable table of the cells, failures first. */
  summary(): string;
}

export interface VerifyAdapterOptions {
  provider: string;
  /** Defaults to every outcome in the catalogue. */
  outcomes?: readonly Outcome[];
  /** An already running simulator; default: one is started on a free loopback port and stopped after. */
  simulatorUrl?: string;
  /** Where the contracts are; default: the package's contracts/ folder. */
  contract?: OpenAPIObject;
  /** Offsets the magic numbers used, so parallel runs against one simulator do not collide. */
  numberOffset?: number;
}

const CONTRACTS = new URL('../../contracts/', import.meta.url);

/**
 * Runs the conformance matrix for one adapter.
 * @example
 * const report = await verifyAdapter((baseUrl) => createMyVerihubsClient({ baseUrl }), { provider: 'verihubs' });
 * expect(report.passed, report.summary()).toBe(true);
 */
export async function verifyAdapter(
  adapter: Adapter | ((baseUrl: string) => Adapter),
  options: VerifyAdapterOptions,
): Promise<AdapterReport> {
  const { provider, outcomes = OUTCOMES, numberOffset = 0 } = options;
  const contract =
    options.contract ??
    (JSON.parse(await readFile(new URL(`${provider}.openapi.json`, CONTRACTS), 'utf8')) as OpenAPIObject);
  const validator = createContractValidator(contract, `/${provider}`);
  const catalogue = loadCatalogue();
  const running = options.simulatorUrl
    ? undefined
    : await startSimulator({ port: 0, delays: { slowMs: 50, timeoutCapMs: 5000 } });
  const baseUrl = options.simulatorUrl ?? running!.url;
  const client = typeof adapter === 'function' ? adapter(baseUrl) : adapter;
  const journal = async (query: string) =>
    (await (await fetch(`${baseUrl}/__admin/requests${query}`)).json()) as { total: number; requests: JournalEntry[] };
  const cells: CellReport[] = [];
  try {
    for (const [i, outcome] of outcomes.entries()) {
      const started = Date.now();
      const to = String(BigInt(catalogue.outcomes[outcome].numbers[0]!.from) + BigInt((numberOffset + i * 7) % 100));
      const before = (await journal('?limit=1')).total;
      const signal = AbortSignal.timeout(outcome === 'timeout' ? 300 : 10_000);
      const result = await client
        .send({ to, code: '482913', reference: `VEconformance${i}` }, { signal })
        .catch((error: Error) => error);
      // A timed-out request is journaled when the simulator lets go of it; give it that moment.
      if (NO_REPLY.has(outcome)) await new Promise((r) => setTimeout(r, 100));
      const after = await journal('');
      const sent = after.requests.slice(0, Math.max(0, after.total - before)).reverse();
      const problems: string[] = [];
      const got = result instanceof Error ? 'network' : result.ok ? 'ok' : result.kind;
      if (result instanceof Error) problems.push(`the adapter threw instead of returning a result: ${result.message}`);
      const expected = EXPECTED_KIND[outcome];
      if (got !== expected)
        problems.push(
          `result: expected ${expected}, got ${got}` +
            `${!(result instanceof Error) && !result.ok ? ` (${result.message})` : ''}`,
        );
      if (!(result instanceof Error) && !result.ok && outcome === 'rate_limited' && result.retryAfterMs === undefined)
        problems.push('result: rate_limited without retryAfterMs from Retry-After');
      if (sent.length === 0) problems.push('the simulator received no request');
      for (const entry of sent) {
        const label = `${entry.method} ${entry.path}`;
        problems.push(
          ...validator
            .checkRequest({
              method: entry.method,
              path: entry.path,
              headers: entry.request.headers,
              body: entry.request.body,
            })
            .map((p) => `${label}: ${p}`),
        );
        if (NO_REPLY.has(outcome) && entry.outcome === outcome) continue;
        // A malformed reply is meant to break the body; its status must still be a documented one.
        const body = entry.outcome === 'malformed_reply' ? undefined : entry.reply.body;
        const replyProblems = validator.checkReply(entry.method, entry.path, entry.status, body);
        problems.push(
          ...(entry.outcome === 'malformed_reply'
            ? replyProblems.filter((p) => p.includes('not documented'))
            : replyProblems
          ).map((p) => `${label}: ${p}`),
        );
      }
      cells.push({
        provider,
        outcome,
        passed: problems.length === 0,
        expected,
        got,
        requests: sent.length,
        problems,
        durationMs: Date.now() - started,
      });
    }
  } finally {
    await running?.close();
  }
  return {
    provider,
    cells,
    passed: cells.every((c) => c.passed),
    summary: () => formatCells(cells),
  };
}

/** One line per cell, failures first, each with what went wrong. */
export function formatCells(cells: readonly CellReport[]): string {
  const sorted = [...cells].sort((a, b) => Number(a.passed) - Number(b.passed));
  return sorted
    .map(
      (c) =>
        `${c.passed ? 'PASS' : 'FAIL'}  ${c.provider.padEnd(16)} ${c.outcome.padEnd(19)} ` +
        `expected ${c.expected.padEnd(18)} got ${c.got}` +
        `${c.problems.length ? `\n      - ${c.problems.join('\n      - ')}` : ''}`,
    )
    .join('\n');
}
