// `reproscope audit --against` a captured run: without --python, where `python` on PATH is another interpreter than
// the one the original ran (pyenv's, a conda base, a venv left active), the reruns run the original's; an --outputs
// path the original did not record is said to have nothing to be compared with.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, gitRepo, runCli, SYSTEM_PYTHON, tempDir, writeFiles } from '../../helpers/temp';

// numpy: Debian's python3 has it, the other "python" below does not run at all
const TRAIN = 'import json, numpy\njson.dump({"acc": float(numpy.mean([0.25, 0.75]))}, open("metrics.json", "w"))\n';

/** A folder whose `python` and `python3` are not the system's: each says so and fails. */
function otherPython(): string {
  const bin = tempDir('reproscope-other-python-');
  for (const name of ['python', 'python3']) {
    fs.writeFileSync(path.join(bin, name), '#!/bin/sh\necho "this is not the original\'s python" >&2\nexit 7\n');
    fs.chmodSync(path.join(bin, name), 0o755);
  }
  return bin;
}

describe('reproscope audit --against a captured run', () => {
  it('reruns a captured run with the interpreter it ran, not another python on PATH, and says so; --python overrides', async () => {
    const store = tempDir();
    const repo = gitRepo({ 'train.py': TRAIN, '.gitignore': 'metrics.json\n' });
    const captured = await runCli(
      ['--store', store, 'capture', '--metrics', 'metrics.json', '--', SYSTEM_PYTHON, 'train.py'],
      { cwd: repo },
    );
    expect(captured.code, captured.stderr).toBe(0);
    const original = /recorded run ([0-9a-f]{8})/.exec(captured.stderr)![1]!;

    const bin = otherPython();
    const env = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
    const audit = await runCli(['--store', store, 'audit', repo, '--against', original, '--repeats', '2', '--yes'], {
      cwd: repo,
      env,
    });
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stderr).toContain(
      `python runs ${SYSTEM_PYTHON}, the interpreter the original ran (python on PATH is ${path.join(bin, 'python')}); give --python to choose another`,
    );
    expect(audit.stderr).not.toContain("the audit's interpreter in place of the original's");
    expect(audit.stderr).not.toContain("this is not the original's python");
    expect(audit.stdout).toMatch(/verdict: reproduced-exact/);

    // asked for, the other interpreter is what runs (and fails), with no word about the original's
    const asked = await runCli(
      [
        '--store',
        store,
        'audit',
        repo,
        '--against',
        original,
        '--repeats',
        '1',
        '--python',
        path.join(bin, 'python3'),
        '--yes',
      ],
      { cwd: repo, env },
    );
    expect(asked.stderr).not.toContain('the interpreter the original ran');
    expect(asked.stderr).toContain("this is not the original's python");
  }, 120_000);

  it('says before the first rerun that an --outputs path the original did not record is compared among the reruns only', async () => {
    const store = tempDir();
    const train = 'import os\nos.makedirs("out", exist_ok=True)\nopen("out/model.txt", "w").write("w=1\\n")\n';
    const repo = gitRepo({ 'train.py': train, '.gitignore': 'out/\n' });
    const capture = async (extra: string[]): Promise<string> => {
      const r = await runCli(['--store', store, 'capture', ...extra, '--', SYSTEM_PYTHON, 'train.py'], { cwd: repo });
      expect(r.code, r.stderr).toBe(0);
      return /recorded run ([0-9a-f]{8})/.exec(r.stderr)![1]!;
    };
    const audit = (against: string, extra: string[] = []) =>
      runCli(
        [
          '--store',
          store,
          'audit',
          repo,
          '--against',
          against,
          '--outputs',
          'out',
          '--repeats',
          '2',
          '--yes',
          ...extra,
        ],
        { cwd: repo },
      );

    const first = await capture([]);
    const bare = await audit(first);
    expect(bare.stderr).toContain(
      "the original recorded no `out`: the reruns' copies are compared with each other, not with the original's (capture the original with --outputs out to compare it)",
    );
    // the reruns wrote the same file: nothing is claimed of it
    expect(bare.stdout).toMatch(/verdict: inconclusive/);
    const recorded = await audit(await capture(['--outputs', 'out']));
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).not.toContain('the original recorded no');
    expect(recorded.stdout).toMatch(/outputs: 1 file compared, 0 differ/);
    // a model that differs from rerun to rerun does not reproduce, whatever the original wrote
    writeFiles(repo, { 'train.py': train.replace('"w=1\\n"', 'os.urandom(8).hex()') });
    git(repo, 'commit', '-qam', 'an unseeded model');
    const unseeded = await audit(first, ['--version', 'HEAD']);
    expect(unseeded.stdout).toMatch(/verdict: not-reproduced/);
    expect(unseeded.stdout).toContain(
      'The output files out/model.txt differ between identical reruns (the original recorded none of them), so they do not reproduce; no metric was compared.',
    );
  }, 120_000);

  it('says which files git does not track the original wrote, as every rerun starts with them', async () => {
    const store = tempDir();
    // the pattern of a real project: keep the better model, comparing with the one saved before
    const train = 'import os\nos.makedirs("state", exist_ok=True)\nopen("state/best.txt", "w").write("1\\n")\n';
    const repo = gitRepo({ 'train.py': train, 'notes.txt': 'committed\n', '.gitignore': 'state/\nold.txt\n' });
    writeFiles(repo, { 'old.txt': 'there before the run\n' });
    fs.utimesSync(path.join(repo, 'old.txt'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const captured = await runCli(['--store', store, 'capture', '--', SYSTEM_PYTHON, 'train.py'], { cwd: repo });
    const original = /recorded run ([0-9a-f]{8})/.exec(captured.stderr)![1]!;
    // no --yes and no terminal: the plan and its warnings are said, nothing is run
    const plan = (extra: string[]) => runCli(['--store', store, 'audit', repo, '--against', original, ...extra]);
    const bare = await plan([]);
    expect(bare.stderr).toContain(
      'a file git does not track was written since the original started (state/best.txt): it is copied into every rerun',
    );
    expect(bare.stderr).not.toContain('old.txt');
    expect((await plan(['--outputs', 'state'])).stderr).not.toContain('written since the original started');
  }, 60_000);
});
