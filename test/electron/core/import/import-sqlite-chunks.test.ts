// An mlflow.db of more runs than one chunk (500), artifacts beside it: each chunk's successor is known ahead (the
// kernel lists its folders meanwhile), and the import records every run's artifacts as they lie, whichever chunk.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { RunChunks } from '../../../../electron/core/import/import-sqlite-facts';
import { createMlflowDb, insertRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const RUNS = 1100; // chunks of 500, 500 and 100
const id = (i: number): string => i.toString(16).padStart(32, '0');

function storeWithArtifacts(): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, 'mlflow.db');
  const db = createMlflowDb(file);
  db.prepare("INSERT INTO experiments VALUES (1, 'chunks', 'mlruns/1', 'active', 0, 0)").run();
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++)
      insertRun(db, {
        run_uuid: id(i),
        name: `run-${i}`,
        experiment_id: 1,
        artifact_uri: `mlruns/1/${id(i)}/artifacts`,
      });
  })();
  db.close();
  // every run has an artifacts folder beside the database; every 100th holds a file
  for (let i = 0; i < RUNS; i++) {
    const artifacts = path.join(dir, 'mlruns', '1', id(i), 'artifacts');
    fs.mkdirSync(artifacts, { recursive: true });
    if (i % 100 === 0) fs.writeFileSync(path.join(artifacts, 'model.txt'), `model ${i}\n`);
  }
  return { dir, file };
}

describe('an mlflow.db read in chunks', () => {
  it("names the next chunk's runs before moving on to it, and none after the last", () => {
    const { file } = storeWithArtifacts();
    const db = new Database(file, { readonly: true });
    const chunks = new RunChunks(db, RUNS);
    const seen: string[] = [];
    for (;;) {
      const ahead = chunks.peekIds();
      const rows = chunks.next();
      if (rows === null) {
        expect(ahead).toEqual([]);
        break;
      }
      const ids = rows.map((r) => String(r.run_uuid));
      // the first chunk is read before any peek; after it, each peek names exactly the chunk that follows
      if (seen.length > 0) expect(ahead).toEqual(ids.map((runId) => ({ runId, experimentId: '1' })));
      seen.push(...ids);
    }
    expect(seen).toEqual(Array.from({ length: RUNS }, (_, i) => id(i)));
    db.close();
  });

  it('records the artifacts of runs in every chunk as they lie', async () => {
    const { file } = storeWithArtifacts();
    const ctx = tempCore();
    const summary = await importMlflow(ctx, { location: file });
    expect(summary.added).toBe(RUNS);
    const runs = ctx.runs.list({ limit: RUNS });
    expect(runs).toHaveLength(RUNS);
    const withFiles = runs
      .map((r) => ctx.runs.get(r.id))
      .filter((s) => s.outcome.artifacts.some((a) => a.fileCount > 0))
      .map((s) => s.name);
    expect(withFiles.sort()).toEqual(Array.from({ length: RUNS / 100 }, (_, k) => `run-${k * 100}`).sort());
  });
});
