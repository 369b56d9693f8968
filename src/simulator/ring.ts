/**
 * A fixed-capacity list that evicts its oldest item, so the inbox and journal stay bounded under load.
 * @module
 */

export interface Ring<T> {
  /** Adds an item; returns the oldest one when it had to make room. */
  push(item: T): T | undefined;
  /** Newest first, filtered, at most `limit` items. */
  newest(match?: (item: T) => boolean, limit?: number): T[];
  find(match: (item: T) => boolean): T | undefined;
  /** Keeps only the items for which `keep` is true. */
  retain(keep: (item: T) => boolean): void;
  readonly size: number;
  /** Items ever pushed, evicted ones included. */
  readonly total: number;
  readonly capacity: number;
}

/**
 * Creates a ring buffer of `capacity` items.
 * @example
 * const ring = createRing<number>(2); ring.push(1); ring.push(2); ring.push(3); ring.newest(); // [3, 2]
 */
export function createRing<T>(capacity: number): Ring<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('ring capacity must be a positive integer');
  let items: (T | undefined)[] = new Array(capacity);
  let start = 0;
  let size = 0;
  let total = 0;
  const at = (i: number) => items[(start + i) % capacity] as T;
  return {
    push(item) {
      total++;
      if (size < capacity) {
        items[(start + size) % capacity] = item;
        size++;
        return undefined;
      }
      const evicted = items[start];
      items[start] = item;
      start = (start + 1) % capacity;
      return evicted;
    },
    newest(match, limit = Infinity) {
      const out: T[] = [];
      for (let i = size - 1; i >= 0 && out.length < limit; i--) {
        const item = at(i);
        if (!match || match(item)) out.push(item);
      }
      return out;
    },
    find(match) {
      for (let i = size - 1; i >= 0; i--) {
        const item = at(i);
        if (match(item)) return item;
      }
      return undefined;
    },
    retain(keep) {
      const kept: T[] = [];
      for (let i = 0; i < size; i++) if (keep(at(i))) kept.push(at(i));
      items = new Array(capacity);
      kept.forEach((item, i) => (items[i] = item));
      start = 0;
      size = kept.length;
    },
    get size() {
      return size;
    },
    get total() {
      return total;
    },
    capacity,
  };
}
