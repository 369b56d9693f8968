/**
 * The provider x outcome table in the README, rendered from the providers themselves so it cannot drift.
 * @module
 */
import type { ProviderDefinition } from '../providers/define.js';
import { isRejection, OUTCOMES, type Outcome } from '../providers/outcomes.js';

const WIRE: Partial<Record<Outcome, string>> = {
  timeout: 'no reply; connection dropped after the cap (60 s)',
  connection_reset: 'socket closed, no reply',
  malformed_reply: 'success status, truncated JSON',
};

function cell(provider: ProviderDefinition, outcome: Outcome): string {
  if (WIRE[outcome]) return WIRE[outcome]!;
  const send = provider.endpoints.find((e) => e.kind === 'send');
  if (!isRejection(outcome)) {
    const success = Object.keys(send?.responses ?? {}).find((s) => Number(s) < 300) ?? '2xx';
    if (outcome === 'not_on_whatsapp') return `${success}, then a failed delivery`;
    if (outcome === 'unknown_contact') {
      const refusal = provider.unknownContact;
      if (!refusal) return success;
      const body = JSON.stringify(refusal.reply.body).replace(/\|/g, '\\|');
      return `${refusal.reply.status} \`${body}\` until ${refusal.lookup}, then ${success}`;
    }
    return outcome === 'slow' ? `${success} after a delay` : success;
  }
  const reply = provider.reject(outcome, { message: 'detail', retryAfter: 1 });
  const body = JSON.stringify(reply.body).replace(/\|/g, '\\|');
  const retry = reply.headers?.['retry-after'] ? ' + `Retry-After`' : '';
  return `${reply.status} \`${body}\`${retry}`;
}

/** A Markdown table: one row per outcome, one column per provider. */
export function outcomeTable(providers: readonly ProviderDefinition[]): string {
  const header = `| outcome | ${providers.map((p) => p.id).join(' | ')} |`;
  const rule = `|---|${providers.map(() => '---').join('|')}|`;
  const rows = OUTCOMES.map((o) => `| \`${o}\` | ${providers.map((p) => cell(p, o)).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}
