// Two imports of one MLflow store into one reproscope store at the same time: both succeed or one says why, never a raw SQLite error (issue 12, item 11).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/core-context';
import { writeExperiment, writeFileRun } from '../helpers/mlflow-stores';
import { runCli, tempDir } from '../helpers/temp';

describe('concurrent imports', () => {
  it('of the same source end with every run stored once and no UNIQUE constraint error', async () => {
    const store = tempDir();
    openCore(store).close(); // the store exists before the two processes race on it
    const mlruns = path.join(tempDir(), 'mlruns');
    const exp = writeExperiment(mlruns, '1', 'exp');
    const n = 60;
    for (let i = 0; i < n; i++)
      writeFileRun({
        expDir: exp,
        runId: i.toString(16).padStart(32, '0'),
        experimentId: '1',
        params: { lr: String(i) },
        metrics: { loss: `1717300990000 ${1 / (i + 1)} 0\n` },
      });
    const [a, b] = await Promise.all([
      runCli(['--store', store, 'import', mlruns]),
      runCli(['--store', store, 'import', mlruns]),
    ]);
    for (const r of [a, b]) {
      expect(r.stderr).not.toMatch(/UNIQUE constraint|SQLITE_|internal error|at .*\.js:\d+/);
      if (r.code !== 0) expect(r.stderr).toMatch(/another import or write holds the store; nothing was imported/);
    }
    expect([a.code, b.code]).toContain(0);
    const ctx = openCore(store);
    try {
      expect(ctx.runs.list({ limit: 1000 })).toHaveLength(n);
    } finally {
      ctx.close();
    }
  }, 120_000);
});
