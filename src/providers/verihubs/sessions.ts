/**
 * The OTP sessions the simulated Verihubs keeps: Verihubs generates (or takes) the code, and verifies it
 * itself, so unlike the other providers this slice has real state.
 * @module
 */

export interface OtpSession {
  sessionId: string;
  msisdn: string;
  /** "" when the send named no challenge. */
  challenge: string;
  otp: string;
  tryCount: number;
  createdAt: number;
  expiresAt: number;
  verifiedAt?: number;
  callbackUrl?: string;
  /** Path version the send came through, for the v2-only callback statuses. */
  version: 'v1' | 'v2' | 'sandbox';
}

export interface State {
  /** Every session by `session_id`, oldest first; callbacks look sessions up here. */
  sessions: Map<string, OtpSession>;
  /** The session whose OTP currently verifies, per msisdn + challenge. */
  current: Map<string, string>;
  /** Session ids in arrival order, a ring of MAX_SESSIONS slots: the slot a new one takes names the one to drop. */
  order: (string | undefined)[];
  opened: number;
  /** `options.failures`: the callback status (6-10) sends to an msisdn end with, instead of 1 -> 2 -> 3. */
  failures: ReadonlyMap<string, number>;
}

/** What a later step (callbacks, the inbox) can learn about one session. */
export interface SessionView {
  sessionId: string;
  msisdn: string;
  challenge: string;
  callbackUrl?: string;
  version: OtpSession['version'];
  status: 'pending' | 'verified' | 'expired';
  expiresAt: number;
  verifiedAt?: number;
}

/** Sessions kept before the oldest are dropped, so a long load test cannot grow memory without bound. */
export const MAX_SESSIONS = 100_000;

export function createState(failures: ReadonlyMap<string, number> = new Map()): State {
  return { sessions: new Map(), current: new Map(), order: [], opened: 0, failures };
}

const keyOf = (msisdn: string, challenge: string) => `${msisdn}\u0000${challenge}`;

const isPending = (session: OtpSession, now: number) => session.verifiedAt === undefined && now <= session.expiresAt;

/**
 * Stores a new OTP for msisdn + challenge; it replaces any earlier one, which stops verifying.
 * assumption: try_count counts the sends to the same msisdn + challenge while the previous OTP was still
 * pending (not verified, not expired); it starts again at 1 otherwise. Every send gets a new session_id.
 */
export function openSession(state: State, input: Omit<OtpSession, 'tryCount'>): OtpSession {
  const key = keyOf(input.msisdn, input.challenge);
  const previous = input.version === 'sandbox' ? undefined : state.sessions.get(state.current.get(key) ?? '');
  const tryCount = previous && isPending(previous, input.createdAt) ? previous.tryCount + 1 : 1;
  const session: OtpSession = { ...input, tryCount };
  state.sessions.set(session.sessionId, session);
  // Sandbox sessions are kept for callbacks only: the sandbox verify answers from its table.
  if (input.version !== 'sandbox') state.current.set(key, session.sessionId);
  const slot = state.opened++ % MAX_SESSIONS;
  const oldest = state.order[slot];
  state.order[slot] = session.sessionId;
  if (oldest !== undefined) drop(state, oldest);
  return session;
}

/** Forgets a session; O(1), unlike taking a Map's first entry, which walks past every deleted one. */
function drop(state: State, sessionId: string) {
  const oldest = state.sessions.get(sessionId);
  if (!oldest) return;
  state.sessions.delete(sessionId);
  const key = keyOf(oldest.msisdn, oldest.challenge);
  if (state.current.get(key) === sessionId) state.current.delete(key);
}

export type VerifyResult = 'verified' | 'not_found' | 'expired';

/**
 * Checks an OTP against the current session of msisdn + challenge and consumes it when right.
 * A wrong, unknown, replaced or already used OTP is `not_found`; the right one past its time limit is `expired`.
 * assumption: wrong attempts are not limited; the OTP stays valid until it is verified or expires.
 */
export function verifySession(
  state: State,
  input: { msisdn: string; challenge: string; otp: string; now: number },
): VerifyResult {
  const session = state.sessions.get(state.current.get(keyOf(input.msisdn, input.challenge)) ?? '');
  if (!session || session.otp !== input.otp || session.verifiedAt !== undefined) return 'not_found';
  if (input.now > session.expiresAt) return 'expired';
  session.verifiedAt = input.now;
  return 'verified';
}

/** The `session_id` whose OTP verifies (or just verified) for msisdn + challenge. */
export function currentSessionId(state: State, msisdn: string, challenge: string): string | undefined {
  return state.current.get(keyOf(msisdn, challenge));
}

/**
 * Looks a session up by `session_id`, with its status at `now`; undefined when unknown or evicted.
 * @example
 * const seen = lookupSession(state, '6b0e9c1a-2f4d-4e8b-9a77-1c3d5e7f9a20', clock.now());
 * if (seen?.status === 'verified') scheduleCallback(seen.callbackUrl, 4);
 */
export function lookupSession(state: State, sessionId: string, now: number): SessionView | undefined {
  const session = state.sessions.get(sessionId);
  if (!session) return undefined;
  const status = session.verifiedAt !== undefined ? 'verified' : now > session.expiresAt ? 'expired' : 'pending';
  return {
    sessionId: session.sessionId,
    msisdn: session.msisdn,
    challenge: session.challenge,
    ...(session.callbackUrl !== undefined && { callbackUrl: session.callbackUrl }),
    version: session.version,
    status,
    expiresAt: session.expiresAt,
    ...(session.verifiedAt !== undefined && { verifiedAt: session.verifiedAt }),
  };
}
