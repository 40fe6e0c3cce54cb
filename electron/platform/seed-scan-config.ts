/**
 * The project's seed-scan settings: `.reproscope.yaml` at the project root, key `seed-scan`
 * (`ignore`: rule ids to silence everywhere; `exclude`: path globs not scanned), and where the
 * per-file scan cache lives. Documented in docs/seed-scan.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { err, ok, type Result } from '../../shared/errors';

/** The file name of the project config. */
export const SEED_SCAN_CONFIG_FILE = '.reproscope.yaml';

const ConfigSchema = z
  .object({
    'seed-scan': z
      .object({
        ignore: z.array(z.string().regex(/^[a-z0-9-]+$/)).default([]),
        exclude: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ ignore: [], exclude: [] }),
  })
  .passthrough();

/** What the scan is told to silence. */
export interface SeedScanConfig {
  ignore: string[];
  exclude: string[];
}

/** Reads `.reproscope.yaml` under the project root; no file means no settings, a bad file is an error naming it. */
export async function readSeedScanConfig(root: string): Promise<Result<SeedScanConfig>> {
  const file = path.join(root, SEED_SCAN_CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return ok({ ignore: [], exclude: [] });
  }
  // yaml loads only for a project that has the file (issue 13: a capture's start)
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (e) {
    return err({ code: 'INVALID_INPUT', message: `${file} is not valid YAML: ${(e as Error).message}` });
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success)
    return err({
      code: 'INVALID_INPUT',
      message: `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
      hint: 'seed-scan: { ignore: [rule-id, …], exclude: [glob, …] }',
    });
  return ok(parsed.data['seed-scan']);
}

/** The scan cache file: REPROSCOPE_SCAN_CACHE (a file, or `off`), else the user's cache folder. */
export function defaultScanCache(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.REPROSCOPE_SCAN_CACHE;
  if (set === 'off') return null;
  if (set) return path.resolve(set);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'reproscope', 'seed-scan.json');
}
