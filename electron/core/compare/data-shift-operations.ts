// Fills a comparison's data shift: for each changed data or output file, the stored analysis of that pair of versions, or a new one read from this machine (streamed, with progress) and stored.
import fs from 'node:fs';
import type { Comparison } from '../../../shared/compare/compare-model';
import { DATA_SHIFT_VERSION, type DataShift, type FileShift } from '../../../shared/compare/data-shift-model';
import { planDataShift, type PlannedFile } from '../../../shared/compare/data-shift-plan';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { DataShiftRepository } from '../../db/data-shift-repository';
import type { CoreContext } from '../core-context';
import { analyzeFilePair, sha256File, VersionMismatch, type PairSide } from './data-shift-analyze';

/** How the data shift is filled. */
export interface DataShiftOptions {
  /** Match table rows by this column instead of by position. */
  key: string | null;
  /** The user asked to load pickles even where they come from an imported store. */
  unpickle: boolean;
  /** analyze: read the files where both versions are here (and store the result); stored: only what the store holds. */
  mode: 'analyze' | 'stored';
}

const repositories = new WeakMap<CoreContext, DataShiftRepository>();

/** The data-shift repository of a core context. */
export function dataShiftsOf(ctx: CoreContext): DataShiftRepository {
  let repo = repositories.get(ctx);
  if (!repo) {
    repo = new DataShiftRepository(ctx.store.db);
    repositories.set(ctx, repo);
  }
  return repo;
}

function optionsKey(p: PlannedFile, key: string | null): string {
  return p.entry.kind === 'table' && key !== null ? `key=${key}` : '';
}

function sideOf(ctx: CoreContext, abs: string, sha256: string | null, size: number | null): PairSide | string {
  let stat: fs.BigIntStats;
  try {
    stat = fs.statSync(abs, { bigint: true });
  } catch {
    return `${abs} is not on this machine any more`;
  }
  if (!stat.isFile()) return `${abs} is not a regular file`;
  if (size !== null && Number(stat.size) !== size) return `${abs} has changed since that run (its size differs)`;
  const cached = ctx.hashCache.lookup({
    dev: String(stat.dev),
    ino: String(stat.ino),
    size: Number(stat.size),
    mtimeNs: String(stat.mtimeNs),
    ctimeNs: String(stat.ctimeNs),
  });
  if (cached !== null && sha256 !== null && cached !== sha256)
    return `${abs} has changed since that run (its content hash differs)`;
  return { abs, sha256, size, verified: cached !== null && cached === sha256 };
}

function unpicklePolicy(p: PlannedFile, a: Snapshot, b: Snapshot, asked: boolean): { allowed: boolean; why: string } {
  if (asked) return { allowed: true, why: 'the user asked to load pickles (--unpickle)' };
  if (p.entry.area !== 'output')
    return {
      allowed: false,
      why: 'not unpickled: a pickle among the data inputs may come from anywhere, and loading it runs its code (compare with --unpickle to load it)',
    };
  if (a.kind === 'import' || b.kind === 'import')
    return {
      allowed: false,
      why: 'not unpickled: it comes from an imported store, and loading a pickle runs its code (compare with --unpickle to load it)',
    };
  return { allowed: true, why: "a run's own output" };
}

function pythonOf(a: Snapshot, b: Snapshot): string | null {
  for (const s of [b, a])
    if (s.software.python.status === 'ok' && s.software.python.executable) return s.software.python.executable;
  return null;
}

async function fillOne(
  ctx: CoreContext,
  p: PlannedFile,
  job: { a: Snapshot; b: Snapshot; opts: DataShiftOptions; task: string },
): Promise<FileShift> {
  const { opts, task } = job;
  const runs = { a: job.a, b: job.b };
  const e = p.entry;
  if (e.change !== 'changed' || p.absA === null || p.absB === null) return e;
  const repo = dataShiftsOf(ctx);
  const options = optionsKey(p, opts.key);
  if (e.sha256A && e.sha256B) {
    const stored = repo.get(e.sha256A, e.sha256B, options);
    if (stored) return { ...e, ...stored, kind: stored.kind ?? e.kind, stored: true };
  }
  if (opts.mode === 'stored')
    return { ...e, status: 'unavailable', note: 'not analysed while both versions were on this machine' };
  const sa = sideOf(ctx, p.absA, e.sha256A, e.sizeA);
  if (typeof sa === 'string') return { ...e, status: 'unavailable', note: `run A's version: ${sa}` };
  const sb = sideOf(ctx, p.absB, e.sha256B, e.sizeB);
  if (typeof sb === 'string') return { ...e, status: 'unavailable', note: `run B's version: ${sb}` };
  const label = `data shift: ${e.path || e.root}`;
  const total = (e.sizeA ?? 0) + (e.sizeB ?? 0);
  ctx.events.publish({ task, phase: 'progress', label, done: 0, total, unit: 'bytes' });
  try {
    const result = await analyzeFilePair(sa, sb, e.path || e.root, {
      readAs: p.readAs,
      key: opts.key,
      unpickle: unpicklePolicy(p, runs.a, runs.b, opts.unpickle),
      python: pythonOf(runs.a, runs.b),
      projectRoot: runs.b.code.root ?? runs.a.code.root,
      onBytes: (side, done) =>
        ctx.events.publish({
          task,
          phase: 'progress',
          label,
          done: side === 'a' ? done : (e.sizeA ?? 0) + done,
          total,
          unit: 'bytes',
        }),
    });
    // a failed reading proves nothing about the version: check the bytes are the recorded ones before keeping it
    if (result.status !== 'ok') {
      for (const [side, who] of [
        [sa, 'A'],
        [sb, 'B'],
      ] as const) {
        const sha = sha256File(side);
        if (sha !== null && sha !== side.sha256)
          return { ...e, status: 'unavailable', note: `run ${who}'s version: ${side.abs} has changed since that run` };
      }
    }
    // skipped (not unpickled) depends on who asks, so it is not kept
    if (e.sha256A && e.sha256B && result.status !== 'skipped') repo.put(e.sha256A, e.sha256B, options, result);
    return { ...e, ...result, kind: result.kind ?? e.kind, stored: false };
  } catch (err) {
    if (err instanceof VersionMismatch) return { ...e, status: 'unavailable', note: err.message };
    return { ...e, status: 'unreadable', note: (err as Error).message };
  }
}

/** The data shift of two runs: every differing file listed, changed ones analysed (or read from the store). */
export async function computeDataShift(
  ctx: CoreContext,
  a: Snapshot,
  b: Snapshot,
  opts: DataShiftOptions,
): Promise<DataShift> {
  const plan = planDataShift(a, b);
  const task = `data-shift:${a.id.slice(0, 8)}:${b.id.slice(0, 8)}`;
  const changed = plan.files.filter((p) => p.entry.change === 'changed').length;
  if (changed > 0 && opts.mode === 'analyze')
    ctx.events.publish({ task, phase: 'start', label: 'data shift', done: 0, total: changed, unit: 'files' });
  const files: FileShift[] = [];
  for (const p of plan.files) files.push(await fillOne(ctx, p, { a, b, opts, task }));
  if (changed > 0 && opts.mode === 'analyze')
    ctx.events.publish({ task, phase: 'end', label: 'data shift', done: changed, total: changed, unit: 'files' });
  return { version: DATA_SHIFT_VERSION, files, omitted: plan.omitted, key: opts.key };
}

/** A comparison with its data shift filled. */
export async function enrichDataShift(
  comparison: Comparison,
  ctx: CoreContext,
  runs: { a: Snapshot; b: Snapshot },
  opts: DataShiftOptions,
): Promise<Comparison> {
  return { ...comparison, dataShift: await computeDataShift(ctx, runs.a, runs.b, opts) };
}
