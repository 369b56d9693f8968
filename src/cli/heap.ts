/**
 * The heap a long-running server (`waotp sim`, `waotp dev`) keeps. Its live data is small (the capped inbox and
 * journal, ~23 MB), but with V8's defaults RSS settled near 150 MB and peaked at 255 MB over a million sends: V8
 * grew the young generation to its 32 MB maximum (every send's message and journal entry outlive it anyway) and
 * let the old generation grow to several times its live size before collecting it. Measured on Node 20 over
 * 1,000,000 Splashify sends: 114 MB settled, 135 MB peak (was 163 and 254), and as many sends per second.
 * Both flags are read by V8 whenever it sizes a space, so setting them in the running process works (the heap-size
 * flags, fixed when the process starts, would need a flag in the bin's shebang, which not every `env` passes).
 * They are set once the server is up: set before the modules load, start-up took ~18 ms longer (a changed flag
 * set no longer matches the code cache of Node's built-in modules still to load).
 * @module
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Young generation: stays at the size start-up left it instead of doubling towards 32 MB (sends were no slower,
 * often faster: a small young generation stays in the CPU's cache). Old generation: collected at 2× its live
 * size; 1.2× and 1.5× held RSS lower still, but their extra full collections cost ~10% of sends and doubled p99.
 */
export const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=100'];

/**
 * Applies HEAP_FLAGS for the rest of this process, on the V8 they were measured on (Node 20's 11.x): another V8
 * may name them differently and would print an error for each, so it keeps its defaults.
 * @example
 * boundHeap(); // returns whether the flags were applied
 */
export function boundHeap(v8Version = process.versions.v8): boolean {
  if (!v8Version.startsWith('11.')) return false;
  for (const flag of HEAP_FLAGS) setFlagsFromString(flag);
  return true;
}
