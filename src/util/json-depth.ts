/**
 * Whether JSON text nests arrays and objects deeper than `max`: a single pass over the text that stops early,
 * so it costs less than the parse it guards. Shared by the simulator and the core, which both refuse deep bodies
 * before parsing them.
 * @module
 */

/**
 * @example
 * nestsDeeperThan('[[[1]]]', 2); // true
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92)
        i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) {
      if (++depth > max) return true;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return false;
}
