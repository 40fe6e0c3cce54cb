// Suspects for a baseline that varies: the seed-scan findings most likely to move the metric come first.
import { describe, expect, it } from 'vitest';
import { rankSuspects, suspectEvidence } from '../../../shared/audit/suspects';
import type { AuditGroup } from '../../../shared/audit/audit';
import { findSources, summarizeMetrics } from '../../../shared/audit/verdict';
import type { SeedFinding } from '../../../shared/snapshot/snapshot';
import { metricColumn, rerunGroup } from '../../helpers/audit-fixture';

const f = (file: string, line: number, rule: string, kind: SeedFinding['kind'] = 'risk'): SeedFinding => ({
  file,
  line,
  column: 5,
  rule,
  kind,
  message: rule,
  code: `    call_${line}()`,
  fix: `fix ${rule}`,
});

describe('rankSuspects', () => {
  const findings = [
    f('train.py', 30, 'builtin-hash'),
    f('train.py', 3, 'torch-manual-seed', 'seed'),
    f('tests/test_model.py', 5, 'random-state-missing'),
    f('train.py', 12, 'random-state-missing'),
    f('train.py', 1, 'torch-nondeterministic', 'note'),
    f('train.py', 40, 'gbdt-default-seed', 'note'),
    f('train.py', 8, 'seed-from-entropy'),
  ];

  it('puts a seed from the clock and an unseeded estimator before hash order, tests and fixed default seeds', () => {
    const ranked = rankSuspects(findings, { gpu: false });
    expect(ranked.map((s) => `${s.finding.file}:${s.finding.line}`)).toEqual([
      'train.py:8',
      'train.py:12',
      'train.py:30',
      'tests/test_model.py:5',
      'train.py:1',
      'train.py:40',
    ]);
    expect(ranked.map((s) => s.likelihood)).toEqual([
      'likely',
      'likely',
      'possible',
      'possible',
      'unlikely',
      'unlikely',
    ]);
  });

  it('weighs GPU-only sources by whether the reruns had a GPU, and hash order less once PYTHONHASHSEED was pinned', () => {
    const onGpu = rankSuspects(findings, { gpu: true, hashSeedPinned: true });
    const det = onGpu.find((s) => s.finding.rule === 'torch-nondeterministic')!;
    const hash = onGpu.find((s) => s.finding.rule === 'builtin-hash')!;
    expect(det.likelihood).not.toBe('unlikely');
    expect(hash.score).toBeLessThan(det.score);
  });

  it('writes each suspect with its likelihood, place, code line and fix', () => {
    expect(suspectEvidence(rankSuspects([f('train.py', 12, 'random-state-missing')])[0]!)).toBe(
      'likely (0.85): train.py:12:5 random-state-missing: random-state-missing | call_12() | fix: fix random-state-missing',
    );
  });

  it('is what an uncontrolled source of an audit lists as evidence, most likely first', () => {
    const groups: AuditGroup[] = [rerunGroup('baseline', metricColumn('acc', [0.81, 0.84, 0.79]))];
    const sources = findSources({
      groups,
      metrics: summarizeMetrics(groups, null, []),
      dataChecks: [],
      findings,
      differences: [],
      gpu: false,
    });
    const uncontrolled = sources.find((s) => s.kind === 'uncontrolled')!;
    expect(uncontrolled.evidence[0]).toMatch(/^likely \(0\.95\): train\.py:8:5 seed-from-entropy/);
    expect(uncontrolled.evidence).toHaveLength(6);
  });
});
