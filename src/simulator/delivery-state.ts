/**
 * A message's delivery state at any moment, worked out from plain data: the reports planned for it, the
 * callback attempts made, and the time. Nothing is applied on timers and nothing is stored twice, so
 * reading a message never changes it, and a clock advanced through the admin API moves every message at once.
 * @module
 */
import type { DeliveryState } from '../providers/outcomes.js';
import type { PlannedReport, ReportState } from './timeline.js';

export type MessageStatus = 'accepted' | DeliveryState;

/** Status order: a late or repeated report never moves a message back. */
const RANK: Record<string, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export interface DeliveryView<A> {
  status: MessageStatus;
  /** Reports due by now, in the order they fell due; absent while none has. */
  events?: { state: ReportState; at: string }[];
  /** Callback attempts made, oldest first; absent while none was. */
  callbacks?: A[];
}

/**
 * The status, events and attempts of a message at `now`. `plan` is sorted by time (equal times keep their
 * order); `initial` is the status the message was stored with.
 * @example
 * deliveryState([{ state: 'sent', at: 100 }, { state: 'read', at: 800 }], [], 500);
 * // { status: 'sent', events: [{ state: 'sent', at: '1970-01-01T00:00:00.100Z' }] }
 */
export function deliveryState<A>(
  plan: readonly PlannedReport[],
  attempts: readonly A[],
  now: number,
  initial: MessageStatus = 'accepted',
): DeliveryView<A> {
  let status = initial;
  let events: DeliveryView<A>['events'];
  for (const report of plan) {
    if (report.at > now) break;
    (events ??= []).push({ state: report.state, at: new Date(report.at).toISOString() });
    const rank = RANK[report.state];
    if (rank !== undefined && rank >= RANK[status]!) status = report.state as MessageStatus;
  }
  return { status, ...(events && { events }), ...(attempts.length > 0 && { callbacks: [...attempts] }) };
}

/**
 * A plan with a later report added after everything planned (Verihubs' `verified`): a report of expiry not
 * yet due (`unverified`) is withdrawn, since the code was used in time.
 * @example
 * withFollowUp([{ state: 'read', at: 800 }, { state: 'unverified', at: 60_000 }], 'verified', 1000, 50);
 * // [{ state: 'read', at: 800 }, { state: 'verified', at: 1000 }]
 */
export function withFollowUp(
  plan: readonly PlannedReport[],
  state: ReportState,
  now: number,
  gapMs: number,
): PlannedReport[] {
  const kept = plan.filter((r) => !(r.state === 'unverified' && r.at > now));
  const last = kept.reduce((max, r) => (r.state === 'unverified' ? max : Math.max(max, r.at)), -Infinity);
  return [...kept, { state, at: Math.max(now, last + gapMs) }].sort((a, b) => a.at - b.at);
}
