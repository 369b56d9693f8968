/**
 * One seeded random source per simulator, so that ids and generated values reproduce run after run.
 * @module
 */
import { randomInt } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { IdSource } from '../providers/define.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

/**
 * Creates the simulator's seeded source of ids: a small PRNG (pure-rand's xoroshiro128+), not a data faker,
 * since ids need no names or addresses (faker was a sixth of `waotp sim`'s start-up code).
 * @example
 * const ids = createIds(42);
 * ids.uuid(); // the same uuid every run with seed 42
 */
export function createIds(seed: number = randomInt(2 ** 31)): IdSource {
  const rng = xoroshiro128plus(seed);
  const word = () => (rng.next() >>> 0).toString(16).padStart(8, '0');
  const pick = (alphabet: string, length: number) => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[uniformInt(rng, 0, alphabet.length - 1)];
    return out;
  };
  return {
    uuid: () => {
      // A v4 UUID from four 32-bit draws: version nibble 4, variant bits 10.
      const a = word();
      const b = word();
      const c = word();
      const variant = HEX[8 + (parseInt(c[0]!, 16) & 0x3)];
      // join() builds one flat string; a template literal this long would be a rope of pieces, and every
      // message keeps its id for as long as the inbox does.
      return [a, b.slice(0, 4), `4${b.slice(5, 8)}`, `${variant}${c.slice(1, 4)}`, c.slice(4) + word()].join('-');
    },
    int: (min, max) => uniformInt(rng, min, max),
    digits: (length) => (length > 0 ? pick('123456789', 1) + pick('0123456789', length - 1) : ''),
    alphanumeric: (length) => pick(ALPHANUMERIC, length),
    hex: (length) => pick(HEX, length),
  };
}
