/**
 * "Did you mean": the closest known name to a mistyped one, for CLI commands and flags, provider ids and
 * config keys alike.
 * @module
 */
import { distance } from 'fastest-levenshtein';

/**
 * The known name nearest to `input`, or undefined when none is close enough to be a plausible typo.
 * @example
 * closest('verihub', ['verihubs', 'splashify']); // 'verihubs'
 */
export function closest(input: string, known: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = distance(typed, name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  // A third of the name may differ (at least 2 edits): "verihub" -> "verihubs", not "x" -> "sim".
  return bestDistance <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` or an empty string. */
export function didYouMean(input: string, known: readonly string[]): string {
  const name = closest(input, known);
  return name === undefined ? '' : ` (did you mean "${name}"?)`;
}
