/**
 * `waotp verify`: a provider's documented cases, run against any base URL (a real provider sandbox, or
 * another simulator), each reply held to the contract. What differs is drift.
 * @module
 */
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { credentialHeaders, type DocumentedCase, type ProviderDefinition } from '../providers/define.js';
import { createContractValidator } from './validate.js';

/** Every case to run for a provider: its own documented ones, plus the basics any send endpoint has. */
export function casesFor(provider: ProviderDefinition, to = '6281234567890'): DocumentedCase[] {
  const credentials = credentialHeaders(provider);
  const basics = provider.endpoints
    .filter((e) => e.kind === 'send' && e.sample)
    .flatMap((endpoint): DocumentedCase[] => {
      const sample = endpoint.sample!(to);
      const success = Number(Object.keys(endpoint.responses).find((s) => Number(s) < 300));
      const withoutCredentials = Object.fromEntries(
        Object.entries(sample.headers).filter(([k]) => !credentials.includes(k.toLowerCase())),
      );
      const request = { ...sample, method: endpoint.method };
      return [
        { name: `${endpoint.operationId}: the sample request`, request, expect: { status: success } },
        {
          name: `${endpoint.operationId}: no credentials`,
          request: { ...request, headers: withoutCredentials },
          expect: { status: provider.reject('unauthorized').status },
        },
        {
          name: `${endpoint.operationId}: an empty body`,
          request: { ...request, body: {} },
          expect: { status: provider.reject('invalid_request').status },
        },
      ];
    });
  return [...basics, ...(provider.documentedCases ?? [])];
}

export interface CaseResult {
  name: string;
  expected: number;
  got: number | 'no reply';
  /** Contract and expectation problems; empty when the case matches. */
  drift: string[];
}

export interface RunCasesOptions {
  provider: ProviderDefinition;
  contract: OpenAPIObject;
  baseUrl: string;
  /** Headers to send instead of the demo credentials (a real sandbox's keys). */
  headers?: Record<string, string>;
  to?: string;
  timeoutMs?: number;
}

/**
 * Runs a provider's cases against a base URL.
 * @example
 * const results = await runCases({ provider, contract, baseUrl: 'http://127.0.0.1:4010' });
 * const drifted = results.filter((r) => r.drift.length > 0);
 */
export async function runCases({
  provider,
  contract,
  baseUrl,
  headers = {},
  to,
  timeoutMs = 10_000,
}: RunCasesOptions): Promise<CaseResult[]> {
  const validator = createContractValidator(contract);
  const results: CaseResult[] = [];
  const credentials = credentialHeaders(provider);
  for (const c of casesFor(provider, to)) {
    const keepsCredentials = Object.keys(c.request.headers).some((k) => credentials.includes(k.toLowerCase()));
    const sent = { ...c.request.headers, ...(keepsCredentials ? headers : {}) };
    // Cases documented to fail send bad requests on purpose; only the others must follow the contract.
    const drift =
      c.expect.status < 300
        ? validator.checkRequest({
            method: c.request.method,
            path: c.request.path,
            headers: sent,
            body: c.request.body,
          })
        : [];
    let got: CaseResult['got'] = 'no reply';
    try {
      const response = await fetch(`${baseUrl.replace(/\/+$/, '')}${c.request.path}`, {
        method: c.request.method,
        headers: sent,
        ...(c.request.body !== undefined && { body: JSON.stringify(c.request.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      got = response.status;
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        drift.push(`reply ${got} is not JSON: ${text.slice(0, 80)}`);
      }
      if (got !== c.expect.status) drift.push(`status ${got}, documented ${c.expect.status}`);
      if (body !== undefined) {
        drift.push(...validator.checkReply(c.request.method, c.request.path, got, body));
        for (const [field, value] of Object.entries(c.expect.body ?? {})) {
          const actual = (body as Record<string, unknown>)?.[field];
          if (actual !== value)
            drift.push(`${field} is ${JSON.stringify(actual)}, documented ${JSON.stringify(value)}`);
        }
      }
    } catch (error) {
      drift.push(`no reply: ${(error as Error).message}`);
    }
    results.push({ name: c.name, expected: c.expect.status, got, drift });
  }
  return results;
}

/** The provider x case table `waotp verify` prints. */
export function formatCases(provider: string, results: readonly CaseResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length), 4);
  const lines = [`${'provider'.padEnd(16)} ${'case'.padEnd(width)} expected  got       result`];
  for (const r of results) {
    lines.push(
      `${provider.padEnd(16)} ${r.name.padEnd(width)} ` +
        `${String(r.expected).padEnd(9)} ${String(r.got).padEnd(9)} ${r.drift.length ? 'DRIFT' : 'ok'}`,
    );
    for (const d of r.drift) lines.push(`${''.padEnd(16)} ${''.padEnd(width)}   - ${d}`);
  }
  const drifted = results.filter((r) => r.drift.length).length;
  lines.push('', `${results.length - drifted} matching, ${drifted} drifted`);
  return lines.join('\n');
}
