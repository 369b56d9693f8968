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
  ensure(
    provider: string,
    url: string,
    queryOf: (challenge: string) => Record<string, string>,
    timeoutMs: number,
  ): Promise<string | undefined>;
  /** Forgets every verified URL (simulator reset). */
  reset(): void;
}

/**
 * Creates the handshake memory of one dispatcher.
 * @example
 * const handshakes = createHandshakes();
 * const refused = await handshakes.ensure('whatsapp-cloud', url, (c) => ({ 'hub.challenge': c }), 10_000);
 */
export function createHandshakes({
  capacity = 1000,
  challenge = () => String(randomInt(1_000_000_000, 2_000_000_000)),
} = {}): Handshakes {
  const verified = new Set<string>();
  /** Handshakes under way: reports due at the same time wait for the one GET instead of each sending theirs. */
  const inflight = new Map<string, Promise<string | undefined>>();

  const perform = async (
    key: string,
    url: string,
    queryOf: (challenge: string) => Record<string, string>,
    timeoutMs: number,
  ) => {
    const expected = challenge();
    const target = new URL(url);
    for (const [name, value] of Object.entries(queryOf(expected))) target.searchParams.set(name, value);
    let answer: string;
    let status: number;
    try {
      const response = await fetch(target, {
        headers: { 'user-agent': 'waotp-simulator' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      answer = await readCapped(response, 1024);
    } catch (caught) {
      const failure = caught as Error & { cause?: { code?: string } };
      const why =
        failure.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (failure.cause?.code ?? failure.message);
      return `verification handshake failed: ${why}`;
    }
    if (status !== 200 || answer.trim() !== expected) {
      const got = `${status} ${JSON.stringify(answer.slice(0, 80))}`;
      return `verification handshake failed: GET answered ${got}, expected 200 with the challenge ${expected}`;
    }
    if (verified.size >= capacity) verified.delete(verified.values().next().value!);
    verified.add(key);
    return undefined;
  };

  return {
    async ensure(provider, url, queryOf, timeoutMs) {
      const key = `${provider} ${url}`;
      if (verified.has(key)) return undefined;
      let pending = inflight.get(key);
      if (!pending) {
        pending = perform(key, url, queryOf, timeoutMs).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      return pending;
    },
    reset: () => verified.clear(),
  };
}

/** At most `max` bytes of a reply body, as text: a hostile receiver cannot make the simulator buffer more. */
async function readCapped(response: Response, max: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
