// The verdict rules: exact, within tolerance, statistically consistent, not reproduced, failed, and the ranking of sources.
import { describe, expect, it } from 'vitest';
import type { AuditGroup, GroupName, Rerun } from '../../../shared/audit/audit';
import { emptySnapshot } from '../../../shared/snapshot/snapshot';
import { decideVerdict, findSources, snapshotDifferences, summarizeMetrics } from '../../../shared/audit/verdict';

const rerun = (index: number, metrics: Record<string, number>, status: Rerun['status'] = 'finished'): Rerun => ({
  runId: `r${index}`,
  index,
  status,
  env: {},
  seed: null,
  parameters: {},
  exitCode: status === 'finished' ? 0 : 1,
  error: status === 'finished' ? null : 'boom',
  durationMs: 10,
  metrics,
  artifactsHash: null,
});
const group = (name: GroupName, values: number[], metric = 'acc'): AuditGroup => ({
  name,
  description: '',
  reruns: values.map((v, i) => rerun(i, { [metric]: v })),
});

describe('verdict rules', () => {
  it('exact, within tolerance, statistically consistent, not reproduced, failed', () => {
    const ref = { metrics: { acc: 0.9 }, artifactsHash: null };
    const judge = (groups: AuditGroup[], tol: { metric: string; kind: 'abs' | 'rel'; value: number }[] = []) =>
      decideVerdict(groups, summarizeMetrics(groups, ref, tol), ref).verdict;
    expect(judge([group('baseline', [0.9, 0.9, 0.9])])).toBe('reproduced-exact');
    expect(judge([group('baseline', [0.9, 0.901, 0.899])], [{ metric: 'acc', kind: 'abs', value: 0.002 }])).toBe(
      'reproduced-within-tolerance',
    );
    // a tolerance is a hard bound: 0.01 % of 0.9 is exceeded by 0.001
    expect(judge([group('baseline', [0.9, 0.901, 0.899])], [{ metric: 'acc', kind: 'rel', value: 0.01 }])).toBe(
      'not-reproduced',
    );
    expect(judge([group('baseline', [0.9, 0.901, 0.899, 0.9005, 0.8995])])).toBe('statistically-consistent');
    expect(judge([group('baseline', [0.8, 0.801, 0.799])])).toBe('not-reproduced');
    expect(
      judge([{ name: 'baseline', description: '', reruns: [rerun(0, { acc: 0.9 }), rerun(1, {}, 'failed')] }]),
    ).toBe('failed');
    expect(judge([group('baseline', [0.9, 0.9], 'loss')])).toBe('not-reproduced'); // acc missing
    const v = decideVerdict(
      [group('baseline', [0.8, 0.801, 0.799])],
      summarizeMetrics([group('baseline', [0.8, 0.801, 0.799])], ref, []),
      ref,
    );
    expect(v.explanation).toMatch(/acc 0\.9 lies outside the baseline's 95 % prediction interval/);
  });

  it('ranks data, pinned, varied, uncontrolled, then candidates, with effects relative to the seed spread', () => {
    const groups = [
      group('baseline', [1, 2, 3]),
      group('pin:hashseed', [2, 2, 2]),
      group('seeds', [1, 3, 5]),
      group('vary:threads', [2, 2.5, 3]),
    ];
    const metrics = summarizeMetrics(groups, { metrics: { acc: 1 }, artifactsHash: null }, []);
    const a = emptySnapshot('a', 'capture', 'now');
    const b = emptySnapshot('b', 'rerun', 'now');
    a.software.packages = [
      { name: 'numpy', version: '1.24.2', installer: null, editable: false },
      { name: 'rich', version: '1', installer: null, editable: false },
    ];
    b.software.packages = [
      { name: 'numpy', version: '1.26.0', installer: null, editable: false },
      { name: 'rich', version: '2', installer: null, editable: false },
    ];
    a.code.commit = 'c1';
    b.code.commit = 'c2';
    const sources = findSources({
      groups,
      metrics,
      findings: [],
      dataChecks: [{ path: 'd.csv', originalHash: 'x', currentHash: 'y', same: false }],
      differences: snapshotDifferences(a, b),
    });
    expect(sources.map((s) => [s.rank, s.kind, s.factor])).toEqual([
      [1, 'data', 'data:d.csv'],
      [2, 'pinned', 'PYTHONHASHSEED'],
      [3, 'candidate', 'commit'],
      [4, 'candidate', 'package:numpy'],
      [5, 'candidate', 'package:rich'],
    ]);
    expect(sources[1]!.effects[0]).toMatchObject({
      metric: 'acc',
      absolute: 1,
      before: 1,
      after: 0,
      relativeToSeedSpread: 0.5,
    });
  });

  it('names uncontrolled nondeterminism with the seed scan as suspects when no pin helps', () => {
    const groups = [
      group('baseline', [1, 2, 3]),
      group('pin:hashseed', [1.5, 2.5, 3.5]),
      group('pin:threads', [3, 1, 2]),
    ];
    const sources = findSources({
      groups,
      metrics: summarizeMetrics(groups, null, []),
      dataChecks: [],
      differences: [],
      findings: [{ file: 'train.py', line: 3, rule: 'unseeded-default-rng', kind: 'risk', message: 'no seed' }],
    });
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatchObject({
      kind: 'uncontrolled',
      evidence: ['likely (0.80): train.py:3 unseeded-default-rng: no seed'],
    });
  });
});
