// Audit campaigns on real projects: timeouts, git URLs, MLflow's quoting, and each source of variance traced (hash seed, unseeded, threads, data).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Audit } from '../../../../shared/audit/audit';
import { unquoteLogged } from '../../../../electron/core/audit/project';
import { captureRun } from '../../../../electron/core/capture/capture';
import { createHandlers } from '../../../../electron/core/handlers';
import type { ApiInput } from '../../../../shared/api/api';
import { tempCore } from '../../../helpers/store';
import { git, gitRepo, REPO_ROOT, SYSTEM_PYTHON } from '../../../helpers/temp';

const PROJECTS = path.join(REPO_ROOT, 'test', 'fixtures', 'projects');

function fixtureFiles(name: string): Record<string, string> {
  const dir = path.join(PROJECTS, name);
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f !== 'metrics.json')
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

async function audit(input: ApiInput<'startAudit'>, ctx = tempCore()): Promise<Audit> {
  const res = await createHandlers(ctx).startAudit({ python: SYSTEM_PYTHON, repeats: 3, ...input, wait: true });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value;
}

const values = (a: Audit, group: string, metric: string): number[] =>
  a.groups.find((g) => g.name === group)!.reruns.map((r) => r.metrics[metric]!);

describe('audit campaign on real projects', () => {
  it('a rerun past --timeout is stopped and the audit fails with the reason kept', async () => {
    const repo = gitRepo({
      MLproject: 'entry_points:\n  main:\n    command: "python -c \'import time; time.sleep(30)\'"\n',
    });
    const a = await audit({ project: repo, repeats: 1, timeoutS: 0.5 });
    expect(a).toMatchObject({ status: 'finished', verdict: 'failed' });
    expect(a.groups[0]!.reruns[0]).toMatchObject({ status: 'timed-out', error: 'stopped by the timeout (0.5 s)' });
    expect(a.explanation).toMatch(/1 of 1 baseline reruns failed \(first: stopped by the timeout/);
  }, 30_000);

  it('audits a git URL at a given commit (cloned once into the store) and reads a project for the form', async () => {
    const repo = gitRepo({
      MLproject:
        'name: url-demo\nentry_points:\n  main:\n    parameters:\n      seed: {type: int, default: 3}\n    command: "python run.py {seed}"\n',
      'run.py':
        'import json, random, sys\nprint("interpreter", sys.executable)\njson.dump({"v": random.Random(int(sys.argv[1])).random()}, open("metrics.json", "w"))\n',
    });
    const first = git(repo, 'rev-parse', 'HEAD').trim();
    fs.writeFileSync(path.join(repo, 'run.py'), 'raise SystemExit(3)\n');
    git(repo, 'commit', '-qam', 'break it');
    const ctx = tempCore();
    const a = await audit({ project: `file://${repo}`, version: first.slice(0, 10), repeats: 2 }, ctx);
    expect(a).toMatchObject({
      status: 'finished',
      verdict: 'reproduced-exact',
      commit: first,
      project: { kind: 'git-url', name: 'url-demo' },
    });
    expect(fs.readdirSync(path.join(ctx.store.dir, 'git-cache'))).toHaveLength(1);
    // --python: python in the command is that interpreter
    const log = await createHandlers(ctx).getRunLog({ id: a.groups[0]!.reruns[0]!.runId!, stream: 'stdout' });
    expect(log.ok && log.value.text).toBe(`interpreter ${SYSTEM_PYTHON}\n`);
    const info = await createHandlers(ctx).readProject({ project: repo });
    expect(info.ok && info.value).toMatchObject({
      name: 'url-demo',
      seedParameters: { main: ['seed'] },
      env: { kind: 'none' },
    });
    fs.writeFileSync(
      path.join(repo, 'MLproject'),
      'name: renamed\nentry_points:\n  main:\n    command: "python run.py 1"\n',
    );
    git(repo, 'commit', '-qam', 'rename');
    const then = await createHandlers(ctx).readProject({ project: repo, version: first });
    expect(then.ok && then.value).toMatchObject({ name: 'url-demo', commit: first, fileName: 'MLproject' });
  }, 60_000);

  it('undoes the quoting of parameters MLflow logged', () => {
    expect(unquoteLogged("'a b'")).toBe('a b');
    expect(unquoteLogged(`'O'"'"'Neil'`)).toBe("O'Neil");
    expect(unquoteLogged('0.5')).toBe('0.5');
  });

  it('a seeded scikit-learn project reproduces exactly, with no sources, and the checkout is untouched', async () => {
    const repo = gitRepo(fixtureFiles('deterministic'));
    const ctx = tempCore();
    const a = await audit({ project: repo, jobs: 2 }, ctx);
    expect(a.status).toBe('finished');
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.sources).toEqual([]);
    expect(a.command).toBe('python train.py --seed 42 --C 1.0');
    expect(a.plan.seedParam).toBe('seed');
    expect(a.groups.map((g) => g.name)).toEqual(['baseline', 'seeds']);
    expect(a.groups[1]!.reruns.map((r) => r.seed)).toEqual(['1', '2', '3']);
    // metrics came back from the MLflow file store the script logged into
    expect(Object.keys(a.metrics).sort()).toEqual(['accuracy', 'log_loss']);
    const snap = ctx.runs.get(a.groups[0]!.reruns[0]!.runId!);
    expect(snap.kind).toBe('rerun');
    expect(snap.auditId).toBe(a.id);
    expect(snap.outcome.metrics.log_loss!.history).toHaveLength(3);
    expect(snap.process.parameters).toEqual({ seed: '42', C: '1.0' });
    expect(snap.software.python.status).toBe('ok');
    expect(snap.tags['mlflow.project.entryPoint']).toBe('main');
    expect(a.metrics.accuracy!.groups.baseline!.allBitwiseEqual).toBe(true);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(fs.existsSync(path.join(ctx.store.dir, 'audit-work', a.id))).toBe(false);
    // parallel reruns do not change what a deterministic project produces
    const serial = await audit({ project: repo, jobs: 1, repeats: 2 }, ctx);
    expect(values(serial, 'baseline', 'log_loss')).toEqual(values(a, 'baseline', 'log_loss').slice(0, 2));
    expect(values(serial, 'seeds', 'accuracy')).toEqual(values(a, 'seeds', 'accuracy').slice(0, 2));
  }, 120_000);

  it('a project that depends on PYTHONHASHSEED is traced to it by pinning', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('hashseed')), jobs: 2 });
    // without --against the question is whether identical reruns agree: they do not
    expect(a.verdict).toBe('not-reproduced');
    expect(a.explanation).toMatch(/Identical reruns disagree: mse varies .* nondeterministic/);
    expect(a.groups.map((g) => g.name)).toEqual(['baseline', 'pin:hashseed', 'pin:threads']);
    expect(a.metrics.mse!.groups['pin:hashseed']!.allBitwiseEqual).toBe(true);
    expect(a.sources[0]).toMatchObject({ category: 'randomness', factor: 'PYTHONHASHSEED', kind: 'pinned', rank: 1 });
    expect(a.sources.some((s) => s.kind === 'uncontrolled')).toBe(false);
  }, 120_000);

  it('an unseeded generator is uncontrolled nondeterminism, with the seed scan as suspect', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('unseeded')), jobs: 2 });
    expect(['statistically-consistent', 'not-reproduced']).toContain(a.verdict);
    const u = a.sources.find((s) => s.kind === 'uncontrolled')!;
    expect(u).toMatchObject({ category: 'randomness', factor: 'uncontrolled nondeterminism' });
    expect(u.evidence.join('\n')).toMatch(/train\.py:\d+(:\d+)? unseeded-default-rng/);
    expect(a.sources.some((s) => s.kind === 'pinned' && s.effects.some((e) => e.after === 0))).toBe(false);
  }, 120_000);

  it('a project whose numbers follow the thread count is named by --vary threads', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('threads')), vary: ['threads'], jobs: 2 });
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.groups.find((g) => g.name === 'vary:threads')!.reruns.map((r) => r.env.OMP_NUM_THREADS)).toEqual([
      '1',
      '2',
      '4',
    ]);
    expect(a.sources).toHaveLength(1);
    expect(a.sources[0]).toMatchObject({ category: 'process', factor: 'thread count', kind: 'varied' });
    expect(a.sources[0]!.effects.find((e) => e.metric === 'loss')!.absolute).toBeGreaterThan(0);
  }, 120_000);

  it('data that changed after the original run is a data source; --strict-data stops the audit', async () => {
    const repo = gitRepo(fixtureFiles('data-change'));
    const ctx = tempCore();
    const original = await captureRun(
      {
        argv: [SYSTEM_PYTHON, 'train.py', '--data', 'data.csv'],
        cwd: repo,
        data: ['data.csv'],
        metrics: ['metrics.json'],
      },
      { runs: ctx.runs, hashCache: ctx.hashCache },
    );
    fs.rmSync(path.join(repo, 'metrics.json'));
    expect(original.snapshot.outcome.metrics.rmse).toBeDefined();
    fs.appendFileSync(path.join(repo, 'data.csv'), '3.0,3.0,9.5\n-2.0,1.0,4.0\n');
    // the captured command reads data.csv from the rerun's copy of the commit, not the checkout's edit:
    // hashed as the reruns see it, the data is unchanged and the original reproduces (issue 10, item 7)
    const asSeen = await audit({ project: repo, against: original.snapshot.id.slice(0, 8), repeats: 2 }, ctx);
    expect(asSeen.dataChecks).toEqual([expect.objectContaining({ path: 'data.csv', same: true })]);
    expect(asSeen.verdict).toBe('reproduced-exact');
    expect(asSeen.sources.some((s) => s.kind === 'data')).toBe(false);
    // the MLproject entry point passes data.csv as an absolute path parameter: the reruns read the edited checkout
    const a = await audit({ project: repo, entryPoint: 'main', against: original.snapshot.id.slice(0, 8) }, ctx);
    expect(a.referenceKind).toBe('original');
    expect(a.referenceRunId).toBe(original.snapshot.id);
    expect(a.dataChecks).toEqual([expect.objectContaining({ path: 'data.csv', same: false })]);
    expect(a.verdict).toBe('not-reproduced');
    expect(a.sources[0]).toMatchObject({ category: 'data', factor: 'data:data.csv', kind: 'data', rank: 1 });
    const strict = await audit(
      { project: repo, entryPoint: 'main', against: original.snapshot.id, strictData: true },
      ctx,
    );
    expect(strict).toMatchObject({ status: 'failed', verdict: 'failed' });
    expect(strict.error).toMatch(/data changed since the original run: data\.csv/);
    expect(strict.groups[0]!.reruns.every((r) => r.status === 'pending')).toBe(true);
  }, 120_000);

  it('an interrupted audit kills the rerun in flight, removes its worktree, and resumes to the end', async () => {
    const repo = gitRepo({
      MLproject: 'entry_points:\n  main:\n    parameters:\n      gate: string\n    command: "python slow.py {gate}"\n',
      'slow.py':
        'import json, os, sys, time\nprint("started", os.getpid(), flush=True)\nwhile os.path.exists(sys.argv[1]):\n    time.sleep(0.05)\njson.dump({"x": 1.5}, open("metrics.json", "w"))\n',
    });
    const gate = path.join(repo, '..', `${path.basename(repo)}-gate`);
    fs.writeFileSync(gate, '');
    const ctx = tempCore();
    const handlers = createHandlers(ctx);
    let pid = 0;
    let printed = ''; // a loaded machine may deliver "started 123" in two chunks
    const unsubscribe = ctx.events.subscribe((e) => {
      if (e.phase === 'log') printed += e.message ?? '';
      const m = /started (\d+)\n/.exec(printed);
      if (e.phase === 'log' && m && !pid) {
        pid = Number(m[1]);
        void handlers.cancelAudit({ id: String(e.detail?.auditId) });
      }
    });
    const first = await handlers.startAudit({
      project: repo,
      parameters: { gate },
      python: SYSTEM_PYTHON,
      repeats: 2,
      wait: true,
    });
    unsubscribe();
    expect(first.ok).toBe(true);
    const a = (first as { value: Audit }).value;
    expect(a.status).toBe('interrupted');
    expect(a.groups[0]!.reruns.map((r) => r.status)).toEqual(['pending', 'pending']);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(); // the whole tree is gone
    expect(fs.existsSync(path.join(ctx.store.dir, 'audit-work', a.id))).toBe(false);
    const stored = await handlers.getAudit({ id: a.id.slice(0, 8) });
    expect(stored.ok && stored.value.status).toBe('interrupted');
    fs.rmSync(gate);
    const resumed = await handlers.resumeAudit({ id: a.id, wait: true });
    expect(resumed.ok).toBe(true);
    const r = (resumed as { value: Audit }).value;
    expect(r).toMatchObject({ status: 'finished', verdict: 'reproduced-exact' });
    expect(r.groups[0]!.reruns.map((x) => x.metrics.x)).toEqual([1.5, 1.5]);
    const list = await handlers.listAudits({});
    expect(list.ok && list.value.audits[0]).toMatchObject({ id: a.id, status: 'finished', rerunsDone: 2, reruns: 2 });
  }, 120_000);
});
