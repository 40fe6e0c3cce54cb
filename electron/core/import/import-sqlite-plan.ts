/** Planning an mlflow.db's runs before their metrics are read: left out, unchanged since the last import (by the database's token or by the run's own facts), or to be read. */
import type { Stats } from 'node:fs';
import type { ImportSkip } from '../../../shared/api/api-import';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import {
  storedSourceToken,
  type LocalModelDir,
  type MlflowExperimentInfo,
  type MlflowReadOptions,
} from './import-mlflow-types';
import { RunRowSchema, type RunRow } from './import-sqlite-schema';
import { factsPart, fingerprintText, parseFingerprint, type RunFacts, type RunModel } from './import-sqlite-facts';
import type { RunFolders } from './import-sqlite-folders';
import type { MetricMoves, MetricWatermark } from './import-sqlite-metrics';

/** A run row settled before its metrics are read: left out, unchanged since the last import, or to be read. */
export type Planned =
  | { kind: 'skip'; skip: ImportSkip }
  | { kind: 'unchanged'; runId: string; experimentId: string }
  | {
      kind: 'run';
      r: RunRow;
      facts: RunFacts;
      exp: MlflowExperimentInfo;
      lifecycleStage: string;
      artifactDir: string | null;
      /** The artifacts folder was listed whole and holds nothing: no hashing to do. */
      artifactsEmpty: boolean;
      modelDirs: LocalModelDir[];
      fingerprint: string | null;
    }
  | null;

/** What is known of a run from its row alone: where its files are, and their stamps' hash (null: not stampable now). */
export interface RunHead {
  kind: 'head';
  /** The row as the store gave it (what the facts hash), and parsed. */
  raw: Record<string, unknown>;
  r: RunRow;
  exp: MlflowExperimentInfo;
  lifecycleStage: string;
  artifactDir: string | null;
  /** The artifacts folder's lstat, where finding it took one (before it is listed). */
  artifactsStat: Stats | null;
  modelDirs: LocalModelDir[];
  /** The stamps, once taken (stamp). */
  stamps?: FolderStamps;
}

/** A run's folder stamps: the fingerprint's files part (null: not stampable now), and whether its artifacts folder is empty. */
interface FolderStamps {
  files: string | null;
  artifactsEmpty: boolean;
}

/** What the planner works from. */
export interface PlannerContext {
  wanted: Map<string, MlflowExperimentInfo>;
  options: MlflowReadOptions;
  /** Where runs' folders are inside the store, and their stamps. */
  folders: RunFolders;
  models: Map<string, RunModel[]>;
  /** The dataset inputs by run, read when a run first needs them. */
  datasets: () => Map<string, DeclaredDataset[]>;
  /** The metrics table's watermark now; null where the store gives none (no fingerprints then). */
  watermark: MetricWatermark | null;
  moves: MetricMoves | null;
  /** The database's token now (readDbToken), or null. */
  token: string | null;
}

/** Plans runs: a run row to a head, and a head (with its facts where needed) to what the reader does with it. */
export class RunPlanner {
  private readonly salt: string | undefined;
  /** Which runs the source's recorded token vouches for: none, those not deleted in MLflow, or all. */
  private readonly vouched: 'none' | 'active' | 'all' = 'none';

  constructor(private readonly ctx: PlannerContext) {
    this.salt = ctx.options.fingerprintSalt;
    const stored = ctx.options.storedStoreToken;
    if (this.salt === undefined || ctx.token === null || !stored || !ctx.options.storedFingerprint) return;
    // The last import that checked every run found the store as it is now: each run's stored fingerprint still
    // tells its rows (the import that recorded 'A' left out the runs deleted in MLflow, so those are not vouched for).
    if (stored === storedSourceToken(this.salt, true, ctx.token)) this.vouched = 'all';
    else if (stored === storedSourceToken(this.salt, false, ctx.token)) this.vouched = 'active';
  }

  /** A run row's head, or what to do with the row when that is known from it alone (a skip, or not wanted). */
  head(raw: Record<string, unknown>): Planned | RunHead {
    const { wanted, options, folders, models } = this.ctx;
    const parsed = RunRowSchema.safeParse(raw);
    const rawId = raw.run_uuid;
    if (!parsed.success) {
      return {
        kind: 'skip',
        skip: {
          experimentId: null,
          runId: typeof rawId === 'string' ? rawId : null,
          reason: `the run row is malformed (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`,
        },
      };
    }
    const r = parsed.data;
    const exp = wanted.get(r.experiment_id);
    if (!exp) return null;
    const lifecycleStage = exp.lifecycleStage === 'deleted' ? 'deleted' : (r.lifecycle_stage ?? 'active');
    if (lifecycleStage === 'deleted' && !options.includeDeleted) {
      return {
        kind: 'skip',
        skip: {
          experimentId: exp.id,
          runId: r.run_uuid,
          reason: 'deleted in MLflow (lifecycle_stage deleted); use --include-deleted to import it',
        },
      };
    }
    const { dir: artifactDir, stat: artifactsStat } = folders.artifactsOf(exp.id, r.run_uuid);
    const modelDirs: LocalModelDir[] = [];
    for (const m of models.get(r.run_uuid) ?? []) {
      const dir = folders.localDir(m.experimentId, 'models', m.modelId, 'artifacts');
      if (dir) modelDirs.push({ artifactPath: `models/${m.name ?? m.modelId}`, modelId: m.modelId, dir });
    }
    return { kind: 'head', raw, r, exp, lifecycleStage, artifactDir, artifactsStat, modelDirs };
  }

  /** The run's folder stamps (taken once): files to hash (artifacts, models) are stamped, as they may change while the rows stay. */
  private stamps(head: RunHead): FolderStamps {
    if (head.stamps) return head.stamps;
    const dirs = [head.artifactDir, ...head.modelDirs.map((m) => m.dir)];
    head.stamps =
      this.ctx.watermark && this.salt !== undefined
        ? this.ctx.folders.stamp(dirs, head.artifactsStat)
        : { files: null, artifactsEmpty: false };
    return head.stamps;
  }

  /** Whether the run is as stored by the source's token: no row changed since its fingerprint was checked, and its files are as stamped. */
  sameByToken(head: RunHead): boolean {
    if (this.vouched === 'none') return false;
    if (this.vouched === 'active' && head.lifecycleStage === 'deleted') return false;
    const stored = this.ctx.options.storedFingerprint!(head.r.run_uuid);
    if (typeof stored !== 'string') return false;
    if (stored.startsWith('~')) {
      // Stamped by their lstats, found empty: the same lstats now mean still empty, with no folder listed.
      const dirs = [head.artifactDir, ...head.modelDirs.map((m) => m.dir)];
      const byStat = this.ctx.folders.statForm(dirs, [head.artifactsStat]);
      if (byStat !== null && stored.startsWith(`${byStat}/`)) return true;
    }
    const { files } = this.stamps(head);
    return files !== null && stored.startsWith(`${files}/`);
  }

  /** What to do with a run whose facts were read: passed over when they, its files and its metrics are as stored, else read. */
  finish(head: RunHead, facts: RunFacts): Planned {
    const { r, exp, lifecycleStage, artifactDir, modelDirs } = head;
    const { files, artifactsEmpty } = this.stamps(head);
    const watermark = this.ctx.watermark;
    let fingerprint: string | null = null;
    if (watermark && files !== null && this.salt !== undefined) {
      const now = {
        files,
        facts: factsPart(this.salt, {
          ...facts,
          datasets: this.ctx.datasets().get(r.run_uuid) ?? null,
          models: this.ctx.models.get(r.run_uuid) ?? null,
          experiment: [exp.name, lifecycleStage],
        }),
        watermark,
      };
      fingerprint = fingerprintText(now);
      const stored = this.ctx.options.storedFingerprint?.(r.run_uuid);
      const then = typeof stored === 'string' ? parseFingerprint(stored) : null;
      if (
        then !== null &&
        this.ctx.moves !== null &&
        then.files === now.files &&
        then.facts === now.facts &&
        this.ctx.moves.unchanged(r.run_uuid, then.watermark)
      )
        return { kind: 'unchanged', runId: r.run_uuid, experimentId: exp.id };
    }
    return { kind: 'run', r, facts, exp, lifecycleStage, artifactDir, artifactsEmpty, modelDirs, fingerprint };
  }
}
