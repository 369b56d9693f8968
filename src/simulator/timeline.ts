/**
 * Delivery timelines: which reports a captured message gets, and when, in simulated time. The outcome
 * decides the shape (accepted: sent, delivered, read; not_on_whatsapp or a captured failure: failed), after
 * `requested` where the provider reports the request itself; a
 * variant QA asks for bends it (duplicate, out of order, late, missing).
 * @module
 */
import type { CallbackEvent } from '../providers/define.js';

/** Every timeline variant, as QA names them in rules (`"timeline"`) and headers (`Prefer: timeline=`). */
export const TIMELINES = ['normal', 'duplicate', 'out_of_order', 'late', 'missing'] as const;
export type Timeline = (typeof TIMELINES)[number];

export type ReportState = CallbackEvent['state'];

/** Milliseconds after the send at which each report is due, at speed 1. */
export interface TimelineDelays {
  sent: number;
  delivered: number;
  read: number;
  failed: number;
}

export const DEFAULT_DELAYS: TimelineDelays = { sent: 100, delivered: 300, read: 800, failed: 300 };
/** Between the two copies of a duplicated report, and before a report that follows the timeline (verified). */
export const GAP_MS = 50;
/** Where the send names no expiry (every provider but Verihubs), `late` reports come this long after it. */
export const DEFAULT_LATE_AFTER_MS = 5 * 60_000;

export interface PlanInput {
  timeline: Timeline;
  /** The message will not be delivered: one `failed` report. */
  failed: boolean;
  /** Simulated time of the send, epoch ms. */
  createdAt: number;
  /** When the OTP stops verifying, where the provider knows (Verihubs' time_limit). */
  expiresAt?: number;
  /** The states the provider reports; `unverified` is planned only for a provider that reports it. */
  states?: readonly ReportState[];
  /** 2 plays every delay twice as fast. */
  speed?: number;
  delays?: Partial<TimelineDelays>;
  lateAfterMs?: number;
}

export interface PlannedReport {
  state: ReportState;
  /** Simulated time, epoch ms. */
  at: number;
}

/**
 * The reports a message gets, ordered by time.
 * @example
 * planTimeline({ timeline: 'normal', failed: false, createdAt: 0 });
 * // [{ state: 'sent', at: 100 }, { state: 'delivered', at: 300 }, { state: 'read', at: 800 }]
 */
export function planTimeline({
  timeline,
  failed,
  createdAt,
  expiresAt,
  states,
  speed = 1,
  delays = {},
  lateAfterMs = DEFAULT_LATE_AFTER_MS,
}: PlanInput): PlannedReport[] {
  if (timeline === 'missing') return [];
  const d = { ...DEFAULT_DELAYS, ...delays };
  const after = (ms: number) => ms / speed;
  // Late: the first report keeps its time, the rest come only once the OTP has expired.
  const expiry = expiresAt ?? createdAt + lateAfterMs;
  const base = (state: keyof TimelineDelays) =>
    (timeline === 'late' && state !== 'sent' ? expiry : createdAt) + after(d[state]);
  const reports: PlannedReport[] = failed
    ? [{ state: 'failed', at: base('failed') }]
    : [
        { state: 'sent', at: base('sent') },
        { state: 'delivered', at: base('delivered') },
        { state: 'read', at: base('read') },
      ];
  if (timeline === 'out_of_order' && !failed) {
    // delivered arrives before sent: the two swap times.
    [reports[0]!.at, reports[1]!.at] = [reports[1]!.at, reports[0]!.at];
  }
  if (timeline === 'duplicate') {
    const twice = reports.find((r) => r.state === 'delivered' || r.state === 'failed')!;
    reports.push({ state: twice.state, at: twice.at + after(GAP_MS) });
  }
  if (!failed && expiresAt !== undefined && states?.includes('unverified'))
    reports.push({ state: 'unverified', at: expiresAt });
  // `requested` (Verihubs' 0) is the send itself: it keeps its time whatever the variant.
  if (states?.includes('requested')) reports.unshift({ state: 'requested', at: createdAt });
  // Stable: equal times keep the order above.
  return reports.sort((a, b) => a.at - b.at);
}

export function isTimeline(value: unknown): value is Timeline {
  return typeof value === 'string' && (TIMELINES as readonly string[]).includes(value);
}

/**
 * The timeline a `Prefer` header asks for (`Prefer: timeline=late`, also next to `scenario=`), an
 * error naming the known ones, or undefined when it asks for none.
 * @example
 * preferredTimeline('scenario=accepted, timeline=duplicate'); // 'duplicate'
 */
export function preferredTimeline(prefer: string | undefined): Timeline | { error: string } | undefined {
  if (!prefer) return undefined;
  for (const part of prefer.split(/[,;]/)) {
    const [key, raw] = part.split('=').map((s) => s.trim());
    if (key !== 'timeline') continue;
    const value = raw?.replace(/^"|"$/g, '');
    return isTimeline(value)
      ? value
      : { error: `Prefer: timeline=${value} names no timeline; known: ${TIMELINES.join(', ')}` };
  }
  return undefined;
}
