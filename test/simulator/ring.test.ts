import { describe, expect, it } from 'vitest';
import { createRing } from '../../src/simulator/ring.js';

describe('ring', () => {
  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createRing(0)).toThrow(RangeError);
    expect(() => createRing(1.5)).toThrow(RangeError);
  });

  it('lists newest first and evicts the oldest past capacity, returning it', () => {
    const ring = createRing<number>(3);
    expect([1, 2, 3].map((n) => ring.push(n))).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect(ring.newest()).toEqual([5, 4, 3]);
    expect(ring.size).toBe(3);
    expect(ring.total).toBe(5);
    expect(ring.capacity).toBe(3);
  });

  it('filters and limits from the newest end', () => {
    const ring = createRing<number>(10);
    for (let n = 1; n <= 10; n++) ring.push(n);
    expect(ring.newest((n) => n % 2 === 0, 2)).toEqual([10, 8]);
    expect(ring.newest(undefined, 0)).toEqual([]);
  });

  it('finds the newest match', () => {
    const ring = createRing<{ id: number; tag: string }>(4);
    for (let id = 1; id <= 6; id++) ring.push({ id, tag: id % 2 ? 'odd' : 'even' });
    expect(ring.find((x) => x.tag === 'odd')?.id).toBe(5);
    expect(ring.find((x) => x.id === 1)).toBeUndefined();
  });

  it('retains only what is kept, in order, and keeps working after wrapping', () => {
    const ring = createRing<number>(4);
    for (let n = 1; n <= 7; n++) ring.push(n);
    ring.retain((n) => n !== 5);
    expect(ring.newest()).toEqual([7, 6, 4]);
    expect(ring.total).toBe(7);
    ring.push(8);
    expect(ring.push(9)).toBe(4);
    expect(ring.newest()).toEqual([9, 8, 7, 6]);
  });
});
