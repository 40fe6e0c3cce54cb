// Streaming per-column summaries of a table (missing, min/max/mean/sd, top categories, a seeded sample) and the two-sample tests between two versions of a column.
import { ks2Sample } from '../audit/statistics';
import { chiSquareSf } from './data-shift-stats';

/** Values kept per numeric column for the KS test; beyond this the sample is a uniform reservoir (seeded, so reruns agree). */
export const SAMPLE_SIZE = 20_000;
/** Distinct categories counted per column; later new values count as "other". */
export const MAX_CATEGORIES = 10_000;
/** Categories listed per column in a summary. */
export const TOP_CATEGORIES = 8;

/** The kind of values a column holds. */
export type ColumnType = 'number' | 'integer' | 'string' | 'boolean' | 'other';

/** The summary of one column of one version, as stored. */
export interface ColumnSummary {
  type: ColumnType;
  /** Values present (not missing). */
  count: number;
  missing: number;
  /** In a numeric column: present values that are not numbers (a few are quoted in `examples`). */
  nonNumeric: number;
  examples: string[];
  min: number | null;
  max: number | null;
  mean: number | null;
  sd: number | null;
  top: { value: string; count: number }[];
  distinct: number;
  distinctCapped: boolean;
}

/** A 32-bit hash of a string (FNV-1a over UTF-16 units). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A 32-bit hash of a number's value (so 1 and 1.0 agree). */
export function hashNumber(v: number): number {
  f64[0] = v === 0 ? 0 : v; // -0 and 0 are the same value in a table
  return Math.imul(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1), 0x85ebca6b) >>> 0;
}

/** Mixes a field's hash with its position (row or column), for order-free sums over rows or columns. */
export function mixHash(h: number, at: number): number {
  const x = Math.imul(h ^ Math.imul(at + 1, 0x9e3779b1), 0x85ebca6b);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Missing-value spellings in text tables (pandas' defaults, case-insensitive, after trimming). */
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '#n/a', '-nan', '<na>']);

/** Whether a text cell means "no value". */
export function isMissingText(s: string): boolean {
  if (s.length > 5) return false;
  if (s.length === 0) return true;
  // every spelling starts with n, #, - or <, or is padded: a letter or digit first is a value (the usual case, no trim)
  const c = s.charCodeAt(0) | 0x20;
  if ((c >= 0x61 && c <= 0x7a && c !== 0x6e) || (c >= 0x30 && c <= 0x39)) return false;
  return MISSING.has(s.trim().toLowerCase());
}

/** Accumulates one column's values in one pass: moments (Welford), extremes, a reservoir sample, category counts. */
export class ColumnProfiler {
  readonly type: ColumnType;
  count = 0;
  missing = 0;
  nonNumeric = 0;
  examples: string[] = [];
  /** An order-free hash of the column's values by row, to recognise a renamed column. */
  hash = 0;
  private min = Infinity;
  private max = -Infinity;
  private numbers = 0;
  private sample: Float64Array | null;
  private sampleN = 0;
  private rng: number;
  private categories: Map<string, number> | null;
  private other = 0;
  private capped = false;

  constructor(type: ColumnType, seed = 1) {
    this.type = type;
    const numeric = type === 'number' || type === 'integer';
    this.sample = numeric ? new Float64Array(SAMPLE_SIZE) : null;
    this.categories = numeric ? null : new Map();
    this.rng = (seed * 2654435761) >>> 0 || 1;
  }

  /** Whether the column is summarised as numbers. */
  get numeric(): boolean {
    return this.sample !== null;
  }

  /** A number in a numeric column (NaN counts as missing). */
  addNumber(v: number): void {
    if (v !== v) {
      this.missing++;
      return;
    }
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    // infinities are kept out of the moments so that one does not make the mean meaningless
    if (v === Infinity || v === -Infinity) return;
    const n = ++this.numbers;
    // sums shifted by the first value: as exact as Welford's update, without a division per value
    if (n === 1) this.shift = v;
    const d = v - this.shift;
    this.sum += d;
    this.sumSq += d * d;
    if (this.sampleN < SAMPLE_SIZE) {
      this.sample![this.sampleN++] = v;
      if (this.sampleN === SAMPLE_SIZE) this.nextSkip(n);
    } else if (n === this.nextPick) {
      this.sample![Math.floor(this.random() * SAMPLE_SIZE)] = v;
      this.nextSkip(n);
    }
  }

  /**
   * The numbers of a batch, in order, exactly as addNumber one at a time would take them, but with
   * the running state in locals (the CSV pass's hot loop). NaN entries are skipped: the caller has
   * already counted those cells as missing or as text.
   */
  addNumbers(vals: Float64Array, n: number): void {
    const sample = this.sample!;
    let { min, max, count, numbers, shift, sum, sumSq, sampleN, nextPick } = this;
    for (let i = 0; i < n; i++) {
      const v = vals[i]!;
      if (v !== v) continue;
      count++;
      if (v < min) min = v;
      if (v > max) max = v;
      // v - v is NaN only for the infinities (NaN was skipped above)
      if (v - v !== 0) continue;
      numbers++;
      if (numbers === 1) shift = v;
      const d = v - shift;
      sum += d;
      sumSq += d * d;
      if (sampleN < SAMPLE_SIZE) {
        sample[sampleN++] = v;
        if (sampleN === SAMPLE_SIZE) nextPick = this.nextSkip(numbers);
      } else if (numbers === nextPick) {
        sample[Math.floor(this.random() * SAMPLE_SIZE)] = v;
        nextPick = this.nextSkip(numbers);
      }
    }
    this.min = min;
    this.max = max;
    this.count = count;
    this.numbers = numbers;
    this.shift = shift;
    this.sum = sum;
    this.sumSq = sumSq;
    this.sampleN = sampleN;
  }

  // Li's Algorithm L: the reservoir draws how many values to skip, not a number per value.
  private w = 1;
  private nextPick = 0;
  private shift = 0;
  private sum = 0;
  private sumSq = 0;

  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return (this.rng + 0.5) / 4294967296;
  }

  /** Draws the next value to keep after the n-th; returns it (and keeps it in nextPick). */
  private nextSkip(n: number): number {
    this.w *= Math.exp(Math.log(this.random()) / SAMPLE_SIZE);
    this.nextPick = n + Math.floor(Math.log(this.random()) / Math.log(1 - this.w)) + 1;
    return this.nextPick;
  }

  /** A present value of a numeric column that is not a number. */
  addNonNumeric(text: string): void {
    this.count++;
    this.nonNumeric++;
    if (this.examples.length < 3 && !this.examples.includes(text)) this.examples.push(text.slice(0, 40));
  }

  /** A value of a text column. */
  addText(s: string): void {
    this.count++;
    const cats = this.categories;
    if (!cats) {
      this.addNonNumeric(s);
      return;
    }
    const c = cats.get(s);
    if (c !== undefined) cats.set(s, c + 1);
    else if (cats.size < MAX_CATEGORIES) cats.set(s, 1);
    else {
      this.other++;
      this.capped = true;
    }
  }

  /** A missing value. */
  addMissing(): void {
    this.missing++;
  }

  /** The numeric sample (for the KS test). */
  samples(): Float64Array {
    return this.sample ? this.sample.subarray(0, this.sampleN) : new Float64Array(0);
  }

  /** Whether the sample holds every finite value. */
  get sampleComplete(): boolean {
    return this.numbers <= SAMPLE_SIZE;
  }

  /** Category counts (text columns). */
  categoryCounts(): Map<string, number> {
    return this.categories ?? new Map<string, number>();
  }

  /** Values counted as "other" once MAX_CATEGORIES distinct values were seen. */
  get otherCount(): number {
    return this.other;
  }

  /** The column's summary. */
  summary(): ColumnSummary {
    const present = this.count > 0 && this.numeric && this.min !== Infinity;
    const top = this.categories
      ? [...this.categories]
          .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
          .slice(0, TOP_CATEGORIES)
          .map(([value, count]) => ({ value: value.slice(0, 80), count }))
      : [];
    return {
      type: this.type,
      count: this.count,
      missing: this.missing,
      nonNumeric: this.nonNumeric,
      examples: this.examples,
      min: present ? this.min : null,
      max: present ? this.max : null,
      mean: this.numbers > 0 ? this.shift + this.sum / this.numbers : null,
      sd:
        this.numbers > 1
          ? Math.sqrt(Math.max(0, (this.sumSq - (this.sum * this.sum) / this.numbers) / (this.numbers - 1)))
          : null,
      top,
      distinct: this.categories ? this.categories.size : 0,
      distinctCapped: this.capped,
    };
  }
}

/** The test between two versions of a column. */
export interface ColumnTest {
  kind: 'ks' | 'chi-square' | 'none';
  statistic: number | null;
  pValue: number | null;
  df: number | null;
  /** Population stability index over the categories (text columns) or over A's deciles (numbers). */
  psi: number | null;
  /** How much the column moved, 0 (not at all) to 1: KS D for numbers, total variation distance for categories, 1 for a new type. */
  movement: number;
  /** Whether the test ran on a sample of the values (more than SAMPLE_SIZE). */
  sampled: boolean;
}

const EPS = 1e-4;

function psiOf(pa: readonly number[], pb: readonly number[]): number {
  let psi = 0;
  for (let i = 0; i < pa.length; i++) {
    const x = Math.max(pa[i]!, EPS);
    const y = Math.max(pb[i]!, EPS);
    psi += (y - x) * Math.log(y / x);
  }
  return psi;
}

/** PSI over A's deciles; xs is sorted. */
function numericPsi(xs: Float64Array, ys: Float64Array): number | null {
  if (xs.length < 10 || ys.length === 0) return null;
  const sorted = xs; // sorted by the caller
  const cuts: number[] = [];
  for (let q = 1; q < 10; q++) cuts.push(sorted[Math.floor((q * sorted.length) / 10)]!);
  const bins = (v: Float64Array): number[] => {
    const c = new Array<number>(10).fill(0);
    for (const x of v) {
      let k = 0;
      while (k < 9 && x > cuts[k]!) k++;
      c[k]!++;
    }
    return c.map((n) => n / v.length);
  };
  return psiOf(bins(xs), bins(ys));
}

/** Compares two versions of a column: KS for numbers, chi-square and PSI for categories. */
export function testColumns(a: ColumnProfiler, b: ColumnProfiler): ColumnTest {
  const none: ColumnTest = {
    kind: 'none',
    statistic: null,
    pValue: null,
    df: null,
    psi: null,
    movement: 0,
    sampled: false,
  };
  if (a.numeric !== b.numeric) return { ...none, movement: 1 };
  if (a.numeric) {
    // sorted first as typed arrays (a native numeric sort): ks2Sample's own comparator sorts then find
    // runs already in order, which made the test of two 20,000-value samples about ten times faster
    const xs = Float64Array.from(a.samples()).sort();
    const ys = Float64Array.from(b.samples()).sort();
    const ks = ks2Sample(Array.from(xs), Array.from(ys));
    if (!ks) return { ...none, movement: xs.length === ys.length ? 0 : 1 };
    return {
      kind: 'ks',
      statistic: ks.statistic,
      pValue: ks.pValue,
      df: null,
      psi: numericPsi(xs, ys),
      movement: ks.statistic,
      sampled: !a.sampleComplete || !b.sampleComplete,
    };
  }
  const ca = a.categoryCounts();
  const cb = b.categoryCounts();
  const na = a.count;
  const nb = b.count;
  if (na === 0 || nb === 0) return { ...none, movement: na === nb ? 0 : 1 };
  // the 30 most frequent categories over both, the rest pooled, so the chi-square has few empty cells
  const pooled = new Map<string, number>();
  for (const [k, v] of ca) pooled.set(k, v / na);
  for (const [k, v] of cb) pooled.set(k, (pooled.get(k) ?? 0) + v / nb);
  const keys = [...pooled].sort((x, y) => y[1] - x[1]).map(([k]) => k);
  const head = keys.slice(0, 30);
  const rowA = head.map((k) => ca.get(k) ?? 0);
  const rowB = head.map((k) => cb.get(k) ?? 0);
  const restA = na - rowA.reduce((s, v) => s + v, 0);
  const restB = nb - rowB.reduce((s, v) => s + v, 0);
  if (restA > 0 || restB > 0) {
    rowA.push(restA);
    rowB.push(restB);
  }
  let tvd = 0;
  for (let i = 0; i < rowA.length; i++) tvd += Math.abs(rowA[i]! / na - rowB[i]! / nb);
  tvd /= 2;
  let chi = 0;
  let cells = 0;
  for (let i = 0; i < rowA.length; i++) {
    const total = rowA[i]! + rowB[i]!;
    if (total === 0) continue;
    cells++;
    const ea = (total * na) / (na + nb);
    const eb = (total * nb) / (na + nb);
    chi += (rowA[i]! - ea) ** 2 / ea + (rowB[i]! - eb) ** 2 / eb;
  }
  const df = cells - 1;
  return {
    kind: 'chi-square',
    statistic: chi,
    pValue: df > 0 ? chiSquareSf(chi, df) : 1,
    df,
    psi: psiOf(
      rowA.map((v) => v / na),
      rowB.map((v) => v / nb),
    ),
    movement: tvd,
    sampled: a.otherCount > 0 || b.otherCount > 0,
  };
}
