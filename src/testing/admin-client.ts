/**
 * A typed client for the simulator's `/__admin` API, for vitest, jest and Playwright tests.
 * @module
 */

import type { Outcome } from '../providers/outcomes.js';
import type { ChaosInput, RuleInput } from '../simulator/catalogue.js';
import type { CallbackRecord } from '../simulator/dispatcher.js';
import type { InboxMessage } from '../simulator/inbox.js';
import type { JournalEntry } from '../simulator/journal.js';
import type { ChaosState, Rule } from '../simulator/scenarios.js';

/** An admin call that failed: `status` is the HTTP status, or 0 when the simulator could not be reached. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string } | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ArmInput = Omit<RuleInput, 'outcomes'> & ({ outcomes: Outcome[] } | { outcome: Outcome });

export interface RequestFilter {
  provider?: string;
  outcome?: Outcome;
  to?: string;
  limit?: number;
}

export interface AdminClient {
  readonly url: string;
  readonly session: string | undefined;
  /** The same client, scoped to an `x-waotp-session`: its rules, inbox and journal only. */
  withSession(session: string): AdminClient;
  arm(rule: ArmInput): Promise<Rule>;
  /** Removes one rule, or every rule of this session. */
  disarm(id?: string): Promise<void>;
  /** The code of the newest message to `to`, waiting up to `wait` ms for one to arrive. */
  latestOtp(to: string, options?: { wait?: number; provider?: string }): Promise<string>;
  latestMessage(to: string, options?: { wait?: number; provider?: string }): Promise<InboxMessage | undefined>;
  messages(filter?: { to?: string; provider?: string; limit?: number }): Promise<InboxMessage[]>;
  clearMessages(): Promise<void>;
  requests(filter?: RequestFilter): Promise<JournalEntry[]>;
  /** Moves simulated time forward: "10m", "30s", "1h30m" or milliseconds. */
  advanceClock(by: string | number): Promise<{ now: string; offsetMs: number }>;
  setChaos(chaos: Partial<ChaosInput> & { probabilities: ChaosInput['probabilities'] }): Promise<ChaosState>;
  /** Delivery callback attempts, newest first. */
  callbacks(filter?: { provider?: string; message?: string; limit?: number }): Promise<CallbackRecord[]>;
  /** Where providers whose webhook URL is a setting report to (null removes one); returns them all. */
  setCallbackTargets(targets: Record<string, string | null>): Promise<Record<string, string>>;
  reset(): Promise<void>;
}

/**
 * Creates a client for a running simulator.
 * @example
 * const admin = createAdminClient('http://127.0.0.1:4010').withSession('worker-1');
 * await admin.arm({ provider: 'verihubs', outcomes: ['rate_limited', 'accepted'] });
 * const code = await admin.latestOtp('+6281234567890', { wait: 5000 });
 */
export function createAdminClient(
  url: string,
  { session, token }: { session?: string /** The simulator's `--admin-token`. */; token?: string } = {},
): AdminClient {
  const base = url.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const headers: Record<string, string> = {};
    if (session !== undefined) headers['x-waotp-session'] = session;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${base}/__admin${path}`, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw unreachable(base, method, path, error);
    }
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await call(method, path, body);
    if (!response.ok) throw await adminError(response, method, path);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
  const query = (params: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    const text = q.toString();
    return text ? `?${text}` : '';
  };
  const latestMessage: AdminClient['latestMessage'] = async (to, { wait, provider } = {}) => {
    const response = await call('GET', `/messages/latest${query({ to, wait, provider })}`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw await adminError(response, 'GET', '/messages/latest');
    return (await response.json()) as InboxMessage;
  };

  return {
    url: base,
    session,
    withSession: (name) => createAdminClient(base, { session: name, ...(token !== undefined && { token }) }),
    arm: (rule) => json('POST', '/scenarios', rule),
    disarm: async (id) => {
      await json('DELETE', id ? `/scenarios/${encodeURIComponent(id)}` : '/scenarios');
    },
    latestMessage,
    async latestOtp(to, options = {}) {
      const message = await latestMessage(to, options);
      if (!message)
        throw new AdminError(404, undefined, `no OTP reached ${to}${options.wait ? ` within ${options.wait} ms` : ''}`);
      return message.code;
    },
    messages: async (filter = {}) =>
      (await json<{ messages: InboxMessage[] }>('GET', `/messages${query(filter)}`)).messages,
    clearMessages: async () => {
      await json('DELETE', '/messages');
    },
    requests: async (filter = {}) =>
      (await json<{ requests: JournalEntry[] }>('GET', `/requests${query({ ...filter })}`)).requests,
    advanceClock: (by) => json('POST', '/clock', { advance: by }),
    setChaos: (chaos) => json('PUT', '/chaos', chaos),
    callbacks: async (filter = {}) =>
      (await json<{ callbacks: CallbackRecord[] }>('GET', `/callbacks${query(filter)}`)).callbacks,
    setCallbackTargets: (targets) => json('PUT', '/callbacks/targets', targets),
    reset: async () => {
      await json('POST', '/reset');
    },
  };
}

/** A network failure, said the way a person debugging a test needs it: which URL, why, and what to check. */
function unreachable(base: string, method: string, path: string, error: unknown): AdminError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  const message =
    `cannot reach the waotp simulator at ${base} (${method} /__admin${path}): ${why}. ` +
    'Check that it is running (waotp sim, or startSimulator() in your test setup) and that the URL and port are right.';
  return new AdminError(0, undefined, message, { cause: error });
}

async function adminError(response: Response, method: string, path: string): Promise<AdminError> {
  let problem: { title?: string; detail?: string } | undefined;
  try {
    problem = (await response.json()) as { title?: string; detail?: string };
  } catch {
    problem = undefined;
  }
  return new AdminError(
    response.status,
    problem,
    `${method} /__admin${path} -> ${response.status}: ${problem?.detail ?? problem?.title ?? response.statusText}`,
  );
}
