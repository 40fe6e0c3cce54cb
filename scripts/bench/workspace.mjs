// Rerun workspace figures of issue 13: bringing a reused worktree of a large repository back to the
// commit for the next rerun, against git's own reset + clean in the same worktree, and against the
// old way (a fresh `git worktree add` + `remove --force` per rerun). The repository is generated:
// 5,000 files / 62 MB by default; BENCH_FULL=1 gives the 20,000 files / 250 MB.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBench } from '../bench-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'bin', 'reproscope.cjs');
const FULL = process.env.BENCH_FULL === '1';
const FILES = FULL ? 20_000 : 5_000;
const FILE_BYTES = 12_500; // 20k files → 250 MB, the repository

const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
};
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });

async function loadLib() {
  fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
  const entry = path.join(root, '.bench', 'workspace-entry.ts');
  fs.writeFileSync(
    entry,
    `export { cachedClone, createWorkspace, removeWorkspace } from ${JSON.stringify(path.join(root, 'electron/platform/workspace.ts'))};\n` +
      `export { WorkspaceSlots } from ${JSON.stringify(path.join(root, 'electron/platform/workspace-slots.ts'))};`,
  );
  return bundleForBench(entry, 'workspace-lib');
}

/** A repository of `files` pseudo-random (incompressible) files in 100 folders, one commit. */
export function generate(dir, files = FILES) {
  const buf = Buffer.alloc(FILE_BYTES);
  let x = 2463534242;
  for (let f = 0; f < files; f++) {
    for (let i = 0; i < FILE_BYTES; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      buf.writeUInt32LE(x >>> 0, i);
    }
    const sub = path.join(dir, 'src', `d${f % 100}`);
    if (f < 100) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${f}.bin`), buf);
  }
  // a metric to judge: an audit with nothing to compare is inconclusive (exit 4), which is not what is timed here
  fs.writeFileSync(path.join(dir, 'train.py'), 'import json\njson.dump({"x": 1.0}, open("metrics.json", "w"))\n');
  fs.writeFileSync(
    path.join(dir, 'MLproject'),
    'name: bench\nentry_points:\n  main:\n    command: "python3 train.py"\n',
  );
  fs.writeFileSync(path.join(dir, '.gitignore'), 'outputs/\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'bench');
}

/** What a rerun leaves behind: an edited tracked file, outputs, an ignored cache. */
function dirty(cwd) {
  fs.writeFileSync(path.join(cwd, 'train.py'), 'print("changed")\n');
  fs.mkdirSync(path.join(cwd, 'outputs'), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'outputs', 'model.bin'), Buffer.alloc(1 << 20, 7));
  fs.mkdirSync(path.join(cwd, '__pycache__'), { recursive: true });
  fs.writeFileSync(path.join(cwd, '__pycache__', 'train.pyc'), 'c');
}

export async function bench(report) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-bench-workspace-'));
  try {
    const lib = await loadLib();
    const repo = path.join(work, 'repo');
    let t0 = process.hrtime.bigint();
    generate(repo);
    const mb = (FILES * FILE_BYTES) / 1e6;
    console.log(`      (${FILES} files / ${mb.toFixed(0)} MB repository generated in ${secs(t0).toFixed(1)} s)`);
    const commit = git(repo, 'rev-parse', 'HEAD').toString().trim();
    const clone = await lib.cachedClone(repo, path.join(work, 'clones'), true);
    const source = { kind: 'git', projectDir: repo, clone, commit, patch: null, subdir: '', extraFiles: [] };

    const slots = new lib.WorkspaceSlots(source, path.join(work, 'slots'));
    t0 = process.hrtime.bigint();
    let lease = await slots.acquire();
    const firstSecs = secs(t0);
    const reuse = [];
    for (let i = 0; i < 3; i++) {
      dirty(lease.cwd);
      lease.release();
      t0 = process.hrtime.bigint();
      lease = await slots.acquire();
      reuse.push(secs(t0));
    }
    const raw = [];
    for (let i = 0; i < 3; i++) {
      dirty(lease.cwd);
      t0 = process.hrtime.bigint();
      git(lease.cwd, 'reset', '-q', '--hard', commit);
      git(lease.cwd, 'clean', '-q', '-ffdx');
      raw.push(secs(t0));
    }
    lease.release();
    await slots.close();
    report(
      `rerun workspace reused, ${FILES} files / ${mb.toFixed(0)} MB (s per rerun)`,
      median(reuse),
      's',
      'git reset --hard + clean -ffdx',
      median(raw),
      { below: 0.5 },
    );

    // The old way, once: a fresh worktree per rerun, removed after it.
    const dest = path.join(work, 'fresh');
    t0 = process.hrtime.bigint();
    await lib.createWorkspace(source, dest);
    dirty(dest);
    await lib.removeWorkspace(source, dest);
    const freshSecs = secs(t0);
    report(
      `rerun workspace made fresh per rerun (worktree add + remove), for comparison`,
      freshSecs,
      's',
      'reused workspace',
      median(reuse),
    );
    console.log(`      (first checkout of a slot: ${firstSecs.toFixed(2)} s, once per concurrent rerun)`);

    // What a user feels: audits of the large repository against the same audits of a 1-file one. The
    // difference per extra rerun (2 against 6 repeats) is what each rerun costs for the repository's size;
    // what is left is paid once per audit (clone, inspection checkout, code state), against a plain clone.
    const small = path.join(work, 'small');
    generate(small, 1);
    let stores = 0;
    const audit = (project, repeats) => {
      const t = process.hrtime.bigint();
      const store = path.join(work, `store-${stores++}`); // a store of its own: no clone cached by an earlier audit
      const args = [cli, '--store', store, 'audit', project, '--repeats', String(repeats), '--yes', '--json'];
      const r = spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`the audit failed (${r.status}): ${r.stderr}`);
      const reruns = JSON.parse(r.stdout).groups.reduce((n, g) => n + g.reruns.length, 0);
      fs.rmSync(store, { recursive: true, force: true });
      return { secs: secs(t), reruns };
    };
    const slope = (a, b) => (b.secs - a.secs) / (b.reruns - a.reruns);
    const [small2, small6, large2, large6] = [audit(small, 2), audit(small, 6), audit(repo, 2), audit(repo, 6)];
    const perRerun = slope(large2, large6) - slope(small2, small6);
    report(
      `audit of the ${FILES}-file repository: added time per rerun (${large2.reruns} against ${large6.reruns} reruns)`,
      perRerun,
      's',
      null,
      null,
      { below: 0.5 },
    );
    t0 = process.hrtime.bigint();
    git(work, 'clone', '-q', repo, path.join(work, 'plain-clone'));
    const cloneSecs = secs(t0);
    report(
      `audit of the ${FILES}-file repository: paid once per audit (clone, inspection checkout, code state)`,
      large2.secs - small2.secs - large2.reruns * perRerun,
      's',
      'git clone of the repository',
      cloneSecs,
      { ratioAtMost: 2 },
    );
    console.log(
      `      (audits of a 1-file repository: ${small2.secs.toFixed(2)} s / ${small6.secs.toFixed(2)} s; ` +
        `of the large one: ${large2.secs.toFixed(2)} s / ${large6.secs.toFixed(2)} s)`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
