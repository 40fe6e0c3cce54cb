// V8's heap held close to what stays alive while a large re-import runs (issue 13: peak memory < 400 MB whatever the size).
import v8 from 'node:v8';

/**
 * How far the heap may grow past what the last full collection kept, in percent, while a large re-import runs.
 * Why: a re-import allocates fast and keeps about 65 MB at 100k runs (the stored runs and the summary), and
 * V8's own factor for a heap that allocates fast is up to 4×, which took a 100k-run re-import to 390–520 MB.
 * At 50 % it peaked at 242–247 MB for 5.8–6.9 s CPU instead of 4.9. A first import keeps little: held low,
 * its CPU rose by a quarter at 100k runs, for a peak it already kept under 400 MB.
 */
const IMPORT_HEAP_GROWING_PERCENT = 50;
/** From this many stored runs: below it the live heap is small whatever the factor, and the extra collections only cost CPU. */
export const LEAN_HEAP_FROM_RUNS = 30_000;
let holders = 0;

/**
 * Holds the heap's growth low until the returned release is called. V8's flag is process-wide, so it is set
 * for the first holder and reset (0: V8's own factor) after the last.
 */
export function holdHeapLow(): () => void {
  if (holders++ === 0) v8.setFlagsFromString(`--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  };
}
