// Audit figure of issue 16: what the Slurm runner adds to each rerun beyond the job's own time, with 20 reruns in
// flight on the local one-node cluster (scripts/local-slurm.sh), against the local runner on the same 20 jobs.
// The runners are driven directly (bundled from source with esbuild) so the figure is scheduling alone: per job,
// (when run() resolved − when it was called) − (the job's own time, as the job recorded it).
import { execFileSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = 20;
const JOB_S = 2;

async function runAll(runner, work, label) {
  const controller = new AbortController();
  setMaxListeners(200, controller.signal);
  const jobs = Array.from({ length: N }, (_, i) => {
    const dir = path.join(work, label, `job-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    return { dir, i };
  });
  const overheads = await Promise.all(
    jobs.map(async ({ dir, i }) => {
      const called = Date.now();
      const r = await runner.run({
        argv: ['bash', '-c', `sleep ${JOB_S}`],
        cwd: dir,
        env: process.env,
        timeoutMs: null,
        signal: controller.signal,
        dir,
        name: `reproscope-bench-${label}-${i}`,
        batch: `reproscope-bench-${label}`,
      });
      if (r.exitCode !== 0) throw new Error(`${label} job ${i} failed: ${r.failure ?? r.stderr.data.toString()}`);
      const done = Date.now();
      return [
        (done - called - (r.endedAt.getTime() - r.startedAt.getTime())) / 1000,
        (r.startedAt.getTime() - called) / 1000,
        (done - r.endedAt.getTime()) / 1000,
      ];
    }),
  );
  const mean = (k) => overheads.reduce((a, b) => a + b[k], 0) / overheads.length;
  return { total: mean(0), start: mean(1), collect: mean(2) };
}

export async function bench(report) {
  try {
    execFileSync(path.join(root, 'scripts', 'local-slurm.sh'), ['start'], { stdio: 'pipe' });
  } catch (e) {
    console.log(`SKIP  the local Slurm cluster could not start: ${String(e.stderr ?? e.message).trim()}`);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-bench-slurm-'));
  try {
    const bundle = path.join(work, 'runner.cjs');
    await build({
      entryPoints: [path.join(root, 'electron/core/audit/runner-choice.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'warning',
    });
    const { runnerFor } = await import(pathToFileURL(bundle).href);
    const localRunner = runnerFor({});
    const slurm = runnerFor({ runner: { kind: 'slurm', partition: null, options: [] } });
    const local = await runAll(localRunner, work, 'local');
    const onCluster = await runAll(slurm, work, 'slurm');
    console.log(
      `      slurm: ${onCluster.start.toFixed(2)} s from run() to the job starting on the node (batching, sbatch, scheduling, launch), ${onCluster.collect.toFixed(2)} s from its end to its result`,
    );
    console.log(
      `      ${N} jobs of ${JOB_S} s in flight at once; the node advertises more CPUs than this 2-core machine has (scripts/local-slurm.sh), the jobs only sleep`,
    );
    report(
      `Slurm runner overhead per rerun beyond the job's own time (${N} in flight, local cluster)`,
      onCluster.total,
      's',
      'the local runner, same jobs',
      local.total,
      { below: 1 },
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
