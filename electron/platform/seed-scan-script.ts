/**
 * The static seed scan as one Python program composed into the probe (see probe-script.ts): tables,
 * library rules, the per-file pass, the cache and the project pass. It defines `scan(root)`, which stores its
 * findings in the probe's `out["scan"]`, and `scan_project(root, options)` for direct use.
 */
import { createHash } from 'node:crypto';
import { SEED_SCAN_CACHE } from './seed-scan-cache';
import { SEED_SCAN_FILE } from './seed-scan-file';
import { SEED_SCAN_PROJECT } from './seed-scan-project';
import { SEED_SCAN_RULES } from './seed-scan-rules';
import { SEED_SCAN_TABLES } from './seed-scan-tables';

/** The whole scan's Python source; needs only the standard library and the probe's `out` dict. */
export const SEED_SCAN_SCRIPT = [
  SEED_SCAN_TABLES,
  SEED_SCAN_RULES,
  SEED_SCAN_FILE,
  SEED_SCAN_CACHE,
  SEED_SCAN_PROJECT,
].join('\n');

/** A digest of the scan's source: cached per-file results from another version of the scan are never reused. */
export const SEED_SCAN_KEY = createHash('sha256').update(SEED_SCAN_SCRIPT).digest('hex').slice(0, 16);
