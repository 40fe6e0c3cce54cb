// Audit figure of issue 3: orchestration overhead per rerun (worktree, MLflow store, probe,
// bookkeeping) of `reproscope audit` with --env-manager local, against running the rendered
// command directly the same number of times. Uses the built CLI (npm run build) as a subprocess.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'bin', 'reproscope.cjs');
const PYTHON = '/usr/bin/python3';
const N = 8;

const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

function gitRepo(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@b',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@b',
  };
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '-A'],
    ['commit', '-q', '-m', 'bench'],
  ])
    execFileSync('git', args, { cwd: dir, env });
}

/** User + system seconds from bash's `time` with TIMEFORMAT='%3U %3S' (its last line of stderr). */
function cpuOf(stderr) {
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (!m) throw new Error(`no CPU time in ${stderr.slice(-200)}`);
  return Number(m[1]) + Number(m[2]);
}

export async function bench(report) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-bench-audit-'));
  try {
    const project = path.join(work, 'project');
    // a small numpy job (~0.3 s), like the shortest real training step
    gitRepo(project, {
      MLproject:
        'name: bench\nentry_points:\n  main:\n    parameters:\n      n: {type: int, default: 300}\n    command: "python train.py --n {n}"\n',
      'train.py':
        'import argparse, json\nimport numpy as np\np = argparse.ArgumentParser(); p.add_argument("--n", type=int); a = p.parse_args()\nrng = np.random.default_rng(0)\nX = rng.normal(size=(a.n, a.n))\njson.dump({"trace": float(np.trace(np.linalg.inv(X @ X.T + np.eye(a.n))))}, open("metrics.json", "w"))\n',
    });
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(PYTHON, path.join(bin, 'python'));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const command = 'python train.py --n 300';
    spawnSync('bash', ['-c', command], { cwd: project, env }); // warm the page cache
    // the N direct runs in one bash, timed by bash: wall for the main figure, CPU (user + sys, children included) for the
    // second, which a loaded machine cannot inflate the way it inflates wall time
    const loop = `for i in $(seq ${N}); do ${command} >/dev/null || exit 9; done`;
    let t0 = process.hrtime.bigint();
    const d = spawnSync('bash', ['-c', `TIMEFORMAT='%3U %3S'; time (${loop})`], {
      cwd: project,
      env,
      encoding: 'utf8',
    });
    if (d.status !== 0) throw new Error(`the command failed: ${d.stderr}`);
    const direct = secs(t0) / N;
    const directCpu = cpuOf(d.stderr) / N;
    const store = path.join(work, 'store');
    t0 = process.hrtime.bigint();
    const quote = (a) => `'${a.replace(/'/g, `'\\''`)}'`;
    const argv = [process.execPath, cli, '--store', store, 'audit', project, '--python', PYTHON];
    argv.push('--repeats', String(N), '--yes', '--json');
    const r = spawnSync('bash', ['-c', `TIMEFORMAT='%3U %3S'; time (${argv.map(quote).join(' ')} 2>/dev/null)`], {
      cwd: project,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const total = secs(t0);
    if (r.status !== 0) throw new Error(`the audit failed (${r.status}): ${r.stderr}`);
    const auditCpu = cpuOf(r.stderr);
    const audit = JSON.parse(r.stdout);
    if (audit.verdict !== 'reproduced-exact') throw new Error(`unexpected verdict ${audit.verdict}`);
    const reruns = audit.groups.reduce((n, g) => n + g.reruns.length, 0);
    const perRerun = total / reruns;
    report(
      `audit wall time per rerun (${reruns} reruns, local env)`,
      perRerun,
      's',
      'the rendered command run directly',
      direct,
      { within: 0.5 },
    );
    report(
      `audit CPU per rerun, children included (${reruns} reruns; load average ${os.loadavg()[0].toFixed(1)})`,
      auditCpu / reruns,
      's',
      'the command alone',
      directCpu,
      { within: 0.5 },
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
