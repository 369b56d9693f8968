/**
 * One nesting limit for every JSON body the simulator parses (provider routes, admin API, rule packs), so
 * no request can make parsing, validating, journaling or echoing it recurse past the stack.
 * @module
 */
import { nestsDeeperThan } from '../util/json-depth.js';

/** Arrays and objects nested deeper than this are refused. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests arrays and objects deeper than `max` (the simulator's limit by default).
 * @example
 * tooDeep('[[[1]]]', 2); // true
 */
export function tooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  return nestsDeeperThan(text, max);
}

/** Whether an already parsed value (from YAML, say) nests deeper than `max`; iterative, so it cannot overflow. */
export function valueTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

export type JsonResult = { ok: true; value: unknown } | { ok: false; error: string; tooDeep?: true };

/**
 * JSON.parse with the nesting limit.
 * @example
 * parseJsonText('{"a":1}'); // { ok: true, value: { a: 1 } }
 */
export function parseJsonText(text: string, max = MAX_JSON_DEPTH): JsonResult {
  // A text no longer than `max` cannot open more than `max` brackets: the scan is skipped.
  if (text.length > max && tooDeep(text, max))
    return { ok: false, error: `JSON nested deeper than ${max} levels`, tooDeep: true };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
