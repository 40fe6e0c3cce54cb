// The verdict on metrics that are NaN, infinite or missing in some reruns: never "reproduced" on no number, never a statistic over NaN.
import { describe, expect, it } from 'vitest';
import type { AuditGroup } from '../../../shared/audit/audit';
import {
  decideVerdict,
  findSources,
  summarizeMetrics,
  withinTolerance,
  type ReferenceOutcome,
} from '../../../shared/audit/verdict';
import { metricColumn as col, rerunGroup as group } from '../../helpers/audit-fixture';

const ref = (metrics: Record<string, number>): ReferenceOutcome => ({
  metrics,
  artifactsHash: null,
});
const abs = (metric: string, value: number) => ({
  metric,
  kind: 'abs' as const,
  value,
});

function judge(
  groups: AuditGroup[],
  reference: ReferenceOutcome,
  opts: Parameters<typeof decideVerdict>[3] & {
    tolerances?: Parameters<typeof summarizeMetrics>[2];
  } = {},
) {
  const metrics = summarizeMetrics(groups, reference, opts.tolerances ?? [], opts.judgedMetrics ?? []);
  return { ...decideVerdict(groups, metrics, reference, opts), metrics };
}

describe('a metric that is NaN or infinite in the reference and every rerun alike', () => {
  it('is no number compared: inconclusive, never "reproduced exactly", with or without a tolerance', () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      for (const tolerances of [[], [abs('loss', 0.01)]]) {
        const r = judge([group('baseline', col('loss', [v, v, v]))], ref({ loss: v }), { tolerances });
        expect(r.verdict).toBe('inconclusive');
        expect(r.judgement.reason).toBe(
          `loss is ${String(v)} in the original and in all 3 baseline reruns, so no number was compared`,
        );
        expect(r.explanation).not.toMatch(/reproduced|exceeds|differs by/);
        expect(r.judgement).toMatchObject({
          judgedMetrics: [],
          reportedMetrics: ['loss'],
          rerunsNeeded: null,
        });
        expect(r.metrics.loss!.judged).toBe(false);
      }
    }
  });

  it('without --against it asks the same: a NaN in every identical rerun compares nothing', () => {
    const r = judge([group('baseline', col('loss', [NaN, NaN]))], ref({ loss: NaN }), {
      referenceKind: 'first-baseline',
    });
    expect(r.verdict).toBe('inconclusive');
    expect(r.judgement.reason).toBe('loss is NaN in all 2 baseline reruns, so no number was compared');
  });

  it('beside a metric that is a number, the verdict rests on that one and says what it left out', () => {
    const rows = [0, 1, 2].map(() => ({ acc: 0.9, loss: NaN }));
    const r = judge([group('baseline', rows)], ref({ acc: 0.9, loss: NaN }));
    expect(r.verdict).toBe('reproduced-exact');
    expect(r.explanation).toBe(
      'All 3 baseline reruns reproduced 1 metric (acc) bit for bit. Not compared: loss is NaN in the original and in all 3 baseline reruns.',
    );
    expect(r.judgement).toMatchObject({
      judgedMetrics: ['acc'],
      reportedMetrics: ['loss'],
    });
    // the same NaN is no difference, and it is within any tolerance of itself
    expect(r.metrics.loss).toMatchObject({ maxAbsDiff: 0, judged: false });
    expect(withinTolerance(NaN, NaN, abs('loss', 0))).toBe(true);
    expect(
      withinTolerance(Infinity, Infinity, {
        metric: 'loss',
        kind: 'rel',
        value: 1,
      }),
    ).toBe(true);
    expect(withinTolerance(-Infinity, Infinity, abs('loss', 1e308))).toBe(false);
    expect(withinTolerance(NaN, 0.9, abs('loss', 1e308))).toBe(false);
  });
});

describe('a NaN or an infinity in some runs only', () => {
  it('one NaN among five reruns that agree with the original is not reproduced (it was "statistically consistent")', () => {
    const r = judge([group('baseline', col('acc', [0.9, NaN, 0.9, 0.9, 0.9]))], ref({ acc: 0.9 }));
    expect(r.verdict).toBe('not-reproduced');
    expect(r.explanation).toBe(
      "The original's acc is 0.9, but it is NaN in 1 and 0.9 in 4 of the 5 baseline reruns: a NaN or infinite value matches no tolerance or interval.",
    );
    // no power statement over a spread of 0 that only NaN broke
    expect(r.judgement.power).toEqual([]);
    expect(r.metrics.acc!.groups.baseline).toMatchObject({
      n: 4,
      mean: 0.9,
      allBitwiseEqual: false,
    });
    expect(Number.isNaN(r.metrics.acc!.maxAbsDiff)).toBe(true);
  });

  it('with a tolerance it names the NaN, not "differs by NaN"', () => {
    const r = judge([group('baseline', col('acc', [0.9, NaN, 0.901]))], ref({ acc: 0.9 }), {
      tolerances: [abs('acc', 0.01)],
    });
    expect(r.verdict).toBe('not-reproduced');
    expect(r.explanation).toMatch(
      /^The original's acc is 0\.9, but it is NaN in 1 and a number from 0\.9 to 0\.901 in 2 of the 3/,
    );
    expect(r.explanation).not.toMatch(/NaN \(tolerance|differs by NaN/);
  });

  it('infinities in a rerun or in the original are named with their sign; a single rerun is not "inconclusive"', () => {
    expect(judge([group('baseline', col('acc', [0.9, -Infinity, 0.9]))], ref({ acc: 0.9 })).explanation).toMatch(
      /^The original's acc is 0\.9, but it is -Infinity in 1 and 0\.9 in 2 of the 3 baseline reruns/,
    );
    const fromInf = judge([group('baseline', col('ppl', [12.5, 12.5]))], ref({ ppl: Infinity }));
    expect(fromInf).toMatchObject({ verdict: 'not-reproduced' });
    expect(fromInf.explanation).toMatch(/^The original's ppl is Infinity, but it is 12\.5 in all 2 baseline reruns/);
    expect(fromInf.explanation).not.toMatch(/difference -?Infinity/);
    const one = judge([group('baseline', col('acc', [NaN]))], ref({ acc: 0.9 }));
    expect(one.verdict).toBe('not-reproduced');
    expect(one.explanation).toMatch(/^The original's acc is 0\.9, but it is NaN in the baseline rerun/);
  });

  it('without --against a NaN in one identical rerun is nondeterminism, not "varies from 0.9 to 0.9 (sd 0)"', () => {
    const r = judge([group('baseline', col('acc', [0.9, NaN, 0.9]))], ref({ acc: 0.9 }), {
      referenceKind: 'first-baseline',
    });
    expect(r.verdict).toBe('not-reproduced');
    expect(r.explanation).toBe(
      'Identical reruns disagree: acc is NaN in 1 and 0.9 in 2 of the 3 baseline reruns, with nothing changed, so the project is nondeterministic.',
    );
  });
});

describe('a metric missing from reruns', () => {
  it('says from how many baseline reruns it is missing', () => {
    const some = judge([group('baseline', [{ acc: 0.9 }, {}, { acc: 0.9 }])], ref({ acc: 0.9 }));
    expect(some).toMatchObject({ verdict: 'not-reproduced' });
    expect(some.explanation).toBe(
      'The baseline reruns did not report "acc" (missing from 1 of 3), which the original reported.',
    );
    expect(judge([group('baseline', [{}, {}])], ref({ acc: 0.9 })).explanation).toMatch(/"acc" \(missing from all 2\)/);
  });

  it('without --against, a metric that only some identical reruns report is a difference, not "reported only"', () => {
    const rows: Record<string, number>[] = [{ loss: 1 }, { loss: 1, acc: 0.9 }, { loss: 1, acc: 0.9 }];
    const r = judge([group('baseline', rows)], ref({ loss: 1 }), {
      referenceKind: 'first-baseline',
    });
    expect(r.verdict).toBe('not-reproduced');
    expect(r.explanation).toBe(
      'The baseline reruns did not report "acc" (missing from 1 of 3), which the other baseline reruns reported.',
    );
  });

  it('one rerun that matches the original is "the baseline rerun", not "all 1 baseline reruns"', () => {
    expect(judge([group('baseline', col('acc', [0.9]))], ref({ acc: 0.9 })).explanation).toBe(
      'The baseline rerun reproduced 1 metric (acc) bit for bit.',
    );
  });
});

describe('sources with NaN', () => {
  const sources = (groups: AuditGroup[]) =>
    findSources({
      groups,
      metrics: summarizeMetrics(groups, ref({ acc: 1 }), []),
      dataChecks: [],
      differences: [],
      findings: [],
    });

  it('a pin whose reruns give NaN removes no spread, even the same NaN every time', () => {
    for (const pinned of [
      [NaN, NaN, NaN],
      [2, NaN, 2],
    ]) {
      const s = sources([group('baseline', col('acc', [1, 2, 3])), group('pin:threads', col('acc', pinned))]);
      expect(s.map((x) => x.kind)).toEqual(['uncontrolled']);
    }
  });

  it('a varied factor that turns a metric into NaN is named as a source', () => {
    const s = sources([group('baseline', col('acc', [1, 1, 1])), group('vary:threads', col('acc', [1, 1, NaN, 1]))]);
    expect(s).toMatchObject([
      {
        kind: 'varied',
        factor: 'thread count',
        effect: 'Varying the thread count gives NaN or infinite acc in some reruns.',
        evidence: ['acc: 1 NaN of 4 reruns with vary:threads; a number in every baseline rerun'],
      },
    ]);
  });
});

describe('zeros of opposite sign', () => {
  it('are named as such, not as "0 … the original is 0 (difference 0)"', () => {
    const r = judge([group('baseline', col('loss', [0, 0, 0]))], ref({ loss: -0 }), {});
    expect(r.verdict).toBe('not-reproduced');
    expect(r.explanation).toBe(
      "Every rerun gives loss 0 bit for bit, but the original's is -0 (zeros of opposite sign: equal as numbers, apart in their sign bit).",
    );
  });
});
