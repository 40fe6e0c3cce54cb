// Preparing an interrupted audit again: its workspace source, project and environment from the stored record.
import fs from 'node:fs';
import path from 'node:path';
import type { Audit } from '../../../shared/audit/audit';
import { capturedEntryPoint } from '../../../shared/audit/captured-command';
import { findEntryPoint } from '../../../shared/mlflow/mlproject';
import { cachedClone, createWorkspace, gitRun, listExtraFiles, type WorkspaceSource } from '../../platform/workspace';
import type { CoreContext } from '../core-context';
import { storePaths, workRootOf } from './audit-store';
import type { Prepared } from './campaign-types';
import { prepareEnvironment } from './environment';
import { loadProjectOffThread } from './project';

/** Rebuilds what an interrupted audit's campaign needs from its stored record: a fresh work folder, workspace source, project and environment. */
export async function prepareResume(audit: Audit, ctx: CoreContext): Promise<Prepared> {
  const workRoot = workRootOf(ctx, audit.plan, audit.id);
  // jobs left queued or running on a cluster still use their folders: keep them (and the clone their worktrees borrow from)
  const live = audit.groups.some((g) => g.reruns.some((r) => r.job && r.job.phase !== 'ended'));
  if (!live) fs.rmSync(workRoot, { recursive: true, force: true });
  const patch = audit.workspace.patchBlob ? ctx.runs.blobs.get(audit.workspace.patchBlob).toString('utf8') : null;
  const reference = audit.referenceRunId ? ctx.runs.get(audit.referenceRunId) : null;
  let source: WorkspaceSource;
  if (audit.workspace.kind === 'folder') source = { kind: 'folder', projectDir: audit.project.location };
  else {
    const url = audit.project.kind === 'git-url';
    const top = url ? null : (await gitRun(audit.project.location, ['rev-parse', '--show-toplevel'])).trim();
    const clone = top
      ? await cachedClone(top, workRoot, true)
      : await cachedClone(audit.project.location, storePaths(ctx).gitCache, false);
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
  const inspectRoot = path.join(workRoot, 'inspect');
  // a reattached job may run in the inspection worktree (it was a slot): read it as it is rather than reset it
  const asItIs = source.kind === 'git' && live && fs.existsSync(inspectRoot);
  const inspectDir =
    source.kind !== 'git'
      ? null
      : asItIs
        ? path.join(inspectRoot, source.subdir ?? '')
        : await createWorkspace(source, inspectRoot);
  const project = await loadProjectOffThread(inspectDir ?? source.projectDir);
  const entry = audit.plan.capturedCommand
    ? capturedEntryPoint(audit.plan.capturedCommand)
    : findEntryPoint(project, audit.entryPoint);
  const log = (line: string): void =>
    ctx.events.publish({ task: `audit-${audit.id}`, phase: 'log', label: 'audit', message: `${line}\n` });
  const environment = await prepareEnvironment({
    manager: audit.envManager,
    project,
    projectDir: inspectDir ?? source.projectDir,
    python: audit.plan.python,
    pipOptions: audit.plan.pipOptions,
    envsDir: storePaths(ctx).envs,
    shimRoot: path.join(workRoot, 'python'),
    dryRun: false,
    onLog: log,
  });
  return {
    source,
    entry,
    project,
    environment,
    reference,
    workRoot,
    inspectDir,
    inspectReady: inspectDir !== null && !asItIs,
  };
}
