import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { boundHeap } from '../../src/cli/heap.js';

describe('boundHeap (waotp sim and dev)', () => {
  it('leaves a V8 it was not measured on to its defaults (an unknown flag would print an error)', () => {
    expect(boundHeap('12.4.254.21-node.33')).toBe(false);
  });

  it("holds the young generation at its size on Node 20's V8 instead of letting it grow", () => {
    const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
    expect(boundHeap()).toBe(process.versions.v8.startsWith('11.'));
    if (!process.versions.v8.startsWith('11.')) return;
    const before = youngBytes();
    // Survivors are what make V8 grow the young generation: keep a few megabytes alive across scavenges.
    const kept: unknown[] = [];
    for (let i = 0; i < 200_000; i++) kept.push({ i, s: `value ${i}` });
    expect(kept.length).toBe(200_000);
    expect(youngBytes()).toBeLessThanOrEqual(before);
  });
});
