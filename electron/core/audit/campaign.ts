import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AUDIT_SCHEMA_VERSION,
  type Audit,
  type AuditGroup,
  type DataCheck,
  type GroupName,
  type Rerun,
} from '../../../shared/audit/audit';
import type { z } from 'zod';
import type { StartAuditInput } from '../../../shared/api/api-audit';
import { ReproError } from '../../../shared/errors';
import { newId } from '../../../shared/ids';
import {
  findEntryPoint,
  localPathOf,
  parseMlproject,
  renderMlprojectCommand,
  type Mlproject,
  type MlprojectEntryPoint,
  type RenderedCommand,
} from '../../../shared/mlflow/mlproject';
import { filterEnvironment, RECORDED_ENV_VARS, stripUrlCredentials } from '../../../shared/snapshot/secrets';
import { isSeedName } from '../../../shared/snapshot/seeds';
import { formatCommand } from '../../../shared/mlflow/shell-quote';
import { emptySnapshot, type Metric, type Snapshot } from '../../../shared/snapshot/snapshot';
import {
  decideVerdict,
  findSources,
  finishedReruns,
  snapshotDifferences,
  summarizeMetrics,
  type ReferenceOutcome,
} from '../../../shared/audit/verdict';
import { AuditsRepository } from '../../db/audits-repository';
import { toPendingBlob } from '../../db/blob-repository';
import { captureCodeState } from '../../platform/git-state';
import { hashTree } from '../../platform/hash-tree';
import { HashPool } from '../../platform/hash-pool';
import { captureHardware, captureOs } from '../../platform/machine-info';
import { createMlflowRun, endMlflowRun, readMlflowRun } from '../../platform/mlflow-file-store';
import { probePython, whichSync } from '../../platform/python-probe';
import {
  ensureCondaEnv,
  ensureVirtualenv,
  pythonEnvFromConda,
  pythonShimDir,
  readPythonEnvSpec,
  requireConda,
  requireDocker,
  type PreparedEnvironment,
  type PythonEnvSpec,
} from '../../platform/python-env';
import { findEnvSpecs } from '../../platform/env-specs';
import {
  cachedClone,
  createWorkspace,
  gitRun,
  listExtraFiles,
  removeWorkspace,
  type WorkspaceSource,
} from '../../platform/workspace';
import { currentUser, hashPaths, readMetricsFiles, streamBlob } from '../capture';
import type { CoreContext } from '../core-context';
import { localRunner, type Runner } from './runner';

/** What startAudit accepts, after defaults. */
export type AuditRequest = z.output<typeof StartAuditInput>;

/** Variables that change results: cleared from the inherited environment so each rerun gets exactly the original's (baseline) or the group's. */
const RESULT_VARS = RECORDED_ENV_VARS.filter((v) => !['LANG', 'LC_ALL', 'TZ'].includes(v));
const THREAD_VARS = [
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'NUMEXPR_NUM_THREADS',
  'VECLIB_MAXIMUM_THREADS',
];
const GROUP_DESCRIPTIONS: Record<GroupName, string> = {
  baseline: "the original's parameters, seed and environment variables",
  seeds: 'distinct values of the seed parameter',
  'pin:hashseed': 'PYTHONHASHSEED=0',
  'pin:threads': '1 thread through OMP/MKL/OPENBLAS/NUMEXPR/VECLIB variables',
  'pin:cuda-determinism': 'CUBLAS_WORKSPACE_CONFIG=:4096:8 with deterministic switches',
  'vary:threads': 'a different thread count per rerun',
  'vary:hashseed': 'a different PYTHONHASHSEED per rerun',
  'vary:seed': 'a different seed per rerun',
};

const isGitUrl = (s: string): boolean => /^(https?|ssh|git|file):\/\//.test(s) || /^[\w.-]+@[\w.-]+:/.test(s);

/** Finds the MLproject file case-insensitively, as MLflow does. */
export function findMlprojectFile(dir: string): string | null {
  try {
    return fs.readdirSync(dir).find((f) => f.toLowerCase() === 'mlproject') ?? null;
  } catch {
    return null;
  }
}

/** Reads a project folder's MLproject (or its absence) as MLflow does. */
export function loadProject(dir: string): Mlproject {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ReproError(
      'PROJECT_INVALID',
      `the project folder ${dir} does not exist`,
      'Give a folder with an MLproject file (or a .py/.sh entry point) or a git URL.',
    );
  }
  const file = findMlprojectFile(dir);
  let text: string | null = null;
  if (file) {
    try {
      text = fs.readFileSync(path.join(dir, file), 'utf8');
    } catch (e) {
      throw new ReproError(
        'FILE_UNREADABLE',
        `cannot read ${path.join(dir, file)}: ${(e as Error).message}`,
        'Check its permissions.',
      );
    }
  }
  return parseMlproject(text, file, (rel) => fs.existsSync(path.resolve(dir, rel)));
}

/** Undoes shlex.quote for values MLflow logged (imported runs carry quoted parameter values). */
export function unquoteLogged(value: string): string {
  if (!/^'.*'$/s.test(value) && !value.includes("'\"'\"'")) return value;
  let out = '';
  const re = /'([^']*)'|"(')"|([^'"]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(value)) !== null) {
    out += m[1] ?? m[2] ?? m[3] ?? '';
    consumed += m[0].length;
  }
  return consumed === value.length ? out : value;
}

/** Everything a campaign needs that is not stored in the audit record itself. */
interface Prepared {
  source: WorkspaceSource;
  entry: MlprojectEntryPoint;
  project: Mlproject;
  environment: PreparedEnvironment;
  reference: Snapshot | null;
  workRoot: string;
  inspectDir: string | null;
}

function storePaths(ctx: CoreContext): { work: string; envs: string; gitCache: string } {
  return {
    work: path.join(ctx.store.dir, 'audit-work'),
    envs: path.join(ctx.store.dir, 'envs'),
    gitCache: path.join(ctx.store.dir, 'git-cache'),
  };
}

async function prepareEnvironment(
  manager: Audit['envManager'],
  project: Mlproject,
  projectDir: string,
  python: string | null,
  pipOptions: string[],
  ctx: CoreContext,
  shimRoot: string,
  dryRun: boolean,
  onLog: (l: string) => void,
): Promise<PreparedEnvironment> {
  const env = process.env;
  if (manager === 'local') {
    if (python) {
      if (!whichSync(python, env.PATH))
        throw new ReproError(
          'ENVIRONMENT_UNAVAILABLE',
          `the interpreter ${python} was not found`,
          'Give the full path of a Python interpreter with --python.',
        );
      const bin = dryRun ? '' : pythonShimDir(path.resolve(python), shimRoot);
      return {
        manager,
        env: dryRun ? {} : { PATH: `${bin}${path.delimiter}${env.PATH ?? ''}` },
        python: path.resolve(python),
        description: `local, python → ${path.resolve(python)}`,
      };
    }
    const found = whichSync('python', env.PATH) ?? whichSync('python3', env.PATH) ?? 'python3';
    return { manager, env: {}, python: found, description: `local, ${found}` };
  }
  // as with mlflow run, a docker_env project runs in its image whatever the manager, except local, which runs it here on purpose
  if (manager === 'docker' || project.env.kind === 'docker_env') {
    if (project.env.kind !== 'docker_env' || !project.env.docker)
      throw new ReproError(
        'PROJECT_INVALID',
        '--env-manager docker needs a project with a docker_env',
        'Use --env-manager local or virtualenv for this project.',
      );
    await requireDocker(env);
    return {
      manager: 'docker',
      env: {},
      python: 'python',
      docker: project.env.docker,
      description: `docker image ${project.env.docker.image}`,
    };
  }
  if (manager === 'conda') {
    const file = project.env.kind === 'conda_env' ? project.env.file : null;
    if (!file)
      throw new ReproError(
        'PROJECT_INVALID',
        '--env-manager conda needs a conda_env (or a conda.yaml) in the project',
        'Use --env-manager virtualenv or local.',
      );
    if (dryRun) {
      await requireConda(env);
      return { manager, env: {}, python: 'python', description: 'conda (dry run)' };
    }
    return ensureCondaEnv(path.join(projectDir, file), { envsDir: storePaths(ctx).envs, env });
  }
  let spec: PythonEnvSpec = { python: null, build_dependencies: [], dependencies: [] };
  if (project.env.kind === 'python_env' && project.env.file)
    spec = readPythonEnvSpec(path.join(projectDir, project.env.file));
  else if (project.env.kind === 'conda_env' && project.env.file)
    spec = pythonEnvFromConda(path.join(projectDir, project.env.file));
  if (dryRun)
    return { manager, env: {}, python: 'python', description: `virtualenv (Python ${spec.python ?? 'current'})` };
  return ensureVirtualenv(spec, {
    preferredPython: python,
    envsDir: storePaths(ctx).envs,
    projectDir,
    pipOptions,
    env,
    onLog,
  });
}

function resolveRender(entry: MlprojectEntryPoint, parameters: Record<string, string>, cwd: string): RenderedCommand {
  return renderMlprojectCommand(entry, parameters, {
    resolvePath: (value, name) => {
      const abs = path.resolve(cwd, value);
      if (!fs.existsSync(abs)) {
        throw new ReproError(
          'PROJECT_INVALID',
          `got value ${value} for parameter ${name}, but no such file or directory was found (${abs})`,
          'Give an existing path with -P.',
        );
      }
      return abs;
    },
  });
}

/** Builds the audit record and what its reruns need: project, reference, command, data checks, environment. Saves nothing. */
async function prepareAudit(
  input: AuditRequest,
  ctx: CoreContext,
  id: string,
  onLog: (l: string) => void,
): Promise<{ audit: Audit; prepared: Prepared; patch: string | null }> {
  const paths = storePaths(ctx);
  const workRoot = path.join(paths.work, id);
  const reference = input.against ? ctx.runs.get(ctx.runs.resolveId(input.against)) : null;
  const url = isGitUrl(input.project) && !fs.existsSync(input.project);
  const projectDir = url ? null : path.resolve(input.project);
  let source: WorkspaceSource;
  let commit: string | null = null;
  let patch: string | null = null;
  let inspectDir: string | null = null;
  let readDir: string;
  let repoRoot: string | null = null;
  const warnings: string[] = [];
  if (url) {
    const clone = await cachedClone(input.project, paths.gitCache, false);
    commit = (
      await gitRun(clone, [
        'rev-parse',
        '--verify',
        '-q',
        `${input.version ?? reference?.code.commit ?? 'HEAD'}^{commit}`,
      ]).catch(() => {
        throw new ReproError(
          'PROJECT_INVALID',
          `the commit ${input.version ?? reference?.code.commit ?? 'HEAD'} is not in ${stripUrlCredentials(input.project)}`,
          'Check --version.',
        );
      })
    ).trim();
    patch = input.version ? null : (reference?.code.patch ?? null);
    source = { kind: 'git', projectDir: clone, clone, commit, patch, subdir: '' };
  } else {
    if (!fs.existsSync(projectDir!))
      throw new ReproError(
        'PROJECT_INVALID',
        `the project folder ${projectDir} does not exist`,
        'Give a folder with an MLproject file or a git URL.',
      );
    const top = (await gitRun(projectDir!, ['rev-parse', '--show-toplevel']).catch(() => '')).trim();
    if (top) {
      const head = (await gitRun(top, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
      if (!head)
        throw new ReproError(
          'PROJECT_INVALID',
          `the repository ${top} has no commits`,
          'Commit the project first, or audit a copy outside git.',
        );
      const wanted = input.version ?? reference?.code.commit ?? head;
      commit = (
        await gitRun(top, ['rev-parse', '--verify', '-q', `${wanted}^{commit}`]).catch(() => {
          throw new ReproError(
            'PROJECT_INVALID',
            `the commit ${wanted} is not in ${top}`,
            'Check --version, or fetch the commit the original ran.',
          );
        })
      ).trim();
      if (input.version) patch = null;
      else if (reference) patch = reference.code.patch;
      else patch = (await captureCodeState(projectDir!, ctx.hashCache)).code.patch;
      const clone = await cachedClone(top, workRoot, true);
      repoRoot = top;
      const subdir = path.relative(fs.realpathSync(top), fs.realpathSync(projectDir!));
      source = {
        kind: 'git',
        projectDir: projectDir!,
        clone,
        commit,
        patch,
        subdir,
        extraFiles: await listExtraFiles(top, subdir),
      };
    } else {
      source = { kind: 'folder', projectDir: projectDir! };
      if (reference && reference.code.vcs === 'git')
        warnings.push(
          'the original ran from a git checkout, but the project folder is not in git: its current files are rerun',
        );
    }
  }
  if (source.kind === 'git') {
    inspectDir = await createWorkspace(source, path.join(workRoot, 'inspect'));
    readDir = inspectDir;
  } else {
    readDir = source.projectDir;
  }
  const project = loadProject(readDir);
  const entryName =
    input.entryPoint ?? reference?.process.entryPoint ?? reference?.tags['mlflow.project.entryPoint'] ?? 'main';
  const entry = findEntryPoint(project, entryName);
  const refParams = Object.fromEntries(
    Object.entries(reference?.process.parameters ?? {}).map(([k, v]) => [k, unquoteLogged(v)]),
  );
  const userParams = { ...refParams, ...input.parameters };
  const cwd = path.resolve(input.cwd ?? projectDir ?? readDir);
  const rendered = resolveRender(entry, userParams, cwd);
  if (reference && reference.kind === 'capture' && reference.process.argv.length > 0) {
    warnings.push(
      `the original was captured running \`${formatCommand(reference.process.argv)}\`; the reruns run \`${rendered.command}\` (give its parameters with -P if they differ)`,
    );
  }
  const seedParam =
    input.seedParam ??
    entry.parameters.find((p) => isSeedName(p.name))?.name ??
    Object.keys(userParams).find(isSeedName) ??
    null;
  if (input.vary.includes('seed') && !seedParam)
    warnings.push('--vary seed was asked, but the entry point has no seed parameter; name it with --seed-param');

  // data: path parameters and --data, hashed now and compared with what the original recorded
  const dataPaths = [
    ...entry.parameters
      .filter((p) => p.type === 'path')
      .map((p) => path.resolve(cwd, localPathOf(rendered.parameters[p.name]!) ?? rendered.parameters[p.name]!)),
    ...input.data.map((d) => path.resolve(cwd, d)),
  ];
  const dataChecks: DataCheck[] = [];
  if (dataPaths.length > 0) {
    const pool = new HashPool();
    try {
      for (const p of dataPaths) {
        const abs = p;
        if (!fs.existsSync(abs))
          throw new ReproError('DATA_PATH_MISSING', `data path ${abs} does not exist`, 'Check --data.');
        const [tree] = await hashPaths([abs], cwd, ctx.hashCache, pool, ctx.events.publish, `audit-${id}`);
        const original = reference?.data.inputs.find(
          (i) =>
            i.absPath === abs ||
            path.resolve(reference.process.cwd ?? '', i.path) === abs ||
            i.path === path.relative(cwd, abs),
        );
        dataChecks.push({
          path: path.relative(cwd, abs) || abs,
          originalHash: original?.rootHash ?? null,
          currentHash: tree!.rootHash,
          same: original ? original.rootHash === tree!.rootHash : null,
        });
      }
    } finally {
      await pool.close();
    }
  }
  for (const d of dataChecks)
    if (d.same === null && reference)
      warnings.push(`data: the original did not record ${d.path}; it could not be compared`);

  if (project.env.kind === 'docker_env' && input.envManager === 'local')
    warnings.push(
      `the project declares the docker image ${project.env.docker?.image ?? '?'}; --env-manager local reruns it outside the image`,
    );
  const environment = await prepareEnvironment(
    input.envManager,
    project,
    readDir,
    input.python ?? null,
    input.pipOptions,
    ctx,
    path.join(workRoot, 'python'),
    input.dryRun,
    onLog,
  );
  const now = new Date().toISOString();
  const groups: AuditGroup[] = [];
  const blank = (
    index: number,
    env: Record<string, string> = {},
    seed: string | null = seedParam ? (rendered.parameters[seedParam] ?? null) : null,
    parameters: Record<string, string> = {},
  ): Rerun => ({
    runId: null,
    index,
    status: 'pending',
    env,
    seed,
    parameters,
    exitCode: null,
    error: null,
    durationMs: null,
    metrics: {},
    artifactsHash: null,
  });
  const range = Array.from({ length: input.repeats }, (_, i) => i);
  groups.push({ name: 'baseline', description: GROUP_DESCRIPTIONS.baseline, reruns: range.map((i) => blank(i)) });
  const seedsFrom = (start: number): string[] => {
    const orig = seedParam ? rendered.parameters[seedParam] : undefined;
    const out: string[] = [];
    for (let v = start; out.length < input.repeats; v++) if (String(v) !== orig) out.push(String(v));
    return out;
  };
  if (seedParam)
    groups.push({
      name: 'seeds',
      description: GROUP_DESCRIPTIONS.seeds,
      reruns: seedsFrom(1).map((s, i) => blank(i, {}, s, { [seedParam]: s })),
    });
  for (const v of input.vary) {
    if (v === 'threads')
      groups.push({
        name: 'vary:threads',
        description: GROUP_DESCRIPTIONS['vary:threads'],
        reruns: range.map((i) => blank(i, threadEnv(String(2 ** i)))),
      });
    if (v === 'hashseed')
      groups.push({
        name: 'vary:hashseed',
        description: GROUP_DESCRIPTIONS['vary:hashseed'],
        reruns: range.map((i) => blank(i, { PYTHONHASHSEED: String(i + 1) })),
      });
    if (v === 'seed' && seedParam)
      groups.push({
        name: 'vary:seed',
        description: GROUP_DESCRIPTIONS['vary:seed'],
        reruns: seedsFrom(1001).map((s, i) => blank(i, {}, s, { [seedParam]: s })),
      });
  }
  const audit: Audit = {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id,
    project: {
      location: url ? stripUrlCredentials(input.project) : projectDir!,
      kind: url ? 'git-url' : source.kind,
      name: project.name ?? (url ? path.basename(input.project).replace(/\.git$/, '') : path.basename(projectDir!)),
    },
    entryPoint: entry.name,
    commit,
    parameters: rendered.parameters,
    envManager: input.envManager,
    command: rendered.command,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    status: 'running',
    referenceRunId: reference?.id ?? null,
    referenceKind: reference ? 'original' : 'first-baseline',
    plan: {
      repeats: input.repeats,
      vary: input.vary,
      tolerances: input.tolerances,
      jobs: input.jobs,
      timeoutS: input.timeoutS ?? null,
      seedParam,
      metricsFiles: input.metrics,
      dataPaths: input.data,
      strictData: input.strictData,
      python: input.python ?? null,
      pipOptions: input.pipOptions,
    },
    groups,
    metrics: {},
    verdict: null,
    explanation: null,
    sources: [],
    dataChecks,
    workspace: {
      kind: source.kind,
      repoRoot: url ? stripUrlCredentials(input.project) : repoRoot,
      subdir: source.subdir ?? null,
      patchBlob: patch ? toPendingBlob(Buffer.from(patch)).sha256 : null,
      cwd,
    },
    loggedParameters: rendered.loggedParameters,
    warnings,
    error: null,
  };
  return { audit, prepared: { source, entry, project, environment, reference, workRoot, inspectDir }, patch };
}

function threadEnv(n: string): Record<string, string> {
  return Object.fromEntries(THREAD_VARS.map((v) => [v, n]));
}

const repositories = new WeakMap<CoreContext, AuditsRepository>();

/** The audits repository of a core (made once per open store). */
export function auditsOf(ctx: CoreContext): AuditsRepository {
  let repo = repositories.get(ctx);
  if (!repo) {
    repo = new AuditsRepository(ctx.store.db);
    repositories.set(ctx, repo);
  }
  return repo;
}

/** A running audit's stop switch, by context and audit id (cancelAudit and Ctrl-C use it). */
const running = new WeakMap<CoreContext, Map<string, AbortController>>();

/** Stops a running audit of this process; false when it is not running here. */
export function cancelRunningAudit(ctx: CoreContext, id: string): boolean {
  const c = running.get(ctx)?.get(id);
  if (!c) return false;
  c.abort();
  return true;
}

/** Options of a campaign run. */
export interface CampaignOptions {
  signal?: AbortSignal;
  runner?: Runner;
}

/** Creates an audit (or, with dryRun, only prepares it) and runs its campaign to the end, an interruption or a failure. */
export async function startAudit(
  input: AuditRequest,
  ctx: CoreContext,
  options: CampaignOptions = {},
): Promise<{ audit: Audit; done: Promise<Audit> }> {
  const id = newId();
  const log = (line: string): void =>
    ctx.events.publish({ task: `audit-${id}`, phase: 'log', label: 'audit', message: `${line}\n` });
  let prep;
  try {
    prep = await prepareAudit(input, ctx, id, log);
  } catch (e) {
    fs.rmSync(path.join(storePaths(ctx).work, id), { recursive: true, force: true });
    throw e;
  }
  const { audit, prepared, patch } = prep;
  if (input.dryRun) {
    await cleanup(prepared);
    return { audit, done: Promise.resolve(audit) };
  }
  if (patch) ctx.runs.blobs.put(toPendingBlob(Buffer.from(patch)));
  const stale = audit.dataChecks.filter((d) => d.same === false);
  if (stale.length > 0 && input.strictData) {
    audit.status = 'failed';
    audit.verdict = 'failed';
    audit.error = `the data changed since the original run: ${stale.map((d) => d.path).join(', ')}`;
    audit.explanation = `The audit stopped before any rerun because --strict-data was given and ${stale.map((d) => d.path).join(', ')} changed since the original run.`;
    audit.sources = findSources({
      groups: [],
      metrics: {},
      dataChecks: audit.dataChecks,
      findings: [],
      differences: [],
    });
    audit.finishedAt = audit.updatedAt = new Date().toISOString();
    auditsOf(ctx).save(audit);
    await cleanup(prepared);
    return { audit, done: Promise.resolve(audit) };
  }
  auditsOf(ctx).save(audit);
  const done = runCampaign(audit, prepared, ctx, options);
  return { audit, done };
}

/** Resumes an interrupted (or crashed) audit: reruns left pending or in flight are run; the rest is kept. */
export async function resumeAudit(
  id: string,
  ctx: CoreContext,
  options: CampaignOptions = {},
): Promise<{ audit: Audit; done: Promise<Audit> }> {
  const audit = auditsOf(ctx).get(auditsOf(ctx).resolveId(id));
  if (
    audit.status === 'finished' ||
    (audit.status === 'failed' &&
      audit.groups.every((g) => g.reruns.every((r) => r.status !== 'pending' && r.status !== 'running')))
  ) {
    return { audit, done: Promise.resolve(audit) };
  }
  if (running.get(ctx)?.has(audit.id))
    throw new ReproError('INVALID_INPUT', `audit ${audit.id} is already running`, 'Wait for it, or cancel it first.');
  const workRoot = path.join(storePaths(ctx).work, audit.id);
  fs.rmSync(workRoot, { recursive: true, force: true });
  for (const g of audit.groups) for (const r of g.reruns) if (r.status === 'running') r.status = 'pending';
  const patch = audit.workspace.patchBlob ? ctx.runs.blobs.get(audit.workspace.patchBlob).toString('utf8') : null;
  const reference = audit.referenceRunId ? ctx.runs.get(audit.referenceRunId) : null;
  let source: WorkspaceSource;
  if (audit.workspace.kind === 'folder') source = { kind: 'folder', projectDir: audit.project.location };
  else {
    const url = audit.project.kind === 'git-url';
    const clone = url
      ? await cachedClone(audit.project.location, storePaths(ctx).gitCache, false)
      : await cachedClone(
          (await gitRun(audit.project.location, ['rev-parse', '--show-toplevel'])).trim(),
          workRoot,
          true,
        );
    const top = url ? null : (await gitRun(audit.project.location, ['rev-parse', '--show-toplevel'])).trim();
    source = {
      kind: 'git',
      projectDir: url ? clone : audit.project.location,
      clone,
      commit: audit.commit!,
      patch,
      subdir: audit.workspace.subdir ?? '',
      extraFiles: top ? await listExtraFiles(top, audit.workspace.subdir ?? '') : [],
    };
  }
  const inspectDir = source.kind === 'git' ? await createWorkspace(source, path.join(workRoot, 'inspect')) : null;
  const project = loadProject(inspectDir ?? source.projectDir);
  const entry = findEntryPoint(project, audit.entryPoint);
  const log = (line: string): void =>
    ctx.events.publish({ task: `audit-${audit.id}`, phase: 'log', label: 'audit', message: `${line}\n` });
  const environment = await prepareEnvironment(
    audit.envManager,
    project,
    inspectDir ?? source.projectDir,
    audit.plan.python,
    audit.plan.pipOptions,
    ctx,
    path.join(workRoot, 'python'),
    false,
    log,
  );
  audit.status = 'running';
  audit.updatedAt = new Date().toISOString();
  auditsOf(ctx).save(audit);
  return {
    audit,
    done: runCampaign(audit, { source, entry, project, environment, reference, workRoot, inspectDir }, ctx, options),
  };
}

async function cleanup(prepared: Prepared): Promise<void> {
  if (prepared.inspectDir)
    await removeWorkspace(prepared.source, path.join(prepared.workRoot, 'inspect')).catch(() => undefined);
  fs.rmSync(prepared.workRoot, { recursive: true, force: true });
}

/** Per-audit facts gathered once: the machine (hardware, OS) and the seed scan of the rerun code. */
interface Shared {
  machine: Promise<{ os: Snapshot['software']['os']; hardware: Snapshot['hardware']; warnings: string[] }>;
  scan: Snapshot['randomness']['scan'] | null;
  hashPool: HashPool;
  probes: Map<string, ReturnType<typeof probePython>>;
}

/** What identifies an interpreter's installed software without running it: the interpreter file and the modification times of its package folders. */
export function softwareFingerprint(python: string, env: NodeJS.ProcessEnv): string {
  const parts: string[] = [python, env.PYTHONPATH ?? '', env.VIRTUAL_ENV ?? '', env.PATH ?? ''];
  const stamp = (p: string): void => {
    try {
      const st = fs.statSync(p);
      parts.push(`${p}:${st.ino}:${st.mtimeMs}`);
    } catch {
      // absent: nothing to stamp
    }
  };
  let real = python;
  try {
    real = fs.realpathSync(python);
  } catch {
    /* missing interpreter: the probe says so */
  }
  stamp(real);
  for (const prefix of new Set([path.dirname(path.dirname(python)), path.dirname(path.dirname(real)), '/usr/local'])) {
    const lib = path.join(prefix, 'lib');
    let names: string[] = [];
    try {
      names = fs.readdirSync(lib).filter((n) => n.startsWith('python3'));
    } catch {
      continue;
    }
    for (const n of names) for (const sub of ['site-packages', 'dist-packages']) stamp(path.join(lib, n, sub));
  }
  return parts.join('|');
}

async function runCampaign(
  audit: Audit,
  prepared: Prepared,
  ctx: CoreContext,
  options: CampaignOptions,
): Promise<Audit> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const map = running.get(ctx) ?? new Map<string, AbortController>();
  running.set(ctx, map);
  map.set(audit.id, controller);
  const runner = options.runner ?? localRunner;
  const task = `audit-${audit.id}`;
  const total = (): number => audit.groups.reduce((n, g) => n + g.reruns.length, 0);
  const doneCount = (): number =>
    audit.groups.reduce(
      (n, g) => n + g.reruns.filter((r) => r.status !== 'pending' && r.status !== 'running').length,
      0,
    );
  const shared: Shared = {
    machine: Promise.all([captureOs(), captureHardware()]).then(([o, hw]) => ({
      os: o,
      hardware: hw.hardware,
      warnings: hw.warnings,
    })),
    scan: null,
    hashPool: new HashPool(),
    probes: new Map(),
  };
  shared.machine.catch(() => undefined);
  ctx.events.publish({
    task,
    phase: 'start',
    label: `audit ${audit.project.name}:${audit.entryPoint}`,
    done: doneCount(),
    total: total(),
    unit: 'reruns',
    detail: { auditId: audit.id },
  });
  try {
    const order: GroupName[] = [
      'baseline',
      'pin:hashseed',
      'pin:threads',
      'pin:cuda-determinism',
      'seeds',
      'vary:threads',
      'vary:hashseed',
      'vary:seed',
    ];
    for (const name of order) {
      if (name.startsWith('pin:')) addPins(audit, await shared.machine.catch(() => null));
      const group = audit.groups.find((g) => g.name === name);
      if (!group) continue;
      const pending = group.reruns.filter((r) => r.status === 'pending');
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < pending.length && !controller.signal.aborted) {
          const rerun = pending[next++]!;
          await runOneRerun(audit, group, rerun, prepared, ctx, runner, controller.signal, shared);
          audit.updatedAt = new Date().toISOString();
          auditsOf(ctx).save(audit);
          ctx.events.publish({
            task,
            phase: 'progress',
            label: `${group.name} #${rerun.index + 1} ${rerun.status}`,
            done: doneCount(),
            total: total(),
            unit: 'reruns',
            detail: {
              auditId: audit.id,
              group: group.name,
              index: rerun.index,
              state: rerun.status,
              elapsedMs: rerun.durationMs,
            },
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(audit.plan.jobs, pending.length) }, worker));
      if (controller.signal.aborted) break;
    }
    if (controller.signal.aborted) {
      for (const g of audit.groups) for (const r of g.reruns) if (r.status === 'running') r.status = 'pending';
      audit.status = 'interrupted';
    } else {
      await judge(audit, prepared, ctx, shared);
      audit.status = 'finished';
      audit.finishedAt = new Date().toISOString();
    }
  } catch (e) {
    for (const g of audit.groups) for (const r of g.reruns) if (r.status === 'running') r.status = 'pending';
    audit.status = 'failed';
    audit.verdict = 'failed';
    audit.error = e instanceof Error ? e.message : String(e);
    audit.explanation = `The audit stopped: ${audit.error}`;
  } finally {
    map.delete(audit.id);
    options.signal?.removeEventListener('abort', onOuterAbort);
    audit.updatedAt = new Date().toISOString();
    auditsOf(ctx).save(audit);
    await shared.hashPool.close().catch(() => undefined);
    await cleanup(prepared).catch(() => undefined);
    ctx.events.publish({
      task,
      phase: 'end',
      label: `audit ${audit.status}`,
      done: doneCount(),
      total: total(),
      unit: 'reruns',
      detail: { auditId: audit.id, status: audit.status, verdict: audit.verdict },
    });
  }
  return audit;
}

function addPins(audit: Audit, machine: { hardware: Snapshot['hardware'] } | null): void {
  if (audit.groups.some((g) => g.name.startsWith('pin:'))) return;
  const base = audit.groups.find((g) => g.name === 'baseline');
  const done = finishedReruns(base);
  if (done.length < 2) return;
  const names = new Set(done.flatMap((r) => Object.keys(r.metrics)));
  const varies =
    [...names].some((n) => !done.every((r) => Object.is(r.metrics[n], done[0]!.metrics[n]))) ||
    done.some((r) => r.artifactsHash !== done[0]!.artifactsHash);
  if (!varies) return;
  const range = Array.from({ length: audit.plan.repeats }, (_, i) => i);
  const blank = (index: number, env: Record<string, string>): Rerun => ({
    runId: null,
    index,
    status: 'pending',
    env,
    seed: base!.reruns[0]?.seed ?? null,
    parameters: {},
    exitCode: null,
    error: null,
    durationMs: null,
    metrics: {},
    artifactsHash: null,
  });
  const at = audit.groups.indexOf(base!) + 1;
  const pins: AuditGroup[] = [];
  pins.push({
    name: 'pin:hashseed',
    description: GROUP_DESCRIPTIONS['pin:hashseed'],
    reruns: range.map((i) => blank(i, { PYTHONHASHSEED: '0' })),
  });
  pins.push({
    name: 'pin:threads',
    description: GROUP_DESCRIPTIONS['pin:threads'],
    reruns: range.map((i) => blank(i, threadEnv('1'))),
  });
  // CUDA switches only matter where a GPU computes; on a CPU-only machine the group would only repeat the baseline
  if ((machine?.hardware.gpus.length ?? 0) > 0) {
    pins.push({
      name: 'pin:cuda-determinism',
      description: GROUP_DESCRIPTIONS['pin:cuda-determinism'],
      reruns: range.map((i) =>
        blank(i, {
          CUBLAS_WORKSPACE_CONFIG: ':4096:8',
          TF_DETERMINISTIC_OPS: '1',
          TF_CUDNN_DETERMINISTIC: '1',
          NVIDIA_TF32_OVERRIDE: '0',
        }),
      ),
    });
  }
  audit.groups.splice(at, 0, ...pins);
}

/** The environment of one rerun: the inherited one without result-changing variables, then the original's, the env manager's, MLflow's and the group's. */
function rerunEnvironment(
  audit: Audit,
  prepared: Prepared,
  rerun: Rerun,
  mlflowEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of RESULT_VARS) delete env[v];
  for (const k of Object.keys(env)) if (k.startsWith('MLFLOW_')) delete env[k];
  if (prepared.reference)
    for (const v of RESULT_VARS) {
      const val = prepared.reference.process.env[v];
      if (val !== undefined) env[v] = val;
    }
  Object.assign(env, prepared.environment.env, mlflowEnv, { PYTHONUNBUFFERED: '1' }, rerun.env);
  return env;
}

async function runOneRerun(
  audit: Audit,
  group: AuditGroup,
  rerun: Rerun,
  prepared: Prepared,
  ctx: CoreContext,
  runner: Runner,
  signal: AbortSignal,
  shared: Shared,
): Promise<void> {
  const task = `audit-${audit.id}`;
  const key = `${group.name.replace(':', '-')}-${rerun.index}`;
  const dir = path.join(prepared.workRoot, key);
  const wsDir = path.join(dir, 'code');
  rerun.status = 'running';
  rerun.error = null;
  auditsOf(ctx).save(audit);
  ctx.events.publish({
    task,
    phase: 'progress',
    label: `${group.name} #${rerun.index + 1} running`,
    detail: { auditId: audit.id, group: group.name, index: rerun.index, state: 'running', elapsedMs: 0 },
  });
  const runId = createHash('sha256')
    .update(`${audit.id}/${key}/${Date.now()}/${Math.random()}`)
    .digest('hex')
    .slice(0, 32);
  let cwd: string;
  try {
    cwd = await createWorkspace(prepared.source, wsDir);
  } catch (e) {
    rerun.status = 'failed';
    rerun.error = `could not prepare the workspace: ${(e as Error).message}`;
    return;
  }
  try {
    const parameters = { ...audit.parameters, ...rerun.parameters };
    const rendered = resolveRender(prepared.entry, parameters, audit.workspace.cwd);
    const user = currentUser() ?? 'unknown';
    const mlflow = createMlflowRun(path.join(dir, 'mlruns'), runId, {
      runName: `reproscope-${audit.id.slice(0, 8)}-${key}`,
      user,
      params: rendered.loggedParameters,
      tags: {
        'mlflow.source.type': 'PROJECT',
        'mlflow.source.name': audit.project.location,
        'mlflow.project.entryPoint': audit.entryPoint,
        'mlflow.project.backend': 'local',
        'mlflow.project.env': audit.envManager,
        ...(audit.commit ? { 'mlflow.source.git.commit': audit.commit } : {}),
        'reproscope.auditId': audit.id,
        'reproscope.group': group.name,
      },
    });
    const env = rerunEnvironment(audit, prepared, rerun, mlflow.env);
    const argv = prepared.environment.docker
      ? dockerArgv(prepared.environment.docker, cwd, mlflow, env, rendered.command)
      : ['bash', '-c', rendered.command];
    // the interpreter is probed while the command runs; the seed scan of the (shared) code runs once per audit
    const scanNow = shared.scan === null;
    const python = prepared.environment.python.includes('/')
      ? prepared.environment.python
      : (whichSync(prepared.environment.python, env.PATH) ?? prepared.environment.python);
    // one probe per environment: reused while the interpreter and its package folders are unchanged (a package installed mid-audit is seen)
    const fingerprint = softwareFingerprint(python, env);
    let probe = scanNow ? undefined : shared.probes.get(fingerprint);
    if (!probe) {
      probe = probePython(python, { env, scanRoot: scanNow ? cwd : null });
      shared.probes.set(fingerprint, probe);
    }
    probe.catch(() => undefined);
    let tail = '';
    const started = Date.now();
    const result = await runner.run({
      argv,
      cwd,
      env,
      timeoutMs: audit.plan.timeoutS ? audit.plan.timeoutS * 1000 : null,
      signal,
      onOutput: (_stream, chunk) => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-4000);
        ctx.events.publish({
          task,
          phase: 'log',
          label: `${group.name} #${rerun.index + 1}`,
          message: text,
          detail: {
            auditId: audit.id,
            group: group.name,
            index: rerun.index,
            state: 'running',
            elapsedMs: Date.now() - started,
            logTail: tail.slice(-1000),
          },
        });
      },
    });
    rerun.durationMs = result.endedAt.getTime() - result.startedAt.getTime();
    rerun.exitCode = result.exitCode;
    if (result.interrupted && !result.timedOut && signal.aborted) {
      rerun.status = 'pending';
      rerun.exitCode = null;
      rerun.durationMs = null;
      return;
    }
    const ok = result.exitCode === 0 && !result.timedOut;
    endMlflowRun(mlflow, ok);
    const logged = readMlflowRun(mlflow);
    const metrics: Record<string, Metric> = { ...logged.metrics };
    const warnings: string[] = [];
    try {
      Object.assign(metrics, readMetricsFiles(audit.plan.metricsFiles, cwd));
    } catch (e) {
      if (ok) warnings.push((e as Error).message);
    }
    const autoMetrics = path.join(cwd, 'metrics.json');
    if (
      fs.existsSync(autoMetrics) &&
      fs.statSync(autoMetrics).mtimeMs >= result.startedAt.getTime() - 1000 &&
      !audit.plan.metricsFiles.includes('metrics.json')
    ) {
      try {
        for (const [k, v] of Object.entries(readMetricsFiles(['metrics.json'], cwd))) metrics[k] ??= v;
      } catch (e) {
        warnings.push(`metrics.json was written but could not be read (${(e as Error).message})`);
      }
    }
    const artifacts =
      fs.readdirSync(mlflow.artifactsDir).length > 0
        ? await hashTree(mlflow.artifactsDir, { pool: shared.hashPool, displayPath: 'artifacts' })
        : null;
    const [facts, machine] = await Promise.all([probe, shared.machine]);
    if (scanNow && facts.scan) shared.scan = facts.scan;
    const snapshot = emptySnapshot(newId(), 'rerun', result.startedAt.toISOString());
    snapshot.name = `${audit.project.name} ${group.name} #${rerun.index + 1}`;
    snapshot.project = { root: audit.project.location, name: audit.project.name };
    snapshot.auditId = audit.id;
    snapshot.code = {
      vcs: prepared.source.kind === 'git' ? 'git' : 'none',
      provenance: 'observed',
      root: cwd,
      commit: audit.commit,
      branch: null,
      remotes: [],
      dirty: prepared.source.kind === 'git' ? Boolean(prepared.source.patch) : null,
      patch: prepared.source.kind === 'git' ? (prepared.source.patch ?? null) : null,
      untracked: [],
      submodules: [],
      contentHash: null,
      fileCount: null,
      note:
        prepared.source.kind === 'git'
          ? "a worktree of the audited commit with the original's patch applied"
          : 'a copy of the project folder',
    };
    if (prepared.source.kind === 'folder' && prepared.reference?.code.vcs === 'none') {
      const c = await captureCodeState(cwd, ctx.hashCache).catch(() => null);
      if (c) snapshot.code = { ...c.code, root: cwd };
    }
    const { env: recordedEnv, withheld } = filterEnvironment(env, []);
    snapshot.data.inputs = [];
    snapshot.software = {
      os: machine.os,
      python: facts.python,
      packages: facts.packages,
      packagesProvenance: 'observed',
      numerics: facts.numerics,
      envSpecs: findEnvSpecs(cwd),
    };
    snapshot.hardware = machine.hardware;
    snapshot.randomness = {
      seeds: [
        ...(audit.plan.seedParam && parameters[audit.plan.seedParam] !== undefined
          ? [{ source: 'parameter' as const, name: audit.plan.seedParam, value: parameters[audit.plan.seedParam]! }]
          : []),
        ...(recordedEnv.PYTHONHASHSEED !== undefined
          ? [{ source: 'env' as const, name: 'PYTHONHASHSEED', value: recordedEnv.PYTHONHASHSEED }]
          : []),
      ],
      pythonHashSeed: recordedEnv.PYTHONHASHSEED ?? null,
      scan: shared.scan ?? { status: 'skipped', filesScanned: 0, error: null, findings: [] },
    };
    snapshot.process = {
      argv: [...argv],
      cwd,
      entryPoint: audit.entryPoint,
      parameters: rendered.loggedParameters,
      env: recordedEnv,
      withheld,
      user,
      hostname: os.hostname(),
      startedAt: result.startedAt.toISOString(),
      endedAt: result.endedAt.toISOString(),
      durationMs: rerun.durationMs,
      pid: result.pid,
    };
    snapshot.outcome = {
      status: result.timedOut ? 'failed' : ok ? 'finished' : 'failed',
      exitCode: result.exitCode,
      signal: result.signal,
      metrics,
      artifacts: artifacts ? [artifacts] : [],
      logs: { stdout: null, stderr: null },
      error: result.timedOut ? `stopped by the timeout (${audit.plan.timeoutS} s)` : null,
    };
    snapshot.tags = { ...logged.tags };
    snapshot.warnings = [
      ...warnings,
      ...machine.warnings,
      ...(facts.python.status !== 'ok'
        ? [
            `software: the probe of ${prepared.environment.python} did not answer (${facts.python.error ?? facts.python.status})`,
          ]
        : []),
    ];
    const stdout = streamBlob(result.stdout);
    const stderr = streamBlob(result.stderr);
    snapshot.outcome.logs = { stdout: stdout.ref, stderr: stderr.ref };
    ctx.runs.save(snapshot, [stdout.blob, stderr.blob]);
    rerun.runId = snapshot.id;
    rerun.metrics = Object.fromEntries(Object.entries(metrics).map(([k, m]) => [k, m.value]));
    rerun.artifactsHash = artifacts?.rootHash ?? null;
    rerun.status = result.timedOut ? 'timed-out' : ok ? 'finished' : 'failed';
    rerun.error = result.timedOut
      ? `stopped by the timeout (${audit.plan.timeoutS} s)`
      : ok
        ? null
        : `exit code ${result.exitCode ?? result.signal}: ${result.stderr.data.toString('utf8').trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`;
  } catch (e) {
    if (signal.aborted) {
      rerun.status = 'pending';
      return;
    }
    rerun.status = 'failed';
    rerun.error = e instanceof Error ? e.message : String(e);
  } finally {
    await removeWorkspace(prepared.source, wsDir).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function dockerArgv(
  docker: NonNullable<PreparedEnvironment['docker']>,
  cwd: string,
  mlflow: { root: string; env: Record<string, string> },
  env: NodeJS.ProcessEnv,
  command: string,
): string[] {
  const args = [
    'docker',
    'run',
    '--rm',
    '-v',
    `${cwd}:/mlflow/projects/code`,
    '-w',
    '/mlflow/projects/code',
    '-v',
    `${mlflow.root}:${mlflow.root}`,
  ];
  for (const v of docker.volumes) args.push('-v', v);
  for (const [k, v] of Object.entries(mlflow.env)) args.push('-e', `${k}=${v}`);
  // A host variable is passed by name only: docker reads its value from our environment, so it never
  // appears in the stored command line or in `ps`.
  for (const e of docker.environment) args.push('-e', Array.isArray(e) ? `${e[0]}=${e[1] ?? ''}` : e);
  args.push(docker.image, 'bash', '-c', command);
  return args;
}

async function judge(audit: Audit, prepared: Prepared, ctx: CoreContext, shared: Shared): Promise<void> {
  const baseline = audit.groups.find((g) => g.name === 'baseline');
  let reference: ReferenceOutcome | null = null;
  let refSnapshot: Snapshot | null = prepared.reference;
  if (prepared.reference) {
    reference = {
      metrics: Object.fromEntries(Object.entries(prepared.reference.outcome.metrics).map(([k, m]) => [k, m.value])),
      artifactsHash: null,
    };
  } else {
    const first = finishedReruns(baseline).sort((a, b) => a.index - b.index)[0];
    if (first) {
      reference = { metrics: first.metrics, artifactsHash: first.artifactsHash };
      audit.referenceRunId = first.runId;
      refSnapshot = null;
    }
  }
  audit.metrics = summarizeMetrics(audit.groups, reference, audit.plan.tolerances);
  const v = decideVerdict(audit.groups, audit.metrics, reference);
  audit.verdict = v.verdict;
  audit.explanation = v.explanation;
  const firstRerun = finishedReruns(baseline)[0] ?? baseline?.reruns.find((r) => r.runId);
  const rerunSnap = firstRerun?.runId ? ctx.runs.get(firstRerun.runId) : null;
  const differences = refSnapshot && rerunSnap ? snapshotDifferences(refSnapshot, rerunSnap) : [];
  audit.sources = findSources({
    groups: audit.groups,
    metrics: audit.metrics,
    dataChecks: audit.dataChecks,
    findings: shared.scan?.findings ?? rerunSnap?.randomness.scan.findings ?? [],
    differences,
  });
}
