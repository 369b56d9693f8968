import { describe, expect, it } from 'vitest';
import { parsePrefer, preferredOutcome, preferredTimelineOf } from '../../src/simulator/prefer.js';

const statusMap = (status: number) => (status === 429 ? 'rate_limited' : status === 201 ? 'accepted' : undefined);

describe('parsePrefer', () => {
  it('reads scenario, code and timeline, separated by commas or semicolons, quoted or not', () => {
    expect(parsePrefer('scenario="rate_limited"; timeline=late')).toEqual({
      outcome: { key: 'scenario', value: 'rate_limited' },
      timeline: 'late',
    });
    expect(parsePrefer(' code = 429 , wait=5')).toEqual({ outcome: { key: 'code', value: '429' } });
  });

  it('keeps the first of scenario and code, and ignores what it does not know', () => {
    expect(parsePrefer('code=429, scenario=accepted').outcome).toEqual({ key: 'code', value: '429' });
    expect(parsePrefer('respond-async, return=minimal')).toEqual({});
    expect(parsePrefer(undefined)).toEqual({});
  });
});

describe('preferredOutcome', () => {
  it('names the outcome asked for, with the status for code=', () => {
    expect(preferredOutcome(parsePrefer('scenario=not_on_whatsapp'), 'splashify', statusMap)).toEqual({
      outcome: 'not_on_whatsapp',
      detail: 'Prefer: scenario=not_on_whatsapp',
    });
    expect(preferredOutcome(parsePrefer('code=429'), 'splashify', statusMap)).toEqual({
      outcome: 'rate_limited',
      status: 429,
      detail: 'Prefer: code=429',
    });
    expect(preferredOutcome(parsePrefer('timeline=late'), 'splashify', statusMap)).toBeUndefined();
  });

  it('answers a mistake with one error shape that names what is known', () => {
    expect(preferredOutcome(parsePrefer('scenario=rate_limitted'), 'splashify', statusMap)).toEqual({
      error: expect.stringContaining('known: accepted'),
    });
    expect(preferredOutcome(parsePrefer('code=418'), 'splashify', statusMap)).toEqual({
      error: 'Prefer: code=418: splashify has no scenario answering HTTP 418',
    });
  });
});

describe('preferredTimelineOf', () => {
  it('names the timeline asked for, or an error naming the known ones', () => {
    expect(preferredTimelineOf(parsePrefer('scenario=accepted, timeline="duplicate"'))).toBe('duplicate');
    expect(preferredTimelineOf(parsePrefer('scenario=accepted'))).toBeUndefined();
    expect(preferredTimelineOf(parsePrefer('timeline=soon'))).toEqual({
      error: expect.stringContaining('out_of_order'),
    });
  });
});
