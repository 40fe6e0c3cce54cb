// Issue 10 on real code: MLflow-example-shaped projects (with the stand-in MLflow client), an unseeded torch MLP, a random() metric, a plain CLI script captured then audited --against.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Audit } from '../../../../shared/audit/audit';
import type { ApiInput } from '../../../../shared/api/api';
import { captureRun } from '../../../../electron/core/capture/capture';
import { createHandlers } from '../../../../electron/core/handlers';
import { buildReportDocument } from '../../../../electron/core/report/report-operations';
import { tempCore } from '../../../helpers/store';
import { gitRepo, REPO_ROOT, SYSTEM_PYTHON } from '../../../helpers/temp';
import { matching } from '../../../helpers/typed';

const PROJECTS = path.join(REPO_ROOT, 'test', 'fixtures', 'projects');
const MLFLOW_CLIENT = path.join(REPO_ROOT, 'test', 'fixtures', 'mlflow-client');

/** The ElasticNet project with MLflow's real wine-quality.csv (4,898 rows; test/fixtures/data-shift/SOURCE.txt). */
function elasticnetWine(): Record<string, string> {
  const csv = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'data-shift', 'wine-quality.csv'), 'utf8');
  return { ...fixtureFiles('mlflow-elasticnet-wine'), 'wine-quality.csv': csv };
}

function fixtureFiles(name: string): Record<string, string> {
  const dir = path.join(PROJECTS, name);
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => !['metrics.json', 'mlruns', 'out', '__pycache__'].includes(f))
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

async function audit(input: ApiInput<'startAudit'>, ctx = tempCore()): Promise<Audit> {
  const res = await createHandlers(ctx).startAudit({
    python: SYSTEM_PYTHON,
    repeats: 2,
    jobs: 2,
    ...input,
    wait: true,
  });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value;
}

// the reruns import the stand-in MLflow client as the scripts' `mlflow` (MLflow itself cannot be installed here)
let savedPythonPath: string | undefined;
beforeAll(() => {
  savedPythonPath = process.env.PYTHONPATH;
  process.env.PYTHONPATH = MLFLOW_CLIENT;
});
afterAll(() => {
  if (savedPythonPath === undefined) delete process.env.PYTHONPATH;
  else process.env.PYTHONPATH = savedPythonPath;
});

describe('verdicts that hold on real projects', () => {
  it('sklearn_elasticnet_wine logging a model reproduces exactly once MLmodel is normalised; conda.yaml pins are candidates', async () => {
    const a = await audit({ project: gitRepo(elasticnetWine()) });
    expect(a.verdict).toBe('reproduced-exact');
    // the model files were compared one by one, MLmodel after its run_id, model_uuid and time were removed
    expect(a.outputs).toMatchObject({ differing: [], normalised: ['artifacts/model/MLmodel'] });
    expect(a.outputs!.compared).toBe(5);
    expect(a.explanation).toMatch(/reproduced 3 metrics and 5 output files \(mae, r2, rmse\) bit for bit/);
    const raw = a.groups[0]!.reruns.map((r) => r.outputs!.find((f) => f.path === 'artifacts/model/MLmodel')!);
    expect(raw[0]!.rawSha256).not.toBe(raw[1]!.rawSha256);
    // a spurious MLmodel difference no longer makes the baseline "vary": no pin groups
    expect(a.groups.map((g) => g.name)).toEqual(['baseline']);
    // the declared environment (python=3.6, scikit-learn 0.19.1) against what the local rerun used
    expect(a.sources.map((s) => s.factor)).toEqual(
      expect.arrayContaining(['declared python', 'declared package:scikit-learn']),
    );
    expect(a.warnings.join('\n')).toMatch(/pins python 3\.6, scikit-learn 0\.19\.1, but --env-manager local reran/);
    // a pin is what the project asks for, not what an "original" used
    const pin = a.sources.find((s) => s.factor === 'declared package:scikit-learn')!;
    expect(pin.effect).toMatch(/^conda\.yaml pins scikit-learn 0\.19\.1; the reruns used \d/);
    expect(pin.evidence[0]).toBe('declared: 0.19.1 (declared in conda.yaml)');
  }, 180_000);

  it('sklearn_elasticnet_wine captured with its logged model, then audited --against: MLmodel is compared, not skipped', async () => {
    const repo = gitRepo({ ...elasticnetWine(), '.gitignore': 'mlruns/\n' });
    const ctx = tempCore();
    const original = await captureRun(
      {
        argv: [SYSTEM_PYTHON, 'train.py', '0.5', '0.1'],
        cwd: repo,
        env: { ...process.env, PYTHONPATH: MLFLOW_CLIENT },
      },
      { runs: ctx.runs, hashCache: ctx.hashCache },
    );
    // capture read the run the script logged to ./mlruns, and kept MLmodel's hash without its per-run fields
    expect(Object.keys(original.snapshot.outcome.metrics).sort()).toEqual(['mae', 'r2', 'rmse']);
    const artifacts = original.snapshot.outcome.artifacts.find((t) => t.path === 'artifacts')!;
    const mlmodel = artifacts.files.find((f) => f.path === 'model/MLmodel')!;
    expect(mlmodel.normalizedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(mlmodel.normalizedSha256).not.toBe(mlmodel.sha256);
    const a = await audit({ project: repo, against: original.snapshot.id }, ctx);
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.outputs).toMatchObject({ differing: [], uncomparable: [], normalised: ['artifacts/model/MLmodel'] });
    expect(a.outputs!.compared).toBe(5);
    expect(a.explanation).toMatch(/3 metrics and 5 output files/);
    // the script's own log_param calls are the reruns' parameters too, as they are the original's: no difference
    expect(original.snapshot.process.parameters).toEqual({ alpha: '0.5', l1_ratio: '0.1' });
    expect(a.sources.map((s) => s.factor)).not.toContain('parameter:alpha');
    expect(a.sources.filter((s) => s.category === 'process')).toEqual([]);
    // the report a reviewer reads: no environment difference (not the audit's `bash -c` around the same command),
    // and the appendix's artifact row agrees with the verdict (MLmodel by its normalised hash)
    const doc = buildReportDocument(ctx, 'audit', [a.id]);
    if (doc.kind !== 'audit') throw new Error('an audit report was expected');
    expect(doc.environment.differences.flatMap((d) => d.differences)).toEqual([]);
    const rows = doc.environment.appendix!.flatMap((sec) => sec.rows);
    expect(rows.find((r) => r.label === 'command')).toMatchObject({ status: 'same' });
    expect(rows.find((r) => r.label === 'artifact artifacts')).toMatchObject({
      status: 'same',
      a: matching(/MLflow's per-run fields normalised/),
    });
  }, 180_000);

  it('a model-only project (no metric) whose forest is unseeded: not reproduced, and the unseeded estimator is the likely source', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('mlflow-model-only-unseeded')) });
    expect(a.verdict).toBe('not-reproduced');
    expect(a.explanation).toMatch(/artifacts\/model\/model\.pkl differ between identical reruns/);
    // neither pin makes the forest the same: the model's difference is uncontrolled, the scan names its cause
    const uncontrolled = a.sources.find((s) => s.kind === 'uncontrolled')!;
    expect(uncontrolled.effect).toMatch(
      /^The baseline output files .*artifacts\/model\/model\.pkl.* differ between identical reruns/,
    );
    expect(uncontrolled.evidence[0]).toMatch(/modelling\.py:8:\d+ random-state-missing: RandomForestClassifier\(\)/);
  }, 180_000);

  it('a seeded fit that also reports its wall-clock time reproduces exactly: the time is reported, not judged', async () => {
    const a = await audit({
      project: gitRepo(fixtureFiles('timed-fit')),
      entryPoint: 'train.py',
      metrics: ['metrics.json'],
    });
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.judgement).toMatchObject({ judgedMetrics: ['accuracy'], reportedMetrics: ['train_time_s'] });
    // the time did vary (it is read and summarised), and is no source of variance
    expect(a.metrics.train_time_s!.groups.baseline!.allBitwiseEqual).toBe(false);
    expect(a.sources).toEqual([]);
  }, 180_000);

  it('a training.log with a time on every line, logged as an artifact, is listed, not compared: the fit reproduces exactly', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('mlflow-training-log')) });
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.outputs).toMatchObject({ differing: [], logs: ['artifacts/training.log'] });
    expect(a.explanation).toMatch(
      /Logs not compared: artifacts\/training\.log \(their lines carry the times they were written\)\.$/,
    );
    // each rerun's log was hashed all the same (its times make it differ), and is no source of variance
    for (const r of a.groups[0]!.reruns)
      expect(r.outputs!.find((f) => f.path === 'artifacts/training.log')!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.sources).toEqual([]);
  }, 180_000);

  it('a model saved under a folder named by the time of the run (Hydra-style) is paired across reruns and reproduces', async () => {
    const a = await audit({
      project: gitRepo(fixtureFiles('dated-outputs')),
      entryPoint: 'train.py',
      metrics: ['metrics.json'],
      outputs: ['outputs'],
      repeats: 3,
      jobs: 1,
    });
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.outputs).toMatchObject({ compared: 1, differing: [] });
    // the reruns really did write their model under folders of their own time
    const paths = a.groups[0]!.reruns.map((r) => r.outputs![0]!.path);
    for (const p of paths) expect(p).toMatch(/^outputs\/\d{4}-\d{2}-\d{2}\/\d{2}-\d{2}-\d{2}\/model\.pkl$/);
  }, 180_000);

  it('sklearn_logistic_regression (no start_run, a signature and an input example) reproduces exactly, 6 files compared', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('mlflow-logistic-regression')) });
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.outputs).toMatchObject({ compared: 6, differing: [], normalised: ['artifacts/model/MLmodel'] });
    expect(a.groups[0]!.reruns[0]!.outputs!.map((f) => f.path)).toContain('artifacts/model/input_example.json');
    expect(a.judgement).toMatchObject({ judgedMetrics: ['score'] });
  }, 180_000);

  it('xgboost_native reproduces exactly, its booster file compared byte for byte', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('mlflow-xgboost-native')) });
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.groups[0]!.reruns[0]!.outputs!.map((f) => f.path)).toContain('artifacts/model/model.xgb');
    expect(a.judgement).toMatchObject({ question: 'deterministic', judgedMetrics: ['accuracy', 'log_loss'] });
  }, 180_000);

  it('an unseeded torch MLP is not reproduced: identical reruns disagree, and the saved model is named', async () => {
    const a = await audit({ project: gitRepo(fixtureFiles('torch-mlp-unseeded')), outputs: ['out/model.pt'] });
    expect(a.verdict).toBe('not-reproduced');
    expect(a.explanation).toMatch(/Identical reruns disagree: (accuracy|loss) varies/);
    expect(a.outputs!.differing).toEqual([{ path: 'out/model.pt', kind: 'content', reruns: 1 }]);
    expect(a.sources.find((s) => s.kind === 'uncontrolled')).toBeDefined();
    expect(a.judgement!.power.length).toBeGreaterThan(0);
  }, 240_000);

  it('a random() metric: inconclusive at 3 reruns against the original, --repeats auto reruns to 5, a tolerance is a hard bound', async () => {
    const repo = gitRepo(fixtureFiles('random-metric'));
    const ctx = tempCore();
    const original = await captureRun(
      { argv: [SYSTEM_PYTHON, 'score.py'], cwd: repo, metrics: ['metrics.json'] },
      { runs: ctx.runs, hashCache: ctx.hashCache },
    );
    fs.rmSync(path.join(repo, 'metrics.json'));
    const id = original.snapshot.id;
    const three = await audit({ project: repo, against: id, repeats: 3 }, ctx);
    // (the original may by chance fall outside even the wide interval of 3 reruns: then it is not reproduced)
    expect(['inconclusive', 'not-reproduced']).toContain(three.verdict);
    if (three.verdict === 'inconclusive') {
      expect(three.judgement).toMatchObject({ rerunsNeeded: 5, nextStep: matching(/--repeats 5/) });
      const auto = await audit({ project: repo, against: id, repeatsAuto: true, maxReruns: 6 }, ctx);
      const errors = auto.groups.flatMap((g) => g.reruns.map((r) => r.error).filter(Boolean));
      const baseline = auto.groups.find((g) => g.name === 'baseline')!.reruns;
      expect(errors).toEqual([]);
      if (baseline.length < 5) {
        // by chance (about 1 in 20 for two draws of random()) the original already lies outside the first reruns'
        // interval: that settles the verdict, and auto rightly stops early
        expect(auto.verdict).toBe('not-reproduced');
        expect(auto.explanation).toMatch(/lies outside the baseline's 95 % prediction interval/);
      } else expect(baseline, auto.explanation ?? '').toHaveLength(5);
      expect(auto.verdict).not.toBe('inconclusive');
    }
    const tol = await audit(
      { project: repo, against: id, tolerances: [{ metric: 'score', kind: 'abs', value: 1e-6 }] },
      ctx,
    );
    expect(tol.verdict).toBe('not-reproduced');
    expect(tol.explanation).toMatch(/score exceeds its tolerance/);
  }, 240_000);

  it('a plain script with flags, captured then audited --against, reruns its exact command and varies its --seed', async () => {
    const repo = gitRepo(fixtureFiles('plain-cli'));
    const ctx = tempCore();
    const original = await captureRun(
      {
        argv: [SYSTEM_PYTHON, 'train.py', '--max-steps', '200', '--seed', '3407'],
        cwd: repo,
        metrics: ['metrics.json'],
      },
      { runs: ctx.runs, hashCache: ctx.hashCache },
    );
    fs.rmSync(path.join(repo, 'metrics.json'));
    const plan = await createHandlers(ctx).startAudit({
      project: repo,
      against: original.snapshot.id,
      python: SYSTEM_PYTHON,
      dryRun: true,
    });
    if (!plan.ok) throw new Error(plan.error.message);
    // said before the first rerun: the interpreter is the audit's; the timeout comes from the original's duration
    expect(plan.value.command).toBe('python train.py --max-steps 200 --seed 3407');
    expect(plan.value.warnings.join('\n')).toMatch(
      /the original ran `\/usr\/bin\/python3 train\.py --max-steps 200 --seed 3407`/,
    );
    expect(plan.value.plan.timeoutS).toBeGreaterThanOrEqual(60);
    const a = await audit({ project: repo, against: original.snapshot.id }, ctx);
    expect(a.verdict).toBe('reproduced-exact');
    const seeds = a.groups.find((g) => g.name === 'seeds')!;
    expect(seeds.reruns.map((r) => r.parameters)).toEqual([{ seed: '1' }, { seed: '2' }]);
    const snap = ctx.runs.get(seeds.reruns[0]!.runId!);
    expect(snap.process.argv.join(' ')).toMatch(/python train\.py --max-steps 200 --seed 1$/);
  }, 180_000);

  it('a failed rerun does not carry the stale git-ignored metrics.json of the checkout; a typo -P is warned; --vary seed runs once', async () => {
    const repo = gitRepo({
      '.gitignore': 'metrics.json\n',
      MLproject:
        'entry_points:\n  main:\n    parameters:\n      seed: {type: int, default: 1}\n    command: "python -c \'raise SystemExit(3)\'"\n',
    });
    fs.writeFileSync(path.join(repo, 'metrics.json'), '{"acc": 0.99}');
    const a = await audit({ project: repo, repeats: 1 });
    expect(a.groups[0]!.reruns[0]).toMatchObject({ status: 'failed', metrics: {} });
    const plan = await createHandlers(tempCore()).startAudit({
      project: gitRepo(fixtureFiles('deterministic')),
      parameters: { Cc: '2' },
      vary: ['seed'],
      python: SYSTEM_PYTHON,
      dryRun: true,
    });
    if (!plan.ok) throw new Error(plan.error.message);
    expect(plan.value.warnings.join('\n')).toMatch(/-P Cc is not a parameter of entry point main .*did you mean C\?/);
    expect(plan.value.groups.map((g) => g.name)).toEqual(['baseline', 'vary:seed']);
  }, 120_000);
});
