// Probes a Python interpreter: version, installed distributions and numerics build facts, without importing heavy packages.
import { execFile, type ExecFileException } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  PackageSchema,
  SeedFindingSchema,
  type Package,
  type PythonInfo,
  type SeedFinding,
} from '../../shared/snapshot/snapshot';
import { blankPython } from '../../shared/snapshot/snapshot-base';
import { PROBE_SCRIPT } from './probe-script';
import { whichSync } from './python-which';
import { defaultScanCache, readSeedScanConfig } from './seed-scan-config';
import { SEED_SCAN_KEY } from './seed-scan-script';

/** What the probe found; it never throws: a missing or broken interpreter is reported in `python.status`. */
export interface ProbeResult {
  python: PythonInfo;
  packages: Package[];
  numerics: Record<string, Record<string, string>>;
  scan: {
    status: 'ok' | 'skipped' | 'failed';
    filesScanned: number;
    error: string | null;
    findings: SeedFinding[];
    suppressed?: number;
  } | null;
  /** Whether the packages and numerics facts came from the package cache (nothing installed changed); not part of the snapshot. */
  packagesCached?: boolean;
  /** Files the scan parsed afresh (the rest came from its per-file cache); not part of the snapshot. */
  scanReparsed?: number;
  errors: string[];
}

const ProbeOutputSchema = z.object({
  python: z.object({
    executable: z.string().optional(),
    version: z.string().optional(),
    implementation: z.string().optional(),
    prefix: z.string().optional(),
    basePrefix: z.string().optional(),
    virtualenv: z.string().nullable().optional(),
    conda: z.string().nullable().optional(),
  }),
  packages: z.array(PackageSchema),
  numerics: z.record(z.string(), z.record(z.string(), z.string())),
  errors: z.array(z.string()),
  packagesCached: z.boolean().optional(),
  scan: z
    .object({
      filesScanned: z.number(),
      findings: z.array(SeedFindingSchema),
      suppressed: z.number().int().nonnegative().optional(),
      reparsed: z.number().int().nonnegative().optional(),
    })
    .nullable(),
});

function runPython(
  python: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; error: ExecFileException | null }> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-I', '-c', PROBE_SCRIPT, ...args],
      { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ stdout, stderr, error }),
    );
  });
}

/** Options of probePython. */
export interface ProbeOptions {
  /** Project folder to seed-scan; no scan when absent. */
  scanRoot?: string | null;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** An interpreter to run the seed scan with when the project's own is missing (the scan needs only the standard library). */
  fallbackPython?: string;
  /** The per-file scan cache file; null turns caching off; default: defaultScanCache(). */
  scanCache?: string | null;
  /**
   * The folder of the package cache (packages and numerics facts per interpreter, kept while nothing installed
   * changes); null turns it off; default: defaultPackageCache().
   */
  packageCache?: string | null;
  /** What probeCommand printed where it ran (a cluster node, beside the rerun): read instead of running the probe here. */
  output?: { stdout: string; stderr: string };
}

/** The package cache folder: REPROSCOPE_PROBE_CACHE (a folder, or `off`), else the user's cache folder. */
export function defaultPackageCache(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.REPROSCOPE_PROBE_CACHE;
  if (set === 'off') return null;
  if (set) return path.resolve(set);
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'reproscope', 'probe');
}

/** The probe (without the seed scan) as a command to run on another machine: `argv`, with the script fed on stdin. */
export function probeCommand(python: string): { argv: string[]; stdin: string } {
  return {
    argv: ['env', 'PYTHONDONTWRITEBYTECODE=1', 'PYTHONWARNINGS=ignore', python, '-I', '-'],
    stdin: PROBE_SCRIPT,
  };
}

/** The probe's scan arguments: root, then the options JSON (cache, scan version, the project's config). */
async function scanArguments(options: ProbeOptions, errors: string[]): Promise<string[]> {
  if (!options.scanRoot) return [];
  const config = await readSeedScanConfig(options.scanRoot);
  if (!config.ok) errors.push(`scan: ${config.error.message}`);
  const cache = options.scanCache === undefined ? defaultScanCache(options.env ?? process.env) : options.scanCache;
  const scanOptions = {
    key: SEED_SCAN_KEY,
    cache,
    ignore: config.ok ? config.value.ignore : [],
    exclude: config.ok ? config.value.exclude : [],
  };
  return ['--scan', options.scanRoot, '--scan-options', JSON.stringify(scanOptions)];
}

/** Runs the probe with the given interpreter; never throws. */
export async function probePython(python: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  // -I ignores PYTHON* variables and user site; the interpreter's own environment is what we record.
  const env = { ...(options.env ?? process.env), PYTHONDONTWRITEBYTECODE: '1', PYTHONWARNINGS: 'ignore' };
  const configErrors: string[] = [];
  const packageCache =
    options.packageCache === undefined ? defaultPackageCache(options.env ?? process.env) : options.packageCache;
  const scanArgs = [
    ...(await scanArguments(options, configErrors)),
    ...(packageCache ? ['--package-cache', packageCache] : []),
  ];
  const result: ProbeResult = {
    python: blankPython(python, 'failed', null),
    packages: [],
    numerics: {},
    scan: null,
    errors: [],
  };
  const run = options.output ? { ...options.output, error: null } : await runPython(python, scanArgs, timeoutMs, env);
  if (run.error && (run.error.code === 'ENOENT' || run.error.code === 'EACCES')) {
    result.python = blankPython(python, 'missing', `${python} was not found or is not executable`);
    if (options.scanRoot) {
      const fallback = options.fallbackPython ?? whichSync('python3');
      const scanRun =
        fallback && fallback !== python
          ? await runPython(fallback, ['--scan-only', ...scanArgs], timeoutMs, env)
          : null;
      const parsed = scanRun && !scanRun.error ? ProbeOutputSchema.safeParse(safeJson(scanRun.stdout)) : null;
      result.scan =
        parsed?.success && parsed.data.scan
          ? {
              status: 'ok',
              filesScanned: parsed.data.scan.filesScanned,
              error: configErrors[0] ?? null,
              findings: parsed.data.scan.findings,
              suppressed: parsed.data.scan.suppressed ?? 0,
            }
          : { status: 'failed', filesScanned: 0, error: 'no Python interpreter to run the seed scan', findings: [] };
    }
    return result;
  }
  const parsed = ProbeOutputSchema.safeParse(safeJson(run.stdout));
  if (!parsed.success) {
    const why = run.error?.killed
      ? `the probe took longer than ${timeoutMs / 1000} s`
      : run.stderr.trim().split('\n').slice(-1)[0] || run.error?.message || 'no output';
    result.python = blankPython(python, 'failed', `${python} ran but the probe failed: ${why}`);
    if (options.scanRoot) result.scan = { status: 'failed', filesScanned: 0, error: why, findings: [] };
    return result;
  }
  const p = parsed.data.python;
  result.python = {
    status: p.version ? 'ok' : 'failed',
    requested: python,
    executable: p.executable ?? null,
    version: p.version ?? null,
    implementation: p.implementation ?? null,
    prefix: p.prefix ?? null,
    basePrefix: p.basePrefix ?? null,
    virtualenv: p.virtualenv ?? null,
    conda: p.conda ?? null,
    error: parsed.data.errors.length ? parsed.data.errors.join('; ') : null,
  };
  result.packages = parsed.data.packages;
  result.packagesCached = parsed.data.packagesCached ?? false;
  result.numerics = parsed.data.numerics;
  result.errors = [...parsed.data.errors, ...configErrors];
  if (options.scanRoot) {
    const scanError = result.errors.find((e) => e.startsWith('scan:')) ?? null;
    result.scan = parsed.data.scan
      ? {
          status: 'ok',
          filesScanned: parsed.data.scan.filesScanned,
          error: scanError,
          findings: parsed.data.scan.findings,
          suppressed: parsed.data.scan.suppressed ?? 0,
        }
      : { status: 'failed', filesScanned: 0, error: scanError, findings: [] };
    if (parsed.data.scan?.reparsed !== undefined) result.scanReparsed = parsed.data.scan.reparsed;
  }
  return result;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
