// Re-importing an mlflow.db: unchanged runs are told from what MLflow rewrites with a run, and every kind of change is still seen.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { createMlflowDb, insertRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const runId = (i: number): string => i.toString(16).padStart(32, '0');

describe('re-importing an mlflow.db', () => {
  it('passes over unchanged runs by their fingerprint, and sees a new point (even an old step), a tag, a param, a status', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    const db = createMlflowDb(file);
    db.exec(`CREATE TABLE latest_metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL,
      is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY ("key", run_uuid))`);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const metric = db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)',
    );
    const latest = db.prepare('INSERT OR REPLACE INTO latest_metrics VALUES (?, ?, ?, ?, 0, ?)');
    for (let i = 0; i < 6; i++) {
      insertRun(db, { run_uuid: runId(i), experiment_id: 0 });
      db.prepare("INSERT INTO params VALUES ('lr', ?, ?)").run(String(i / 10), runId(i));
      for (let s = 0; s < 4; s++) metric.run('loss', 1 / (s + 1), 1717300990000 + s, runId(i), s);
      latest.run('loss', 0.25, 1717300990003, 3, runId(i));
    }
    const ctx = tempCore();
    const first = await importMlflow(ctx, { location: file });
    expect(first).toMatchObject({ added: 6, unchanged: 0 });
    const again = await importMlflow(ctx, { location: file });
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 6 });
    const fingerprints = ctx.store.db.prepare('SELECT import_fingerprint FROM runs').pluck().all();
    expect(fingerprints.every((f) => typeof f === 'string' && f.length > 20)).toBe(true);

    // A point logged late with an older step leaves latest_metrics alone: the row count still moves.
    metric.run('loss', 9, 1717300999999, runId(1), 1);
    db.prepare("INSERT INTO tags VALUES ('note', 'hello', ?)").run(runId(2));
    db.prepare("UPDATE params SET value = '0.9' WHERE run_uuid = ?").run(runId(3));
    db.prepare("UPDATE runs SET status = 'FAILED' WHERE run_uuid = ?").run(runId(4));
    db.close();
    const changed = await importMlflow(ctx, { location: file });
    expect(changed).toMatchObject({ added: 0, updated: 4, unchanged: 2 });
    const updated = changed.runs.filter((r) => r.change === 'updated').map((r) => r.mlflowRunId);
    expect(updated.sort()).toEqual([runId(1), runId(2), runId(3), runId(4)]);
    const run1 = ctx.runs.get(changed.runs.find((r) => r.mlflowRunId === runId(1))!.id);
    expect(run1.outcome.metrics.loss!.history).toHaveLength(5);
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ updated: 0, unchanged: 6 });
  });

  it('passes over runs with artifacts in mlruns/ beside the database while their files are as stamped', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const old = new Date(Date.now() - 60_000);
    for (let i = 0; i < 3; i++) {
      insertRun(db, { run_uuid: runId(i), experiment_id: 0 });
      const artifacts = path.join(dir, 'mlruns', '0', runId(i), 'artifacts');
      fs.mkdirSync(artifacts, { recursive: true });
      fs.writeFileSync(path.join(artifacts, 'model.txt'), `weights ${i}`);
      fs.utimesSync(path.join(artifacts, 'model.txt'), old, old);
    }
    db.close();
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ added: 3 });
    const fingerprints = ctx.store.db.prepare('SELECT import_fingerprint FROM runs').pluck().all();
    expect(fingerprints.every((f) => typeof f === 'string')).toBe(true);
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ updated: 0, unchanged: 3 });
    const model1 = path.join(dir, 'mlruns', '0', runId(1), 'artifacts', 'model.txt');
    fs.writeFileSync(model1, 'weights X'); // the same size, rewritten
    const older = new Date(Date.now() - 30_000);
    fs.utimesSync(model1, older, older);
    const again = await importMlflow(ctx, { location: file });
    expect(again).toMatchObject({ updated: 1, unchanged: 2 });
    expect(again.runs.find((r) => r.change === 'updated')?.mlflowRunId).toBe(runId(1));
  });

  it('sees a point whose rowid was freed by mlflow gc and taken again, with MLflow indexes on params and tags', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    const db = createMlflowDb(file);
    db.exec(
      'CREATE INDEX index_params_run_uuid ON params (run_uuid); CREATE INDEX index_tags_run_uuid ON tags (run_uuid);',
    );
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const metric = db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)',
    );
    for (let i = 0; i < 4; i++) {
      insertRun(db, { run_uuid: runId(i), experiment_id: 0, lifecycle_stage: i === 3 ? 'deleted' : 'active' });
      db.prepare("INSERT INTO params VALUES ('lr', ?, ?)").run(String(i / 10), runId(i));
      db.prepare("INSERT INTO tags VALUES ('team', ?, ?)").run(`t${i}`, runId(i));
      metric.run('loss', 1, 1717300990000, runId(i), 0);
    }
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ added: 3, unchanged: 0 });
    // mlflow gc removes the deleted run, whose metric row was the last; a point then logged to run 0 takes its rowid.
    db.prepare('DELETE FROM metrics WHERE run_uuid = ?').run(runId(3));
    db.prepare('DELETE FROM runs WHERE run_uuid = ?').run(runId(3));
    metric.run('loss', 0.5, 1717300990001, runId(0), 1);
    db.prepare("UPDATE tags SET value = 'someone' WHERE run_uuid = ?").run(runId(2));
    db.close();
    const again = await importMlflow(ctx, { location: file });
    expect(again).toMatchObject({ added: 0, updated: 2, unchanged: 1 });
    const run0 = ctx.runs.get(again.runs.find((r) => r.mlflowRunId === runId(0))!.id);
    expect(run0.outcome.metrics.loss!.history).toHaveLength(2);
    const run2 = ctx.runs.get(again.runs.find((r) => r.mlflowRunId === runId(2))!.id);
    expect(run2.tags.team).toBe('someone');
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ updated: 0, unchanged: 3 });
  });
});
