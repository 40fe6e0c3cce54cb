// Ctrl-C that lands while reruns are still being handed to a runner: nothing starts after the stop, nothing is left running, the CLI ends.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localRunner } from '../../../../electron/core/audit/runner';
import { runnerFor } from '../../../../electron/core/audit/runner-choice';
import { jobsNamed, SLURM_UNAVAILABLE } from '../../../helpers/slurm';
import { gitRepo, REPO_ROOT, SYSTEM_PYTHON, tempDir } from '../../../helpers/temp';

/** Processes whose command line holds a marker (this test's own, so nothing else on the machine matches). */
function processesWith(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}

/** Processes whose working folder is inside a folder (a rerun runs in its workspace under the store). */
function processesIn(dir: string): string[] {
  const real = fs.realpathSync(dir);
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === real || cwd.startsWith(`${real}/`)) out.push(`${pid} ${cwd}`);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

const stopped = (): AbortSignal => {
  const c = new AbortController();
  c.abort();
  return c.signal;
};

describe('a stop that comes before a rerun is handed over', () => {
  it('the local runner does not start the command at all', async () => {
    const marker = `reproscope-never-started-${process.pid}-${Date.now()}`;
    const dir = tempDir();
    const r = await localRunner.run({
      argv: ['bash', '-c', `sleep 600 # ${marker}`],
      cwd: dir,
      env: process.env,
      timeoutMs: null,
      signal: stopped(),
    });
    expect(r).toMatchObject({ interrupted: true, exitCode: null, pid: null });
    expect(processesWith(marker)).toEqual([]);
  });

  it.skipIf(SLURM_UNAVAILABLE !== null)('the Slurm runner submits no job', async () => {
    const name = `reproscope-never-submitted-${process.pid}-${Date.now()}`;
    const dir = tempDir();
    const runner = runnerFor({ runner: { kind: 'slurm', partition: null, options: [] } });
    const r = await runner.run({
      argv: ['sleep', '600'],
      cwd: dir,
      env: process.env,
      timeoutMs: null,
      signal: stopped(),
      dir,
      name,
      batch: name,
    });
    expect(r.interrupted).toBe(true);
    // past the batch window: had it been queued, sbatch would have been called by now
    await new Promise((res) => setTimeout(res, 1000));
    expect(jobsNamed(name)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'slurm'))).toBe(false);
  });
});

describe('Ctrl-C during a local audit', () => {
  it('ends the CLI with 130 and leaves no rerun running in the work folder', async () => {
    const store = tempDir();
    const repo = gitRepo({
      MLproject: 'entry_points:\n  main:\n    command: "python slow.py"\n',
      'slow.py': 'import time\nprint("sleeping", flush=True)\ntime.sleep(600)\n',
    });
    // three reruns started by three workers: the stop lands while some are still being handed to the runner
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'reproscope.cjs'),
        '--store',
        store,
        'audit',
        repo,
        '--python',
        SYSTEM_PYTHON,
        '--repeats',
        '4',
        '--jobs',
        '4',
        '--yes',
        '--verbose',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.resume();
    const exit = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    for (let i = 0; i < 600 && !/sleeping/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
    expect(err).toMatch(/sleeping/);
    child.kill('SIGINT');
    expect(await exit, err).toBe(130);
    expect(processesIn(store)).toEqual([]);
  }, 120_000);
});
