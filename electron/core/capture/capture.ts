// `capture`: runs a command as it would run alone and records its snapshot (code, data, environment, outcome, metrics, outputs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReproError } from '../../../shared/errors';
import { copyRecord, emptyRecord } from '../../../shared/records';
import { newId } from '../../../shared/ids';
import type { ProgressSink } from '../../../shared/progress';
import { filterEnvironment, redactArgv } from '../../../shared/snapshot/secrets';
import { findArgvSeeds } from '../../../shared/snapshot/seeds';
import { emptySnapshot } from '../../../shared/snapshot/snapshot-base';
import type { BlobRef, Metric, Snapshot, TreeState } from '../../../shared/snapshot/snapshot';
import { toPendingBlob, type PendingBlob } from '../../db/blob-repository';
import type { HashCacheRepository } from '../../db/hash-cache-repository';
import type { RunsRepository } from '../../db/runs-repository';
import { findEnvSpecs } from '../../platform/env-specs';
import { readDvcLock } from '../../platform/dvc-lock';
import { captureCodeState, type GitAnswers } from '../../platform/git-state';
import { hashTree, statInputPath, type PathRole } from '../../platform/hash-tree';
import { withNormalisedHashes } from '../../platform/mlflow-normalised';
import { HashPool } from '../../platform/hash-pool';
import { pythonForCommand, whichSync } from '../../platform/python-which';
import type { CapturedMlflow } from './capture-mlflow';
import { hasMetricSources, parseMetricSources, readMetricSources } from './capture-metrics';
import { runCommand, shellExitCode, type CapturedStream, type CommandResult } from '../../platform/run-command';

/** What the user asked to capture. */
export interface CaptureRequest {
  argv: string[];
  cwd: string;
  name?: string | null;
  data?: string[];
  metrics?: string[];
  /** `stdout`, `stderr` or `tensorboard:DIR` (repeatable): metrics read from what the command printed or logged. */
  metricsFrom?: string[];
  /** Regular expressions with named groups, read over the printed output. */
  metricPatterns?: string[];
  outputs?: string[];
  /** The interpreter the command's `python` and `python3` resolve to (as `audit --python`), and the one probed. */
  python?: string | null;
  envNames?: string[];
  env?: NodeJS.ProcessEnv;
  /** Live output and terminal stdin (the CLI); off for programmatic use. */
  interactive?: boolean;
  /** git's answers about `cwd`, asked already by the caller (askGit), so that git ran while capture loaded. */
  gitAnswers?: Promise<GitAnswers> | null;
}

/** The store pieces capture writes to. */
export interface CaptureDeps {
  /** Where the snapshot is saved, or what loads it when the command has run (the CLI's capture: issue 13). */
  runs: RunsRepository | (() => Promise<RunsRepository>);
  hashCache: HashCacheRepository;
  onProgress?: ProgressSink;
}

/** The stored snapshot, the command's own result, and the exit code a shell would report for it. */
export interface CaptureResult {
  snapshot: Snapshot;
  command: CommandResult;
  exitCode: number;
}

/** Everything capture gathers about the environment apart from the run itself; reused by audit reruns. */
export interface EnvironmentFacts {
  code: Snapshot['code'];
  software: Snapshot['software'];
  hardware: Snapshot['hardware'];
  scan: Snapshot['randomness']['scan'];
  warnings: string[];
}

/**
 * Gathers software (probe + specs), hardware and the seed scan concurrently, for code already
 * captured (code is read before the command starts, so files the run writes are not taken for
 * uncommitted work).
 */
export async function gatherEnvironment(
  code: { code: Snapshot['code']; warnings: string[]; partial?: boolean },
  projectDir: string,
  python: string,
  env: NodeJS.ProcessEnv,
): Promise<EnvironmentFacts> {
  const root = code.code.root ?? projectDir;
  // loaded here, while the command runs: with their schemas (zod) they are a third of what capture loads (issue 13)
  const [{ captureMachine }, { probePython }] = await Promise.all([
    import('../../platform/machine-info'),
    import('../../platform/python-probe'),
  ]);
  // a folder too big to be a project (capture from / or a home folder) is not seed-scanned: that would parse thousands of files
  const [{ os: osInfo, ...hw }, probe] = await Promise.all([
    captureMachine(),
    probePython(python, { scanRoot: code.partial ? null : root, env }),
  ]);
  const warnings = [...code.warnings, ...hw.warnings];
  if (code.partial) warnings.push(`randomness: the seed scan was skipped, as ${root} is too big to be one project`);
  if (probe.python.status === 'missing')
    warnings.push(`software: the Python interpreter ${python} was not found; packages were not recorded`);
  if (probe.python.status === 'failed')
    warnings.push(`software: the probe of ${python} failed: ${probe.python.error ?? 'unknown error'}`);
  return {
    code: code.code,
    software: {
      os: osInfo,
      python: probe.python,
      packages: probe.packages,
      packagesProvenance: 'observed',
      numerics: probe.numerics,
      envSpecs: findEnvSpecs(root),
    },
    hardware: hw.hardware,
    scan: probe.scan ?? { status: 'skipped', filesScanned: 0, error: null, findings: [] },
    warnings,
  };
}

/** Turns a captured stream into a blob reference and the blob to write. */
export function streamBlob(stream: CapturedStream): { ref: BlobRef; blob: PendingBlob } {
  const blob = toPendingBlob(stream.data);
  return {
    ref: {
      blob: blob.sha256,
      bytes: stream.bytes,
      storedBytes: stream.data.length,
      truncated: stream.truncated,
      cap: stream.cap,
    },
    blob,
  };
}

/** Reads the metrics files a user named; a file that is not a metrics file is an error naming it. */
export async function readMetricsFiles(files: readonly string[], cwd: string): Promise<Record<string, Metric>> {
  const metrics = emptyRecord<Metric>();
  if (files.length === 0) return metrics;
  // The parser (with yaml, 0.25 MB) loads only when there is a metrics file to read, not before a command starts.
  const { metricsFormatFor, parseMetricsText } = await import('../../../shared/snapshot/metrics-parse');
  for (const file of files) {
    const abs = path.resolve(cwd, file);
    let text: string;
    try {
      text = fs.readFileSync(abs, 'utf8');
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ReproError(
        'METRICS_INVALID',
        missing
          ? `metrics file ${file} was not written by the run (${abs})`
          : `cannot read metrics file ${file}: ${(e as Error).message}`,
        missing ? 'Check the path the script writes its metrics to, or drop --metrics.' : 'Check its permissions.',
      );
    }
    Object.assign(metrics, parseMetricsText(text, metricsFormatFor(file), `metrics file ${file}`, file));
  }
  return metrics;
}

/** Refuses, before the command runs, a --data path that is missing, a link loop, a FIFO or a device. */
function checkDataPaths(paths: readonly string[], cwd: string): void {
  for (const p of paths) statInputPath(path.resolve(cwd, p), p, 'data');
}

/** How hashPaths hashes: the shared cache and pool, where progress goes, and what the paths are to the user. */
export interface HashPathsOptions {
  cache: HashCacheRepository;
  pool: HashPool;
  onProgress: ProgressSink | undefined;
  task: string;
  role?: PathRole;
}

/** Hashes each path with the shared pool and cache, reporting bytes as progress. */
export async function hashPaths(
  paths: readonly string[],
  cwd: string,
  { cache, pool, onProgress, task, role }: HashPathsOptions,
): Promise<TreeState[]> {
  const out: TreeState[] = [];
  for (const p of paths) {
    onProgress?.({ task, phase: 'start', label: `hashing ${p}`, unit: 'bytes' });
    out.push(
      await hashTree(path.resolve(cwd, p), {
        cache,
        pool,
        displayPath: p,
        role,
        onProgress:
          onProgress &&
          ((done, total, _file, unit) =>
            onProgress({ task, phase: 'progress', label: `hashing ${p}`, done, total, unit })),
      }),
    );
    onProgress?.({ task, phase: 'end', label: `hashed ${p}` });
  }
  return out;
}

/**
 * Captures a run: hashes its data, runs the command (live output, stdin, signals passed through)
 * while the environment is probed, then stores one complete snapshot in one transaction.
 */
export async function captureRun(request: CaptureRequest, deps: CaptureDeps): Promise<CaptureResult> {
  const env = request.env ?? process.env;
  const cwd = path.resolve(request.cwd);
  const task = `capture-${newId().slice(0, 8)}`;
  if (request.argv.length === 0)
    throw new ReproError(
      'INVALID_INPUT',
      'no command to capture',
      'Put the command after --, e.g. reproscope capture -- python train.py --seed 1',
    );
  checkDataPaths(request.data ?? [], cwd);
  const sources = parseMetricSources(request.metricsFrom ?? [], request.metricPatterns ?? []);
  const shim = request.python ? await pythonShim(request.python, env) : null;
  const runPath = shim ? `${shim.bin}${path.delimiter}${env.PATH ?? ''}` : env.PATH;
  // What the command will really run: through the shim, `python`/`python3` are the --python interpreter.
  const ran = pythonForCommand(request.argv, runPath);
  const python = shim && (ran.startsWith(shim.bin + path.sep) || !ran.includes('/')) ? shim.python : ran;

  const pool = new HashPool();
  try {
    const hashing = { cache: deps.hashCache, pool, onProgress: deps.onProgress, task };
    const data = await hashPaths(request.data ?? [], cwd, hashing);
    const code = await captureCodeState(cwd, deps.hashCache, { asked: request.gitAnswers });
    // live output through the pipe; the shim first on PATH, as audit's local reruns have it
    const runEnv = { ...env, PYTHONUNBUFFERED: env.PYTHONUNBUFFERED ?? '1', ...(shim ? { PATH: runPath } : {}) };
    const running = runCommand({
      argv: request.argv,
      cwd,
      env: runEnv,
      stdin: request.interactive ? 'inherit' : 'ignore',
      tee: request.interactive ?? false,
    });
    // The command is started first (runCommand spawns it at once); the environment is probed while it runs.
    const environment = gatherEnvironment(code, cwd, python, env);
    environment.catch(() => undefined);
    // loaded while the command runs too, not after it (it brings the MLflow and snapshot schemas)
    const mlflowReader = import('./capture-mlflow');
    mlflowReader.catch(() => undefined);
    const command = await running;
    const facts = await environment;

    const warnings = [...facts.warnings];
    // The command has run: an output it did not write (or cannot be read) is a warning on the run, never a lost run.
    const outputs: TreeState[] = [];
    for (const p of request.outputs ?? []) {
      try {
        // MLflow's own files among the outputs also get their hash without per-run fields, so an audit can compare them
        outputs.push(...(await hashPaths([p], cwd, { ...hashing, role: 'output' })).map(withNormalisedHashes));
      } catch (e) {
        warnings.push(`outcome: ${(e as Error).message}; the run is recorded without it`);
      }
    }
    if (shim && python !== shim.python)
      warnings.push(
        `software: the command names its interpreter (${ran}) itself, so --python ${request.python} did not apply; ${ran} was recorded`,
      );
    // What the command logged to MLflow, read where it logged it (its tracking URI is left alone).
    const { readCapturedMlflow } = await mlflowReader;
    const mlflow = await readCapturedMlflow({
      env: runEnv,
      cwd,
      startedAt: command.startedAt,
      endedAt: command.endedAt,
    });
    warnings.push(...mlflow.warnings);
    // Likewise a metrics file or source that is missing or invalid: the run is kept, the problem is a warning on it.
    const metrics = emptyRecord<Metric>();
    let printed = emptyRecord<Metric>();
    for (const file of request.metrics ?? []) {
      try {
        Object.assign(metrics, await readMetricsFiles([file], cwd));
      } catch (e) {
        warnings.push(`outcome: ${(e as Error).message}; the run is recorded without its metrics`);
      }
    }
    if (hasMetricSources(sources)) {
      try {
        const read = await readMetricSources(sources, {
          cwd,
          stdout: command.stdout,
          stderr: command.stderr,
          startedAt: command.startedAt,
        });
        printed = read.metrics;
        warnings.push(...read.notes);
      } catch (e) {
        warnings.push(`outcome: ${(e as Error).message}; the run is recorded without these metrics`);
      }
    }
    // Files first, then what MLflow recorded (with its steps), then what was read from the output.
    for (const [k, v] of Object.entries({ ...printed, ...mlflow.run?.metrics })) metrics[k] ??= v;
    if (mlflow.run?.artifactDir && !outputs.some((o) => o.path === 'artifacts'))
      outputs.push(
        withNormalisedHashes(
          await hashTree(mlflow.run.artifactDir, { cache: deps.hashCache, pool, displayPath: 'artifacts' }),
        ),
      );
    const autoMetrics = path.join(cwd, 'metrics.json');
    if (
      !(request.metrics ?? []).some((m) => path.resolve(cwd, m) === autoMetrics) &&
      fs.existsSync(autoMetrics) &&
      fs.statSync(autoMetrics).mtimeMs >= command.startedAt.getTime() - 1000
    ) {
      try {
        for (const [k, v] of Object.entries(await readMetricsFiles(['metrics.json'], cwd))) metrics[k] ??= v;
      } catch (e) {
        warnings.push(`outcome: metrics.json was written by the run but could not be read (${(e as Error).message})`);
      }
    }

    const snapshot = buildCaptureSnapshot(request, { cwd, env, facts, data, outputs, metrics, command, warnings });
    if (mlflow.run) linkMlflowRun(snapshot, mlflow.run);
    const dvc = await readDvcLock(facts.code.root ?? cwd, { checkDisk: true });
    if (dvc) {
      snapshot.data.dvc = dvc.entries;
      snapshot.warnings.push(...dvc.warnings);
    }
    const stdout = streamBlob(command.stdout);
    const stderr = streamBlob(command.stderr);
    snapshot.outcome.logs = { stdout: stdout.ref, stderr: stderr.ref };
    const runs = typeof deps.runs === 'function' ? await deps.runs() : deps.runs;
    runs.save(snapshot, [stdout.blob, stderr.blob]);
    return { snapshot, command, exitCode: shellExitCode(command) };
  } finally {
    await pool.close();
    if (shim) fs.rmSync(shim.root, { recursive: true, force: true });
  }
}

/** Links the snapshot to the MLflow run the command logged to, with that run's parameters, seeds and tags. */
function linkMlflowRun(snapshot: Snapshot, run: CapturedMlflow): void {
  snapshot.mlflowRun = run.link;
  snapshot.process.parameters = copyRecord(run.parameters);
  const known = new Set(snapshot.randomness.seeds.map((s) => `${s.name}=${s.value}`));
  snapshot.randomness.seeds.push(...run.seeds.filter((s) => !known.has(`${s.name}=${s.value}`)));
  snapshot.tags = Object.assign(copyRecord(run.tags), snapshot.tags);
}

/** A temporary folder of `python`/`python3` wrappers for --python; the interpreter must exist. */
async function pythonShim(
  requested: string,
  env: NodeJS.ProcessEnv,
): Promise<{ root: string; bin: string; python: string }> {
  const found = whichSync(requested, env.PATH);
  if (!found)
    throw new ReproError(
      'ENVIRONMENT_UNAVAILABLE',
      `the interpreter ${requested} was not found`,
      'Give the full path of a Python interpreter with --python.',
    );
  // python-env (with the MLproject/conda YAML readers) loads only for --python, not before every plain capture
  const { pythonShimDir } = await import('../../platform/python-env');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-python-'));
  return { root, bin: pythonShimDir(found, root), python: found };
}

/** What a capture gathered, for buildCaptureSnapshot to assemble into one snapshot. */
interface CaptureParts {
  cwd: string;
  env: NodeJS.ProcessEnv;
  facts: EnvironmentFacts;
  data: TreeState[];
  outputs: TreeState[];
  metrics: Record<string, Metric>;
  command: CommandResult;
  warnings: string[];
}

function buildCaptureSnapshot(
  request: CaptureRequest,
  { cwd, env, facts, data, outputs, metrics, command, warnings }: CaptureParts,
): Snapshot {
  const snapshot = emptySnapshot(newId(), 'capture', command.startedAt.toISOString());
  const root = facts.code.root ?? cwd;
  const { env: recordedEnv, withheld } = filterEnvironment(env, request.envNames ?? []);
  const argv = redactArgv(request.argv);
  snapshot.name = request.name ?? null;
  snapshot.project = { root, name: path.basename(root) };
  snapshot.code = facts.code;
  snapshot.data.inputs = data;
  snapshot.software = facts.software;
  snapshot.hardware = facts.hardware;
  snapshot.randomness = {
    seeds: [
      ...findArgvSeeds(argv),
      ...(recordedEnv.PYTHONHASHSEED !== undefined
        ? [{ source: 'env' as const, name: 'PYTHONHASHSEED', value: recordedEnv.PYTHONHASHSEED }]
        : []),
    ],
    pythonHashSeed: recordedEnv.PYTHONHASHSEED ?? null,
    scan: facts.scan,
  };
  snapshot.process = {
    argv,
    cwd,
    entryPoint: null,
    parameters: emptyRecord(),
    env: recordedEnv,
    withheld,
    user: currentUser(),
    hostname: os.hostname(),
    startedAt: command.startedAt.toISOString(),
    endedAt: command.endedAt.toISOString(),
    durationMs: command.endedAt.getTime() - command.startedAt.getTime(),
    pid: command.pid,
  };
  snapshot.outcome = {
    status: command.interrupted ? 'interrupted' : command.exitCode === 0 ? 'finished' : 'failed',
    exitCode: command.exitCode,
    signal: command.signal,
    metrics,
    artifacts: outputs,
    logs: { stdout: null, stderr: null },
    error: command.timedOut ? 'stopped by the timeout' : null,
  };
  snapshot.warnings = warnings;
  return snapshot;
}

/** The name of the user running reproscope, or null where the system cannot say. */
export function currentUser(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    return null;
  }
}
