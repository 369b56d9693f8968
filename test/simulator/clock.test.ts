import { describe, expect, it } from 'vitest';
import { createClock } from '../../src/simulator/clock.js';

/** A clock on a wall that only moves when the test says so. */
function frozen(start = 1_000_000) {
  let wall = start;
  const clock = createClock({ wall: () => wall });
  return { clock, tick: (ms: number) => (wall += ms) };
}

describe('clock', () => {
  it('follows the wall plus the offset it was advanced by', () => {
    const { clock, tick } = frozen();
    expect(clock.now()).toBe(1_000_000);
    tick(5);
    expect(clock.advance(60_000)).toBe(1_060_005);
    expect(clock.offset()).toBe(60_000);
    clock.reset();
    expect(clock.now()).toBe(1_000_005);
  });

  it('refuses to move backwards or by a non-number', () => {
    const { clock } = frozen();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });

  it('runs tasks in time order, and tasks due at the same time in the order they were scheduled', () => {
    const { clock } = frozen(0);
    const ran: string[] = [];
    // Scheduled out of order, many at once, so the heap has to sift both ways.
    const times = [500, 100, 900, 100, 300, 700, 200, 800, 100, 600, 400];
    times.forEach((at, i) => clock.schedule(at, () => ran.push(`${at}#${i}`)));
    clock.advance(1000);
    const expected = times
      .map((at, i) => ({ at, i }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map(({ at, i }) => `${at}#${i}`);
    expect(ran).toEqual(expected);
  });

  it('runs only the tasks an advance reaches', () => {
    const { clock } = frozen(0);
    const ran: number[] = [];
    for (const at of [10, 20, 30]) clock.schedule(at, () => ran.push(at));
    clock.advance(20);
    expect(ran).toEqual([10, 20]);
    clock.advance(10);
    expect(ran).toEqual([10, 20, 30]);
  });

  it('skips a cancelled task, and a late cancel of a task that ran does nothing', () => {
    const { clock } = frozen(0);
    const ran: number[] = [];
    const cancel10 = clock.schedule(10, () => ran.push(10));
    const cancel20 = clock.schedule(20, () => ran.push(20));
    cancel20();
    clock.advance(30);
    expect(ran).toEqual([10]);
    expect(() => cancel10()).not.toThrow();
  });

  it('keeps order after compacting a heap that is mostly cancelled', () => {
    const { clock } = frozen(0);
    const cancels = Array.from({ length: 3000 }, (_, i) => clock.schedule(10_000 + i, () => {}));
    const ran: number[] = [];
    for (const at of [50, 5, 25]) clock.schedule(at, () => ran.push(at));
    // Past 1024 cancellations and half the heap, the heap is rebuilt from the live tasks.
    cancels.forEach((cancel) => cancel());
    clock.advance(100);
    expect(ran).toEqual([5, 25, 50]);
  });

  it('runs a task scheduled by a running task in the same advance when it is already due', () => {
    const { clock } = frozen(0);
    const ran: string[] = [];
    clock.schedule(10, () => {
      ran.push('first');
      clock.schedule(15, () => ran.push('second'));
    });
    clock.advance(20);
    expect(ran).toEqual(['first', 'second']);
  });

  it('keeps running later tasks when one throws', () => {
    const { clock } = frozen(0);
    const ran: number[] = [];
    const error = console.error;
    console.error = () => {};
    try {
      clock.schedule(1, () => {
        throw new Error('boom');
      });
      clock.schedule(2, () => ran.push(2));
      clock.advance(5);
    } finally {
      console.error = error;
    }
    expect(ran).toEqual([2]);
  });

  it('runs a task on a real timer when wall time reaches it', async () => {
    const clock = createClock();
    const ran = await new Promise<boolean>((resolve) => {
      const fallback = setTimeout(() => resolve(false), 5000);
      clock.schedule(clock.now() + 20, () => {
        clearTimeout(fallback);
        resolve(true);
      });
    });
    expect(ran).toBe(true);
  });
});
