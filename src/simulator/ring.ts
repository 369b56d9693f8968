/**
 * A bounded list that evicts its oldest items, so the inbox, journal and callback history stay bounded under
 * load: by count, and optionally by bytes (each item's size as `sizeOf` estimates it).
 * @module
 */

export interface RingOptions<T> {
  /** Past this many estimated bytes the oldest items go too (the newest item is always kept). */
  maxBytes?: number;
  /** An item's estimated size in bytes; read when it is added and again when it is evicted. */
  sizeOf?: (item: T) => number;
  /** Told about every item evicted to make room (not about items `retain` drops). */
  onEvict?: (item: T) => void;
}

export interface Ring<T> {
  /** Adds an item; returns the oldest one when it had to make room by count. */
  push(item: T): T | undefined;
  /** Newest first, filtered, at most `limit` items. */
  newest(match?: (item: T) => boolean, limit?: number): T[];
  find(match: (item: T) => boolean): T | undefined;
  /** How many stored items match. */
  count(match: (item: T) => boolean): number;
  /** Keeps only the items for which `keep` is true. */
  retain(keep: (item: T) => boolean): void;
  /** Empties the ring and zeroes its counters: a reset forgets what it counted too. */
  clear(): void;
  /** An item already held grew (or shrank) by `bytes`; evicts the oldest while over `maxBytes`. */
  resized(bytes: number): void;
  readonly size: number;
  /** Estimated bytes held (0 without `sizeOf`). */
  readonly bytes: number;
  /** Items pushed since the last clear, evicted ones included. */
  readonly total: number;
  /** Items dropped to make room (by count or bytes) since the last clear. */
  readonly evicted: number;
  readonly capacity: number;
}

/**
 * Creates a ring buffer of `capacity` items.
 * @example
 * const ring = createRing<number>(2); ring.push(1); ring.push(2); ring.push(3); ring.newest(); // [3, 2]
 * const texts = createRing<string>(1000, { maxBytes: 1 << 20, sizeOf: (s) => s.length * 2 });
 */
export function createRing<T>(
  capacity: number,
  { maxBytes = Infinity, sizeOf, onEvict }: RingOptions<T> = {},
): Ring<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('ring capacity must be a positive integer');
  let items: (T | undefined)[] = new Array(capacity);
  let start = 0;
  let size = 0;
  let total = 0;
  let bytes = 0;
  let evictions = 0;
  const at = (i: number) => items[(start + i) % capacity] as T;
  const shift = () => {
    const evicted = items[start] as T;
    items[start] = undefined;
    start = (start + 1) % capacity;
    size--;
    evictions++;
    if (sizeOf) bytes -= sizeOf(evicted);
    onEvict?.(evicted);
    return evicted;
  };
  const trim = () => {
    while (size > 1 && bytes > maxBytes) shift();
  };
  return {
    push(item) {
      total++;
      const evicted = size === capacity ? shift() : undefined;
      items[(start + size) % capacity] = item;
      size++;
      if (sizeOf) {
        bytes += sizeOf(item);
        trim();
      }
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
    count(match) {
      let n = 0;
      for (let i = 0; i < size; i++) if (match(at(i))) n++;
      return n;
    },
    retain(keep) {
      const kept: T[] = [];
      for (let i = 0; i < size; i++) if (keep(at(i))) kept.push(at(i));
      items = new Array(capacity);
      kept.forEach((item, i) => (items[i] = item));
      start = 0;
      size = kept.length;
      bytes = sizeOf ? kept.reduce((sum, item) => sum + sizeOf(item), 0) : 0;
    },
    resized(delta) {
      bytes += delta;
      trim();
    },
    clear() {
      items = new Array(capacity);
      start = size = total = bytes = evictions = 0;
    },
    get size() {
      return size;
    },
    get bytes() {
      return bytes;
    },
    get total() {
      return total;
    },
    get evicted() {
      return evictions;
    },
    capacity,
  };
}
