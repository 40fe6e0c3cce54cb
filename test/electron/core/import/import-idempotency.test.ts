// Importing again: nothing changes when MLflow changed nothing, new and changed runs are added and updated, bad stores are named.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../../electron/core/handlers';
import type { CoreContext } from '../../../../electron/core/core-context';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';
import { containing, matching, notContaining } from '../../../helpers/typed';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const RUN_C = 'c'.repeat(32);

/** Everything the store holds, row by row, so "nothing changed" can be checked exactly. */
function dump(ctx: CoreContext): unknown {
  return {
    runs: ctx.store.db
      .prepare('SELECT id, name, kind, status, source_key, hex(snapshot) AS s FROM runs ORDER BY id')
      .all(),
    metrics: ctx.store.db.prepare('SELECT * FROM run_metrics ORDER BY run_id, name').all(),
  };
}

describe('importing again', () => {
  it('changes nothing when MLflow changed nothing; adds new runs and updates changed ones in place', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    writeFileRun({
      expDir: exp,
      runId: RUN_A,
      experimentId: '0',
      params: { lr: '0.1' },
      metrics: { loss: '1717300990001 0.5 0\n' },
    });
    writeFileRun({
      expDir: exp,
      runId: RUN_B,
      experimentId: '0',
      status: 1,
      endTime: null,
      metrics: { loss: '1717300990001 0.9 0\n' },
    });
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const first = await h.importMlflow({ location: root });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value).toMatchObject({ added: 2, updated: 0, unchanged: 0 });
    const before = dump(ctx);

    const again = await h.importMlflow({ location: root });
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    expect(dump(ctx)).toEqual(before);

    // MLflow finishes run B (more metrics, a status) and records a new run C.
    fs.appendFileSync(path.join(exp, RUN_B, 'metrics', 'loss'), '1717300990002 0.7 1\n');
    const meta = path.join(exp, RUN_B, 'meta.yaml');
    fs.writeFileSync(
      meta,
      fs
        .readFileSync(meta, 'utf8')
        .replace('status: 1', 'status: 3')
        .replace('end_time: null', 'end_time: 1717300999999'),
    );
    writeFileRun({ expDir: exp, runId: RUN_C, experimentId: '0' });
    const idOfB = first.value.runs.find((r) => r.mlflowRunId === RUN_B)!.id;
    const third = await h.importMlflow({ location: root });
    if (!third.ok) throw new Error(third.error.message);
    expect(third.value).toMatchObject({ added: 1, updated: 1, unchanged: 1 });
    expect(third.value.runs.find((r) => r.mlflowRunId === RUN_B)).toEqual({
      mlflowRunId: RUN_B,
      id: idOfB,
      change: 'updated',
    });
    const b = ctx.runs.get(idOfB);
    expect(b.outcome.status).toBe('finished');
    expect(b.outcome.metrics.loss!.value).toBe(0.7);
    expect(ctx.runs.count()).toBe(3);
  });

  it('tells unchanged runs by the digest of their MLflow record, and still by their snapshot where no digest was kept', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    writeFileRun({
      expDir: exp,
      runId: RUN_A,
      experimentId: '0',
      params: { lr: '0.1', seed: '7' },
      metrics: { loss: '1717300990001 0.5 0\n1717300990002 0.25 1\n' },
    });
    writeFileRun({ expDir: exp, runId: RUN_B, experimentId: '0', metrics: { acc: '1717300990001 nan 0\n' } });
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const first = await h.importMlflow({ location: root });
    if (!first.ok) throw new Error(first.error.message);
    const digests = (): unknown[] =>
      ctx.store.db.prepare('SELECT import_digest FROM runs ORDER BY source_key').pluck().all();
    expect(digests()).toEqual([matching(/^[\w-]{43}$/), matching(/^[\w-]{43}$/)]);
    const stored = digests();
    const before = dump(ctx);

    // A store written before digests were kept: the snapshots decide, and the digests are filled in.
    ctx.store.db.prepare('UPDATE runs SET import_digest = NULL').run();
    const legacy = await h.importMlflow({ location: root });
    if (!legacy.ok) throw new Error(legacy.error.message);
    expect(legacy.value).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    expect(digests()).toEqual(stored);
    expect(dump(ctx)).toEqual(before);

    // A value changed in place (same length, same step and time) is a different record.
    const loss = path.join(exp, RUN_A, 'metrics', 'loss');
    fs.writeFileSync(loss, fs.readFileSync(loss, 'utf8').replace('0.25', '0.75'));
    const changed = await h.importMlflow({ location: root });
    if (!changed.ok) throw new Error(changed.error.message);
    expect(changed.value).toMatchObject({ added: 0, updated: 1, unchanged: 1 });
    const idOfA = first.value.runs.find((r) => r.mlflowRunId === RUN_A)!.id;
    expect(ctx.runs.get(idOfA).outcome.metrics.loss!.value).toBe(0.75);
    expect(digests()).not.toEqual(stored);

    // A run saved by something other than the import loses its digest, so the next import compares snapshots again.
    ctx.runs.save(ctx.runs.get(idOfA), [], `mlflow-file:${fs.realpathSync(root)}#${RUN_A}`);
    expect(ctx.store.db.prepare('SELECT import_digest FROM runs WHERE id = ?').pluck().get(idOfA)).toBeNull();
    const after = await h.importMlflow({ location: root });
    if (!after.ok) throw new Error(after.error.message);
    expect(after.value).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
  });

  it('leaves the store exactly as it was when the MLflow database is damaged', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const m = db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)',
    );
    db.transaction(() => {
      for (let i = 0; i < 40; i++) {
        const id = i.toString(16).padStart(32, '0');
        insertRun(db, { run_uuid: id, experiment_id: 0 });
        for (let s = 0; s < 50; s++) m.run('loss', Math.random(), s, id, s);
      }
    })();
    db.close();
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const first = await h.importMlflow({ location: file });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.added).toBe(40);

    // MLflow logs more, then the copy is cut short and scribbled over in the middle (an interrupted transfer).
    const bytes = fs.readFileSync(file);
    const damaged = Buffer.concat([
      bytes.subarray(0, 4096),
      Buffer.alloc(bytes.length - 8192, 0xab),
      bytes.subarray(bytes.length - 4096),
    ]);
    fs.writeFileSync(file, damaged);
    const before = dump(ctx);
    const res = await h.importMlflow({ location: file });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error).toMatchObject({ code: 'IMPORT_FAILED', message: containing(file) });
    expect(dump(ctx)).toEqual(before);

    // A file that is not a database at all is refused the same way.
    fs.writeFileSync(file, bytes.subarray(0, 100));
    const cut = await h.importMlflow({ location: file });
    expect(cut.ok ? null : cut.error.code).toBe('IMPORT_FAILED');
    expect(dump(ctx)).toEqual(before);
  });

  it('leaves the store as it was when a file store cannot be read, and when the path is not a store', async () => {
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const missing = await h.importMlflow({ location: path.join(tempDir(), 'nope') });
    expect(missing.ok ? null : missing.error).toMatchObject({
      code: 'IMPORT_FAILED',
      message: containing('does not exist'),
    });
    const notStore = tempDir();
    fs.writeFileSync(path.join(notStore, 'readme.txt'), 'hello');
    const res = await h.importMlflow({ location: notStore });
    expect(res.ok ? null : res.error).toMatchObject({
      code: 'IMPORT_FAILED',
      message: containing('not an MLflow file store'),
    });
    const remote = await h.importMlflow({ location: 'postgresql://u:p@db/mlflow' });
    expect(remote.ok ? null : remote.error).toMatchObject({
      code: 'IMPORT_FAILED',
      message: notContaining(':p@'),
    });
    expect(ctx.runs.count()).toBe(0);
  });
});
