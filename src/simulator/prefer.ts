/**
 * The one parser of the `Prefer` header, Prism's per-request override knob: `scenario=<outcome>`,
 * `code=<status>` and `timeline=<variant>`, separated by `,` or `;`, values optionally quoted.
 * Every mistake comes back in one shape, `{ error }`, which the pipeline answers with a 400 problem.
 * @module
 */
import { isOutcome, OUTCOMES, type Outcome } from '../providers/outcomes.js';
import { isTimeline, TIMELINES, type Timeline } from './timeline.js';

/** What a `Prefer` header asks for, as written; the first `scenario=` or `code=` is the one that counts. */
export interface PreferAsk {
  /** `scenario` or `code`, whichever came first, with its value. */
  outcome?: { key: 'scenario' | 'code'; value: string };
  timeline?: string;
}

export type PreferError = { error: string };

/**
 * Splits a `Prefer` header into what it asks for; unknown preferences are ignored, as RFC 7240 asks.
 * @example
 * parsePrefer('code=429, timeline="late"'); // { outcome: { key: 'code', value: '429' }, timeline: 'late' }
 */
export function parsePrefer(header: string | undefined): PreferAsk {
  const ask: PreferAsk = {};
  if (!header) return ask;
  for (const part of header.split(/[,;]/)) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const key = part.slice(0, equals).trim();
    const value = part
      .slice(equals + 1)
      .trim()
      .replace(/^"|"$/g, '');
    if ((key === 'scenario' || key === 'code') && !ask.outcome) ask.outcome = { key, value };
    else if (key === 'timeline' && ask.timeline === undefined) ask.timeline = value;
  }
  return ask;
}

/** The outcome and HTTP status a parsed `Prefer` asks for, given how this provider maps statuses. */
export function preferredOutcome(
  ask: PreferAsk,
  provider: string,
  outcomeForStatus: (status: number) => Outcome | undefined,
): { outcome: Outcome; status?: number; detail: string } | PreferError | undefined {
  if (!ask.outcome) return undefined;
  const { key, value } = ask.outcome;
  const detail = `Prefer: ${key}=${value}`;
  if (key === 'scenario') {
    return isOutcome(value)
      ? { outcome: value, detail }
      : { error: `${detail} names no outcome; known: ${OUTCOMES.join(', ')}` };
  }
  const status = Number(value);
  const outcome = outcomeForStatus(status);
  return outcome
    ? { outcome, status, detail }
    : { error: `${detail}: ${provider} has no scenario answering HTTP ${value}` };
}

/** The delivery timeline a parsed `Prefer` asks for, if any. */
export function preferredTimelineOf(ask: PreferAsk): Timeline | PreferError | undefined {
  if (ask.timeline === undefined) return undefined;
  return isTimeline(ask.timeline)
    ? ask.timeline
    : { error: `Prefer: timeline=${ask.timeline} names no timeline; known: ${TIMELINES.join(', ')}` };
}
