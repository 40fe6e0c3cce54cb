// Capture with inputs that name nothing or the wrong kind of thing: the run is kept with a warning (item 8), and --data refuses FIFOs, devices and link loops at once (item 11).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/core-context';
import { runCli, SYSTEM_PYTHON, tempDir, writeFiles } from '../helpers/temp';

function storedRuns(store: string) {
  const ctx = openCore(store);
  try {
    return ctx.runs.list({}).map((r) => ctx.runs.get(r.id));
  } finally {
    ctx.close();
  }
}

describe('a run that exited 0 is kept whatever its --metrics/--outputs name (item 8)', () => {
  it('records the run with a warning for a missing metrics file, an invalid one and a missing output', async () => {
    const dir = tempDir();
    const store = tempDir();
    writeFiles(dir, { 'bad.json': '{"accuracy": "high"}' });
    const script = 'import json; json.dump({"loss": 0.25}, open("good.json", "w")); print("trained")';
    const res = await runCli(
      [
        '--store',
        store,
        'capture',
        ...['--metrics', 'good.json', '--metrics', 'missing.json', '--metrics', 'bad.json'],
        ...['--outputs', 'out/', '--', SYSTEM_PYTHON, '-c', script],
      ],
      { cwd: dir },
    );
    expect(res.code, res.stderr).toBe(0); // the command's own exit status
    expect(res.stderr).toMatch(/recorded run [0-9a-f]{8} \(finished, exit 0\)/);
    expect(res.stderr).toMatch(/warning: outcome: metrics file missing\.json was not written by the run/);
    expect(res.stderr).toMatch(/warning: outcome: metrics file bad\.json is not a metrics file/);
    // an --outputs path is an output path, not a "data path"
    expect(res.stderr).toMatch(/warning: outcome: output path out\/ does not exist/);
    expect(res.stderr).not.toMatch(/data path/);
    const [run] = storedRuns(store);
    expect(run!.outcome).toMatchObject({ status: 'finished', exitCode: 0, metrics: { loss: { value: 0.25 } } });
    for (const named of [/metrics file missing\.json/, /metrics file bad\.json/, /output path out\//])
      expect(run!.warnings.some((w) => named.test(w))).toBe(true);
  });
});

describe('--data that is not a regular file or folder is refused before the command runs (item 11)', () => {
  const cases: [string, (dir: string) => string, RegExp][] = [
    [
      'a FIFO',
      (dir) => {
        execFileSync('mkfifo', [path.join(dir, 'pipe')]);
        return 'pipe';
      },
      /data path pipe is a named pipe \(FIFO\), not a regular file or folder/,
    ],
    ['/dev/zero', () => '/dev/zero', /data path \/dev\/zero is a device, not a regular file or folder/],
    [
      'a loop of symbolic links',
      (dir) => {
        fs.symlinkSync('b', path.join(dir, 'a'));
        fs.symlinkSync('a', path.join(dir, 'b'));
        return 'a';
      },
      /data path a is a loop of symbolic links/,
    ],
    [
      'a dangling link',
      (dir) => {
        fs.symlinkSync('gone.csv', path.join(dir, 'data.csv'));
        return 'data.csv';
      },
      /data path data\.csv is a symbolic link to gone\.csv, which does not exist/,
    ],
  ];
  for (const [name, make, message] of cases) {
    it(`names ${name} clearly, exits 2 and records nothing`, async () => {
      const dir = tempDir();
      const store = tempDir();
      const data = make(dir);
      const res = await runCli(
        ['--store', store, 'capture', '--data', data, '--', SYSTEM_PYTHON, '-c', 'open("ran", "w")'],
        { cwd: dir },
      );
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/at .*\.js:\d+|internal error/);
      expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
      expect(storedRuns(store)).toHaveLength(0);
    }, 30_000);
  }
});
