// The audit operations of the contract: start or plan, read, list, cancel and resume audits, and read a project for the form.
import fs from 'node:fs';
import path from 'node:path';
import { isSeedName } from '../../../shared/snapshot/seeds';
import { liveAuditStatus } from './audit-lease';
import { auditsOf } from './audit-store';
import { cancelRunningAudit, resumeAudit, startAudit } from './campaign';
import { loadProjectOffThread, scriptAsEntryPoint } from './project';
import { findEntryPoint } from '../../../shared/mlflow/mlproject';
import { parseOffThread } from '../parse-off-thread';
import type { Impl } from '../operation-types';
import { gitRun } from '../../platform/workspace';
import { ReproError } from '../../../shared/errors';

/** The audit operations: start (or plan), read, list, cancel, resume, and read a project for the form. */
export const auditOperations: {
  startAudit: Impl<'startAudit'>;
  getAudit: Impl<'getAudit'>;
  listAudits: Impl<'listAudits'>;
  cancelAudit: Impl<'cancelAudit'>;
  resumeAudit: Impl<'resumeAudit'>;
  readProject: Impl<'readProject'>;
} = {
  startAudit: async (input, ctx) => {
    const { audit, done } = await startAudit(input, ctx);
    if (input.wait || input.dryRun) return done;
    done.catch(() => undefined);
    return structuredClone(audit);
  },
  // A `running` audit whose owner process is gone (killed, or silent past its lease) reads as interrupted.
  getAudit: (input, ctx) => {
    const audit = auditsOf(ctx).get(auditsOf(ctx).resolveId(input.id));
    return { ...audit, status: liveAuditStatus(ctx, audit.id, audit.status) };
  },
  listAudits: (input, ctx) => ({
    audits: auditsOf(ctx)
      .list(input.limit ?? 1000, input.offset ?? 0)
      .map((a) => ({ ...a, status: liveAuditStatus(ctx, a.id, a.status) })),
  }),
  cancelAudit: (input, ctx) => {
    const id = auditsOf(ctx).resolveId(input.id);
    return { id, cancelled: cancelRunningAudit(ctx, id) };
  },
  resumeAudit: async (input, ctx) => {
    const { audit, done } = await resumeAudit(input.id, ctx);
    if (input.wait) return done;
    done.catch(() => undefined);
    return structuredClone(audit);
  },
  readProject: async (input) => {
    // A .py or .sh file is its folder's entry point, as `reproscope audit train.py` takes it.
    const given = path.resolve(input.project);
    const asScript: { project: string; entryPoint?: string } = scriptAsEntryPoint({
      project: given,
      cwd: path.dirname(given),
    });
    const dir = asScript.project;
    const script = asScript.entryPoint ?? null;
    if (!fs.existsSync(dir))
      throw new ReproError(
        'PROJECT_INVALID',
        `the project folder ${dir} does not exist`,
        'Give a project folder; git URLs are read when the audit starts.',
      );
    const top = (await gitRun(dir, ['rev-parse', '--show-toplevel']).catch(() => '')).trim();
    const commit = top
      ? (
          await gitRun(top, ['rev-parse', '--verify', '-q', `${input.version ?? 'HEAD'}^{commit}`]).catch(() => '')
        ).trim() || null
      : null;
    if (input.version && !commit)
      throw new ReproError(
        'PROJECT_INVALID',
        `the commit ${input.version} is not in ${top || dir}`,
        'Check the version.',
      );
    let project;
    if (input.version && commit) {
      // the project as it was at that commit, read from git without a checkout
      const sub = path.relative(fs.realpathSync(top), fs.realpathSync(dir)).split(path.sep).join('/');
      const files = (await gitRun(top, ['ls-tree', '--name-only', commit, ...(sub ? [`${sub}/`] : [])]))
        .split('\n')
        .filter(Boolean)
        .map((f) => path.posix.basename(f));
      const mlproject = files.find((f) => f.toLowerCase() === 'mlproject') ?? null;
      const text = mlproject ? await gitRun(top, ['show', `${commit}:${sub ? `${sub}/` : ''}${mlproject}`]) : null;
      project = await parseOffThread(
        { kind: 'mlproject', text, fileName: mlproject, files: { names: files } },
        mlproject ?? 'MLproject',
      );
    } else {
      project = await loadProjectOffThread(dir);
    }
    // the script first, as MLflow runs an undeclared one (a declared entry point of that name is that one)
    const entryPoints =
      script === null || project.entryPoints.some((e) => e.name === script)
        ? project.entryPoints
        : [findEntryPoint(project, script), ...project.entryPoints];
    return {
      name: project.name,
      dir,
      fileName: project.fileName,
      entryPoints,
      script,
      env: { kind: project.env.kind, file: project.env.file, detected: project.env.detected },
      seedParameters: Object.fromEntries(
        entryPoints.map((e) => [e.name, e.parameters.filter((p) => isSeedName(p.name)).map((p) => p.name)]),
      ),
      commit,
    };
  },
};
