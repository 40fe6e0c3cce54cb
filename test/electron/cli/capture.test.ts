// `reproscope capture` on a real scikit-learn training: what it records, exit codes, --json, signals, and bad input.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, nonFiniteReviver } from '../../../shared/snapshot/snapshot-codec';
import { GetRunLogOutput, ListRunsOutput } from '../../../shared/api/api';
import { git, gitRepo, runCli, SYSTEM_PYTHON, tempDir, writeFiles } from '../../helpers/temp';
import { parseJson } from '../../helpers/typed';

// A real scikit-learn training run: reads a CSV, fits a seeded model, writes metrics and a model file.
const TRAIN = `
import argparse, json, os, pickle, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
p = argparse.ArgumentParser()
p.add_argument("--seed", type=int, default=0)
p.add_argument("--fail", action="store_true")
a = p.parse_args()
data = np.loadtxt("data/train.csv", delimiter=",")
X, y = data[:, :-1], data[:, -1]
clf = LogisticRegression(random_state=a.seed, max_iter=200).fit(X, y)
acc = float(clf.score(X, y))
os.makedirs("out", exist_ok=True)
pickle.dump(clf, open("out/model.pkl", "wb"))
json.dump({"accuracy": acc, "train": {"n": int(len(y))}}, open("metrics.json", "w"))
print("accuracy", acc)
print("warning: done", file=sys.stderr)
sys.exit(3 if a.fail else 0)
`;

function project(): string {
  const rows = Array.from({ length: 60 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 2}`).join('\n');
  const repo = gitRepo({
    'train.py': TRAIN,
    'requirements.txt': 'scikit-learn==1.2.1\nnumpy\n',
    '.gitignore': 'out/\nmetrics.json\n',
  });
  writeFiles(repo, { 'data/train.csv': `${rows}\n` });
  return repo;
}

function show(store: string, id: string) {
  return runCli(['--store', store, 'show', id, '--json']).then((r) =>
    parseSnapshot(JSON.parse(r.stdout, nonFiniteReviver)),
  );
}

describe('reproscope capture', () => {
  it('runs a real scikit-learn training as it would run alone and records every category', async () => {
    const repo = project();
    const store = tempDir();
    const res = await runCli(
      [
        '--store',
        store,
        'capture',
        '--name',
        'baseline',
        '--data',
        'data/',
        '--metrics',
        'metrics.json',
        '--outputs',
        'out',
        '--env',
        'MY_EXPERIMENT_FLAG',
        '--',
        SYSTEM_PYTHON,
        'train.py',
        '--seed',
        '1',
      ],
      {
        cwd: repo,
        env: {
          OMP_NUM_THREADS: '1',
          MY_EXPERIMENT_FLAG: 'on',
          GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
        },
      },
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^accuracy 0\.\d+/m); // live output passed through
    expect(res.stderr).toMatch(/recorded run [0-9a-f]{8}/);

    const list = await runCli(['--store', store, 'runs']);
    expect(list.stdout).toMatch(/baseline/);
    const id = /recorded run ([0-9a-f]{8})/.exec(res.stderr)![1]!;
    const s = await show(store, id);
    expect(s.name).toBe('baseline');
    expect(s.code).toMatchObject({
      vcs: 'git',
      commit: git(repo, 'rev-parse', 'HEAD').trim(),
      branch: 'main',
      dirty: true,
    });
    expect(s.code.untracked.map((u) => u.path)).toEqual(['data/train.csv']);
    expect(s.data.inputs[0]).toMatchObject({ path: 'data/', kind: 'dir', fileCount: 1 });
    expect(s.software.python.executable).toBe(SYSTEM_PYTHON);
    expect(s.software.packages.some((p) => p.name.toLowerCase() === 'scikit-learn')).toBe(true);
    expect(s.software.envSpecs.map((e) => e.path)).toContain('requirements.txt');
    expect(s.hardware.cpu?.cores).toBeGreaterThan(0);
    expect(s.randomness.seeds).toEqual([{ source: 'argv', name: 'seed', value: '1' }]);
    expect(
      s.randomness.scan.findings.some((f) => f.rule === 'random-state' && f.file === 'train.py' && f.line === 11),
    ).toBe(true);
    expect(s.process.env).toMatchObject({ OMP_NUM_THREADS: '1', MY_EXPERIMENT_FLAG: 'on' });
    expect(JSON.stringify(s)).not.toContain('ghp_abcdefghij');
    expect(s.outcome.status).toBe('finished');
    expect(s.outcome.metrics.accuracy!.value).toBeGreaterThan(0.4);
    expect(s.outcome.metrics['train.n']!.value).toBe(60);
    expect(s.outcome.artifacts[0]).toMatchObject({ path: 'out', fileCount: 1 });
    const logs = await runCli(['--store', store, 'logs', id]);
    expect(logs.stdout).toMatch(/^accuracy/);

    const text = await runCli(['--store', store, 'show', id.slice(0, 6)]);
    for (const heading of ['Code', 'Data', 'Software', 'Hardware', 'Randomness', 'Process', 'Outcome'])
      expect(text.stdout).toContain(`\n${heading}\n`);
  });

  it("passes the command's exit code through and records the run as failed", async () => {
    const repo = project();
    const store = tempDir();
    const res = await runCli(['--store', store, 'capture', '--', SYSTEM_PYTHON, 'train.py', '--fail'], { cwd: repo });
    expect(res.code).toBe(3);
    const list = await runCli(['--store', store, 'runs', '--json']);
    expect(parseJson(list.stdout, ListRunsOutput).runs[0]).toMatchObject({ status: 'failed', exitCode: 3 });
  });

  it('prints the snapshot alone as JSON with --json, the command output kept for reproscope logs', async () => {
    const repo = project();
    const store = tempDir();
    const res = await runCli(['--store', store, 'capture', '--json', '--', SYSTEM_PYTHON, 'train.py'], { cwd: repo });
    expect(res.code, res.stderr).toBe(0);
    const snap = JSON.parse(res.stdout) as { id: string; outcome: { status: string } };
    expect(snap.outcome.status).toBe('finished');
    const log = parseJson(
      (await runCli(['--store', store, 'logs', snap.id.slice(0, 8), '--json'])).stdout,
      GetRunLogOutput,
    );
    expect(log.text).toMatch(/^accuracy /);
  });

  it('records a run interrupted by a signal as interrupted', async () => {
    const dir = tempDir();
    const store = tempDir();
    writeFiles(dir, { 'slow.py': 'import time, sys\nprint("started", flush=True)\ntime.sleep(30)\n' });
    let pid = 0;
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((r) => (markStarted = r));
    const done = runCli(['--store', store, 'capture', '--', SYSTEM_PYTHON, 'slow.py'], {
      cwd: dir,
      onSpawn: (p) => {
        pid = p;
      },
      // the signal goes once the command runs (a fixed delay raced reproscope's start on a loaded machine)
      onStdout: (soFar) => {
        if (soFar.includes('started')) markStarted();
      },
    });
    await started;
    process.kill(pid, 'SIGINT');
    const res = await done;
    expect(res.code).toBe(130);
    const list = parseJson((await runCli(['--store', store, 'runs', '--json'])).stdout, ListRunsOutput);
    expect(list.runs[0]).toMatchObject({ status: 'interrupted' });
  });

  it('refuses bad input with a clear error and leaves the store as it was', async () => {
    const repo = project();
    const store = tempDir();
    const missingData = await runCli(
      ['--store', store, 'capture', '--data', 'nope/', '--', SYSTEM_PYTHON, 'train.py'],
      { cwd: repo },
    );
    expect(missingData.code).toBe(2); // bad input exits 2 (issue 10)
    expect(missingData.stderr).toMatch(/data path nope\/ does not exist/);

    const noCommand = await runCli(['--store', store, 'capture', '--', 'trian-typo.py'], { cwd: repo });
    expect(noCommand.code).toBe(127);
    expect(noCommand.stderr).toMatch(/command not found: trian-typo\.py/);

    // (a bad --metrics file no longer throws the run away: test/hostile/capture-inputs.test.ts)
    const list = parseJson((await runCli(['--store', store, 'runs', '--json'])).stdout, ListRunsOutput);
    expect(list.total).toBe(0);
  });

  it.runIf(process.getuid?.() === 0)('names a data file it cannot read (run as an unprivileged user)', async () => {
    const dir = tempDir();
    const store = tempDir();
    writeFiles(dir, { 'data/ok.csv': '1', 'data/secret.csv': '2' });
    fs.chmodSync(path.join(dir, 'data', 'secret.csv'), 0o000);
    for (const d of [dir, path.join(dir, 'data')]) fs.chmodSync(d, 0o755);
    fs.chmodSync(store, 0o777);
    const res = await runCli(['--store', store, 'capture', '--data', 'data', '--', '/bin/true'], {
      cwd: dir,
      uid: 65534,
      gid: 65534,
      env: { HOME: store },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot read ${path.join(dir, 'data', 'secret.csv')}`);
  });

  it('says clearly when the store is from a newer reproscope', async () => {
    const store = tempDir();
    await runCli(['--store', store, 'runs']);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(store, 'reproscope.db'));
    db.pragma('user_version = 999');
    db.close();
    const res = await runCli(['--store', store, 'runs']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/newer than this reproscope understands[\s\S]*Upgrade reproscope/);
  });

  it('uses REPROSCOPE_HOME when --store is not given, so every face shares one store', async () => {
    const home = tempDir();
    const dir = tempDir();
    await runCli(['capture', '--name', 'from-env', '--', SYSTEM_PYTHON, '-c', 'pass'], {
      cwd: dir,
      env: { REPROSCOPE_HOME: home },
    });
    expect(fs.existsSync(path.join(home, 'reproscope.db'))).toBe(true);
    const list = await runCli(['runs'], { env: { REPROSCOPE_HOME: home } });
    expect(list.stdout).toMatch(/from-env/);
  });
});
