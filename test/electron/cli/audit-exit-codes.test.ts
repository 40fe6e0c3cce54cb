// The audit's exit code as a script sees it: 4 for inconclusive (nothing compared), 0 once metrics are read.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitRepo, REPO_ROOT, runCli, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

const project = path.join(REPO_ROOT, 'test', 'fixtures', 'projects', 'prints-metrics');
const files = Object.fromEntries(
  fs.readdirSync(project).map((f) => [f, fs.readFileSync(path.join(project, f), 'utf8')]),
);

describe('reproscope audit exit codes (CLI)', () => {
  it('a project that only prints its metrics is inconclusive (exit 4) until --metrics-from stdout reads them', async () => {
    const store = tempDir();
    const repo = gitRepo(files);
    const base = ['--store', store, 'audit', repo, '--python', SYSTEM_PYTHON, '--repeats', '2', '--yes'];
    const blind = await runCli([...base, '--json']);
    expect(blind.code, blind.stderr).toBe(4);
    const audit = JSON.parse(blind.stdout) as {
      verdict: string;
      judgement: { nextStep: string };
    };
    expect(audit.verdict).toBe('inconclusive');
    // the reader is told why and what to give, not "every metric matches"
    expect(JSON.stringify(audit)).toMatch(/no metric or output was compared/);
    // it saw the printed accuracy and says which option reads it
    expect(audit.judgement.nextStep).toMatch(/printed acc, final_accuracy: give --metrics-from stdout/);
    expect(JSON.stringify(audit)).not.toMatch(/every metric matches/i);

    const read = await runCli([...base, '--metrics-from', 'stdout', '--json']);
    expect(read.code, read.stderr).toBe(0);
    const judged = JSON.parse(read.stdout) as { verdict: string; metrics: Record<string, unknown> };
    expect(judged.verdict).toBe('reproduced-exact');
    // the printed accuracy is compared; the timing and the seed echo are not metrics
    expect(Object.keys(judged.metrics)).toEqual(expect.arrayContaining(['acc', 'final_accuracy']));
    expect(Object.keys(judged.metrics)).not.toContain('elapsed');
    expect(Object.keys(judged.metrics)).not.toContain('seed');

    // the human form says the same, and `audits` lists it as inconclusive
    const list = await runCli(['--store', store, 'audits']);
    expect(list.stdout).toMatch(/inconclusive/);
  }, 180_000);
});
