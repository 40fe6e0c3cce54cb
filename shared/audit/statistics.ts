/**
 * The statistics of an audit, in plain code so that reports can be recomputed anywhere: summary
 * figures, Student t intervals, the two-sample Kolmogorov–Smirnov test (exact p-value, as SciPy's
 * `ks_2samp(method='exact')`) and Welch's t-test (`ttest_ind(equal_var=False)`). The tests compare
 * every figure with SciPy's.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

// Continued fraction of the incomplete beta function (modified Lentz), valid for x < (a + 1) / (a + b + 2).
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** The upper tail P(T > t) of Student's t with `df` degrees of freedom. */
export function studentTSf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedIncompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** The CDF P(T ≤ t) of Student's t. */
export function studentTCdf(t: number, df: number): number {
  return 1 - studentTSf(t, df);
}

/** The quantile of Student's t: the t with P(T ≤ t) = p (bisection on the CDF, then Newton polish). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const q = 1 - p; // upper tail wanted: work on it for precision far in the tail
  let lo = 0;
  let hi = 1;
  while (studentTSf(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTSf(mid, df) > q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Summary figures of a sample; sd, intervals and cv are null where they cannot be computed. */
export interface SampleSummary {
  n: number;
  mean: number | null;
  sd: number | null;
  min: number | null;
  max: number | null;
  cv: number | null;
  ci95: [number, number] | null;
  pi95: [number, number] | null;
  allBitwiseEqual: boolean;
}

/** Whether every value is the same number, bit for bit (NaN equals NaN; 0 and -0 differ). */
export function allBitwiseEqual(values: readonly number[]): boolean {
  return values.every((v) => Object.is(v, values[0]));
}

/** The mean, computed around the first value so that identical values give exactly that value. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const x0 = values[0]!;
  let s = 0;
  for (const v of values) s += v - x0;
  return x0 + s / values.length;
}

/** The sample variance (n − 1 in the denominator), two-pass. */
export function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  let ss = 0;
  let comp = 0;
  for (const v of values) {
    ss += (v - m) ** 2;
    comp += v - m;
  }
  return (ss - (comp * comp) / values.length) / (values.length - 1);
}

/** n, mean, sample sd, min, max, CV, 95 % CI of the mean and 95 % prediction interval (Student t). Non-finite values are left out of the figures but not of the bitwise check. */
export function summarize(values: readonly number[]): SampleSummary {
  const bitwise = allBitwiseEqual(values);
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0)
    return {
      n,
      mean: null,
      sd: null,
      min: null,
      max: null,
      cv: null,
      ci95: null,
      pi95: null,
      allBitwiseEqual: bitwise,
    };
  const m = mean(xs);
  const sd = n >= 2 ? (allBitwiseEqual(xs) ? 0 : Math.sqrt(Math.max(0, sampleVariance(xs)))) : null;
  let ci95: [number, number] | null = null;
  let pi95: [number, number] | null = null;
  if (sd !== null) {
    const t = studentTQuantile(0.975, n - 1);
    const ci = (t * sd) / Math.sqrt(n);
    const pi = t * sd * Math.sqrt(1 + 1 / n);
    ci95 = [m - ci, m + ci];
    pi95 = [m - pi, m + pi];
  }
  return {
    n,
    mean: m,
    sd,
    min: Math.min(...xs),
    max: Math.max(...xs),
    cv: sd !== null && m !== 0 ? sd / Math.abs(m) : null,
    ci95,
    pi95,
    allBitwiseEqual: bitwise,
  };
}

/** A test's statistic and p-value (df for Welch). */
export interface TestOutcome {
  statistic: number;
  pValue: number;
  df: number | null;
}

/**
 * The exact two-sided p-value of the two-sample KS statistic: the probability that a random
 * arrangement of the pooled sample reaches |F1 − F2| ≥ D. Paths through the n1 × n2 lattice are
 * followed with their probabilities; the mass that reaches the boundary is summed (no cancellation).
 */
function ksExactPValue(n1: number, n2: number, bound: number): number {
  // state: probability of being at (i, j) without having touched |i·n2 − j·n1| ≥ bound
  let row = new Float64Array(n2 + 1);
  let outside = 0;
  row[0] = 1;
  for (let i = 0; i <= n1; i++) {
    const next = new Float64Array(n2 + 1);
    for (let j = 0; j <= n2; j++) {
      const p = row[j]!;
      if (p === 0) continue;
      if (Math.abs(i * n2 - j * n1) >= bound) {
        outside += p;
        continue;
      }
      const left = n1 - i + n2 - j;
      if (left === 0) continue;
      if (j < n2) row[j + 1]! += (p * (n2 - j)) / left;
      if (i < n1) next[j]! += (p * (n1 - i)) / left;
    }
    row = next;
  }
  return Math.min(1, outside);
}

// Kolmogorov's limiting distribution, for samples too large for the exact count.
function kolmogorovSf(x: number): number {
  if (x <= 0) return 1;
  let s = 0;
  for (let k = 1; k < 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * x * x);
    s += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, s));
}

/** The two-sample Kolmogorov–Smirnov test, two-sided; exact p-value unless the samples are large (n1·n2 > 10⁶). */
export function ks2Sample(a: readonly number[], b: readonly number[]): TestOutcome | null {
  const x = a
    .filter((v) => !Number.isNaN(v))
    .slice()
    .sort((p, q) => p - q);
  const y = b
    .filter((v) => !Number.isNaN(v))
    .slice()
    .sort((p, q) => p - q);
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return null;
  // the largest |c1·n2 − c2·n1| over the pooled values, in integers, so that D is exact
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  const pooled = [...x, ...y].sort((p, q) => p - q);
  for (const v of pooled) {
    while (i < n1 && x[i]! <= v) i++;
    while (j < n2 && y[j]! <= v) j++;
    maxDiff = Math.max(maxDiff, Math.abs(i * n2 - j * n1));
  }
  const statistic = maxDiff / (n1 * n2);
  if (maxDiff === 0) return { statistic: 0, pValue: 1, df: null };
  const pValue =
    n1 * n2 <= 1_000_000 ? ksExactPValue(n1, n2, maxDiff) : kolmogorovSf(statistic * Math.sqrt((n1 * n2) / (n1 + n2)));
  return { statistic, pValue, df: null };
}

/** Welch's t-test of a against b (two-sided); null when a sample has fewer than two values or neither varies. */
export function welchTTest(a: readonly number[], b: readonly number[]): TestOutcome | null {
  const x = a.filter(Number.isFinite);
  const y = b.filter(Number.isFinite);
  if (x.length < 2 || y.length < 2) return null;
  const vx = (allBitwiseEqual(x) ? 0 : sampleVariance(x)) / x.length;
  const vy = (allBitwiseEqual(y) ? 0 : sampleVariance(y)) / y.length;
  const se2 = vx + vy;
  if (!(se2 > 0)) return null;
  const statistic = (mean(x) - mean(y)) / Math.sqrt(se2);
  const df = (se2 * se2) / ((vx * vx) / (x.length - 1) + (vy * vy) / (y.length - 1));
  return { statistic, pValue: Math.min(1, 2 * studentTSf(Math.abs(statistic), df)), df };
}

/** The one-sided F-test that sample a has a larger variance than sample b: P(F(na−1, nb−1) ≥ s_a²/s_b²); null when either has fewer than two values or b has no spread. */
export function varianceRatioTest(a: readonly number[], b: readonly number[]): TestOutcome | null {
  const x = a.filter(Number.isFinite);
  const y = b.filter(Number.isFinite);
  if (x.length < 2 || y.length < 2) return null;
  const vb = allBitwiseEqual(y) ? 0 : sampleVariance(y);
  if (!(vb > 0)) return null;
  const f = (allBitwiseEqual(x) ? 0 : sampleVariance(x)) / vb;
  const d1 = x.length - 1;
  const d2 = y.length - 1;
  return { statistic: f, pValue: regularizedIncompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2), df: null };
}

/** Holm's step-down adjustment of p-values for the number of tests: adjusted values in the input order, monotone, capped at 1. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p: Number.isNaN(p) ? 1 : p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/** The significance level and power the audit's power statements use. */
export const POWER_ALPHA = 0.05;
/** The probability of detecting a difference of the stated size. */
export const POWER_BETA = 0.8;

/**
 * The smallest |reference − mean of n reruns| that the prediction-interval check detects with 80 %
 * power at α = 0.05, for reruns with spread sd: (t(0.975, n−1) + t(0.80, n−1))·sd·√(1 + 1/n).
 * Null below 2 reruns (no spread can be estimated).
 */
export function detectableDifference(sd: number, n: number): number | null {
  if (n < 2 || !Number.isFinite(sd)) return null;
  const df = n - 1;
  return (studentTQuantile(1 - POWER_ALPHA / 2, df) + studentTQuantile(POWER_BETA, df)) * sd * Math.sqrt(1 + 1 / n);
}

/** How much wider than with unlimited reruns a prediction interval may be and still judge anything (docs/audit.md). */
export const MAX_INTERVAL_INFLATION = 1.6;

/**
 * The fewest reruns whose 95 % prediction interval, t(0.975, n−1)·√(1 + 1/n) sd each side, is at most
 * MAX_INTERVAL_INFLATION times the large-sample 1.96 sd: 5 (4 reruns give 1.81×, 3 give 2.54×, so a
 * reference almost anywhere would look consistent).
 */
export function minRerunsForStatistics(maxInflation = MAX_INTERVAL_INFLATION): number {
  const limit = studentTQuantile(0.975, 1e9);
  for (let n = 2; n < 1000; n++) {
    if ((studentTQuantile(0.975, n - 1) * Math.sqrt(1 + 1 / n)) / limit <= maxInflation) return n;
  }
  return 1000;
}

/** The fewest reruns whose detectable difference (at spread sd) is at most `target`, null when even `cap` reruns are not enough. */
export function rerunsForDifference(sd: number, target: number, cap = 1000): number | null {
  if (!(target > 0)) return null;
  if (sd === 0) return 2;
  for (let n = 2; n <= cap; n++) {
    const d = detectableDifference(sd, n);
    if (d !== null && d <= target) return n;
  }
  return null;
}
