// A controller that stops answering while jobs run or are submitted (a restart, an overloaded slurmctld) must not fail the reruns: the audit waits.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLURM_UNAVAILABLE } from '../../../helpers/slurm';
import { gitRepo, runCli, SYSTEM_PYTHON, tempDir } from '../../../helpers/temp';

interface AuditJson {
  status: string;
  verdict: string;
  groups: { reruns: { status: string; error: string | null }[] }[];
}

const until = async (what: string, ok: () => boolean, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(SLURM_UNAVAILABLE !== null)('a Slurm controller that stops answering mid-audit', () => {
  it('collects the job that ended meanwhile, submits the next once it answers again, and the audit finishes', async () => {
    const dir = tempDir();
    const started = path.join(dir, 'started');
    const repo = gitRepo({
      MLproject: 'entry_points:\n  main:\n    command: "python train.py"\n',
      'train.py': `import json, pathlib, time\npathlib.Path(${JSON.stringify(started)}).touch()\ntime.sleep(8)\njson.dump({"x": 0.5}, open("metrics.json", "w"))\n`,
    });
    // the CLI reads its Slurm configuration from a copy, which the test points at a port nothing listens on for a
    // while: squeue then fails with "Unable to contact slurm controller", as it does while slurmctld restarts
    const real = fs.readFileSync(process.env.SLURM_CONF ?? '/etc/slurm/slurm.conf', 'utf8');
    const conf = path.join(dir, 'slurm.conf');
    fs.writeFileSync(conf, real);
    const unreachable = real
      .replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=1')
      .replace(/^MessageTimeout=.*$/m, 'MessageTimeout=1');
    const run = runCli(
      ['--store', tempDir(), 'audit', repo, '--python', SYSTEM_PYTHON, '--repeats', '2', '--runner', 'slurm'].concat([
        '--yes',
        '--json',
      ]),
      { env: { SLURM_CONF: conf } },
    );
    await until('a job to start running', () => fs.existsSync(started), 120_000);
    fs.writeFileSync(conf, unreachable);
    // longer than three of the tracker's quickest polls (the old tracker called the job forgotten within ~3 s), and
    // past the first job's end (8 s), so the second rerun (--jobs 1) is submitted while the controller is away
    await new Promise((r) => setTimeout(r, 12_000));
    fs.writeFileSync(conf, real);
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout) as AuditJson;
    expect(a.groups.flatMap((g) => g.reruns).map((x) => [x.status, x.error])).toEqual([
      ['finished', null],
      ['finished', null],
    ]);
    expect(a).toMatchObject({ status: 'finished', verdict: 'reproduced-exact' });
  }, 180_000);
});
