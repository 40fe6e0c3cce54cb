// A rerun that Slurm kills for its time limit is failed with Slurm's reason (its own file: Slurm enforces limits in whole minutes, so it takes one).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLURM_UNAVAILABLE, slurmAuditArgs } from '../../../helpers/slurm';
import { gitRepo, runCli, tempDir } from '../../../helpers/temp';

describe.skipIf(SLURM_UNAVAILABLE !== null)('a Slurm job killed for its time limit', () => {
  it('fails the rerun with Slurm TIMEOUT and its reason, and the audit says it failed', async () => {
    const store = tempDir();
    const repo = gitRepo({
      MLproject: 'entry_points:\n  main:\n    command: "python slow.py"\n',
      'slow.py': 'import time\nprint("sleeping", flush=True)\ntime.sleep(900)\n',
    });
    const r = await runCli(slurmAuditArgs({ store, repo, repeats: 1, extra: ['--json', '--slurm-option=--time=1'] }));
    expect(r.code).toBe(1);
    // the progress line says why, not only the stored audit
    expect(r.stderr).toMatch(/#1 failed[^\n]*: Slurm job \S+ killed by Slurm for its time limit/);
    const a = JSON.parse(r.stdout) as {
      verdict: string;
      groups: { reruns: { status: string; error: string | null; job: { phase: string } | null }[] }[];
    };
    expect(a.verdict).toBe('failed');
    const rerun = a.groups[0]!.reruns[0]!;
    expect(rerun.status).toBe('failed');
    expect(rerun.error).toMatch(/killed by Slurm for its time limit \(state TIMEOUT, reason TimeLimit/);
    expect(rerun.job?.phase).toBe('ended');
    expect(path.isAbsolute(store)).toBe(true);
  }, 240_000);
});
