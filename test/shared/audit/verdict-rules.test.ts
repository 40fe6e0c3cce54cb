// The verdict rules of issue 10: inconclusive, the determinism question, hard tolerances, judged metrics, power, Holm, outputs.
import { describe, expect, it } from 'vitest';
import type { AuditGroup, OutputFile } from '../../../shared/audit/audit';
import { compareOutputs, globToRegExp, normalizeMlflowText } from '../../../shared/audit/outputs';
import {
  detectableDifference,
  holmAdjust,
  minRerunsForStatistics,
  rerunsForDifference,
} from '../../../shared/audit/statistics';
import {
  baselineRerunsWanted,
  decideVerdict,
  declaredEnvironmentDifferences,
  findSources,
  MIN_RERUNS,
  snapshotDifferences,
  summarizeMetrics,
  type ReferenceOutcome,
} from '../../../shared/audit/verdict';
import { emptySnapshot } from '../../../shared/snapshot/snapshot';
import { finishedRerun as rerun, metricColumn as col, rerunGroup as group } from '../../helpers/audit-fixture';

function judge(
  groups: AuditGroup[],
  reference: ReferenceOutcome,
  opts: Parameters<typeof decideVerdict>[3] & { tolerances?: Parameters<typeof summarizeMetrics>[2] } = {},
) {
  const metrics = summarizeMetrics(groups, reference, opts.tolerances ?? [], opts.judgedMetrics ?? []);
  return decideVerdict(groups, metrics, reference, opts);
}

describe('inconclusive: nothing compared is not a reproduction', () => {
  it('a project that only prints its metrics is inconclusive, says why and what to do, never "every metric"', () => {
    const v = judge(
      [group('baseline', [{}, {}])],
      { metrics: {}, artifactsHash: null },
      { referenceKind: 'first-baseline' },
    );
    expect(v.verdict).toBe('inconclusive');
    expect(v.judgement.reason).toBe('no metric or output was compared');
    expect(v.judgement.nextStep).toMatch(
      /--metrics FILE, --metrics-from stdout\|tensorboard:DIR, --metric-pattern REGEX or --outputs PATH/,
    );
    expect(v.explanation).not.toMatch(/every metric/i);
  });

  it('names what the reruns printed and the option that reads it, when they printed metric-looking lines', () => {
    const v = judge(
      [group('baseline', [{}, {}])],
      { metrics: {}, artifactsHash: null },
      { referenceKind: 'first-baseline', printedMetrics: ['acc', 'f1', 'loss', 'precision', 'recall', 'val_acc'] },
    );
    expect(v.verdict).toBe('inconclusive');
    expect(v.judgement.nextStep).toBe(
      'the reruns printed acc, f1, loss, precision, recall, … (6 in all): give --metrics-from stdout to compare what they print (or --metric-pattern REGEX for other shapes)',
    );
  });

  it('--repeats 1 without --against compares the rerun with itself: inconclusive, needs 2', () => {
    const v = judge(
      [group('baseline', col('acc', [0.9]))],
      { metrics: { acc: 0.9 }, artifactsHash: null },
      {
        referenceKind: 'first-baseline',
      },
    );
    expect(v).toMatchObject({ verdict: 'inconclusive', judgement: { rerunsNeeded: 2 } });
  });

  it('--against with 3 varying reruns is inconclusive and says 5 reruns are needed; 5 settle it', () => {
    const ref = { metrics: { acc: 0.9 }, artifactsHash: null };
    const three = judge([group('baseline', col('acc', [0.9, 0.901, 0.899]))], ref);
    expect(MIN_RERUNS).toBe(5);
    expect(three).toMatchObject({ verdict: 'inconclusive', judgement: { rerunsNeeded: 5, minReruns: 5 } });
    expect(three.explanation).toMatch(/--repeats 5/);
    expect(baselineRerunsWanted(three, 3, 20)).toBe(5);
    expect(baselineRerunsWanted(three, 3, 4)).toBe(4);
    const five = judge([group('baseline', col('acc', [0.9, 0.901, 0.899, 0.9005, 0.8995]))], ref);
    expect(five.verdict).toBe('statistically-consistent');
    expect(baselineRerunsWanted(five, 5, 20)).toBeNull();
  });
});

describe('the determinism question and hard tolerances', () => {
  it('without --against, a metric that varies between identical reruns is not reproduced (a random() metric)', () => {
    // three draws of random.random(): the old rule called this statistically consistent
    const values = [0.8444218515250481, 0.7579544029403025, 0.420571580830845];
    const v = judge(
      [group('baseline', col('r', values))],
      { metrics: { r: values[0]! }, artifactsHash: null },
      {
        referenceKind: 'first-baseline',
      },
    );
    expect(v.verdict).toBe('not-reproduced');
    expect(v.explanation).toMatch(/Identical reruns disagree: r varies from 0\.420572 to 0\.844422/);
    expect(v.explanation).toMatch(/could detect a difference of [\d.]+ in r \(80 % power/);
    expect(v.judgement.power[0]).toMatchObject({ metric: 'r', n: 3 });
  });

  it('an exceeded tolerance is not reproduced, even when the interval would have been wide enough', () => {
    const ref = { metrics: { acc: 0.9 }, artifactsHash: null };
    const v = judge([group('baseline', col('acc', [0.9, 0.95, 0.85, 0.9, 0.91]))], ref, {
      tolerances: [{ metric: 'acc', kind: 'abs', value: 0.01 }],
    });
    expect(v.verdict).toBe('not-reproduced');
    expect(v.explanation).toMatch(
      /The metric acc exceeds its tolerance: a baseline rerun differs by 0\.05 \(tolerance 0\.01\)/,
    );
  });

  it('--metric chooses what is judged; train_loss at 1e-5 is reported, not judged', () => {
    const groups = [
      group('baseline', [
        { acc: 0.9, train_loss: 0.10001 },
        { acc: 0.9, train_loss: 0.10002 },
      ]),
    ];
    const ref = { metrics: { acc: 0.9, train_loss: 0.1 }, artifactsHash: null };
    expect(judge(groups, ref, { referenceKind: 'first-baseline' }).verdict).toBe('not-reproduced');
    const v = judge(groups, ref, { judgedMetrics: ['acc'] });
    expect(v).toMatchObject({
      verdict: 'reproduced-exact',
      judgement: { judgedMetrics: ['acc'], reportedMetrics: ['train_loss'] },
    });
    const m = summarizeMetrics(groups, ref, [], ['acc']);
    expect([m.acc!.judged, m.train_loss!.judged]).toEqual([true, false]);
  });

  it('reruns that agree with each other but not with the original are not reproduced, whatever their number', () => {
    const v = judge([group('baseline', col('acc', [0.95, 0.95, 0.95]))], {
      metrics: { acc: 0.93 },
      artifactsHash: null,
    });
    expect(v.verdict).toBe('not-reproduced');
    expect(v.explanation).toMatch(/Every rerun gives acc 0\.95 bit for bit, but the original's is 0\.93/);
  });
});

describe('power, reruns needed and Holm', () => {
  it('the detectable difference follows (t(0.975) + t(0.8))·sd·√(1 + 1/n), as SciPy computes it', () => {
    // scipy.stats.t.ppf values: n = 3 → 6.19302, n = 5 → 4.07222, n = 10 → 3.29909 (times sd)
    expect(detectableDifference(1, 3)).toBeCloseTo(6.193020295079095, 9);
    expect(detectableDifference(2, 5)).toBeCloseTo(2 * 4.072218277072073, 9);
    expect(detectableDifference(1, 10)).toBeCloseTo(3.2990922327800747, 9);
    expect(detectableDifference(1, 1)).toBeNull();
    expect(minRerunsForStatistics()).toBe(5);
    expect(rerunsForDifference(1, 3.3)).toBe(10);
  });

  it('Holm adjusts as the step-down method does; a p = 0.049 among twenty tests is not ranked as a cause', () => {
    expect(holmAdjust([0.01, 0.04, 0.03, 0.2])).toEqual([0.04, 0.09, 0.09, 0.2]);
    // one vary group whose KS/Welch p are about 0.03: significant alone, not after correcting for the other tests
    const base = [1, 1.1, 0.9, 1.05, 0.95];
    const groups: AuditGroup[] = [
      {
        name: 'baseline',
        description: '',
        reruns: base.map((v, i) =>
          rerun(i, Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`m${k}`, v + k]))),
        ),
      },
      {
        name: 'vary:threads',
        description: '',
        reruns: [1.12, 1.2, 1.08, 1.15, 1.1].map((v, i) =>
          rerun(i, Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`m${k}`, k === 0 ? v : base[i]! + k]))),
        ),
      },
    ];
    const metrics = summarizeMetrics(groups, null, []);
    const raw = metrics.m0!.groups['vary:threads']!.welchVsBaseline!.pValue;
    expect(raw).toBeLessThan(0.05);
    const sources = findSources({ groups, metrics, dataChecks: [], findings: [], differences: [] });
    expect(sources.filter((s) => s.kind === 'varied')).toEqual([]);
  });
});

describe('outputs file by file', () => {
  const MLMODEL = (run: string, uuid: string, time: string) =>
    `artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n  sklearn:\n    pickled_model: model.pkl\n    sklearn_version: 1.2.1\nmlflow_version: 2.9.2\nmodel_size_bytes: 851\nmodel_uuid: ${uuid}\nrun_id: ${run}\nutc_time_created: '${time}'\n`;

  it("normalises MLmodel's per-run fields and keeps the flavors", () => {
    const a = normalizeMlflowText('artifacts/model/MLmodel', MLMODEL('r1', 'u1', '2024-01-01 10:00:00.1'));
    const b = normalizeMlflowText('artifacts/model/MLmodel', MLMODEL('r2', 'u2', '2024-01-02 11:00:00.2'));
    expect(a).toBe(b);
    expect(a).toMatch(/sklearn_version: 1\.2\.1/);
    expect(a).not.toMatch(/run_id|model_uuid|utc_time_created/);
    expect(normalizeMlflowText('artifacts/model/model.pkl', 'x')).toBeNull();
  });

  const file = (p: string, h: string, normalised = false): OutputFile => ({
    path: p,
    size: 1,
    sha256: h,
    rawSha256: `${h}-raw-${Math.random()}`,
    normalised,
  });

  it('names the file that differs in the verdict; ignores --ignore-output globs; an unknown reference file is not different', () => {
    const ref = [
      file('artifacts/model/MLmodel', 'n', true),
      file('artifacts/model/model.pkl', 'p'),
      file('out/log.txt', 'l'),
    ];
    const reruns = [
      [file('artifacts/model/MLmodel', 'n', true), file('artifacts/model/model.pkl', 'p'), file('out/log.txt', 'l2')],
      [file('artifacts/model/MLmodel', 'n', true), file('artifacts/model/model.pkl', 'q'), file('out/log.txt', 'l3')],
    ];
    const c = compareOutputs({ reference: ref, reruns, ignore: [], referenceComplete: true })!;
    expect(c.differing).toEqual([
      { path: 'artifacts/model/model.pkl', kind: 'content', reruns: 1 },
      { path: 'out/log.txt', kind: 'content', reruns: 2 },
    ]);
    const ignored = compareOutputs({ reference: ref, reruns, ignore: ['*.txt'], referenceComplete: true })!;
    expect(ignored).toMatchObject({ compared: 2, ignored: ['out/log.txt'], normalised: ['artifacts/model/MLmodel'] });
    const groups = [
      { name: 'baseline' as const, description: '', reruns: reruns.map((o, i) => rerun(i, { acc: 1 }, o)) },
    ];
    const v = judge(groups, { metrics: { acc: 1 }, artifactsHash: null }, { outputs: ignored });
    expect(v.verdict).toBe('not-reproduced');
    expect(v.explanation).toBe(
      "Every metric matches bit for bit, but the output files artifacts/model/model.pkl differ from the original's.",
    );
    // a captured MLmodel known only by its raw bytes is uncomparable, not different
    const captured = compareOutputs({
      reference: [file('artifacts/model/MLmodel', 'raw')],
      reruns,
      ignore: [],
      referenceComplete: false,
    })!;
    // ... and the files it did not record are compared among the reruns, which wrote them differently
    expect(captured).toMatchObject({
      compared: 0,
      uncomparable: ['artifacts/model/MLmodel'],
      differing: [
        { path: 'artifacts/model/model.pkl', kind: 'varies', reruns: 1 },
        { path: 'out/log.txt', kind: 'varies', reruns: 1 },
      ],
    });
    expect(globToRegExp('models/**').test('models/a/b.pkl')).toBe(true);
  });

  it('--outputs the original never recorded: reruns that write them differently do not reproduce, reruns that agree are not judged by them', () => {
    const model = (sha: string): OutputFile[] => [file('out/model.pt', sha)];
    const baseline = (shas: string[]): AuditGroup[] => [
      { name: 'baseline', description: '', reruns: shas.map((sha, i) => rerun(i, { acc: 1 }, model(sha))) },
    ];
    const among = (shas: string[]) =>
      compareOutputs({ reference: [], reruns: shas.map(model), ignore: [], referenceComplete: false })!;
    // the metric matches the original bit for bit, but the saved model differs from rerun to rerun
    const varies = judge(
      baseline(['a', 'b', 'a']),
      { metrics: { acc: 1 }, artifactsHash: null },
      { outputs: among(['a', 'b', 'a']) },
    );
    expect(varies.verdict).toBe('not-reproduced');
    expect(varies.explanation).toBe(
      'Every metric matches bit for bit, but the output files out/model.pt differ between identical reruns (the original recorded none of them).',
    );
    // nothing else to compare: still a verdict, not "nothing was compared"
    const noMetric = judge(baseline(['a', 'b']), { metrics: {}, artifactsHash: null }, { outputs: among(['a', 'b']) });
    expect(noMetric.verdict).toBe('not-reproduced');
    expect(noMetric.explanation).toMatch(
      /^The output files out\/model\.pt differ between identical reruns \(the original recorded none of them\), so they do not reproduce/,
    );
    // the same model every time: the metric decides, and no file is claimed as reproduced against the original
    const same = judge(
      baseline(['a', 'a']),
      { metrics: { acc: 1 }, artifactsHash: null },
      { outputs: among(['a', 'a']) },
    );
    expect(same.verdict).toBe('reproduced-exact');
    expect(same.explanation).toBe('All 2 baseline reruns reproduced 1 metric (acc) bit for bit.');
  });

  it('a deterministic project logging a model is reproduced exactly once MLmodel is normalised', () => {
    const same = [file('artifacts/model/MLmodel', 'n', true), file('artifacts/model/model.pkl', 'p')];
    const c = compareOutputs({ reference: same, reruns: [same, same], ignore: [], referenceComplete: true });
    const groups = [
      { name: 'baseline' as const, description: '', reruns: [0, 1].map((i) => rerun(i, { rmse: 0.7 }, same)) },
    ];
    const v = judge(
      groups,
      { metrics: { rmse: 0.7 }, artifactsHash: null },
      { outputs: c, referenceKind: 'first-baseline' },
    );
    expect(v.verdict).toBe('reproduced-exact');
    expect(v.explanation).toMatch(/1 metric and 2 output files \(rmse\) bit for bit/);
  });
});

describe('unknown is not different', () => {
  it('an import with a partial declared package list and no environment yields no "(not installed)" or env sources', () => {
    const imported = emptySnapshot('a', 'import', 'now');
    imported.software.packagesProvenance = 'declared';
    imported.software.packages = [{ name: 'scikit-learn', version: '0.19.1', installer: null, editable: false }];
    const rerunSnap = emptySnapshot('b', 'rerun', 'now');
    rerunSnap.software.packages = [
      { name: 'scikit-learn', version: '1.2.1', installer: null, editable: false },
      { name: 'numpy', version: '1.24.2', installer: null, editable: false },
    ];
    rerunSnap.process.env = { LANG: 'C.UTF-8', OMP_NUM_THREADS: '2' };
    expect(snapshotDifferences(imported, rerunSnap).map((d) => d.factor)).toEqual(['package:scikit-learn']);
  });

  it('a local rerun is compared with what conda.yaml declares (python=3.6, scikit-learn 0.19.1)', () => {
    const r = emptySnapshot('b', 'rerun', 'now');
    r.software.python = { ...r.software.python, status: 'ok', version: '3.11.2' };
    r.software.packages = [{ name: 'scikit-learn', version: '1.2.1', installer: null, editable: false }];
    r.software.envSpecs = [
      {
        path: 'conda.yaml',
        kind: 'conda',
        sha256: 'x',
        provenance: 'observed',
        content:
          'name: t\nchannels:\n  - defaults\ndependencies:\n  - python=3.6\n  - scikit-learn=0.19.1\n  - pip:\n    - mlflow>=1.0\n',
      },
    ];
    expect(declaredEnvironmentDifferences(r).map((d) => [d.factor, d.original, d.rerun])).toEqual([
      ['declared python', '3.6 (declared in conda.yaml)', '3.11.2'],
      ['declared package:scikit-learn', '0.19.1 (declared in conda.yaml)', '1.2.1'],
    ]);
  });
});
