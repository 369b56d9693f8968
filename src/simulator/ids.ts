/**
 * One seeded faker per simulator, so that ids and generated values reproduce run after run.
 * @module
 */
import { faker as baseFaker } from '@faker-js/faker/locale/base';
import type { IdSource } from '../providers/define.js';

type Faker = typeof baseFaker;

/**
 * Creates the simulator's seeded source of ids. Only the locale-free `base` data is loaded: ids need no
 * names or addresses, and the full package costs ~150 ms of start-up.
 * @example
 * const ids = createIds(42);
 * ids.uuid(); // the same uuid every run with seed 42
 */
export function createIds(seed?: number): IdSource {
  // The locale modules export a shared instance; a private one keeps seeds from leaking between simulators.
  const FakerClass = baseFaker.constructor as new (options: { locale: Faker['rawDefinitions'] }) => Faker;
  const faker = new FakerClass({ locale: baseFaker.rawDefinitions });
  if (seed !== undefined) faker.seed(seed);
  return {
    uuid: () => {
      // A v4 UUID from four seeded 32-bit draws: faker's own uuid() draws once per character.
      const w = [0, 1, 2, 3].map(() => faker.number.int(0xffffffff).toString(16).padStart(8, '0'));
      const variant = ((parseInt(w[2]!.slice(0, 1), 16) & 0x3) | 0x8).toString(16);
      const [a, b, c, d] = w as [string, string, string, string];
      return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
    },
    int: (min, max) => faker.number.int({ min, max }),
    digits: (length) => faker.string.numeric({ length, allowLeadingZeros: false }),
    alphanumeric: (length) => faker.string.alphanumeric({ length }),
    hex: (length) => faker.string.hexadecimal({ length, casing: 'lower', prefix: '' }),
  };
}
