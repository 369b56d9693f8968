import { describe, expect, it } from 'vitest';
import { createClock } from '../../src/simulator/clock.js';
import { planTimeline, preferredTimeline } from '../../src/simulator/timeline.js';

const plan = (input: Partial<Parameters<typeof planTimeline>[0]>) =>
  planTimeline({ timeline: 'normal', failed: false, createdAt: 0, ...input }).map((r) => `${r.state}@${r.at}`);

describe('planTimeline', () => {
  it('plays sent, delivered, read for an accepted send', () => {
    expect(plan({})).toEqual(['sent@100', 'delivered@300', 'read@800']);
  });

  it('plays one failed report for an undeliverable send', () => {
    expect(plan({ failed: true })).toEqual(['failed@300']);
  });

  it('scales every delay with speed', () => {
    expect(plan({ speed: 2 })).toEqual(['sent@50', 'delivered@150', 'read@400']);
  });

  it('adds unverified at the expiry for a provider that reports it', () => {
    expect(plan({ expiresAt: 60_000, states: ['sent', 'delivered', 'read', 'unverified'] })).toEqual([
      'sent@100',
      'delivered@300',
      'read@800',
      'unverified@60000',
    ]);
    expect(plan({ expiresAt: 60_000, states: ['sent', 'delivered', 'read'] })).toEqual([
      'sent@100',
      'delivered@300',
      'read@800',
    ]);
  });

  it('opens with requested at the send itself for a provider that reports it, whatever the variant', () => {
    const states = ['requested', 'sent', 'delivered', 'read', 'failed'] as const;
    expect(plan({ createdAt: 5, states })).toEqual(['requested@5', 'sent@105', 'delivered@305', 'read@805']);
    expect(plan({ failed: true, states })).toEqual(['requested@0', 'failed@300']);
    expect(plan({ timeline: 'out_of_order', states })).toEqual([
      'requested@0',
      'delivered@100',
      'sent@300',
      'read@800',
    ]);
    expect(plan({ timeline: 'missing', states })).toEqual([]);
  });

  it('sends delivered twice for duplicate', () => {
    expect(plan({ timeline: 'duplicate' })).toEqual(['sent@100', 'delivered@300', 'delivered@350', 'read@800']);
    expect(plan({ timeline: 'duplicate', failed: true })).toEqual(['failed@300', 'failed@350']);
  });

  it('swaps sent and delivered for out_of_order', () => {
    expect(plan({ timeline: 'out_of_order' })).toEqual(['delivered@100', 'sent@300', 'read@800']);
  });

  it('moves everything after sent past the expiry for late', () => {
    expect(plan({ timeline: 'late', expiresAt: 60_000, states: ['unverified'] })).toEqual([
      'sent@100',
      'unverified@60000',
      'delivered@60300',
      'read@60800',
    ]);
    expect(plan({ timeline: 'late', lateAfterMs: 1000 })).toEqual(['sent@100', 'delivered@1300', 'read@1800']);
  });

  it('plans nothing for missing', () => {
    expect(plan({ timeline: 'missing', expiresAt: 1000, states: ['unverified'] })).toEqual([]);
  });
});

describe('preferredTimeline', () => {
  it('reads timeline= from a Prefer header, alone or next to scenario=', () => {
    expect(preferredTimeline('timeline=late')).toBe('late');
    expect(preferredTimeline('scenario=accepted, timeline="duplicate"')).toBe('duplicate');
    expect(preferredTimeline('scenario=accepted')).toBeUndefined();
    expect(preferredTimeline(undefined)).toBeUndefined();
    expect(preferredTimeline('timeline=soon')).toEqual({ error: expect.stringContaining('out_of_order') });
  });
});

describe('clock scheduler', () => {
  it('runs a task when advance reaches it, in time order, and not before', () => {
    let wall = 1_000;
    const clock = createClock({ wall: () => wall });
    const ran: string[] = [];
    clock.schedule(61_000, () => ran.push('b'));
    clock.schedule(31_000, () => ran.push('a'));
    clock.schedule(100_000, () => ran.push('c'));
    clock.advance(29_000);
    expect(ran).toEqual([]);
    clock.advance(31_000);
    expect(ran).toEqual(['a', 'b']);
    wall += 40_000;
    clock.advance(0);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('runs a task on a real timer as time passes', async () => {
    const clock = createClock();
    const ran = await new Promise<number>((resolve) => {
      const started = Date.now();
      clock.schedule(clock.now() + 30, () => resolve(Date.now() - started));
    });
    expect(ran).toBeGreaterThanOrEqual(25);
  });

  it('never runs a cancelled task', () => {
    const clock = createClock();
    const ran: string[] = [];
    const cancel = clock.schedule(clock.now() + 1000, () => ran.push('x'));
    clock.schedule(clock.now() + 1000, () => ran.push('y'));
    cancel();
    clock.advance(2000);
    expect(ran).toEqual(['y']);
  });

  it('keeps running the rest when one task throws', () => {
    const clock = createClock();
    const ran: string[] = [];
    const error = console.error;
    console.error = () => {};
    try {
      clock.schedule(clock.now() + 10, () => {
        throw new Error('boom');
      });
      clock.schedule(clock.now() + 20, () => ran.push('after'));
      clock.advance(100);
    } finally {
      console.error = error;
    }
    expect(ran).toEqual(['after']);
  });
});
