// `reproscope compare` of two imported MLflow runs that differ in their tags: a person's or the training code's tags
// and the run's note are compared (last in the ranking: labels, not inputs); MLflow's own tags that name the run are not.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComparisonSchema } from '../../../shared/compare/compare-model';
import { nonFiniteReviver } from '../../../shared/snapshot/nonfinite-json';
import { runCli, SHARED_FIXTURES, tempDir } from '../../helpers/temp';

const FILESTORE = path.join(SHARED_FIXTURES, 'mlflow', 'mlflow-run-filestore', 'mlruns');
const RUN_A = 'aa1f9ba8ff9e4446b85e0e355c6be412';
const RUN_B = 'fe944fbbbc30430aa2d9723450c2c3f1';

/** Sets a tag the way MLflow's file store keeps it: a file named after the tag under the run's `tags/`. */
function setTag(mlruns: string, run: string, key: string, value: string): void {
  fs.writeFileSync(path.join(mlruns, '0', run, 'tags', key), value);
}

describe('reproscope compare: tags', () => {
  it("shows a run's differing tags and note, ranked last, and leaves out MLflow's tags that name the run", async () => {
    const mlruns = path.join(tempDir('reproscope-tags-'), 'mlruns');
    fs.cpSync(FILESTORE, mlruns, { recursive: true });
    setTag(mlruns, RUN_A, 'dataset', 'wine-v1');
    setTag(mlruns, RUN_B, 'dataset', 'wine-v2');
    setTag(mlruns, RUN_A, 'team', 'audit');
    setTag(mlruns, RUN_B, 'team', 'audit');
    setTag(mlruns, RUN_B, 'mlflow.parentRunId', '3f4aaa474c4f4dd6b8901d3b7da077b9');
    setTag(mlruns, RUN_B, 'mlflow.note.content', 'rerun on the new split');
    setTag(mlruns, RUN_B, 'reproscope.group', 'baseline'); // what an audit tags its reruns' MLflow runs with
    const store = tempDir();
    const imported = await runCli(['--store', store, 'import', mlruns, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const ids = new Map(
      (JSON.parse(imported.stdout) as { runs: { mlflowRunId: string; id: string }[] }).runs.map((r) => [
        r.mlflowRunId,
        r.id,
      ]),
    );
    const [a, b] = [ids.get(RUN_A)!, ids.get(RUN_B)!];

    const json = await runCli(['--store', store, 'compare', a, b, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const c = ComparisonSchema.parse(JSON.parse(json.stdout, nonFiniteReviver));
    const tags = c.sections.find((s) => s.section === 'process')!.rows.filter((r) => r.key.startsWith('tag:'));
    expect(tags).toEqual([
      { key: 'tag:dataset', label: 'tag dataset', status: 'changed', a: 'wine-v1', b: 'wine-v2' },
      { key: 'tag:team', label: 'tag team', status: 'same', a: 'audit', b: 'audit' },
      {
        key: 'tag:mlflow.note.content',
        label: 'note',
        status: 'only-b',
        a: null,
        b: 'rerun on the new split',
      },
    ]);
    // the tags explain nothing the inputs do not: they come after every other difference
    expect(c.summary.ranked.at(-1)).toMatchObject({ kind: 'process-tags', section: 'process' });

    // a tag set in reproscope is a tag too, and the terminal shows the difference
    expect((await runCli(['--store', store, 'tag', a, 'stage=final'])).code).toBe(0);
    const text = await runCli(['--store', store, 'compare', a, b]);
    expect(text.code, text.stderr).toBe(0);
    // a label is never called the likely cause of a difference
    expect(text.stdout).toMatch(/the runs differ in process \(3 differences\), only in how they are tagged/);
    expect(text.stdout).toMatch(/^ {2}~ {2}tag dataset +wine-v1 +wine-v2$/m);
    expect(text.stdout).toMatch(/^ {2}- {2}tag stage +final +—$/m);
    expect(text.stdout).toMatch(/^ {2}\+ {2}note +— +rerun on the new split$/m);
    expect(text.stdout).not.toContain('parentRunId');
    expect(text.stdout).not.toContain('reproscope.group');
  });
});
