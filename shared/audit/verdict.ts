import type {
  AuditGroup,
  AuditSource,
  DataCheck,
  EffectSize,
  GroupName,
  MetricSummary,
  Rerun,
  Tolerance,
  Verdict,
} from './audit';
import type { Category, SeedFinding, Snapshot } from '../snapshot/snapshot';
import { ks2Sample, summarize, varianceRatioTest, welchTTest } from './statistics';

/**
 * The audit's judgement, as pure functions of stored facts (docs/audit.md states the rules): per
 * metric and group statistics, the verdict with its one-sentence explanation, and the sources of
 * variance with their evidence, ranked.
 */

/** The reference's outcome: its metric values and its artifacts hash (null when unknown). */
export interface ReferenceOutcome {
  metrics: Record<string, number>;
  artifactsHash: string | null;
}

/** Reruns that produced an outcome to judge (finished with exit 0). */
export const finishedReruns = (g: AuditGroup | undefined): Rerun[] =>
  g ? g.reruns.filter((r) => r.status === 'finished') : [];

const fmt = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e6 || a < 1e-4 ? v.toExponential(3) : String(Number(v.toPrecision(6)));
};

/** Whether `value` is within a tolerance of `reference`. */
export function withinTolerance(value: number, reference: number, tol: Tolerance): boolean {
  const diff = Math.abs(value - reference);
  return tol.kind === 'abs' ? diff <= tol.value : diff <= (tol.value / 100) * Math.abs(reference);
}

/** Per metric: the reference value, statistics per group (tests against the baseline), tolerance checks and the prediction-interval check. */
export function summarizeMetrics(
  groups: readonly AuditGroup[],
  reference: ReferenceOutcome | null,
  tolerances: readonly Tolerance[],
): Record<string, MetricSummary> {
  const names = new Set<string>(Object.keys(reference?.metrics ?? {}));
  for (const g of groups) for (const r of finishedReruns(g)) for (const k of Object.keys(r.metrics)) names.add(k);
  const baseline = groups.find((g) => g.name === 'baseline');
  const out: Record<string, MetricSummary> = {};
  for (const name of [...names].sort()) {
    const baseValues = finishedReruns(baseline)
      .map((r) => r.metrics[name])
      .filter((v): v is number => typeof v === 'number');
    const groupsOut: MetricSummary['groups'] = {};
    for (const g of groups) {
      const values = finishedReruns(g)
        .map((r) => r.metrics[name])
        .filter((v): v is number => typeof v === 'number');
      if (values.length === 0) continue;
      const s = summarize(values);
      const isBase = g.name === 'baseline';
      groupsOut[g.name] = {
        ...s,
        ksVsBaseline: isBase || baseValues.length === 0 ? null : ks2Sample(values, baseValues),
        welchVsBaseline: isBase ? null : welchTTest(values, baseValues),
      };
    }
    const ref = reference?.metrics[name];
    const tolerance = tolerances.find((t) => t.metric === name) ?? null;
    const base = groupsOut.baseline;
    const diffs = ref === undefined ? [] : baseValues.map((v) => Math.abs(v - ref));
    out[name] = {
      reference: ref ?? null,
      groups: groupsOut,
      tolerance,
      maxAbsDiff: diffs.length ? Math.max(...diffs) : null,
      withinTolerance:
        tolerance && ref !== undefined && baseValues.length
          ? baseValues.every((v) => withinTolerance(v, ref, tolerance))
          : null,
      referenceInPi95: ref !== undefined && base?.pi95 ? ref >= base.pi95[0]! && ref <= base.pi95[1]! : null,
    };
  }
  return out;
}

/** The verdict and its sentence; see docs/audit.md for the rules, applied in order. */
export function decideVerdict(
  groups: readonly AuditGroup[],
  metrics: Record<string, MetricSummary>,
  reference: ReferenceOutcome | null,
): { verdict: Verdict; explanation: string } {
  const baseline = groups.find((g) => g.name === 'baseline');
  const runs = baseline?.reruns ?? [];
  const failed = runs.filter((r) => r.status === 'failed' || r.status === 'timed-out');
  const done = finishedReruns(baseline);
  if (failed.length > 0 || done.length === 0) {
    const first = failed[0];
    const why = first
      ? (first.error ?? (first.exitCode !== null ? `exit code ${first.exitCode}` : first.status))
      : 'no baseline rerun finished';
    return {
      verdict: 'failed',
      explanation: `${failed.length} of ${runs.length} baseline reruns failed (first: ${why}).`,
    };
  }
  if (!reference)
    return { verdict: 'failed', explanation: 'There is no reference outcome to judge the reruns against.' };
  const refNames = Object.keys(reference.metrics).sort();
  const missing = refNames.filter((n) => done.some((r) => !(n in r.metrics)));
  if (missing.length > 0) {
    return {
      verdict: 'not-reproduced',
      explanation: `The reruns did not report ${missing.map((m) => `"${m}"`).join(', ')}, which the original reported.`,
    };
  }
  const exactMetrics = refNames.every((n) => done.every((r) => Object.is(r.metrics[n], reference.metrics[n])));
  const artifactsSame =
    reference.artifactsHash === null || done.every((r) => r.artifactsHash === reference.artifactsHash);
  const list = refNames.length ? refNames.join(', ') : 'no metrics';
  if (exactMetrics && artifactsSame) {
    return {
      verdict: 'reproduced-exact',
      explanation: refNames.length
        ? `All ${done.length} baseline reruns reproduced every metric (${list}) bit for bit${reference.artifactsHash ? ', with the same artifacts' : ''}.`
        : `All ${done.length} baseline reruns finished${reference.artifactsHash ? ' with the same artifacts' : ''}; no metrics were reported to compare.`,
    };
  }
  const inexact = refNames.filter((n) => !done.every((r) => Object.is(r.metrics[n], reference.metrics[n])));
  const tolerated = inexact.every((n) => metrics[n]?.withinTolerance === true);
  if (inexact.length > 0 && tolerated) {
    const worst = inexact
      .map((n) => ({ n, d: metrics[n]!.maxAbsDiff ?? 0, t: metrics[n]!.tolerance! }))
      .sort((a, b) => b.d - a.d)[0]!;
    return {
      verdict: 'reproduced-within-tolerance',
      explanation: `Every baseline rerun is within the tolerances; the largest difference is ${worst.n} ${fmt(worst.d)} (tolerance ${worst.t.kind === 'abs' ? fmt(worst.t.value) : `${worst.t.value} %`}).`,
    };
  }
  const outside = inexact.filter((n) => metrics[n]?.referenceInPi95 !== true);
  if (inexact.length > 0 && outside.length === 0) {
    const n = inexact[0]!;
    const pi = metrics[n]!.groups.baseline!.pi95!;
    return {
      verdict: 'statistically-consistent',
      explanation: `The reruns are not bitwise equal, but the reference lies inside the baseline's 95 % prediction interval for every metric (e.g. ${n} ${fmt(reference.metrics[n])} in [${fmt(pi[0])}, ${fmt(pi[1])}]).`,
    };
  }
  if (inexact.length === 0) {
    return {
      verdict: 'not-reproduced',
      explanation: "Every metric matches bit for bit, but the artifacts differ from the original's.",
    };
  }
  const n = outside[0]!;
  const m = metrics[n]!;
  const pi = m.groups.baseline?.pi95;
  return {
    verdict: 'not-reproduced',
    explanation: pi
      ? `The reference's ${n} ${fmt(m.reference)} lies outside the baseline's 95 % prediction interval [${fmt(pi[0])}, ${fmt(pi[1])}] (largest difference ${fmt(m.maxAbsDiff)}).`
      : `The reference's ${n} ${fmt(m.reference)} differs from the reruns' (largest difference ${fmt(m.maxAbsDiff)}) and there are too few reruns for an interval.`,
  };
}

/** One difference between the original's snapshot and a rerun's, a candidate source. */
export interface SnapshotDifference {
  category: Category;
  factor: string;
  original: string;
  rerun: string;
  /** The ranking prior: lower is more likely to move numbers (docs/audit.md). */
  prior: number;
}

const NUMERIC_PACKAGES =
  /^(numpy|scipy|scikit-learn|sklearn|torch|tensorflow|tensorflow-cpu|jax|jaxlib|xgboost|lightgbm|catboost|pandas|mkl|openblas|numba|cupy|keras)$/i;

/** The differences between the original's snapshot and a rerun's that could change numbers (unknown facts on either side are not differences). */
export function snapshotDifferences(original: Snapshot, rerun: Snapshot): SnapshotDifference[] {
  const out: SnapshotDifference[] = [];
  const add = (
    category: Category,
    factor: string,
    a: string | null | undefined,
    b: string | null | undefined,
    prior: number,
  ): void => {
    if (a === null || a === undefined || b === null || b === undefined || a === b) return;
    out.push({ category, factor, original: a, rerun: b, prior });
  };
  add('code', 'commit', original.code.commit, rerun.code.commit, 1);
  if (original.code.vcs === 'none' && rerun.code.vcs === 'none')
    add('code', 'source files (content hash)', original.code.contentHash, rerun.code.contentHash, 1);
  if (original.software.python.status === 'ok' && rerun.software.python.status === 'ok')
    add('software', 'python', original.software.python.version, rerun.software.python.version, 3);
  const pkgs = (s: Snapshot): Map<string, string> =>
    new Map(s.software.packages.map((p) => [p.name.toLowerCase(), p.version]));
  if (original.software.packages.length > 0 && rerun.software.packages.length > 0) {
    const a = pkgs(original);
    const b = pkgs(rerun);
    for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const prior = NUMERIC_PACKAGES.test(name) ? 2 : 5;
      add('software', `package:${name}`, a.get(name) ?? '(not installed)', b.get(name) ?? '(not installed)', prior);
    }
  }
  for (const lib of Object.keys(original.software.numerics)) {
    for (const [k, v] of Object.entries(original.software.numerics[lib] ?? {}))
      add('software', `numerics:${lib}.${k}`, v, rerun.software.numerics[lib]?.[k], 2);
  }
  const oc = original.hardware.cpu;
  const rc = rerun.hardware.cpu;
  if (oc && rc) {
    add('hardware', 'cpu', oc.model, rc.model, 4);
    add('hardware', 'cpu numerics flags', oc.numericsFlags.join(' '), rc.numericsFlags.join(' '), 4);
  }
  if (original.hardware.gpus.length > 0 || rerun.hardware.gpus.length > 0) {
    add(
      'hardware',
      'gpus',
      original.hardware.gpus.map((g) => g.model).join(', ') || '(none)',
      rerun.hardware.gpus.map((g) => g.model).join(', ') || '(none)',
      4,
    );
  }
  const envNames = new Set([...Object.keys(original.process.env), ...Object.keys(rerun.process.env)]);
  for (const k of [...envNames].sort())
    add('process', `env:${k}`, original.process.env[k] ?? '(unset)', rerun.process.env[k] ?? '(unset)', 6);
  if (Object.keys(original.process.parameters).length > 0) {
    for (const k of Object.keys(original.process.parameters).sort())
      add('process', `parameter:${k}`, original.process.parameters[k], rerun.process.parameters[k] ?? '(unset)', 6);
  }
  return out;
}

const PIN_FACTORS: Partial<Record<GroupName, { category: Category; factor: string; what: string }>> = {
  'pin:hashseed': { category: 'randomness', factor: 'PYTHONHASHSEED', what: 'pinning PYTHONHASHSEED=0' },
  'pin:threads': { category: 'process', factor: 'thread count', what: 'pinning every thread pool to 1 thread' },
  'pin:cuda-determinism': { category: 'hardware', factor: 'CUDA determinism', what: 'turning on CUDA determinism' },
};
const VARY_FACTORS: Partial<Record<GroupName, { category: Category; factor: string; what: string }>> = {
  'vary:threads': { category: 'process', factor: 'thread count', what: 'varying the thread count' },
  'vary:hashseed': { category: 'randomness', factor: 'PYTHONHASHSEED', what: 'varying PYTHONHASHSEED' },
  'vary:seed': { category: 'randomness', factor: 'seed parameter', what: 'varying the seed parameter' },
};

/** What sources are found from. */
export interface SourceInput {
  groups: readonly AuditGroup[];
  metrics: Record<string, MetricSummary>;
  dataChecks: readonly DataCheck[];
  /** Seed-scan findings of the rerun code (suspects for uncontrolled nondeterminism). */
  findings: readonly SeedFinding[];
  /** Differences between the original and the reruns (empty when the reference is a rerun). */
  differences: readonly SnapshotDifference[];
}

const relToSeed = (metric: MetricSummary, abs: number): number | null => {
  const sd = metric.groups.seeds?.sd;
  return sd && sd > 0 ? abs / sd : null;
};
const effectText = (e: EffectSize): string =>
  `${e.metric} ${fmt(e.absolute)}${e.relativeToSeedSpread !== null ? ` (${fmt(e.relativeToSeedSpread)}× the seed spread)` : ''}`;

/** The sources of variance, ranked: data, pinned, varied, uncontrolled, then candidates by prior (docs/audit.md). */
export function findSources(input: SourceInput): AuditSource[] {
  const sources: Omit<AuditSource, 'rank'>[] = [];
  const baselineName = 'baseline';
  for (const d of input.dataChecks) {
    if (d.same !== false) continue;
    sources.push({
      category: 'data',
      factor: `data:${d.path}`,
      kind: 'data',
      effects: [],
      effect: `The data input ${d.path} changed since the original run.`,
      evidence: [`original root hash ${d.originalHash ?? '(unknown)'}`, `now ${d.currentHash ?? '(missing)'}`],
    });
  }
  const varying = Object.entries(input.metrics).filter(
    ([, m]) =>
      m.groups[baselineName] && !m.groups[baselineName]!.allBitwiseEqual && (m.groups[baselineName]!.n ?? 0) >= 2,
  );
  const pinnedAway = new Set<string>();
  const scored: { source: Omit<AuditSource, 'rank'>; score: number }[] = [];
  for (const g of input.groups) {
    const pin = PIN_FACTORS[g.name];
    if (!pin || finishedReruns(g).length < 2) continue;
    const effects: EffectSize[] = [];
    const evidence: string[] = [];
    for (const [name, m] of varying) {
      const before = m.groups[baselineName]!.sd ?? 0;
      const gs = m.groups[g.name];
      if (!gs) continue;
      const after = gs.allBitwiseEqual ? 0 : (gs.sd ?? 0);
      // a pin counts when the spread is gone, or when the F-test says it shrank (sd estimates from a few reruns are noisy)
      const values = (grp: AuditGroup | undefined): number[] =>
        finishedReruns(grp)
          .map((r) => r.metrics[name])
          .filter((v): v is number => typeof v === 'number');
      const f =
        after === 0 ? null : varianceRatioTest(values(input.groups.find((x) => x.name === baselineName)), values(g));
      evidence.push(
        `${name}: sd ${fmt(before)} in the baseline, ${fmt(after)} with ${g.name}${gs.allBitwiseEqual ? ' (bitwise equal)' : f ? ` (F-test p = ${fmt(f.pValue)})` : ''}`,
      );
      if (after === 0 || (f !== null && f.pValue < 0.05)) {
        effects.push({
          metric: name,
          absolute: before - after,
          relativeToSeedSpread: relToSeed(m, before - after),
          before,
          after,
        });
        if (after === 0) pinnedAway.add(name);
      }
    }
    if (effects.length === 0) continue;
    scored.push({
      score: Math.max(...effects.map((e) => e.absolute)),
      source: {
        category: pin.category,
        factor: pin.factor,
        kind: 'pinned',
        effects,
        evidence,
        effect: `${pin.what[0]!.toUpperCase()}${pin.what.slice(1)} ${effects.every((e) => e.after === 0) ? 'removes' : 'reduces'} the baseline's spread: ${effects.map(effectText).join('; ')}.`,
      },
    });
  }
  for (const g of input.groups) {
    const vary = VARY_FACTORS[g.name];
    if (!vary || finishedReruns(g).length === 0) continue;
    const effects: EffectSize[] = [];
    const evidence: string[] = [];
    for (const [name, m] of Object.entries(input.metrics)) {
      const base = m.groups[baselineName];
      const gs = m.groups[g.name];
      if (!base || !gs || base.mean === null || gs.mean === null) continue;
      const values = finishedReruns(g)
        .map((r) => r.metrics[name])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const move = Math.max(...values.map((v) => Math.abs(v - base.mean!)));
      const p = gs.welchVsBaseline?.pValue ?? null;
      const moved = base.allBitwiseEqual
        ? !(gs.allBitwiseEqual && Object.is(gs.mean, base.mean))
        : (p !== null && p < 0.05) || (gs.ksVsBaseline?.pValue ?? 1) < 0.05;
      if (!moved || !(move > 0)) continue;
      evidence.push(
        `${name}: baseline mean ${fmt(base.mean)} (sd ${fmt(base.sd)}), ${g.name} mean ${fmt(gs.mean)} (sd ${fmt(gs.sd)}, range ${fmt(gs.min)}…${fmt(gs.max)})${p !== null ? `, Welch p = ${fmt(p)}` : ''}${gs.ksVsBaseline ? `, KS p = ${fmt(gs.ksVsBaseline.pValue)}` : ''}`,
      );
      effects.push({
        metric: name,
        absolute: move,
        relativeToSeedSpread: relToSeed(m, move),
        before: base.sd,
        after: gs.sd,
      });
    }
    if (effects.length === 0) continue;
    scored.push({
      score: Math.max(...effects.map((e) => e.absolute)),
      source: {
        category: vary.category,
        factor: vary.factor,
        kind: 'varied',
        effects,
        evidence,
        effect: `${vary.what[0]!.toUpperCase()}${vary.what.slice(1)} moves the results by up to ${effects.map(effectText).join('; ')}.`,
      },
    });
  }
  scored.sort((a, b) => (a.source.kind === b.source.kind ? b.score - a.score : a.source.kind === 'pinned' ? -1 : 1));
  sources.push(...scored.map((s) => s.source));
  const unexplained = varying.filter(([name]) => !pinnedAway.has(name));
  if (unexplained.length > 0) {
    const effects = unexplained.map(([name, m]) => {
      const sd = m.groups[baselineName]!.sd ?? 0;
      return { metric: name, absolute: sd, relativeToSeedSpread: relToSeed(m, sd), before: sd, after: null };
    });
    const suspects = input.findings.filter((f) => f.kind === 'risk');
    sources.push({
      category: 'randomness',
      factor: 'uncontrolled nondeterminism',
      kind: 'uncontrolled',
      effects,
      effect: `The baseline varies from rerun to rerun and no pinned factor removes it: sd ${effects.map(effectText).join('; ')}.`,
      evidence: suspects.length
        ? suspects.slice(0, 20).map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`)
        : ['the seed scan found no unseeded random source; suspects are threads, GPU kernels or the system clock'],
    });
  }
  const diffs = [...input.differences].sort((a, b) => a.prior - b.prior || a.factor.localeCompare(b.factor));
  for (const d of diffs) {
    sources.push({
      category: d.category,
      factor: d.factor,
      kind: 'candidate',
      effects: [],
      effect: `Differs between the original and the reruns (${d.original} → ${d.rerun}); no rerun group isolates its effect.`,
      evidence: [`original: ${d.original}`, `reruns: ${d.rerun}`],
    });
  }
  return sources.map((s, i) => ({ ...s, rank: i + 1 }));
}
