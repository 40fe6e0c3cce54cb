// `reproscope audit` on a real script that logs NaN: the JSON, show-audit and the Markdown report give the same verdict and name the NaN.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nonFiniteReviver } from '../../../shared/snapshot/nonfinite-json';
import { gitRepo, REPO_ROOT, runCli, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

const LOG = fs.readFileSync(
  path.join(REPO_ROOT, 'test', 'fixtures', 'projects', 'deterministic', 'mlflow_file_log.py'),
  'utf8',
);

/** A project whose loss diverges to NaN every time and whose accuracy is NaN in the first rerun only (a counter file outside the repository). */
function divergingProject(counter: string): string {
  return gitRepo({
    MLproject: 'name: diverging\n\nentry_points:\n  main:\n    command: "python train.py"\n',
    'mlflow_file_log.py': LOG,
    'train.py': [
      'import os',
      'from mlflow_file_log import log_metric',
      `COUNTER = ${JSON.stringify(counter)}`,
      'with open(COUNTER, "a+") as f:',
      '    f.seek(0)',
      '    first = f.read() == ""',
      '    f.write("x")',
      'log_metric("loss", float("nan"))',
      'log_metric("acc", float("nan") if first else 0.9)',
      '',
    ].join('\n'),
  });
}

describe('reproscope audit with NaN metrics (CLI)', () => {
  it('a NaN in one identical rerun is not reproduced, a NaN in every rerun is not compared, and every face says so', async () => {
    const store = tempDir();
    const repo = divergingProject(path.join(tempDir(), 'count'));
    const r = await runCli([
      ...['--store', store, 'audit', repo, '--python', SYSTEM_PYTHON],
      ...['--repeats', '3', '--jobs', '1', '--yes', '--json'],
    ]);
    expect(r.code, r.stderr).toBe(1);
    // valid JSON: NaN is written as {"$nonfinite": "NaN"}, never as a bare NaN or null
    expect(r.stdout).toMatch(/"loss": \{\s*"\$nonfinite": "NaN"\s*\}/);
    const audit = JSON.parse(r.stdout, nonFiniteReviver) as {
      id: string;
      verdict: string;
      explanation: string;
      judgement: { judgedMetrics: string[]; reportedMetrics: string[] };
    };
    const sentence =
      'Identical reruns disagree: acc is NaN in 1 and 0.9 in 2 of the 3 baseline reruns, with nothing changed, so the project is nondeterministic. Not compared: loss is NaN in all 3 baseline reruns.';
    expect(audit).toMatchObject({
      verdict: 'not-reproduced',
      explanation: sentence,
      judgement: { judgedMetrics: ['acc'], reportedMetrics: ['loss'] },
    });

    const shown = await runCli(['--store', store, 'show-audit', audit.id.slice(0, 8)]);
    expect(shown.stdout).toContain(`verdict: not-reproduced\n  ${sentence}`);
    expect(shown.stdout).toMatch(/baseline {15}n=2 \(\+1 NaN, left out\) mean=0\.9 sd=0 /);
    expect(shown.stdout).toMatch(/baseline {15}n=0 \(\+3 NaN, left out\) mean=— /);

    const md = await runCli(['--store', store, 'report', audit.id.slice(0, 8), '--format', 'md']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain(sentence);
    expect(md.stdout).toMatch(/\| baseline \| 2 \(\+1 NaN\) \| 0\.9 ± 0 \|/);
    for (const t of [shown.stdout, md.stdout]) expect(t).not.toMatch(/NaN %|differs by NaN|varies from 0\.9 to 0\.9/);
  }, 180_000);
});
