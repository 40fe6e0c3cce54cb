// Audits whose reruns run as jobs of a real (local, one-node) Slurm cluster: same results as local reruns, resume, Ctrl-C, rejected submissions.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../../shared/snapshot/snapshot';
import { nonFiniteReviver, parseSnapshot } from '../../../../shared/snapshot/snapshot-codec';
import { jobsNamed, NODE_NAME, SLURM_UNAVAILABLE, slurmAuditArgs } from '../../../helpers/slurm';
import { gitRepo, REPO_ROOT, runCli, SYSTEM_PYTHON, tempDir } from '../../../helpers/temp';
import { anything } from '../../../helpers/typed';

const PROJECTS = path.join(REPO_ROOT, 'test', 'fixtures', 'projects');
const files = (name: string): Record<string, string> =>
  Object.fromEntries(
    fs.readdirSync(path.join(PROJECTS, name)).map((f) => [f, fs.readFileSync(path.join(PROJECTS, name, f), 'utf8')]),
  );

interface AuditJson {
  id: string;
  status: string;
  verdict: string;
  metrics: Record<string, unknown>;
  warnings: string[];
  groups: {
    name: string;
    reruns: {
      status: string;
      runId: string | null;
      metrics: Record<string, number>;
      error: string | null;
      job?: { id: string; phase: string; node: string | null } | null;
    }[];
  }[];
}

const reruns = (a: AuditJson): AuditJson['groups'][number]['reruns'] => a.groups.flatMap((g) => g.reruns);

/** Starts the CLI in the background; resolves its exit once it ends. */
function spawnCli(args: string[]): {
  child: ReturnType<typeof spawn>;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'reproscope.cjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.resume();
  return { child, stderr: () => err, exit: new Promise((resolve) => child.on('close', (c) => resolve(c))) };
}

async function until<T>(what: string, probe: () => T | null | undefined | false, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function latestAuditId(store: string): string | null {
  const out = execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'reproscope.cjs'), '--store', store, 'audits', '--json'],
    {
      encoding: 'utf8',
    },
  );
  return (JSON.parse(out) as { audits: { id: string }[] }).audits[0]?.id ?? null;
}

/**
 * A store opened (created and migrated) once before the tests start several CLIs on it at the same time: two
 * processes migrating a fresh store at once can fail with "database is locked" on a loaded machine.
 */
function newStore(): string {
  const store = tempDir();
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'reproscope.cjs'), '--store', store, 'audits', '--json']);
  return store;
}

// no seed parameter and the same result every time: only a baseline group, so every rerun goes out at once
const quickProject = {
  MLproject: 'entry_points:\n  main:\n    command: "python quick.py"\n',
  'quick.py': 'import json\nprint("quick", flush=True)\njson.dump({"x": 0.25}, open("metrics.json", "w"))\n',
};

const slowProject = {
  MLproject: 'entry_points:\n  main:\n    command: "python slow.py"\n',
  'slow.py':
    'import json, time\nprint("sleeping", flush=True)\ntime.sleep(600)\njson.dump({"x": 1}, open("metrics.json", "w"))\n',
};

describe.skipIf(SLURM_UNAVAILABLE !== null)('audits on a Slurm cluster (local one-node cluster)', () => {
  it('gives the same verdict and metrics as local reruns, and records where each job ran', async () => {
    const store = newStore();
    const repo = gitRepo(files('deterministic'));
    const common = slurmAuditArgs({ store, repo, repeats: 2, jobs: 2, slurm: false, extra: ['--json'] });
    const [local, slurm] = await Promise.all([runCli(common), runCli([...common, '--runner', 'slurm'])]);
    expect(local.code, local.stderr).toBe(0);
    expect(slurm.code, slurm.stderr).toBe(0);
    const a = JSON.parse(local.stdout) as AuditJson;
    const b = JSON.parse(slurm.stdout) as AuditJson;
    expect(b.verdict).toBe(a.verdict);
    expect(b.metrics).toEqual(a.metrics);
    expect(reruns(b).map((r) => r.metrics)).toEqual(reruns(a).map((r) => r.metrics));
    // every rerun was a Slurm job of its own (array tasks of one job per group), on this machine's node
    const ids = reruns(b).map((r) => r.job?.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of reruns(b)) expect(r.job).toMatchObject({ phase: 'ended', node: NODE_NAME });
    for (const r of reruns(a)) expect(r.job ?? null).toBeNull();
    expect(b.warnings.join(' ')).toMatch(/local filesystem.*only because the cluster's one node is this machine/);
    const show = async (id: string): Promise<Snapshot> =>
      parseSnapshot(JSON.parse((await runCli(['--store', store, 'show', id, '--json'])).stdout, nonFiniteReviver));
    const rerunSnap = await show(reruns(b)[0]!.runId!);
    const localSnap = await show(reruns(a)[0]!.runId!);
    expect(rerunSnap.tags).toMatchObject({
      'reproscope.runner': 'slurm',
      'slurm.jobId': reruns(b)[0]!.job!.id,
      'slurm.node': NODE_NAME,
      'slurm.partition': 'debug',
    });
    expect(rerunSnap.process.hostname).toBe(NODE_NAME);
    // the node's hardware was read by the job on the node; here the node is this machine, so it matches the local capture
    expect(rerunSnap.hardware).toEqual(localSnap.hardware);
    expect(jobsNamed(`reproscope-${b.id.slice(0, 8)}`).filter((j) => /PENDING|RUNNING/.test(j.state))).toEqual([]);
  }, 180_000);

  it("reads the rerun's Python on the node where the job runs, not on the submitting machine", async () => {
    const dir = tempDir();
    // what a cluster's module system or node image does: under Slurm, \`python\` is another environment
    const nodeEnv = path.join(dir, 'node-env');
    execFileSync(SYSTEM_PYTHON, ['-m', 'venv', '--without-pip', nodeEnv]);
    const wrapper = path.join(dir, 'bin', 'python');
    fs.mkdirSync(path.dirname(wrapper));
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ -n "$SLURM_JOB_ID" ]; then exec ${nodeEnv}/bin/python "$@"; fi\nexec ${SYSTEM_PYTHON} "$@"\n`,
      { mode: 0o755 },
    );
    const store = newStore();
    const repo = gitRepo(quickProject);
    const common = slurmAuditArgs({ store, repo, python: wrapper, repeats: 2, slurm: false, extra: ['--json'] });
    const [local, slurm] = await Promise.all([runCli(common), runCli([...common, '--runner', 'slurm'])]);
    expect(slurm.code, slurm.stderr).toBe(0);
    expect(local.code, local.stderr).toBe(0);
    type Software = { software: { python: { prefix: string }; packages: { name: string }[] }; warnings: string[] };
    const snap = async (a: AuditJson): Promise<Software> =>
      JSON.parse((await runCli(['--store', store, 'show', reruns(a)[0]!.runId!, '--json'])).stdout) as Software;
    const onNode = await snap(JSON.parse(slurm.stdout) as AuditJson);
    const here = await snap(JSON.parse(local.stdout) as AuditJson);
    expect(fs.realpathSync(onNode.software.python.prefix)).toBe(fs.realpathSync(nodeEnv));
    expect(onNode.software.packages.map((p) => p.name)).not.toContain('numpy');
    expect(onNode.warnings.join(' ')).not.toMatch(/did not answer on the node/);
    expect(here.software.python.prefix).toBe('/usr');
    expect(here.software.packages.map((p) => p.name)).toContain('numpy');
  }, 180_000);

  it('a crash while jobs are queued, then --resume: every job collected once, none submitted again', async () => {
    const store = newStore();
    const repo = gitRepo(quickProject);
    const run = spawnCli(slurmAuditArgs({ store, repo, repeats: 3, jobs: 3, extra: ['--slurm-option=--hold'] }));
    const id = await until('the audit record', () => latestAuditId(store));
    const prefix = `reproscope-${id.slice(0, 8)}`;
    const queued = await until('three held jobs', () => {
      const j = jobsNamed(prefix);
      return j.length === 3 && j.every((x) => x.state === 'PENDING') ? j : null;
    });
    // the audit state has each job id before reproscope goes away
    await until('job ids in the audit state', () => {
      const a = JSON.parse(
        execFileSync(
          process.execPath,
          [path.join(REPO_ROOT, 'bin', 'reproscope.cjs'), '--store', store, 'show-audit', id, '--json'],
          { encoding: 'utf8' },
        ),
      ) as AuditJson;
      return reruns(a).every((r) => r.job?.phase === 'queued');
    });
    try {
      run.child.kill('SIGKILL');
      await run.exit;
      execFileSync('scontrol', ['release', ...queued.map((j) => j.id)]);
      // the jobs run and write their results while no reproscope watches; resume must keep what they wrote
      await until('the released jobs to end', () => {
        const j = jobsNamed(prefix);
        return j.length === 3 && j.every((x) => !/PENDING|RUNNING|COMPLETING|CONFIGURING/.test(x.state));
      });
      const resumed = await runCli(['--store', store, 'audit', repo, '--resume', id, '--json']);
      expect(resumed.code, resumed.stderr).toBe(0);
      const a = JSON.parse(resumed.stdout) as AuditJson;
      expect(a).toMatchObject({ status: 'finished', verdict: 'reproduced-exact', metrics: { x: anything() } });
      expect(reruns(a).every((r) => r.status === 'finished')).toBe(true);
      expect(
        reruns(a)
          .map((r) => r.job!.id)
          .sort(),
      ).toEqual(queued.map((j) => j.id).sort());
      expect(
        jobsNamed(prefix)
          .map((j) => j.id)
          .sort(),
      ).toEqual(queued.map((j) => j.id).sort());
      expect(new Set(reruns(a).map((r) => r.runId)).size).toBe(3);
    } finally {
      // a failed assertion must not leave held jobs on the cluster
      execFileSync(
        'scancel',
        queued.map((j) => j.id),
      );
    }
  }, 180_000);

  it('Ctrl-C cancels the queued and running jobs: squeue has none of them left', async () => {
    const store = newStore();
    const repo = gitRepo(slowProject);
    // the rerun's own output (which says it is sleeping) is printed only with --verbose
    const run = spawnCli(slurmAuditArgs({ store, repo, repeats: 3, jobs: 3, extra: ['--verbose'] }));
    await until('a running rerun', () => /sleeping/.test(run.stderr()), 90_000);
    const id = latestAuditId(store)!;
    const prefix = `reproscope-${id.slice(0, 8)}`;
    expect(jobsNamed(prefix).some((j) => j.state === 'RUNNING')).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.exit, run.stderr()).toBe(130);
    expect(jobsNamed(prefix).filter((j) => /PENDING|RUNNING|CONFIGURING|COMPLETING/.test(j.state))).toEqual([]);
    const a = JSON.parse((await runCli(['--store', store, 'show-audit', id, '--json'])).stdout) as AuditJson;
    expect(a.status).toBe('interrupted');
    expect(reruns(a).every((r) => r.status === 'pending' && !r.job)).toBe(true);
  }, 180_000);

  it("a submission Slurm rejects fails its reruns with sbatch's own message", async () => {
    const store = newStore();
    const repo = gitRepo(files('deterministic'));
    const r = await runCli(
      slurmAuditArgs({ store, repo, repeats: 2, extra: ['--json', '--slurm-partition', 'no-such-partition'] }),
    );
    const a = JSON.parse(r.stdout) as AuditJson;
    expect(a.verdict).toBe('failed');
    for (const x of reruns(a)) expect(x.error).toMatch(/sbatch rejected the job: .*invalid partition/i);
  }, 120_000);
});

describe('--runner slurm where Slurm is not installed', () => {
  it('says so before anything runs', async () => {
    const store = newStore();
    const repo = gitRepo(files('deterministic'));
    // a PATH with node and nothing else (node itself lives in /usr/bin here, beside sbatch)
    const nodeOnly = tempDir();
    fs.symlinkSync(process.execPath, path.join(nodeOnly, 'node'));
    const r = await runCli(slurmAuditArgs({ store, repo }), {
      env: { PATH: nodeOnly },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Slurm commands sbatch, squeue, scontrol, scancel are not on PATH/);
    expect(fs.existsSync(path.join(store, 'audit-work'))).toBe(false);
  }, 60_000);
});
