// Hostile file stores: links below an MLflow store must never be followed out of it (issue 12, item 1).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/core/handlers';
import type { ImportSummary } from '../../shared/api/api-import';
import type { Snapshot } from '../../shared/snapshot/snapshot';
import { writeExperiment, writeFileRun } from '../helpers/mlflow-stores';
import { tempCore } from '../helpers/store';
import { tempDir, writeFiles } from '../helpers/temp';
import { storeText } from './store-text';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const PLANTED = 'PLANTED-OUTSIDE-SECRET-7f3e';

/** A folder outside the store holding files an attacker would like imported. */
function outsideFolder(): string {
  const dir = tempDir('reproscope-outside-');
  writeFiles(dir, { shadow: `root:${PLANTED}:19000:0:99999:7:::\n`, '.netrc': `machine x password ${PLANTED}\n` });
  return dir;
}

async function importStore(root: string): Promise<{ summary: ImportSummary; snapshots: Snapshot[]; dbText: string }> {
  const ctx = tempCore();
  const res = await createHandlers(ctx).importMlflow({ location: root });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  const snapshots = ctx.runs.list({}).map((r) => ctx.runs.get(r.id));
  ctx.close();
  // Every byte of the store, unpacked: a planted value must not be anywhere in it.
  const dbText = storeText(ctx.store.dir);
  return { summary: res.value, snapshots, dbText };
}

describe('links below an MLflow file store', () => {
  it('does not follow a params or tags folder that links out of the store, and says so', async () => {
    const outside = outsideFolder();
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    const run = writeFileRun({ expDir: exp, runId: RUN_A, experimentId: '0', metrics: { loss: '1 0.5 0\n' } });
    fs.rmSync(path.join(run, 'params'), { recursive: true });
    fs.symlinkSync(outside, path.join(run, 'params'));
    fs.rmSync(path.join(run, 'tags'), { recursive: true });
    fs.symlinkSync(outside, path.join(run, 'tags'));
    const { snapshots, dbText } = await importStore(root);
    expect(snapshots).toHaveLength(1);
    const s = snapshots[0]!;
    expect(dbText.includes(PLANTED), 'a planted value reached the store').toBe(false);
    expect(s.outcome.metrics.loss!.value).toBe(0.5);
    expect(s.warnings.join('\n')).toMatch(/params links outside the MLflow store.*not followed/);
    expect(s.warnings.join('\n')).toMatch(/tags links outside the MLflow store.*not followed/);
  });

  it('does not follow a single param, tag or metric file, or a nested folder, that links out', async () => {
    const outside = outsideFolder();
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    const run = writeFileRun({ expDir: exp, runId: RUN_A, experimentId: '0', params: { alpha: '0.5' } });
    fs.symlinkSync(path.join(outside, 'shadow'), path.join(run, 'params', 'shadow'));
    fs.symlinkSync(path.join(outside, '.netrc'), path.join(run, 'tags', 'netrc'));
    fs.symlinkSync(outside, path.join(run, 'tags', 'home'));
    fs.symlinkSync(path.join(outside, 'shadow'), path.join(run, 'metrics', 'loss'));
    // A link that stays inside the store is harmless and is read.
    fs.symlinkSync(path.join(run, 'params', 'alpha'), path.join(run, 'params', 'alpha_copy'));
    const { snapshots, dbText } = await importStore(root);
    expect(dbText.includes(PLANTED), 'a planted value reached the store').toBe(false);
    const s = snapshots[0]!;
    const params = s.process.parameters;
    expect(params).toMatchObject({ alpha: '0.5', alpha_copy: '0.5' });
    expect(params.shadow).toBeUndefined();
    const warnings = s.warnings.join('\n');
    expect(warnings).toContain('params/shadow');
    expect(warnings).toContain('tags/netrc');
    expect(warnings).toContain('tags/home');
    expect(warnings).toContain('metrics/loss');
  });

  it("skips a run whose meta.yaml links out of the store, and an experiment's too", async () => {
    const outside = tempDir('reproscope-outside-');
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    // A valid run meta.yaml lies outside; the link inside the store points at it.
    const decoy = writeFileRun({ expDir: outside, runId: RUN_A, experimentId: '0', params: { p: PLANTED } });
    fs.mkdirSync(path.join(exp, RUN_A));
    fs.symlinkSync(path.join(decoy, 'meta.yaml'), path.join(exp, RUN_A, 'meta.yaml'));
    writeFileRun({ expDir: exp, runId: RUN_B, experimentId: '0' });
    const exp2 = path.join(root, '5');
    fs.mkdirSync(exp2);
    const decoyExp = writeExperiment(outside, '5', PLANTED);
    fs.symlinkSync(path.join(decoyExp, 'meta.yaml'), path.join(exp2, 'meta.yaml'));
    const { summary, snapshots, dbText } = await importStore(root);
    expect(dbText.includes(PLANTED), 'a planted value reached the store').toBe(false);
    expect(snapshots.map((s) => s.source!.runId)).toEqual([RUN_B]);
    const reasons = summary.skipped.map((s) => `${s.experimentId}/${s.runId}: ${s.reason}`).join('\n');
    expect(reasons).toMatch(new RegExp(`0/${RUN_A}: meta.yaml links outside the MLflow store`));
    expect(reasons).toMatch(/5\/null: experiment 5: meta.yaml links outside the MLflow store/);
  });

  it('does not follow inputs, datasets or artifacts links out of the store, nor a dvc.lock among the artifacts', async () => {
    const outside = tempDir('reproscope-outside-');
    writeFiles(outside, {
      'ds1/meta.yaml': `name: ${PLANTED}\ndigest: abc\nsource_type: local\nsource: /x\n`,
      'in1/meta.yaml': 'source_type: DATASET\nsource_id: ds1\n',
      'dvc.lock': `schema: '2.0'\nstages:\n  train:\n    cmd: ${PLANTED}\n    deps:\n    - path: d\n      md5: 0123\n`,
      'model/MLmodel': `artifact_path: model\nflavors: {}\nmlflow_version: ${PLANTED}\n`,
    });
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    const run = writeFileRun({ expDir: exp, runId: RUN_A, experimentId: '0', artifacts: { 'ok.txt': 'fine' } });
    fs.symlinkSync(outside, path.join(exp, 'datasets'));
    fs.mkdirSync(path.join(run, 'inputs'));
    fs.symlinkSync(path.join(outside, 'in1'), path.join(run, 'inputs', 'in1'));
    fs.symlinkSync(path.join(outside, 'dvc.lock'), path.join(run, 'artifacts', 'dvc.lock'));
    fs.symlinkSync(path.join(outside, 'model'), path.join(run, 'artifacts', 'model'));
    const { snapshots, dbText } = await importStore(root);
    expect(snapshots).toHaveLength(1);
    expect(dbText.includes(PLANTED), 'a planted value reached the store').toBe(false);
  });

  it('reads neither a FIFO nor a device where a meta.yaml or a param should be (no hang)', async () => {
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    const run = writeFileRun({ expDir: exp, runId: RUN_A, experimentId: '0', params: { alpha: '1' } });
    execFileSync('mkfifo', [path.join(run, 'params', 'fifo')]);
    fs.mkdirSync(path.join(exp, RUN_B));
    execFileSync('mkfifo', [path.join(exp, RUN_B, 'meta.yaml')]);
    fs.symlinkSync('/dev/zero', path.join(run, 'tags', 'zero'));
    const { summary, snapshots } = await importStore(root);
    expect(snapshots).toHaveLength(1);
    expect(summary.skipped.find((s) => s.runId === RUN_B)?.reason).toMatch(/meta.yaml is not a regular file/);
  });
});
