// The first step of preparing an audit: where the project is (a git URL, a folder in a repository, a plain folder), the commit and the patch.
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../../shared/errors';
import { stripUrlCredentials } from '../../../shared/snapshot/secrets';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { captureCodeState } from '../../platform/git-state';
import { cachedClone, gitRun, listExtraFiles, unparkWorkspace, type WorkspaceSource } from '../../platform/workspace';
import type { CoreContext } from '../core-context';
import { storePaths } from './audit-store';
import type { AuditRequest } from './campaign-types';
import { isGitUrl } from './project';

/** Where the project is: a git URL (cloned into the store), a folder in a git repository, or a plain folder. */
export interface LocatedProject {
  url: boolean;
  /** The user's folder, null for a git URL. */
  projectDir: string | null;
  source: WorkspaceSource;
  commit: string | null;
  patch: string | null;
  repoRoot: string | null;
}

/** What the preparing steps share: the request, the core, the reference run, and the warnings they add to. */
export interface StepContext {
  input: AuditRequest;
  ctx: CoreContext;
  reference: Snapshot | null;
  warnings: string[];
}

/** Finds the project and the commit to rerun (--version, else the reference's, else HEAD) with the patch that goes with it. */
export async function locateProject({
  input,
  ctx,
  reference,
  workRoot,
  warnings,
}: StepContext & { workRoot: string }): Promise<LocatedProject> {
  if (isGitUrl(input.project) && !fs.existsSync(input.project)) return cloneGitUrl(input, ctx, reference);
  const projectDir = path.resolve(input.project);
  if (!fs.existsSync(projectDir))
    throw new ReproError(
      'PROJECT_INVALID',
      `the project folder ${projectDir} does not exist`,
      'Give a folder with an MLproject file or a git URL.',
    );
  const top = (await gitRun(projectDir, ['rev-parse', '--show-toplevel']).catch(() => '')).trim();
  if (!top) {
    if (reference && reference.code.vcs === 'git')
      warnings.push(
        'the original ran from a git checkout, but the project folder is not in git: its current files are rerun',
      );
    return {
      url: false,
      projectDir,
      source: { kind: 'folder', projectDir },
      commit: null,
      patch: null,
      repoRoot: null,
    };
  }
  const head = (await gitRun(top, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
  if (!head)
    throw new ReproError(
      'PROJECT_INVALID',
      `the repository ${top} has no commits`,
      'Commit the project first, or audit a copy outside git.',
    );
  const wanted = input.version ?? reference?.code.commit ?? head;
  const commit = (
    await gitRun(top, ['rev-parse', '--verify', '-q', `${wanted}^{commit}`]).catch(() => {
      throw new ReproError(
        'PROJECT_INVALID',
        `the commit ${wanted} is not in ${top}`,
        'Check --version, or fetch the commit the original ran.',
      );
    })
  ).trim();
  let patch: string | null;
  if (input.version) patch = null;
  else if (reference) patch = reference.code.patch;
  else patch = (await captureCodeState(projectDir, ctx.hashCache)).code.patch;
  await unparkWorkspace(workRoot, top);
  const clone = await cachedClone(top, workRoot, true);
  const subdir = path.relative(fs.realpathSync(top), fs.realpathSync(projectDir));
  const extraFiles = await listExtraFiles(top, subdir);
  warnings.push(...writtenSinceOriginal(extraFiles, reference, [...input.outputs, ...input.metrics], subdir));
  const source: WorkspaceSource = { kind: 'git', projectDir, clone, commit, patch, subdir, extraFiles };
  return { url: false, projectDir, source, commit, patch, repoRoot: top };
}

/** A git URL: cloned once into the store's git cache, at --version or the reference's commit (its patch only without --version). */
async function cloneGitUrl(input: AuditRequest, ctx: CoreContext, reference: Snapshot | null): Promise<LocatedProject> {
  const clone = await cachedClone(input.project, storePaths(ctx).gitCache, false);
  const commit = (
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
  const patch = input.version ? null : (reference?.code.patch ?? null);
  const source: WorkspaceSource = { kind: 'git', projectDir: clone, clone, commit, patch, subdir: '' };
  return { url: true, projectDir: null, source, commit, patch, repoRoot: null };
}

/**
 * Files git does not track that were written since the original started (a model it saved, a cache it filled):
 * they are copied into every rerun, which then starts with state the original may not have had. A real project's
 * `save_model_if_better` loads models/estimator.pkl if it is there. Paths the reruns clear first (--outputs,
 * --metrics, metrics.json) are left out.
 */
function writtenSinceOriginal(
  files: readonly { rel: string; abs: string }[],
  reference: Snapshot | null,
  cleared: readonly string[],
  subdir: string,
): string[] {
  const started = reference?.process.startedAt ? Date.parse(reference.process.startedAt) : Number.NaN;
  if (!Number.isFinite(started)) return [];
  const base = subdir.split(path.sep).join('/');
  const clearedRel = [...cleared, 'metrics.json'].map((o) =>
    path.posix.normalize(base ? `${base}/${o}` : o).replace(/\/+$/, ''),
  );
  const found = files
    .filter((f) => !clearedRel.some((c) => f.rel === c || f.rel.startsWith(`${c}/`)))
    .filter((f) => {
      try {
        return fs.statSync(f.abs).mtimeMs >= started - 1000;
      } catch {
        return false;
      }
    })
    .map((f) => f.rel);
  if (found.length === 0) return [];
  const one = found.length === 1;
  const shown = found.slice(0, 3).join(', ') + (found.length > 3 ? `, … (${found.length} in all)` : '');
  return [
    `${one ? 'a file' : `${found.length} files`} git does not track ${one ? 'was' : 'were'} written since the original started (${shown}): ${one ? 'it is' : 'they are'} copied into every rerun, which starts with state the original may not have had; if the code reads ${one ? 'it' : 'them'}, name ${one ? 'it' : 'them'} with --outputs to clear ${one ? 'it' : 'them'} before each rerun`,
  ];
}
