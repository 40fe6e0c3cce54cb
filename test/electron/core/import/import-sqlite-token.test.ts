// Re-importing an mlflow.db by its whole-database token: an unchanged db is passed over without reading its rows, and every change MLflow or a user makes is still seen, in rollback-journal and WAL mode.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { importMlflow } from '../../../../electron/core/import/import-mlflow';
import { readDbToken, SETTLE_MS } from '../../../../electron/core/import/import-sqlite-token';
import type { CoreContext } from '../../../../electron/core/core-context';
import type { ImportSummary } from '../../../../shared/api/api-import';
import { createMlflowDb, insertRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp';

const runId = (i: number): string => i.toString(16).padStart(32, '0');
const RUNS = 8;

/** An mlflow.db of RUNS runs (a param, a tag, a 3-point metric each; MLflow's run_uuid indexes), artifacts in mlruns/ beside it. */
function mlflowDb(walMode = false): { file: string; dir: string; artifact: (i: number) => string } {
  const dir = tempDir();
  const file = path.join(dir, 'mlflow.db');
  const db = createMlflowDb(file);
  db.exec(
    'CREATE INDEX index_params_run_uuid ON params (run_uuid); CREATE INDEX index_tags_run_uuid ON tags (run_uuid);',
  );
  db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
  const metric = db.prepare(
    'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)',
  );
  const artifact = (i: number): string => path.join(dir, 'mlruns', '0', runId(i), 'artifacts', 'model.txt');
  const old = new Date(Date.now() - 60_000);
  for (let i = 0; i < RUNS; i++) {
    insertRun(db, { run_uuid: runId(i), experiment_id: 0 });
    db.prepare("INSERT INTO params VALUES ('lr', ?, ?)").run(String(i / 10), runId(i));
    db.prepare("INSERT INTO tags VALUES ('team', 'aaa', ?)").run(runId(i));
    for (let s = 0; s < 3; s++) metric.run('loss', 1 / (s + 1), 1717300990000 + s, runId(i), s);
    fs.mkdirSync(path.dirname(artifact(i)), { recursive: true });
    fs.writeFileSync(artifact(i), `weights ${i}`);
    fs.utimesSync(artifact(i), old, old);
  }
  if (walMode) db.pragma('journal_mode = WAL');
  db.close();
  return { file, dir, artifact };
}

/** A connection as MLflow's (or the sqlite3 shell's) would be. */
const writer = (file: string): Database.Database => new Database(file);

const sourceTokens = (ctx: CoreContext): string[] =>
  ctx.store.db.prepare('SELECT store_token FROM import_sources').pluck().all() as string[];

const fingerprints = (ctx: CoreContext): string[] =>
  ctx.store.db.prepare('SELECT import_fingerprint FROM runs ORDER BY source_key').pluck().all() as string[];

/** The stored run a summary names for an MLflow run. */
const storedRun = (ctx: CoreContext, s: ImportSummary, i: number) =>
  ctx.runs.get(s.runs.find((r) => r.mlflowRunId === runId(i))!.id);

const changeOf = (s: ImportSummary, i: number): string | undefined =>
  s.runs.find((r) => r.mlflowRunId === runId(i))?.change;

describe('the whole-database token of an mlflow.db', () => {
  it('passes over an unchanged db by its token, and sees each change MLflow or a user makes to a run', async () => {
    const { file, artifact } = mlflowDb();
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ added: RUNS });
    const first = fingerprints(ctx);
    // The source's token is recorded with the import that checked every run.
    expect(sourceTokens(ctx)).toHaveLength(1);
    const same = await importMlflow(ctx, { location: file });
    expect(same).toMatchObject({ added: 0, updated: 0, unchanged: RUNS });
    expect(fingerprints(ctx)).toEqual(first); // nothing rewritten

    const db = writer(file);
    // set_tag rewrites the row in place, with a value of the same length.
    db.prepare("UPDATE tags SET value = 'bbb' WHERE run_uuid = ?").run(runId(1));
    db.prepare("INSERT INTO params VALUES ('epochs', '10', ?)").run(runId(2));
    db.prepare('INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)').run(
      'loss',
      0.125,
      1717300990003,
      runId(3),
      3,
    );
    db.prepare("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = 1717301000000 WHERE run_uuid = ?").run(
      runId(4),
    );
    db.close();
    const changed = await importMlflow(ctx, { location: file });
    expect([...Array(RUNS).keys()].map((i) => changeOf(changed, i))).toEqual([
      'unchanged',
      'updated',
      'updated',
      'updated',
      undefined, // deleted in MLflow: skipped
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(changed.skipped.map((s) => [s.runId, s.reason])).toEqual([
      [runId(4), expect.stringMatching(/deleted in MLflow/)],
    ]);
    expect(storedRun(ctx, changed, 1).tags.team).toBe('bbb');
    expect(storedRun(ctx, changed, 2).process.parameters.epochs).toBe('10');
    expect(storedRun(ctx, changed, 3).outcome.metrics.loss!.history).toHaveLength(4);
    expect(storedRun(ctx, changed, 3).outcome.metrics.loss!.value).toBe(0.125);

    // Restored (restore_run), and only an artifact rewritten, the same size, its mtime aged: the rows stay, the token too.
    const db2 = writer(file);
    db2.prepare("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?").run(runId(4));
    db2.close();
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ updated: 0, unchanged: RUNS });
    const tokenNow = fingerprints(ctx);
    const before = storedRun(ctx, changed, 5).outcome.artifacts[0]!.files[0]!.sha256;
    fs.writeFileSync(artifact(5), 'weights X');
    const older = new Date(Date.now() - 30_000);
    fs.utimesSync(artifact(5), older, older);
    const filesOnly = await importMlflow(ctx, { location: file });
    expect(filesOnly).toMatchObject({ updated: 1, unchanged: RUNS - 1 });
    expect(changeOf(filesOnly, 5)).toBe('updated');
    const after = storedRun(ctx, filesOnly, 5).outcome.artifacts[0]!.files[0]!;
    expect(after.sha256).not.toBe(before);
    expect(after.size).toBe('weights X'.length);
    // The other runs kept their fingerprints: they were passed over by the token, without their facts.
    expect(fingerprints(ctx).filter((f, i) => f !== tokenNow[i])).toHaveLength(1);
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ updated: 0, unchanged: RUNS });
  });

  it('sees a change a user makes with a plain SQL UPDATE even with the file times put back', async () => {
    const { file } = mlflowDb();
    const ctx = tempCore();
    await importMlflow(ctx, { location: file });
    const st = fs.statSync(file);
    const db = writer(file);
    db.prepare("UPDATE tags SET value = 'ccc' WHERE run_uuid = ?").run(runId(6));
    db.close();
    fs.utimesSync(file, st.atime, st.mtime); // the change counter in the header still moved
    const again = await importMlflow(ctx, { location: file });
    expect(again).toMatchObject({ updated: 1, unchanged: RUNS - 1 });
    expect(storedRun(ctx, again, 6).tags.team).toBe('ccc');
  });

  it('sees changes of a WAL-mode db, both while they are only in its -wal file and once checkpointed into it', async () => {
    const { file } = mlflowDb(true);
    // A WAL-mode db's token needs its files settled: without it every run is checked by its facts.
    const fresh = new Database(file, { readonly: true });
    expect(readDbToken(fresh, file)).toBeNull();
    fresh.close();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 200));
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ added: RUNS });
    expect(sourceTokens(ctx)).toHaveLength(1);
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ unchanged: RUNS });

    // A writer that stays open, its commits in the -wal file only (no checkpoint), as a running MLflow server's.
    const db = writer(file);
    db.pragma('wal_autocheckpoint = 0');
    db.prepare("UPDATE tags SET value = 'bbb' WHERE run_uuid = ?").run(runId(1));
    db.prepare("INSERT INTO params VALUES ('epochs', '10', ?)").run(runId(2));
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    const inWal = await importMlflow(ctx, { location: file });
    expect(inWal).toMatchObject({ updated: 2, unchanged: RUNS - 2 });
    expect(storedRun(ctx, inWal, 1).tags.team).toBe('bbb');
    expect(storedRun(ctx, inWal, 2).process.parameters.epochs).toBe('10');

    // Checkpointed into the main file and the -wal removed on close: SQLite leaves the header's change counter as
    // it was in WAL mode, so only the file's stat tells (here, once settled, against the first import's token).
    const counter = (): number => fs.readFileSync(file).readUInt32BE(24);
    const counterBefore = counter();
    db.prepare("UPDATE tags SET value = 'ddd' WHERE run_uuid = ?").run(runId(3));
    db.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(counter()).toBe(counterBefore);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 200));
    const checkpointed = await importMlflow(ctx, { location: file });
    expect(changeOf(checkpointed, 3)).toBe('updated');
    expect(storedRun(ctx, checkpointed, 3).tags.team).toBe('ddd');
    expect(checkpointed).toMatchObject({ updated: 1, unchanged: RUNS - 1 });
    expect(await importMlflow(ctx, { location: file })).toMatchObject({ updated: 0, unchanged: RUNS });
  });

  it('goes by the token only for what the import that recorded it checked: not an --experiment, not runs it left out as deleted', async () => {
    const { file } = mlflowDb();
    const setup = writer(file);
    setup.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (1, 'other', 'active')").run();
    setup.prepare('UPDATE runs SET experiment_id = 1 WHERE run_uuid = ?').run(runId(7));
    setup.prepare("UPDATE runs SET lifecycle_stage = 'deleted' WHERE run_uuid = ?").run(runId(6));
    setup.close();
    const ctx = tempCore();
    expect(await importMlflow(ctx, { location: file, includeDeleted: true })).toMatchObject({ added: RUNS });

    // A run of the other experiment changes; an import of experiment 0 alone neither sees it nor records the token.
    const db = writer(file);
    db.prepare("UPDATE tags SET value = 'bbb' WHERE run_uuid = ?").run(runId(7));
    db.close();
    expect(await importMlflow(ctx, { location: file, experiment: '0', includeDeleted: true })).toMatchObject({
      updated: 0,
      unchanged: RUNS - 1,
    });
    const full = await importMlflow(ctx, { location: file, includeDeleted: true });
    expect(changeOf(full, 7)).toBe('updated');
    expect(storedRun(ctx, full, 7).tags.team).toBe('bbb');

    // A run deleted in MLflow changes; an import that leaves deleted runs out records the token without checking it.
    const db2 = writer(file);
    db2.prepare("UPDATE tags SET value = 'ccc' WHERE run_uuid = ?").run(runId(6));
    db2.close();
    const active = await importMlflow(ctx, { location: file });
    expect(active.skipped.map((s) => s.runId)).toEqual([runId(6)]);
    expect(active).toMatchObject({ updated: 0, unchanged: RUNS - 1 });
    const withDeleted = await importMlflow(ctx, { location: file, includeDeleted: true });
    expect(changeOf(withDeleted, 6)).toBe('updated');
    expect(storedRun(ctx, withDeleted, 6).tags.team).toBe('ccc');
    expect(await importMlflow(ctx, { location: file, includeDeleted: true })).toMatchObject({ unchanged: RUNS });
  });

  it('sees an experiment renamed in MLflow (the record holds its name)', async () => {
    const { file } = mlflowDb();
    const ctx = tempCore();
    await importMlflow(ctx, { location: file });
    const db = writer(file);
    db.prepare("UPDATE experiments SET name = 'renamed' WHERE experiment_id = 0").run();
    db.close();
    const again = await importMlflow(ctx, { location: file });
    expect(again).toMatchObject({ updated: RUNS });
    expect(again.experiments.map((e) => e.name)).toEqual(['renamed']);
  });

  it('re-checks empty artifact folders by their stat alone, and still sees a file put in one, or one replaced by a link out', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')").run();
    const artifacts = (i: number): string => path.join(dir, 'mlruns', '0', runId(i), 'artifacts');
    for (let i = 0; i < 4; i++) {
      insertRun(db, { run_uuid: runId(i), experiment_id: 0 });
      fs.mkdirSync(artifacts(i), { recursive: true });
    }
    db.close();
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    // An empty folder is stamped by its stat once it last changed over a second ago (its ctime cannot be set back).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const ctx = tempCore();
    const first = await importMlflow(ctx, { location: file });
    expect(first).toMatchObject({ added: 4 });
    expect(fingerprints(ctx).every((f) => f.startsWith('~'))).toBe(true);
    expect(storedRun(ctx, first, 0).outcome.artifacts[0]).toMatchObject({ kind: 'dir', files: [] });
    const readdir = vi.spyOn(fs, 'readdirSync');
    const same = await importMlflow(ctx, { location: file });
    const listed = readdir.mock.calls.map((c) => String(c[0])).filter((d) => d.endsWith(`${path.sep}artifacts`));
    readdir.mockRestore();
    expect(same).toMatchObject({ updated: 0, unchanged: 4 });
    expect(listed).toEqual([]); // no artifacts folder listed

    fs.writeFileSync(path.join(artifacts(1), 'model.txt'), 'weights');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(artifacts(1), 'model.txt'), old, old);
    fs.utimesSync(artifacts(1), old, old); // the folder's mtime put back: its ctime still moved
    fs.rmSync(artifacts(2), { recursive: true });
    fs.symlinkSync(outside, artifacts(2));
    // Settled again, so the folder's stat is what tells, not how recent it is.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const changed = await importMlflow(ctx, { location: file });
    expect([0, 1, 2, 3].map((i) => changeOf(changed, i))).toEqual(['unchanged', 'updated', 'updated', 'unchanged']);
    expect(storedRun(ctx, changed, 1).outcome.artifacts[0]!.files.map((f) => f.path)).toEqual(['model.txt']);
    expect(storedRun(ctx, changed, 2).outcome.artifacts[0]).toMatchObject({ files: [] });
    expect(JSON.stringify(storedRun(ctx, changed, 2))).not.toContain('secret');
  });

  it('changes with every committed write in rollback-journal mode, and holds the file identity', () => {
    const { file } = mlflowDb();
    const reader = new Database(file, { readonly: true });
    const t0 = readDbToken(reader, file);
    expect(t0).toMatch(/^r:/);
    expect(readDbToken(reader, file)).toBe(t0);
    const st = fs.statSync(file);
    const db = writer(file);
    db.prepare("UPDATE tags SET value = 'aab' WHERE run_uuid = ?").run(runId(0));
    db.close();
    fs.utimesSync(file, st.atime, st.mtime);
    const t1 = readDbToken(reader, file);
    expect(t1).not.toBe(t0);
    // The same bytes in another file (a copy put in its place) are another file.
    fs.copyFileSync(file, `${file}.copy`);
    fs.renameSync(`${file}.copy`, file);
    const t2 = readDbToken(reader, file);
    reader.close();
    expect(t2).not.toBe(t1);
  });
});
