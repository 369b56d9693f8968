/**
 * Messages a later report may be sent for (Verihubs' `verified`, once the code is checked), by provider and
 * provider message id. Bounded like Verihubs' own sessions: past `capacity` the oldest are forgotten.
 * @module
 */

export interface Reportable {
  /** Inbox id of the message. */
  messageId: string;
  /** Its timeline is `missing`: it reports nothing, later events included. */
  missing: boolean;
}

export interface ReportRegistry {
  remember(provider: string, providerMessageId: string, entry: Reportable): void;
  find(provider: string, providerMessageId: string): Reportable | undefined;
  clear(): void;
  readonly size: number;
}

export const DEFAULT_REMEMBERED = 100_000;

/**
 * Creates a registry of `capacity` entries.
 * @example
 * const registry = createReportRegistry(100_000);
 * registry.remember('verihubs', 'sess_1', { messageId: 'msg_000001', missing: false });
 * registry.find('verihubs', 'sess_1')?.messageId; // 'msg_000001'
 */
export function createReportRegistry(capacity = DEFAULT_REMEMBERED): ReportRegistry {
  const entries = new Map<string, Reportable>();
  // A ring of keys names the one to forget: a Map's first key is found by walking past deleted ones.
  let keys: (string | undefined)[] = [];
  let count = 0;
  const keyOf = (provider: string, id: string) => `${provider}\u0000${id}`;
  return {
    remember(provider, providerMessageId, entry) {
      const key = keyOf(provider, providerMessageId);
      entries.set(key, entry);
      const slot = count++ % capacity;
      const forgotten = keys[slot];
      keys[slot] = key;
      if (forgotten !== undefined && forgotten !== key) entries.delete(forgotten);
    },
    find: (provider, providerMessageId) => entries.get(keyOf(provider, providerMessageId)),
    clear() {
      entries.clear();
      keys = [];
      count = 0;
    },
    get size() {
      return entries.size;
    },
  };
}
