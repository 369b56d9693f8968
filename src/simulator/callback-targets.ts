/**
 * Where a delivery report goes and what it says: the URL the send carried or the provider's webhook
 * setting (admin targets win over config), and the provider's native callback for the event.
 * @module
 */
import type { CallbackDefinition, CallbackEvent, NativeCallback, ProviderSettings } from '../providers/define.js';
import type { InboxMessage } from './inbox.js';
import type { ReportState } from './timeline.js';

/** What the dispatcher needs to know of one provider (its runtime in the simulator). */
export interface CallbackProvider {
  definition: { callbacks?: CallbackDefinition };
  settings: ProviderSettings;
  state: unknown;
}

/** The fields of a message its reports depend on. */
export type ReportedMessage = Pick<
  InboxMessage,
  'provider' | 'failure' | 'outcome' | 'expiresAt' | 'to' | 'providerMessageId' | 'callback'
>;

export interface ReadyReport {
  url: string;
  native: NativeCallback;
  /** Attempts in all, per the provider's documented policy. */
  attempts: number;
  timeoutMs: number;
}

export interface CallbackTargets {
  /** The callback a report sends now; undefined when it sends none (no URL, a state not reported). */
  prepare(message: ReportedMessage, state: ReportState, at: number): ReadyReport | undefined;
  /** Whether a report sends a callback, without rendering it. */
  sends(message: ReportedMessage, state: ReportState, at: number): boolean;
  /** Webhook URLs set through the admin API, by provider id. */
  list(): Record<string, string>;
  /** Sets (a URL) or removes (null) targets; returns them all. */
  set(patch: Record<string, string | null>): Record<string, string>;
  clear(): void;
}

/**
 * Creates the targets of one simulator.
 * @example
 * const targets = createCallbackTargets({ provider: runtime });
 * targets.set({ splashify: 'http://127.0.0.1:3000/hooks' });
 * targets.prepare(message, 'delivered', clock.now())?.url; // 'http://127.0.0.1:3000/hooks'
 */
export function createCallbackTargets({
  provider,
  timeoutMs,
}: {
  provider(id: string): CallbackProvider;
  timeoutMs?: number;
}): CallbackTargets {
  let targets: Record<string, string> = {};

  const targetOf = (
    message: ReportedMessage,
    runtime: CallbackProvider,
    definition: CallbackDefinition,
  ): string | undefined => {
    if ('requestField' in definition.target) return message.callback?.url || undefined;
    return targets[message.provider] ?? definition.settingUrl?.(runtime.state) ?? runtime.settings.webhookUrl;
  };

  const find = (message: ReportedMessage, state: ReportState, at: number) => {
    const runtime = provider(message.provider);
    const definition = runtime.definition.callbacks;
    if (!definition?.states.includes(state)) return undefined;
    const event: CallbackEvent = {
      state,
      at,
      message: {
        to: message.to,
        ...(message.providerMessageId !== undefined && { providerMessageId: message.providerMessageId }),
        ...(message.failure && { failure: message.failure }),
        ...(message.callback && { callback: message.callback }),
      },
    };
    // A provider that lists `requested` always sends it: no live setting switches it off.
    if (
      definition.reports &&
      event.state !== 'requested' &&
      !definition.reports(runtime.state, { ...event, state: event.state })
    )
      return undefined;
    const url = targetOf(message, runtime, definition);
    return url === undefined ? undefined : { definition, url, event, state: runtime.state };
  };

  return {
    prepare(message, state, at) {
      const found = find(message, state, at);
      if (!found) return undefined;
      const { definition, url, event, state: providerState } = found;
      // The provider's live state is given for what it holds (Cloud API: the app secret that signs).
      return {
        url,
        native: definition.render(event, providerState),
        attempts: Math.max(1, definition.delivery.attempts),
        timeoutMs: timeoutMs ?? definition.delivery.timeoutMs,
      };
    },
    sends: (message, state, at) => find(message, state, at) !== undefined,
    list: () => ({ ...targets }),
    set(patch) {
      const next = { ...targets };
      for (const [id, url] of Object.entries(patch)) {
        if (url === null) delete next[id];
        else next[id] = url;
      }
      targets = next;
      return { ...targets };
    },
    clear() {
      targets = {};
    },
  };
}
