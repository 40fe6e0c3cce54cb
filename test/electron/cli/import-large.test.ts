// `reproscope import` of an mlflow.db large enough for the metric worker, and of a file store large enough for its read-ahead worker, as a lone process: it must run to its end.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../helpers/mlflow-stores';
import { runCli, tempDir } from '../../helpers/temp';

const RUNS = 1100; // over the worker's 500-run threshold, and over two of the reader's 500-run chunks
const runId = (i: number): string => i.toString(16).padStart(32, '0');

describe('reproscope import of a large mlflow.db', () => {
  it('exits 0 with every run stored, the metric worker being all that is left to wait on', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    const db = createMlflowDb(file);
    db.exec(
      'CREATE INDEX index_params_run_uuid ON params (run_uuid); CREATE INDEX index_tags_run_uuid ON tags (run_uuid);',
    );
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const param = db.prepare("INSERT INTO params VALUES ('lr', ?, ?)");
    const metric = db.prepare(
      "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES ('loss', ?, ?, ?, ?, 0)",
    );
    db.transaction(() => {
      for (let i = 0; i < RUNS; i++) {
        insertRun(db, { run_uuid: runId(i), experiment_id: 0 });
        param.run(String(i), runId(i));
        for (let s = 0; s < 3; s++) metric.run(1 / (i + s + 1), 1717300990000 + s, runId(i), s);
      }
    })();
    db.close();
    const store = tempDir();
    const Summary = z.object({ added: z.number(), unchanged: z.number(), runsSeen: z.number() });
    const first = await runCli(['--store', store, 'import', file, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(Summary.parse(JSON.parse(first.stdout))).toEqual({ added: RUNS, unchanged: 0, runsSeen: RUNS });
    const again = await runCli(['--store', store, 'import', file, '--json']);
    expect(again.code).toBe(0);
    expect(Summary.parse(JSON.parse(again.stdout))).toEqual({ added: 0, unchanged: RUNS, runsSeen: RUNS });
  });

  it('exits 0 with every run of a file store stored, the read-ahead worker being all that is left to wait on', async () => {
    const FILE_RUNS = 560; // over the read-ahead's 500-run threshold: 18 batches, more than it may post ahead
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    for (let i = 0; i < FILE_RUNS; i++)
      writeFileRun({
        expDir: exp,
        runId: runId(i),
        experimentId: '0',
        params: { lr: String(i) },
        metrics: { loss: `1717300990000 ${1 / (i + 1)} 0\n1717300990001 ${1 / (i + 2)} 1\n` },
      });
    const store = tempDir();
    const Summary = z.object({ added: z.number(), unchanged: z.number(), runsSeen: z.number() });
    const first = await runCli(['--store', store, 'import', root, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(Summary.parse(JSON.parse(first.stdout))).toEqual({ added: FILE_RUNS, unchanged: 0, runsSeen: FILE_RUNS });
    const again = await runCli(['--store', store, 'import', root, '--json']);
    expect(again.code).toBe(0);
    expect(Summary.parse(JSON.parse(again.stdout))).toEqual({ added: 0, unchanged: FILE_RUNS, runsSeen: FILE_RUNS });
  });
});
