// The audit statistics against SciPy's: t quantiles, sd, CV, intervals, KS, Welch and the variance-ratio F-test.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ks2Sample,
  studentTQuantile,
  studentTSf,
  summarize,
  varianceRatioTest,
  welchTTest,
} from '../../../shared/audit/statistics';
import { SYSTEM_PYTHON } from '../../helpers/temp';

const SAMPLES: number[][] = [
  [0.81, 0.83, 0.79, 0.85, 0.8],
  [0.9, 0.91, 0.905],
  [1.5, 2.5, 2.0, 3.5, 1.0, 2.2, 2.9, 3.1],
  [0.1, 0.1, 0.1, 0.2],
  [100.25, 99.75, 101.5, 98.0, 100.0, 100.5, 99.0, 102.0, 97.5, 100.1, 99.9, 100.3],
  [-3, -1, 4, 1, 5, 9, 2, 6],
  [0.5, 0.6],
];

// SciPy is the reference for every figure (Debian's python3-scipy).
const SCIPY = `
import json, sys, numpy as np
from scipy import stats
samples = json.loads(sys.argv[1])
out = {"summary": [], "ks": [], "welch": [], "t": []}
for s in samples:
    a = np.array(s, dtype=float); n = len(a); m = a.mean(); sd = a.std(ddof=1); t = stats.t.ppf(0.975, n - 1)
    out["summary"].append({"mean": m, "sd": sd, "cv": sd / abs(m), "ci": [m - t * sd / np.sqrt(n), m + t * sd / np.sqrt(n)],
                           "pi": [m - t * sd * np.sqrt(1 + 1 / n), m + t * sd * np.sqrt(1 + 1 / n)]})
for i in range(len(samples)):
    for j in range(len(samples)):
        if i == j: continue
        k = stats.ks_2samp(samples[i], samples[j], method="exact")
        w = stats.ttest_ind(samples[i], samples[j], equal_var=False)
        out["ks"].append([float(k.statistic), float(k.pvalue)])
        out["welch"].append([float(w.statistic), float(w.pvalue)])
for df in [1, 2, 3, 4, 7, 11, 29, 100, 2.5, 13.7]:
    out["t"].append([float(stats.t.ppf(0.975, df)), float(stats.t.ppf(0.995, df)), float(stats.t.ppf(0.6, df)), float(stats.t.sf(2.1, df))])
print(json.dumps(out))
`;

const scipy = JSON.parse(execFileSync(SYSTEM_PYTHON, ['-c', SCIPY, JSON.stringify(SAMPLES)], { encoding: 'utf8' })) as {
  summary: { mean: number; sd: number; cv: number; ci: [number, number]; pi: [number, number] }[];
  ks: [number, number][];
  welch: [number, number][];
  t: [number, number, number, number][];
};

const close = (a: number | null | undefined, b: number, rel = 1e-9): void => {
  expect(a).not.toBeNull();
  expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
};

describe('statistics agree with SciPy', () => {
  it('Student t quantiles and tails', () => {
    [1, 2, 3, 4, 7, 11, 29, 100, 2.5, 13.7].forEach((df, i) => {
      const [q975, q995, q60, sf] = scipy.t[i]!;
      // SciPy 1.10's t.ppf (cephes stdtrit) is itself good to about 1e-9 relative: its own t.sf at its quantile is off by that much
      close(studentTQuantile(0.975, df), q975, 1e-8);
      close(studentTQuantile(0.995, df), q995, 1e-8);
      close(studentTQuantile(0.6, df), q60, 1e-8);
      close(studentTSf(2.1, df), sf, 1e-10);
      close(studentTQuantile(0.025, df), -q975, 1e-8);
      close(studentTSf(studentTQuantile(0.995, df), df), 0.005, 1e-13);
    });
  });

  it('mean, sample sd, CV, 95 % CI and prediction interval', () => {
    SAMPLES.forEach((s, i) => {
      const ours = summarize(s);
      const ref = scipy.summary[i]!;
      expect(ours.n).toBe(s.length);
      close(ours.mean, ref.mean, 1e-12);
      close(ours.sd, ref.sd, 1e-10);
      close(ours.cv, ref.cv, 1e-10);
      close(ours.ci95![0], ref.ci[0], 1e-8);
      close(ours.ci95![1], ref.ci[1], 1e-8);
      close(ours.pi95![0], ref.pi[0], 1e-8);
      close(ours.pi95![1], ref.pi[1], 1e-8);
      expect(ours.min).toBe(Math.min(...s));
      expect(ours.max).toBe(Math.max(...s));
    });
  });

  it('two-sample KS with exact p-values, and Welch t', () => {
    let k = 0;
    for (let i = 0; i < SAMPLES.length; i++) {
      for (let j = 0; j < SAMPLES.length; j++) {
        if (i === j) continue;
        const ks = ks2Sample(SAMPLES[i]!, SAMPLES[j]!)!;
        close(ks.statistic, scipy.ks[k]![0], 1e-12);
        close(ks.pValue, scipy.ks[k]![1], 1e-9);
        const w = welchTTest(SAMPLES[i]!, SAMPLES[j]!)!;
        close(w.statistic, scipy.welch[k]![0], 1e-9);
        close(w.pValue, scipy.welch[k]![1], 1e-8);
        k++;
      }
    }
  });

  it('the variance-ratio F-test', () => {
    const f = varianceRatioTest([1.0, 2.5, 0.3, 4.0, 2.2], [1.1, 1.2, 1.15])!;
    close(f.statistic, 818.0000000000023, 1e-12);
    close(f.pValue, 0.001221373931857556, 1e-9);
    expect(varianceRatioTest([1, 2], [3, 3])).toBeNull();
  });

  it('identical values are bitwise equal with zero spread and an exact mean', () => {
    const s = summarize([0.1, 0.1, 0.1]);
    expect(s).toMatchObject({ n: 3, mean: 0.1, sd: 0, allBitwiseEqual: true, ci95: [0.1, 0.1], pi95: [0.1, 0.1] });
    expect(summarize([1]).sd).toBeNull();
    expect(summarize([0.1, 0.1 + 1e-17 + 2e-17]).allBitwiseEqual).toBe(false);
    expect(welchTTest([1, 1], [1, 1])).toBeNull();
    expect(ks2Sample([1, 1], [1, 1])).toEqual({ statistic: 0, pValue: 1, df: null });
  });
});
