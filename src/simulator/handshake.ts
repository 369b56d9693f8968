/**
 * Webhook verification handshakes (Meta's Cloud API): before the first POST to a URL the sender GETs it with
 * `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` and expects the challenge back. A URL that answered
 * correctly is remembered (bounded), so later reports go straight out.
 * @module
 */
import { randomInt } from 'node:crypto';

export interface Handshakes {
  /**
   * Resolves undefined when `url` may receive this provider's reports (verified now or before), else the reason
   * it may not, to be recorded instead of a POST. `queryOf` builds the GET's query from a fresh challenge.
   */
  ensure(provider: string, url: string, queryOf: (challenge: string) => Record<string, string>, timeoutMs: number): Promise<string | undefined>;
  /** Forgets every verified URL (simulator reset). */
  reset(): void;
}

/**
 * Creates the handshake memory of one dispatcher.
 * @example
 * const handshakes = createHandshakes();
 * const refused = await handshakes.ensure('whatsapp-cloud', url, (c) => ({ 'hub.challenge': c }), 10_000);
 */
export function createHandshakes({ capacity = 1000, challenge = () => String(randomInt(1_000_000_000, 2_000_000_000)) } = {}): Handshakes {
  const verified = new Set<string>();
  return {
    async ensure(provider, url, queryOf, timeoutMs) {
      const key = `${provider} ${url}`;
      if (verified.has(key)) return undefined;
      const expected = challenge();
      const target = new URL(url);
      for (const [name, value] of Object.entries(queryOf(expected))) target.searchParams.set(name, value);
      let answer: string;
      let status: number;
      try {
        const response = await fetch(target, { headers: { 'user-agent': 'waotp-simulator' }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
        status = response.status;
        answer = (await response.text()).slice(0, 200);
      } catch (caught) {
        const failure = caught as Error & { cause?: { code?: string } };
        return `verification handshake failed: ${failure.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (failure.cause?.code ?? failure.message)}`;
      }
      if (status !== 200 || answer.trim() !== expected) {
        return `verification handshake failed: GET answered ${status} ${JSON.stringify(answer)}, expected 200 with the challenge ${expected}`;
      }
      if (verified.size >= capacity) verified.delete(verified.values().next().value!);
      verified.add(key);
      return undefined;
    },
    reset: () => verified.clear(),
  };
}
