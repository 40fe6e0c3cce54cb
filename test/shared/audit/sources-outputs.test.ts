// Output files in the sources of variance (a model that differs between identical reruns while no metric does), and logs left out of the comparison.
import { describe, expect, it } from 'vitest';
import type { AuditGroup, GroupName, OutputFile } from '../../../shared/audit/audit';
import { compareOutputs, isRunLog, pairingPath } from '../../../shared/audit/outputs';
import { findSources, summarizeMetrics } from '../../../shared/audit/verdict';
import type { SeedFinding } from '../../../shared/snapshot/snapshot';
import { finishedRerun } from '../../helpers/audit-fixture';

const file = (path: string, sha256: string, normalised = false): OutputFile => ({
  path,
  size: 10,
  sha256,
  rawSha256: normalised ? `raw-${sha256}-${Math.random()}` : sha256,
  normalised,
});

/** A group whose i-th rerun wrote `files(i)`, with the same metric in every rerun. */
const group = (name: GroupName, files: (i: number) => OutputFile[]): AuditGroup => ({
  name,
  description: '',
  reruns: [0, 1, 2].map((i) => finishedRerun(i, { accuracy: 0.9 }, files(i))),
});

const unseededForest: SeedFinding = {
  file: 'modelling.py',
  line: 8,
  column: 9,
  kind: 'risk',
  rule: 'random-state-missing',
  message: 'RandomForestClassifier() without random_state draws from numpy\u2019s global generator',
  code: 'm = RandomForestClassifier()',
  fix: 'pass random_state=SEED (an int)',
};

function sources(groups: AuditGroup[], ignoreOutputs: string[] = []) {
  return findSources({
    groups,
    metrics: summarizeMetrics(groups, null, []),
    dataChecks: [],
    findings: [unseededForest],
    differences: [],
    gpu: false,
    ignoreOutputs,
  });
}

describe('sources from output files that differ between identical reruns', () => {
  const varyingModel = (i: number): OutputFile[] => [
    file('artifacts/model/model.pkl', `pkl${i}`),
    file('artifacts/model/MLmodel', 'same-after-normalising', true),
  ];

  it('no pin removes it: uncontrolled nondeterminism, the model named and the unseeded estimator the likely cause', () => {
    const found = sources([group('baseline', varyingModel), group('pin:hashseed', varyingModel)]);
    expect(found.map((s) => s.kind)).toEqual(['uncontrolled']);
    expect(found[0]!.effect).toBe(
      'The baseline output files artifacts/model/model.pkl differ between identical reruns and no pinned factor makes them agree.',
    );
    expect(found[0]!.evidence[0]).toMatch(/^likely \(.*\): modelling\.py:8:9 random-state-missing/);
  });

  it('a pin under which every rerun writes the same files is the source, and nothing is left uncontrolled', () => {
    const found = sources([
      group('baseline', varyingModel),
      group('pin:threads', varyingModel),
      group('pin:hashseed', () => [file('artifacts/model/model.pkl', 'pinned')]),
    ]);
    expect(found.map((s) => [s.kind, s.factor])).toEqual([['pinned', 'PYTHONHASHSEED']]);
    expect(found[0]!.effect).toMatch(/^Pinning PYTHONHASHSEED=0 makes every rerun write the same output files/);
    expect(found[0]!.evidence).toEqual([
      'output files artifacts/model/model.pkl differ among the baseline reruns; the 3 reruns with pin:hashseed wrote the same files',
    ]);
  });

  it('a file the baseline reruns write only some of the time differs too', () => {
    const found = sources([group('baseline', (i) => (i === 1 ? [] : [file('out/cache.bin', 'c')]))]);
    expect(found[0]!.effect).toMatch(/output files out\/cache\.bin differ/);
  });

  it('files differing only where --ignore-output or the normalised MLmodel leave them out are no source', () => {
    expect(sources([group('baseline', varyingModel)], ['*.pkl'])).toEqual([]);
    const sameModel = (): OutputFile[] => [
      file('artifacts/model/model.pkl', 'pkl'),
      file('artifacts/model/MLmodel', 'same-after-normalising', true),
    ];
    expect(sources([group('baseline', sameModel)])).toEqual([]);
  });
});

describe('logs among the output files', () => {
  it('a .log or TensorBoard event file is listed, not compared, unless --outputs names it', () => {
    const files = (i: number): OutputFile[] => [
      file('artifacts/training.log', `log${i}`),
      file('artifacts/tb/events.out.tfevents.1700000000.host.1.0', `ev${i}`),
      file('out/train.log', `own${i}`),
      file('artifacts/model.pkl', 'same'),
    ];
    const c = compareOutputs({
      reference: files(0),
      reruns: [files(1), files(2)],
      ignore: [],
      referenceComplete: true,
      named: ['out/train.log'],
    })!;
    expect(c.logs).toEqual(['artifacts/tb/events.out.tfevents.1700000000.host.1.0', 'artifacts/training.log']);
    expect(c.differing).toEqual([{ path: 'out/train.log', kind: 'content', reruns: 2 }]);
    expect(c.compared).toBe(2);
    expect(isRunLog('catalog.json')).toBe(false);
  });
});

describe('output files named by when they were written', () => {
  it("Hydra's dated run folders and a timestamped model name pair across runs; two dated files of one run do not", () => {
    const run = (day: string, time: string, model: string): OutputFile[] => [
      file(`outputs/${day}/${time}/model.pt`, model),
      file(`outputs/${day}/${time}/.hydra/config.yaml`, 'cfg'),
      file(`models/model_${day.replace(/-/g, '')}_${time.replace(/-/g, '')}.pkl`, model),
    ];
    const original = run('2026-11-30', '17-02-11', 'm');
    const same = compareOutputs({
      reference: original,
      reruns: [run('2026-12-02', '08-15-30', 'm'), run('2026-12-02', '08-15-41', 'm')],
      ignore: [],
      referenceComplete: true,
    })!;
    expect(same).toMatchObject({ compared: 3, differing: [] });
    const changed = compareOutputs({
      reference: original,
      reruns: [run('2026-12-02', '08-15-30', 'other')],
      ignore: [],
      referenceComplete: true,
    })!;
    expect(changed.differing).toEqual([
      { path: 'models/model_20261130_170211.pkl', kind: 'content', reruns: 1 },
      { path: 'outputs/2026-11-30/17-02-11/model.pt', kind: 'content', reruns: 1 },
    ]);
    expect(pairingPath('ckpt/2026-12-02T08:15:30.123Z/step-100.pt')).toBe('ckpt/<date>Z/step-100.pt');
    expect(pairingPath('outputs/epoch-12-10/model.pt')).toBe('outputs/epoch-12-10/model.pt');
    // a run that kept two dated folders: masked they collide, so files are paired by their own paths
    const twice = [...run('2026-12-01', '09-00-00', 'a'), ...run('2026-12-02', '09-00-00', 'a')];
    const collide = compareOutputs({
      reference: twice,
      reruns: [run('2026-12-02', '09-00-00', 'a')],
      ignore: [],
      referenceComplete: true,
    })!;
    expect(collide.differing.map((d) => [d.path, d.kind])).toEqual([
      ['models/model_20261201_090000.pkl', 'missing'],
      ['outputs/2026-12-01/09-00-00/.hydra/config.yaml', 'missing'],
      ['outputs/2026-12-01/09-00-00/model.pt', 'missing'],
    ]);
  });
});
