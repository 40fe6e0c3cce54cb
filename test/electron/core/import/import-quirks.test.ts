// File-store layouts and SQLite schemas of every MLflow version: odd metric lines, old meta.yaml, deleted runs, models, artifacts, credentials.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../../../shared/api/api-import';
import type { Snapshot } from '../../../../shared/snapshot/snapshot';
import { createHandlers } from '../../../../electron/core/handlers';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../../helpers/mlflow-stores';
import { tempCore } from '../../../helpers/store';
import { tempDir, writeFiles } from '../../../helpers/temp';
import { containing, matching } from '../../../helpers/typed';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const RUN_C = 'c'.repeat(32);

async function importInto(
  location: string,
  extra: Record<string, unknown> = {},
): Promise<{ summary: ImportSummary; byRun: Map<string, Snapshot> }> {
  const ctx = tempCore();
  const res = await createHandlers(ctx).importMlflow({ location, ...extra });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  const byRun = new Map<string, Snapshot>();
  for (const r of ctx.runs.list({})) {
    const s = ctx.runs.get(r.id);
    byRun.set(s.source!.runId, s);
  }
  return { summary: res.value, byRun };
}

describe('file store layouts', () => {
  it('reads metric lines of two, three and five fields, Python spellings of NaN and infinity, and records duplicated lines once', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    writeFileRun({
      expDir: exp,
      runId: RUN_A,
      experimentId: '0',
      metrics: {
        // MLflow 0.x/1.x wrote no step; MLflow 3 adds dataset name and digest.
        legacy: '1717300990001 0.5\n1717300990002 0.25\n',
        loss: '1717300990001 1.5 0\n1717300990002 1.25 1\n1717300990002 1.25 1\n1717300990003 1.0 2\n',
        'eval/acc': '1717300990001 0.9 0 train_ds 1a2b3c\n1717300990005 0.95 1 train_ds 1a2b3c\n',
        weird: '1717300990001 nan 0\n1717300990002 inf 1\n1717300990003 -inf 2\n',
      },
    });
    const { summary, byRun } = await importInto(root);
    expect(summary.added).toBe(1);
    const m = byRun.get(RUN_A)!.outcome.metrics;
    expect(m.legacy!.history).toEqual([
      { step: 0, value: 0.5, timestamp: 1717300990001 },
      { step: 0, value: 0.25, timestamp: 1717300990002 },
    ]);
    expect(m.legacy!.value).toBe(0.25); // same step: the later timestamp wins, as in MLflow
    expect(m.loss!.history).toHaveLength(3);
    expect(m.loss!.value).toBe(1.0);
    expect(m['eval/acc']!.value).toBe(0.95);
    expect(m.weird!.history!.map((p) => p.value)).toEqual([NaN, Infinity, -Infinity]);
    expect(m.weird!.value).toBe(-Infinity);
    expect(byRun.get(RUN_A)!.warnings).toContain('outcome: 1 duplicated metric value was recorded once');
  });

  it('reads MLflow 1.x meta.yaml (numeric experiment id, `name`, no lifecycle_stage) and skips a malformed run with its reason', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '1', 'old', { idAsInt: true });
    writeFileRun({
      expDir: exp,
      runId: RUN_A,
      experimentId: '1',
      lifecycle: null,
      extraMeta: ["name: ''"],
      params: { alpha: '0.5' },
    });
    // A run id of digits with a leading zero, written unquoted, is still an id.
    writeFileRun({ expDir: exp, runId: '0'.repeat(31) + '7', experimentId: '1' });
    writeFileRun({ expDir: exp, runId: RUN_B, experimentId: '1', metrics: { loss: '1717300990001\n' } });
    fs.mkdirSync(path.join(exp, RUN_C));
    fs.writeFileSync(path.join(exp, RUN_C, 'meta.yaml'), 'run_id: [unclosed\n');
    const { summary, byRun } = await importInto(root);
    expect(summary.added).toBe(2);
    expect(byRun.has('0'.repeat(31) + '7')).toBe(true);
    expect(byRun.get(RUN_A)!.process.parameters).toEqual({ alpha: '0.5' });
    expect(byRun.get(RUN_A)!.source!.lifecycleStage).toBe('active');
    expect(summary.skipped).toEqual(
      expect.arrayContaining([
        { experimentId: '1', runId: RUN_B, reason: containing('metric loss line 1 has 1 field') },
        { experimentId: '1', runId: RUN_C, reason: containing('not valid YAML') },
      ]),
    );
  });

  it('skips deleted runs and experiments in .trash unless asked, naming each', async () => {
    const root = tempDir();
    const live = writeExperiment(root, '0', 'Default');
    writeFileRun({ expDir: live, runId: RUN_A, experimentId: '0' });
    writeFileRun({ expDir: live, runId: RUN_B, experimentId: '0', lifecycle: 'deleted' });
    const gone = writeExperiment(root, '7', 'old-one', { trashed: true });
    writeFileRun({ expDir: gone, runId: RUN_C, experimentId: '7' });
    const first = await importInto(root);
    expect(first.summary.added).toBe(1);
    expect(first.summary.skipped.map((s) => [s.experimentId, s.runId])).toEqual(
      expect.arrayContaining([
        ['0', RUN_B],
        ['7', null],
      ]),
    );
    const all = await importInto(root, { includeDeleted: true });
    expect(all.summary.added).toBe(3);
    expect(all.byRun.get(RUN_C)!.source!.lifecycleStage).toBe('deleted');
    expect(all.byRun.get(RUN_B)!.source!.lifecycleStage).toBe('deleted');
  });

  it('reads MLflow 3 logged models (models/<id> with outputs/ on the run) and dataset inputs', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '3', 'v3');
    writeFileRun({ expDir: exp, runId: RUN_A, experimentId: '3', params: { random_state: '7' } });
    writeFiles(path.join(exp, RUN_A), {
      'outputs/m-1234/meta.yaml':
        'destination_id: m-1234\ndestination_type: MODEL_OUTPUT\nsource_id: aaaa\nsource_type: RUN_OUTPUT\nstep: 0\n',
      'inputs/in-1/meta.yaml': `destination_id: x\ndestination_type: RUN\nsource_id: ds-1\nsource_type: DATASET\ntags:\n  mlflow.data.context: train\n`,
    });
    writeFiles(path.join(exp, 'datasets', 'ds-1'), {
      'meta.yaml':
        'digest: 9f8e7d\nname: wine\nprofile: \'{"num_rows": 10}\'\nschema: \'{"mlflow_colspec": []}\'\nsource: \'{"uri": "https://user:pw@data.example.com/wine.csv"}\'\nsource_type: http\n',
    });
    writeFiles(path.join(exp, 'models', 'm-1234'), {
      'meta.yaml': `artifact_location: file://${exp}/models/m-1234/artifacts\nexperiment_id: '3'\nmodel_id: m-1234\nname: model\nsource_run_id: ${RUN_A}\nstatus: READY\n`,
      'artifacts/MLmodel':
        'artifact_path: model\nflavors:\n  python_function:\n    python_version: 3.11.4\n    loader_module: mlflow.sklearn\n  sklearn:\n    sklearn_version: 1.5.0\nmlflow_version: 3.1.0\nmodel_id: m-1234\nsignature:\n  inputs: \'[{"type": "double", "name": "x"}]\'\nsaved_input_example_info:\n  artifact_path: input_example.json\n  type: dataframe\n',
      'artifacts/input_example.json': '{"columns": ["x"], "data": [[1.0]]}',
      'artifacts/requirements.txt': 'mlflow==3.1.0\nscikit-learn==1.5.0\n',
      'artifacts/python_env.yaml': 'python: 3.11.4\n',
    });
    const { byRun } = await importInto(root);
    const s = byRun.get(RUN_A)!;
    expect(s.software.python.version).toBe('3.11.4');
    expect(s.software.packages.map((p) => `${p.name}==${p.version}`)).toEqual(['mlflow==3.1.0', 'scikit-learn==1.5.0']);
    expect(s.software.envSpecs.map((e) => [e.path, e.kind, e.provenance])).toEqual([
      ['models/model/MLmodel', 'mlmodel', 'declared'],
      ['models/model/requirements.txt', 'requirements', 'declared'],
      ['models/model/python_env.yaml', 'python_env', 'declared'],
    ]);
    expect(s.data.declared).toEqual([
      {
        name: 'wine',
        digest: '9f8e7d',
        source: '{"uri": "https://data.example.com/wine.csv"}',
        sourceType: 'http',
        schema: '{"mlflow_colspec": []}',
        context: 'train',
      },
    ]);
    expect(s.randomness.seeds).toEqual([{ source: 'parameter', name: 'random_state', value: '7' }]);
  });

  it('lists artifacts inside the store with size and hash, never follows a link out of it, and keeps foreign URIs as text', async () => {
    const root = tempDir();
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'not for import');
    const exp = writeExperiment(root, '0', 'Default');
    const runA = writeFileRun({ expDir: exp, runId: RUN_A, experimentId: '0', artifacts: { 'model.txt': 'weights' } });
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(runA, 'artifacts', 'link.txt'));
    const runB = writeFileRun({
      expDir: exp,
      runId: RUN_B,
      experimentId: '0',
      artifactUri: 's3://bucket/path/artifacts',
    });
    fs.rmSync(path.join(runB, 'artifacts'), { recursive: true, force: true });
    fs.symlinkSync(outside, path.join(runB, 'artifacts'));
    writeFileRun({
      expDir: exp,
      runId: RUN_C,
      experimentId: '0',
      artifactUri: 'C:\\Users\\me\\mlruns\\0\\c\\artifacts',
    });
    const { byRun } = await importInto(root);
    const a = byRun.get(RUN_A)!.outcome.artifacts[0]!;
    expect(a.kind).toBe('dir');
    expect(a.files.find((f) => f.path === 'model.txt')).toMatchObject({
      size: 7,
      sha256: matching(/^[0-9a-f]{64}$/),
    });
    expect(a.files.find((f) => f.path === 'link.txt')).toMatchObject({
      sha256: null,
      linkTarget: path.join(outside, 'secret.txt'),
    });
    expect(byRun.get(RUN_B)!.outcome.artifacts).toEqual([
      expect.objectContaining({ kind: 'missing', absPath: 's3://bucket/path/artifacts', files: [] }),
    ]);
    expect(byRun.get(RUN_B)!.warnings.join('\n')).toContain('links outside the MLflow store');
    expect(byRun.get(RUN_C)!.outcome.artifacts[0]).toMatchObject({
      kind: 'missing',
      absPath: 'C:\\Users\\me\\mlruns\\0\\c\\artifacts',
    });
  });

  it('strips credentials from repository URLs and redacts secret-looking params and tags', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    writeFileRun({
      expDir: exp,
      runId: RUN_A,
      experimentId: '0',
      params: { api_key: 'abc', lr: '0.1', note: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' },
      tags: {
        'mlflow.source.git.repoURL': 'https://bob:hunter2@github.com/acme/model.git',
        'mlflow.gitRepoURL': 'https://bob:hunter2@github.com/acme/model.git',
        team_token: 'x',
      },
    });
    const { byRun } = await importInto(root);
    const s = byRun.get(RUN_A)!;
    expect(s.code.remotes).toEqual([{ name: 'origin', url: 'https://github.com/acme/model.git' }]);
    expect(s.process.parameters).toEqual({ api_key: '<redacted>', lr: '0.1', note: '<redacted>' });
    expect(s.tags.team_token).toBe('<redacted>');
    expect(JSON.stringify(s)).not.toMatch(/hunter2|ghp_abcdef/);
  });
});

describe('SQLite stores of any MLflow version', () => {
  it('reads columns by name (a newer `workspace` column), NaN from is_nan and ±1.797e308 as infinities', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mlflow.db');
    const db = createMlflowDb(file, { workspace: true });
    db.prepare(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, workspace) VALUES (0, 'Default', 's3://b/0', 'active', 'team')",
    ).run();
    insertRun(db, { run_uuid: RUN_A, experiment_id: 0 });
    const metric = db.prepare(
      'INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    );
    metric.run('loss', 0, 1, RUN_A, 0, 1);
    metric.run('loss', 1.7976931348623157e308, 2, RUN_A, 1, 0);
    metric.run('loss', -1.7976931348623157e308, 3, RUN_A, 2, 0);
    metric.run('acc', 0.1 + 0.2, 4, RUN_A, 0, 0);
    db.prepare("INSERT INTO params VALUES ('seed', '3', ?)").run(RUN_A);
    db.close();
    const { byRun } = await importInto(file);
    const s = byRun.get(RUN_A)!;
    expect(s.outcome.metrics.loss!.history!.map((p) => p.value)).toEqual([NaN, Infinity, -Infinity]);
    expect(s.outcome.metrics.acc!.value).toBe(0.1 + 0.2);
    expect(s.outcome.artifacts[0]).toMatchObject({ kind: 'missing', absPath: `s3://bucket/${RUN_A}/artifacts` });
  });

  it('reads an old schema without step and is_nan columns and without the run_uuid index', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.db');
    const db = createMlflowDb(file, { legacyMetrics: true, noIndex: true });
    db.prepare(
      "INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active'), (1, 'gone', 'deleted')",
    ).run();
    insertRun(db, { run_uuid: RUN_A, experiment_id: 0 });
    insertRun(db, { run_uuid: RUN_B, experiment_id: 0, lifecycle_stage: 'deleted' });
    insertRun(db, { run_uuid: RUN_C, experiment_id: 1 });
    const metric = db.prepare('INSERT INTO metrics (key, value, timestamp, run_uuid) VALUES (?, ?, ?, ?)');
    metric.run('rmse', 2.5, 10, RUN_A);
    metric.run('rmse', 2.0, 20, RUN_A);
    db.close();
    const { summary, byRun } = await importInto(`sqlite:///${file}`);
    expect(summary.added).toBe(1);
    expect(byRun.get(RUN_A)!.outcome.metrics.rmse).toEqual({
      value: 2.0,
      source: 'mlflow',
      history: [
        { step: 0, value: 2.5, timestamp: 10 },
        { step: 0, value: 2.0, timestamp: 20 },
      ],
    });
    expect(summary.skipped.map((s) => [s.experimentId, s.runId])).toEqual(
      expect.arrayContaining([
        ['0', RUN_B],
        ['1', null],
      ]),
    );
  });

  it('imports only the experiment asked for, and says so when there is none by that name', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare(
      "INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active'), (4, 'wine', 'active')",
    ).run();
    insertRun(db, { run_uuid: RUN_A, experiment_id: 0 });
    insertRun(db, { run_uuid: RUN_B, experiment_id: 4 });
    db.close();
    const { summary } = await importInto(file, { experiment: 'wine' });
    expect(summary.runs.map((r) => r.mlflowRunId)).toEqual([RUN_B]);
    const ctx = tempCore();
    const res = await createHandlers(ctx).importMlflow({ location: file, experiment: 'beer' });
    expect(res.ok ? null : res.error).toMatchObject({
      code: 'NOT_FOUND',
      message: containing('"beer"'),
      hint: containing('Default, wine'),
    });
  });
});
