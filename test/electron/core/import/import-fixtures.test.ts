// Importing the real MLflow stores of the shared fixtures: a file store of `mlflow run` calls and week-02's mlflow.db.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../../shared/snapshot/snapshot';
import { createHandlers } from '../../../../electron/core/handlers';
import { tempCore } from '../../../helpers/store';
import { SHARED_FIXTURES } from '../../../helpers/temp';
import { containing, matching } from '../../../helpers/typed';

const FILESTORE = path.join(SHARED_FIXTURES, 'mlflow', 'mlflow-run-filestore', 'mlruns');
const WEEK02 = path.join(SHARED_FIXTURES, 'mlflow', 'mlflow-2.13-sqlite', 'week-02');

function importedByRunId(ctx: ReturnType<typeof tempCore>): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const r of ctx.runs.list({ kind: 'import' })) {
    const s = ctx.runs.get(r.id);
    out.set(s.source!.runId, s);
  }
  return out;
}

describe('importing the real MLflow stores in the shared fixtures', () => {
  it('reads the file store of three `mlflow run` calls: every param and tag as the files hold them', async () => {
    const ctx = tempCore();
    const res = await createHandlers(ctx).importMlflow({ location: FILESTORE });
    if (!res.ok) throw new Error(res.error.message);
    const runDirs = fs
      .readdirSync(path.join(FILESTORE, '0'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(res.value.added).toBe(runDirs.length);
    expect(res.value.skipped).toEqual([]);
    expect(res.value.experiments).toEqual([{ id: '0', name: 'Default', lifecycleStage: 'active', runs: 3 }]);

    const byRun = importedByRunId(ctx);
    for (const runId of runDirs) {
      const dir = path.join(FILESTORE, '0', runId);
      const s = byRun.get(runId)!;
      const read = (sub: string, name: string): string => fs.readFileSync(path.join(dir, sub, name), 'utf8');
      expect(s.kind).toBe('import');
      expect(s.source).toMatchObject({
        type: 'mlflow-file',
        experimentId: '0',
        experimentName: 'Default',
        runId,
        lifecycleStage: 'active',
      });
      expect(s.process.parameters).toEqual({ n_neighbors: read('params', 'n_neighbors') });
      expect(s.code).toMatchObject({
        vcs: 'git',
        provenance: 'declared',
        commit: read('tags', 'mlflow.source.git.commit'),
      });
      expect(s.code.remotes[0]!.url).toBe(read('tags', 'mlflow.source.git.repoURL'));
      expect(s.process.entryPoint).toBe(read('tags', 'mlflow.project.entryPoint'));
      expect(s.process.user).toBe(read('tags', 'mlflow.user'));
      expect(s.name).toBe(read('tags', 'mlflow.runName'));
      expect(s.tags['mlflow.project.backend']).toBe(read('tags', 'mlflow.project.backend'));
      expect(s.tags['mlflow.source.type']).toBe('PROJECT');
      expect(s.software.packagesProvenance).toBe('declared');
      expect(s.hardware.provenance).toBe('declared');
      // The Windows artifact location is kept as text and never followed.
      expect(s.outcome.artifacts).toEqual([
        expect.objectContaining({ kind: 'missing', absPath: matching(/^file:\/\/\/C:\/Github\//) }),
      ]);
      const meta = fs.readFileSync(path.join(dir, 'meta.yaml'), 'utf8');
      const status = /status: (\d)/.exec(meta)![1];
      expect(s.outcome.status).toBe(status === '3' ? 'finished' : 'failed');
      expect(s.process.startedAt).toBe(new Date(Number(/start_time: (\d+)/.exec(meta)![1])).toISOString());
    }
  });

  it('reads week-02/mlflow.db: runs, params, metric histories and datasets as the rows hold them, models from mlruns/ beside it', async () => {
    const ctx = tempCore();
    const file = path.join(WEEK02, 'mlflow.db');
    const res = await createHandlers(ctx).importMlflow({ location: file });
    if (!res.ok) throw new Error(res.error.message);
    const db = new Database(file, { readonly: true });
    try {
      const runCount = db.prepare('SELECT count(*) FROM runs').pluck().get() as number;
      expect(res.value.added).toBe(runCount);
      expect(res.value.experiments.map((e) => [e.name, e.runs])).toEqual(
        db
          .prepare(
            'SELECT e.name, count(r.run_uuid) FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.experiment_id GROUP BY e.experiment_id ORDER BY e.experiment_id',
          )
          .raw()
          .all() as [string, number][],
      );
      const byRun = importedByRunId(ctx);
      expect(byRun.size).toBe(runCount);
      for (const [runId, s] of byRun) {
        const params = Object.fromEntries(
          db.prepare('SELECT key, value FROM params WHERE run_uuid = ?').raw().all(runId) as [string, string][],
        );
        expect(s.process.parameters).toEqual(params);
        const counts = db
          .prepare('SELECT key, count(*) FROM metrics WHERE run_uuid = ? GROUP BY key')
          .raw()
          .all(runId) as [string, number][];
        expect(Object.keys(s.outcome.metrics).sort()).toEqual(counts.map(([k]) => k).sort());
        for (const [key, n] of counts) {
          expect(s.outcome.metrics[key]!.history).toHaveLength(n);
          const latest = db
            .prepare('SELECT value FROM latest_metrics WHERE run_uuid = ? AND key = ?')
            .pluck()
            .get(runId, key) as number;
          expect(s.outcome.metrics[key]!.value).toBe(latest);
        }
        const status = db.prepare('SELECT status FROM runs WHERE run_uuid = ?').pluck().get(runId) as string;
        expect(s.outcome.status).toBe({ FINISHED: 'finished', FAILED: 'failed', RUNNING: 'running' }[status]);
        if (params.seed !== undefined)
          expect(s.randomness.seeds).toContainEqual({ source: 'parameter', name: 'seed', value: params.seed });
      }
      // Datasets and inputs, with their context tag.
      const withData = byRun.get('821d9118ed7c4637bb3a0e020cc59e0d')!;
      expect(withData.data.declared.map((d) => [d.name, d.digest, d.context]).sort()).toEqual([
        ['dataset', '00c1b571', 'train'],
        ['validation', 'c466840f', 'eval'],
      ]);
      // The logged model's files (under mlruns/ beside the database), declared, not observed.
      const modelRun = byRun.get('92025337761b47258bb509b166789a29')!;
      const req = fs.readFileSync(
        path.join(WEEK02, 'mlruns/1/92025337761b47258bb509b166789a29/artifacts/model/requirements.txt'),
        'utf8',
      );
      expect(modelRun.software.envSpecs.find((e) => e.path === 'artifacts/model/requirements.txt')).toMatchObject({
        kind: 'requirements',
        content: req,
        provenance: 'declared',
      });
      expect(modelRun.software.envSpecs.map((e) => e.path)).not.toContain('artifacts/model/metadata/MLmodel');
      expect(modelRun.software.packages).toContainEqual({
        name: 'xgboost',
        version: '2.0.3',
        installer: null,
        editable: false,
      });
      expect(modelRun.software.python.version).toBe('3.12.3');
      expect(modelRun.outcome.artifacts[0]).toMatchObject({ kind: 'dir', fileCount: 17 });
      // A run whose model files are not here: the log-model history tag still says what was logged.
      const noFiles = byRun.get('05e1247c0ded4579835ec988a587c5a2')!;
      expect(Object.keys(noFiles.software.numerics).some((k) => k.startsWith('sklearn'))).toBe(true);
      expect(noFiles.outcome.artifacts[0]).toMatchObject({
        kind: 'missing',
        absPath: containing('file:///D:/code/'),
      });
    } finally {
      db.close();
    }
  });

  it('reads backend.db and the empty mlflow.db (sqlite:/// form) without writing to them', async () => {
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const before = fs.statSync(path.join(WEEK02, 'backend.db')).mtimeMs;
    const a = await h.importMlflow({ location: `sqlite:///${path.join(WEEK02, 'backend.db')}` });
    if (!a.ok) throw new Error(a.error.message);
    expect(a.value).toMatchObject({ added: 1, skipped: [] });
    expect(fs.statSync(path.join(WEEK02, 'backend.db')).mtimeMs).toBe(before);
    const empty = await h.importMlflow({
      location: path.join(SHARED_FIXTURES, 'mlflow', 'mlflow-2.13-sqlite', 'mlflow.db'),
    });
    if (!empty.ok) throw new Error(empty.error.message);
    expect(empty.value).toMatchObject({ added: 0, runsSeen: 0, experiments: [{ id: '0', name: 'Default', runs: 0 }] });
    expect(ctx.runs.count()).toBe(1);
  });
});
