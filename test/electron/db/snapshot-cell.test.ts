// The runs.snapshot cell: a short imported snapshot is stored as plain JSON text, a captured one as gzip, and both read back whole.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importMlflow } from '../../../electron/core/import/import-mlflow';
import { createMlflowDb, insertRun } from '../../helpers/mlflow-stores';
import { tempCore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';
import { sweepRun } from '../../helpers/run-set';
import type { Snapshot } from '../../../shared/snapshot/snapshot';

describe('the stored snapshot cell', () => {
  it('holds a short imported run as plain JSON, a long one and a saved one as gzip, and every one reads back whole', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    insertRun(db, { run_uuid: 'a'.repeat(32), experiment_id: 0 });
    db.prepare("INSERT INTO params VALUES ('lr', '0.1', ?)").run('a'.repeat(32));
    db.prepare(
      "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES ('loss', 0.5, 1717300990000, ?, 0, 0)",
    ).run('a'.repeat(32));
    insertRun(db, { run_uuid: 'b'.repeat(32), experiment_id: 0 });
    // 8 KB of parameters: past the plain-text limit
    for (let p = 0; p < 80; p++)
      db.prepare('INSERT INTO params VALUES (?, ?, ?)').run(`param_${p}`, 'x'.repeat(90), 'b'.repeat(32));
    db.close();
    const ctx = tempCore();
    const summary = await importMlflow(ctx, { location: file });
    expect(summary.added).toBe(2);
    const saved = sweepRun(1);
    ctx.runs.save(saved);

    const cell = ctx.store.db.prepare('SELECT snapshot FROM runs WHERE id = ?').pluck();
    const idOf = (mlflowRunId: string): string => summary.runs.find((r) => r.mlflowRunId === mlflowRunId)!.id;
    const short = cell.get(idOf('a'.repeat(32))) as Buffer;
    expect(short.toString('utf8', 0, 1)).toBe('{');
    expect((JSON.parse(short.toString('utf8')) as Snapshot).process.parameters).toEqual({ lr: '0.1' });
    for (const id of [idOf('b'.repeat(32)), saved.id])
      expect([...(cell.get(id) as Buffer).subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    expect(ctx.runs.get(idOf('a'.repeat(32))).outcome.metrics.loss!.history).toEqual([
      { step: 0, value: 0.5, timestamp: 1717300990000 },
    ]);
    expect(Object.keys(ctx.runs.get(idOf('b'.repeat(32))).process.parameters)).toHaveLength(80);
    expect(ctx.runs.get(saved.id)).toEqual(saved);
    // a re-import compares against both kinds of cell and finds nothing changed
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
  });
});
