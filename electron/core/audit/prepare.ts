/** Preparing an audit before its first rerun: the project at its commit, the reference run, the command, the data checks and the environment. */
import fs from 'node:fs';
import path from 'node:path';
import { emptyRecord, recordOf } from '../../../shared/records';
import { AUDIT_SCHEMA_VERSION, type Audit } from '../../../shared/audit/audit';
import {
  CAPTURED_SEED_PARAMETER,
  capturedCommandFrom,
  capturedEntryPoint,
  undeclaredParameterWarnings,
  type CapturedCommand,
} from '../../../shared/audit/captured-command';
import {
  findEntryPoint,
  localPathOf,
  type Mlproject,
  type MlprojectEntryPoint,
  type RenderedCommand,
} from '../../../shared/mlflow/mlproject';
import { stripUrlCredentials } from '../../../shared/snapshot/secrets';
import { isSeedName } from '../../../shared/snapshot/seeds';
import { ReproError } from '../../../shared/errors';
import { formatCommand } from '../../../shared/mlflow/shell-quote';
import { formatSignificant } from '../../../shared/numbers';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { toPendingBlob } from '../../db/blob-repository';
import { discardInBackground } from '../../platform/discard';
import { createWorkspace, parkWorkspace, pruneWorktrees, type WorkspaceSource } from '../../platform/workspace';
import { parseMetricSources } from '../capture';
import type { CoreContext } from '../core-context';
import { storePaths, workRootOf } from './audit-store';
import type { AuditRequest, Prepared } from './campaign-types';
import { originalInterpreter, prepareEnvironment } from './environment';
import { planGroups } from './groups';
import { checkData, dataInputsAsSeen } from './prepare-data';
import { locateProject, type LocatedProject, type StepContext } from './prepare-source';
import { loadProjectOffThread, resolveRender, scriptAsEntryPoint, unquoteLogged } from './project';

/** Builds the audit record and what its reruns need: project, reference, command, data checks, environment. Saves nothing. */
export async function prepareAudit(
  input: AuditRequest,
  ctx: CoreContext,
  id: string,
  onLog: (l: string) => void,
): Promise<{ audit: Audit; prepared: Prepared; patch: string | null }> {
  input = scriptAsEntryPoint(input);
  const workDir = input.workDir ? path.resolve(input.cwd ?? process.cwd(), input.workDir) : null;
  const workRoot = workRootOf(ctx, { workDir }, id);
  const reference = input.against ? ctx.runs.get(ctx.runs.resolveId(input.against)) : null;
  // every step adds its warnings here, in the order a user reads them
  const warnings: string[] = [];
  const theOriginals = input.python ? null : originalInterpreter(reference, input.envManager);
  if (theOriginals) {
    warnings.push(
      `python runs ${theOriginals.python}, the interpreter the original ran (python on PATH is ${theOriginals.onPath ?? 'absent'}); give --python to choose another`,
    );
    input = { ...input, python: theOriginals.python };
  }
  const located = await locateProject({ input, ctx, reference, workRoot, warnings });
  const { source } = located;
  const inspectDir = source.kind === 'git' ? await createWorkspace(source, path.join(workRoot, 'inspect')) : null;
  const readDir = inspectDir ?? source.projectDir;
  const project = await loadProjectOffThread(readDir);
  let command: ResolvedCommand;
  try {
    command = resolveCommand({
      input,
      reference,
      project,
      cwd: path.resolve(input.cwd ?? located.projectDir ?? readDir),
      warnings,
      originalsInterpreter: theOriginals !== null,
    });
  } catch (e) {
    throw atOriginalsCommit(e, { input, reference, located, project });
  }
  parseMetricSources(input.metricsFrom, input.metricPatterns); // a bad --metric-pattern is refused before any rerun
  const data = await checkAuditData({ input, ctx, id, reference, source, inspectDir, command, warnings });

  if (project.env.kind === 'docker_env' && input.envManager === 'local')
    warnings.push(
      `the project declares the docker image ${project.env.docker?.image ?? '?'}; --env-manager local reruns it outside the image`,
    );
  const environment = await prepareEnvironment({
    manager: input.envManager,
    project,
    projectDir: readDir,
    python: input.python ?? null,
    pipOptions: input.pipOptions,
    envsDir: storePaths(ctx).envs,
    shimRoot: path.join(workRoot, 'python'),
    dryRun: input.dryRun,
    onLog,
  });
  warnings.push(...unrecordedOutputWarnings(reference, input.outputs));
  const timeoutS = input.timeoutS ?? defaultTimeoutS(reference);
  if (input.timeoutS === undefined && timeoutS !== null)
    warnings.push(
      `each rerun stops after ${timeoutS} s (5 times the original's ${formatSignificant(reference!.process.durationMs! / 1000, 2)} s, at least 60 s); give --timeout to change it`,
    );
  const audit = auditRecord({
    input,
    id,
    reference,
    located,
    project,
    command,
    dataChecks: data.checks,
    timeoutS,
    workDir,
    warnings,
  });
  const { entry } = command;
  return {
    audit,
    prepared: {
      source,
      entry,
      project,
      environment,
      reference,
      workRoot,
      inspectDir,
      inspectReady: inspectDir !== null,
      dataInputs: data.trees,
    },
    patch: located.patch,
  };
}

/**
 * An entry point not found at the commit the original's run recorded (the commit the audit reruns without --version):
 * said with that commit and what the project there declares. MLflow records the commit a run started from, not the
 * uncommitted changes it ran with; a project whose MLproject was not committed yet has no entry point at all there.
 */
function atOriginalsCommit(
  e: unknown,
  {
    input,
    reference,
    located,
    project,
  }: { input: AuditRequest; reference: Snapshot | null; located: LocatedProject; project: Mlproject },
): unknown {
  if (!(e instanceof ReproError) || e.code !== 'PROJECT_INVALID') return e;
  if (input.version || !reference?.code.commit || located.commit === null) return e;
  const name =
    input.entryPoint ?? reference.process.entryPoint ?? reference.tags['mlflow.project.entryPoint'] ?? 'main';
  const declared = project.fileName
    ? `its ${project.fileName} declares ${project.entryPoints.length ? project.entryPoints.map((p) => p.name).join(', ') : 'no entry point'} there`
    : 'there is no MLproject there';
  return new ReproError(
    'PROJECT_INVALID',
    `the original ran entry point ${name} at commit ${located.commit.slice(0, 12)}, as its run recorded, but ${declared}`,
    `The original may have run changes that were not committed (MLflow records the commit, not the changes): rerun a later commit with --version (e.g. --version HEAD), or pick an entry point with -e.`,
    { cause: e },
  );
}

/**
 * An --outputs path the original recorded nothing under is hashed after each rerun and compared among the reruns only
 * (judge.ts): said before the first rerun, so that a verdict is not read as their check against the original.
 */
function unrecordedOutputWarnings(reference: Snapshot | null, outputs: readonly string[]): string[] {
  if (!reference) return [];
  const trim = (p: string): string => path.normalize(p).replace(/\/+$/, '');
  const recorded = reference.outcome.artifacts.filter((t) => t.kind !== 'missing').map((t) => trim(t.path));
  const missing = outputs.filter((o) => {
    const p = trim(o);
    return !recorded.some((r) => r === p || r.startsWith(`${p}/`) || p.startsWith(`${r}/`));
  });
  if (missing.length === 0) return [];
  const list = missing.map((o) => `\`${o}\``).join(', ');
  return [
    `the original recorded no ${list}: the reruns' copies are compared with each other, not with the original's (capture the original with --outputs ${missing[0]} to compare ${missing.length === 1 ? 'it' : 'them'})`,
  ];
}

/** The command the reruns run: the entry point (or the captured command line), its parameters, the seed parameter. */
interface ResolvedCommand {
  captured: CapturedCommand | null;
  entry: MlprojectEntryPoint;
  rendered: RenderedCommand;
  seedParam: string | null;
  cwd: string;
}

/** Resolves the entry point and renders its command with the reference's and the user's parameters; finds the seed parameter. */
function resolveCommand({
  input,
  reference,
  project,
  cwd,
  warnings,
  originalsInterpreter,
}: Omit<StepContext, 'ctx'> & { project: Mlproject; cwd: string; originalsInterpreter: boolean }): ResolvedCommand {
  const captured = capturedCommandOf(reference, input.entryPoint);
  const entryName =
    input.entryPoint ?? reference?.process.entryPoint ?? reference?.tags['mlflow.project.entryPoint'] ?? 'main';
  const entry = captured ? capturedEntryPoint(captured) : findEntryPoint(project, entryName);
  // a captured command carries its arguments in argv; its recorded parameters are not the entry point's
  const refParams = captured
    ? emptyRecord<string>()
    : recordOf(Object.entries(reference?.process.parameters ?? {}).map(([k, v]) => [k, unquoteLogged(v)]));
  const userParams = Object.assign(refParams, input.parameters);
  const rendered = resolveRender(entry, userParams, cwd);
  warnings.push(...undeclaredParameterWarnings(entry, Object.keys(input.parameters)));
  if (reference && reference.kind === 'capture' && reference.process.argv.length > 0) {
    const original = formatCommand(reference.process.argv);
    // `python` in place of the original's interpreter, when the audit chose that interpreter, is no difference
    if (original !== rendered.command && !(captured && originalsInterpreter))
      warnings.push(
        captured
          ? `the original ran \`${original}\`; the reruns run \`${rendered.command}\` (the audit's interpreter in place of the original's)`
          : `the original was captured running \`${original}\`; the reruns run \`${rendered.command}\` (give its parameters with -P if they differ)`,
      );
  }
  const seedParam =
    input.seedParam ??
    (captured ? (captured.seedIndex !== null ? CAPTURED_SEED_PARAMETER : null) : null) ??
    entry.parameters.find((p) => isSeedName(p.name))?.name ??
    Object.keys(userParams).find(isSeedName) ??
    null;
  if (input.vary.includes('seed') && !seedParam)
    warnings.push('--vary seed was asked, but the entry point has no seed parameter; name it with --seed-param');
  return { captured, entry, rendered, seedParam, cwd };
}

/** The data inputs (path parameters and --data) hashed where the reruns read them, and compared with what the original recorded. */
async function checkAuditData({
  input,
  ctx,
  id,
  reference,
  source,
  inspectDir,
  command: { entry, rendered, cwd },
  warnings,
}: StepContext & {
  id: string;
  source: WorkspaceSource;
  inspectDir: string | null;
  command: ResolvedCommand;
}): ReturnType<typeof checkData> {
  const data = await checkData({
    inputs: dataInputsAsSeen({
      pathParameters: entry.parameters
        .filter((p) => p.type === 'path')
        .map((p) => path.resolve(cwd, localPathOf(rendered.parameters[p.name]!) ?? rendered.parameters[p.name]!)),
      dataPaths: input.data.map((d) => path.resolve(cwd, d)),
      recordedPaths: recordedInputs(reference, source.kind === 'git' ? source.projectDir : null),
      projectDir: source.kind === 'git' ? source.projectDir : null,
      inspectDir,
    }),
    cwd,
    reference,
    ctx,
    task: `audit-${id}`,
  });
  for (const d of data.checks)
    if (d.same === null && reference)
      warnings.push(`data: the original did not record ${d.path}; it could not be compared`);
  return data;
}

/** The audit record as it is first saved: status running, groups planned, no metrics or verdict yet. */
function auditRecord({
  input,
  id,
  reference,
  located: { url, projectDir, source, commit, patch, repoRoot },
  project,
  command: { captured, entry, rendered, seedParam, cwd },
  dataChecks,
  timeoutS,
  workDir,
  warnings,
}: Omit<StepContext, 'ctx'> & {
  id: string;
  located: LocatedProject;
  project: Mlproject;
  command: ResolvedCommand;
  dataChecks: Audit['dataChecks'];
  timeoutS: number | null;
  workDir: string | null;
}): Audit {
  const now = new Date().toISOString();
  const groups = planGroups({
    repeats: input.repeats,
    vary: input.vary,
    seedParam,
    seedValue: seedParam ? (rendered.parameters[seedParam] ?? null) : null,
    withOriginal: reference !== null,
  });
  return {
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
      timeoutS,
      seedParam,
      metricsFiles: input.metrics,
      metricsFrom: input.metricsFrom,
      metricPatterns: input.metricPatterns,
      dataPaths: input.data,
      strictData: input.strictData,
      python: input.python ?? null,
      pipOptions: input.pipOptions,
      outputs: input.outputs,
      ignoreOutputs: input.ignoreOutputs,
      judgedMetrics: input.judgedMetrics,
      repeatsAuto: input.repeatsAuto,
      maxReruns: input.repeatsAuto ? input.maxReruns : null,
      capturedCommand: captured,
      runner:
        input.runner === 'slurm'
          ? { kind: 'slurm', partition: input.slurmPartition ?? null, options: input.slurmOptions }
          : { kind: 'local' },
      workDir,
    },
    groups,
    metrics: emptyRecord(),
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
}

/**
 * The captured command line an `--against` audit reruns as is: a capture of a plain command (not
 * `mlflow run`), unless `-e` names an entry point. Null for an MLproject audit.
 */
function capturedCommandOf(reference: Snapshot | null, entryPoint: string | undefined): CapturedCommand | null {
  if (!reference || reference.kind !== 'capture' || entryPoint) return null;
  const argv = reference.process.argv;
  if (argv.length === 0 || path.basename(argv[0]!) === 'mlflow') return null;
  return capturedCommandFrom(argv);
}

/** The absolute paths of the original's recorded data inputs that lie inside the project folder. */
function recordedInputs(reference: Snapshot | null, projectDir: string | null): string[] {
  if (!reference || !projectDir) return [];
  return reference.data.inputs
    .map((i) => i.absPath)
    .filter((abs) => {
      const rel = path.relative(projectDir, abs);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    });
}

/** A rerun's default time limit: 5 times the original's duration, at least 60 s; none when the duration is unknown. */
export function defaultTimeoutS(reference: Snapshot | null): number | null {
  const ms = reference?.process.durationMs;
  if (ms === null || ms === undefined || !(ms > 0)) return null;
  return Math.max(60, Math.ceil((5 * ms) / 1000));
}

/**
 * Removes what a campaign prepared on disk (the clone of a local repository, the inspection worktree, the
 * rerun slots: all inside the audit's work folder) without the user waiting for it: the folder is renamed away at
 * once and deleted in the background (a 20,000-file checkout takes a second or more to delete).
 */
export async function cleanup(prepared: Prepared): Promise<void> {
  discardInBackground(prepared.workRoot);
  const clone = prepared.source.kind === 'git' ? prepared.source.clone : undefined;
  // a URL's clone lies in the git cache, outside the work folder: it forgets the worktrees that went with it
  if (clone && path.relative(prepared.workRoot, clone).startsWith('..')) await pruneWorktrees(clone);
}

/** After a dry run: keeps a local repository's clone and inspection worktree for the audit that usually follows it. */
export function parkPrepared(prepared: Prepared): void {
  if (prepared.source.kind === 'git' && prepared.source.clone) parkWorkspace(prepared.workRoot, prepared.source.clone);
  else fs.rmSync(prepared.workRoot, { recursive: true, force: true });
}
