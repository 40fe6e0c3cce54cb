// The code state of a folder outside git: bounded when capture runs from `/`, and data `.txt` files are not code (issue 12, item 11).
import { describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/core-context';
import { runCli, tempDir, writeFiles } from '../helpers/temp';

function onlyRun(store: string) {
  const ctx = openCore(store);
  try {
    const [summary] = ctx.runs.list({});
    return ctx.runs.get(summary!.id);
  } finally {
    ctx.close();
  }
}

describe('code state outside git', () => {
  it('capture from / stops its scan, says so, and still runs and records the command', async () => {
    const store = tempDir();
    const res = await runCli(['--store', store, 'capture', '--', '/bin/echo', 'ran'], { cwd: '/' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('ran');
    expect(res.stderr).toMatch(
      /warning: code: \/ is not under git and holds more than [\d]+ (entries|source files); the scan stopped/,
    );
    const run = onlyRun(store);
    expect(run.outcome.exitCode).toBe(0);
    expect(run.code).toMatchObject({ vcs: 'none', root: '/' });
  }, 120_000);

  it('counts requirements.txt as code but not a data .txt file', async () => {
    const dir = tempDir();
    const store = tempDir();
    writeFiles(dir, {
      'train.py': 'print(open("words.txt").read())\n',
      'requirements.txt': 'numpy\n',
      'words.txt': 'a b c\n',
      'data/corpus.txt': 'lots of text\n',
    });
    const res = await runCli(['--store', store, 'capture', '--', '/bin/true'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const run = onlyRun(store);
    expect(run.code.untracked.map((f) => f.path).sort()).toEqual(['requirements.txt', 'train.py']);
    expect(res.stderr).not.toMatch(/scan stopped/);
  });
});
