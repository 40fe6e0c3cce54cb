// The sources of variance, ranked (findSources), from the groups' statistics and the candidates that snapshot-differences finds (re-exported here).
import type { AuditGroup, AuditSource, DataCheck, EffectSize, GroupName, MetricSummary } from './audit';
import type { Category, SeedFinding } from '../snapshot/snapshot';
import { compareOutputs } from './outputs';
import { holmAdjust, varianceRatioTest } from './statistics';
import { rankSuspects, suspectEvidence } from './suspects';
import { finishedReruns, fmt, nonFiniteText, shortList } from './verdict-format';
import type { SnapshotDifference } from './snapshot-differences';
export * from './snapshot-differences';

const PIN_FACTORS: Partial<Record<GroupName, { category: Category; factor: string; what: string }>> = {
  'pin:hashseed': { category: 'randomness', factor: 'PYTHONHASHSEED', what: 'pinning PYTHONHASHSEED=0' },
  'pin:threads': { category: 'process', factor: 'thread count', what: 'pinning every thread pool to 1 thread' },
  'pin:cuda-determinism': { category: 'hardware', factor: 'CUDA determinism', what: 'turning on CUDA determinism' },
};
const VARY_FACTORS: Partial<Record<GroupName, { category: Category; factor: string; what: string }>> = {
  'vary:threads': { category: 'process', factor: 'thread count', what: 'varying the thread count' },
  'vary:hashseed': { category: 'randomness', factor: 'PYTHONHASHSEED', what: 'varying PYTHONHASHSEED' },
  'vary:seed': { category: 'randomness', factor: 'seed parameter', what: 'varying the seed parameter' },
  'vary:node': { category: 'hardware', factor: 'node', what: 'moving the reruns to distinct nodes' },
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
  /** Whether the reruns had a GPU (weighs GPU-only suspects); unknown when absent. */
  gpu?: boolean | null;
  /** --ignore-output globs: files left out when the reruns' output files are compared with each other. */
  ignoreOutputs?: readonly string[];
  /** The --outputs paths: a log named exactly is compared like any file (compareOutputs' `named`). */
  namedOutputs?: readonly string[];
}

/**
 * The output files that differ among a group's finished reruns (content, or written by some and not others), MLflow's
 * per-run fields normalised and --ignore-output left out; empty with fewer than two reruns that recorded outputs.
 */
function outputSpread(g: AuditGroup | undefined, ignore: readonly string[], named: readonly string[]): string[] {
  const done = finishedReruns(g).filter((r) => r.outputs !== undefined);
  if (done.length < 2) return [];
  const c = compareOutputs({
    reference: done[0]!.outputs!,
    reruns: done.slice(1).map((r) => r.outputs!),
    ignore,
    referenceComplete: true,
    named,
  });
  return c ? c.differing.map((d) => d.path) : [];
}

const relToSeed = (metric: MetricSummary, abs: number): number | null => {
  const sd = (metric.groups.seeds ?? metric.groups['vary:seed'])?.sd;
  return sd && sd > 0 ? abs / sd : null;
};
const effectText = (e: EffectSize): string =>
  `${e.metric} ${fmt(e.absolute)}${e.relativeToSeedSpread !== null ? ` (${fmt(e.relativeToSeedSpread)}× the seed spread)` : ''}`;

const valuesOf = (g: AuditGroup | undefined, metric: string): number[] =>
  finishedReruns(g)
    .map((r) => r.metrics[metric])
    .filter((v): v is number => typeof v === 'number');

/** NaN and infinities among a group's values ("1 NaN"), empty when every value is a number. */
const nonFiniteIn = (g: AuditGroup | undefined, metric: string): string => nonFiniteText(valuesOf(g, metric));

/** One statistical test behind an attribution, with its p-value before and after Holm's correction. */
interface TestRecord {
  p: number;
  adjusted: number;
}

/**
 * Every test findSources could rank a cause by (the pins' F-tests, the varied groups' Welch and KS
 * tests), corrected together with Holm's method: with twenty tests a p of 0.049 is no evidence.
 */
function correctedTests(input: SourceInput, varying: readonly string[]): Map<string, TestRecord> {
  const keys: string[] = [];
  const ps: number[] = [];
  const record = (key: string, p: number): void => {
    keys.push(key);
    ps.push(p);
  };
  const base = input.groups.find((g) => g.name === 'baseline');
  for (const g of input.groups) {
    if (PIN_FACTORS[g.name] && finishedReruns(g).length >= 2) {
      for (const name of varying) {
        const gs = input.metrics[name]?.groups[g.name];
        if (!gs || gs.allBitwiseEqual || (gs.sd ?? 0) === 0 || nonFiniteIn(g, name)) continue;
        const f = varianceRatioTest(valuesOf(base, name), valuesOf(g, name));
        if (f) record(`${g.name}|${name}|F`, f.pValue);
      }
    }
    if (VARY_FACTORS[g.name] && finishedReruns(g).length > 0) {
      for (const [name, m] of Object.entries(input.metrics)) {
        const gs = m.groups[g.name];
        if (!m.groups.baseline || m.groups.baseline.allBitwiseEqual || !gs) continue;
        if (gs.welchVsBaseline) record(`${g.name}|${name}|welch`, gs.welchVsBaseline.pValue);
        if (gs.ksVsBaseline) record(`${g.name}|${name}|ks`, gs.ksVsBaseline.pValue);
      }
    }
  }
  const adjusted = holmAdjust(ps);
  return new Map(keys.map((k, i) => [k, { p: ps[i]!, adjusted: adjusted[i]! }]));
}

const holmText = (t: TestRecord, count: number): string =>
  `p = ${fmt(t.p)}, ${fmt(t.adjusted)} after Holm's correction over ${count} test${count === 1 ? '' : 's'}`;

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
      m.groups[baselineName] && !m.groups[baselineName].allBitwiseEqual && (m.groups[baselineName].n ?? 0) >= 2,
  );
  const tests = correctedTests(
    input,
    varying.map(([n]) => n),
  );
  const testCount = tests.size;
  const pinnedAway = new Set<string>();
  const scored: { source: Omit<AuditSource, 'rank'>; score: number }[] = [];
  for (const g of input.groups) {
    const pin = PIN_FACTORS[g.name];
    if (!pin || finishedReruns(g).length < 2) continue;
    const effects: EffectSize[] = [];
    const evidence: string[] = [];
    let adjustedP: number | null = null;
    for (const [name, m] of varying) {
      const before = m.groups[baselineName]!.sd ?? 0;
      const gs = m.groups[g.name];
      if (!gs) continue;
      // a pin whose reruns give NaN (or infinities) removes no spread, even when they are all the same NaN
      const broken = nonFiniteIn(g, name);
      if (broken) {
        evidence.push(
          `${name}: ${broken} of ${finishedReruns(g).length} reruns with ${g.name}, so it removes no spread`,
        );
        continue;
      }
      const after = gs.allBitwiseEqual ? 0 : (gs.sd ?? 0);
      // a pin counts when the spread is gone, or when the F-test (corrected) says it shrank (sd estimates from a few reruns are noisy)
      const f = after === 0 ? undefined : tests.get(`${g.name}|${name}|F`);
      evidence.push(
        `${name}: sd ${fmt(before)} in the baseline, ${fmt(after)} with ${g.name}${gs.allBitwiseEqual ? ' (bitwise equal)' : f ? ` (F-test ${holmText(f, testCount)})` : ''}`,
      );
      if (after === 0 || (f !== undefined && f.adjusted < 0.05)) {
        if (f) adjustedP = Math.min(adjustedP ?? 1, f.adjusted);
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
        adjustedPValue: adjustedP,
        effect: `${pin.what[0]!.toUpperCase()}${pin.what.slice(1)} ${effects.every((e) => e.after === 0) ? 'removes' : 'reduces'} the baseline's spread: ${effects.map(effectText).join('; ')}.`,
      },
    });
  }
  for (const g of input.groups) {
    const vary = VARY_FACTORS[g.name];
    if (!vary || finishedReruns(g).length === 0) continue;
    const effects: EffectSize[] = [];
    const evidence: string[] = [];
    const notANumber: string[] = [];
    let adjustedP: number | null = null;
    for (const [name, m] of Object.entries(input.metrics)) {
      const base = m.groups[baselineName];
      const gs = m.groups[g.name];
      // a varied factor that turns a metric the baseline always gave as a number into NaN or an infinity moves it past any size
      const broken = nonFiniteIn(g, name);
      if (
        base &&
        broken &&
        !nonFiniteIn(
          input.groups.find((x) => x.name === baselineName),
          name,
        )
      ) {
        evidence.push(
          `${name}: ${broken} of ${finishedReruns(g).length} reruns with ${g.name}; a number in every baseline rerun`,
        );
        notANumber.push(name);
        continue;
      }
      if (!base || !gs || base.mean === null || gs.mean === null) continue;
      const values = finishedReruns(g)
        .map((r) => r.metrics[name])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const move = Math.max(...values.map((v) => Math.abs(v - base.mean!)));
      const welch = tests.get(`${g.name}|${name}|welch`);
      const ks = tests.get(`${g.name}|${name}|ks`);
      const best = Math.min(welch?.adjusted ?? 1, ks?.adjusted ?? 1);
      const moved = base.allBitwiseEqual ? !(gs.allBitwiseEqual && Object.is(gs.mean, base.mean)) : best < 0.05;
      if (!moved || !(move > 0)) continue;
      if (!base.allBitwiseEqual) adjustedP = Math.min(adjustedP ?? 1, best);
      evidence.push(
        `${name}: baseline mean ${fmt(base.mean)} (sd ${fmt(base.sd)}), ${g.name} mean ${fmt(gs.mean)} (sd ${fmt(gs.sd)}, range ${fmt(gs.min)}…${fmt(gs.max)})${welch ? `, Welch ${holmText(welch, testCount)}` : ''}${ks ? `, KS ${holmText(ks, testCount)}` : ''}`,
      );
      effects.push({
        metric: name,
        absolute: move,
        relativeToSeedSpread: relToSeed(m, move),
        before: base.sd,
        after: gs.sd,
      });
    }
    if (effects.length === 0 && notANumber.length === 0) continue;
    const moves = effects.length ? ` moves the results by up to ${effects.map(effectText).join('; ')}` : '';
    const breaks = notANumber.length ? ` gives NaN or infinite ${notANumber.join(', ')} in some reruns` : '';
    scored.push({
      // no size measures a NaN: such a factor ranks first among the varied ones
      score: notANumber.length ? Infinity : Math.max(...effects.map((e) => e.absolute)),
      source: {
        category: vary.category,
        factor: vary.factor,
        kind: 'varied',
        effects,
        evidence,
        adjustedPValue: adjustedP,
        effect: `${vary.what[0]!.toUpperCase()}${vary.what.slice(1)}${moves}${moves && breaks ? ' and' : ''}${breaks}.`,
      },
    });
  }
  // Output files that differ between identical baseline reruns (a model trained without a seed, say): a pin under
  // which every rerun writes the same files explains them; else they are uncontrolled, like a varying metric.
  const ignore = input.ignoreOutputs ?? [];
  const named = input.namedOutputs ?? [];
  const outputsVary = outputSpread(
    input.groups.find((g) => g.name === baselineName),
    ignore,
    named,
  );
  let outputsPinned = false;
  if (outputsVary.length > 0) {
    for (const g of input.groups) {
      const pin = PIN_FACTORS[g.name];
      const n = finishedReruns(g).filter((r) => r.outputs !== undefined).length;
      if (!pin || n < 2 || outputSpread(g, ignore, named).length > 0) continue;
      outputsPinned = true;
      const line = `output files ${shortList(outputsVary, 5)} differ among the baseline reruns; the ${n} reruns with ${g.name} wrote the same files`;
      const same = `${pin.what[0]!.toUpperCase()}${pin.what.slice(1)} makes every rerun write the same output files (${shortList(outputsVary, 5)} differ in the baseline).`;
      const known = scored.find((x) => x.source.kind === 'pinned' && x.source.factor === pin.factor);
      if (known) {
        known.source.evidence.push(line);
        known.source.effect += ` ${same}`;
      } else
        scored.push({
          score: 0,
          source: {
            category: pin.category,
            factor: pin.factor,
            kind: 'pinned',
            effects: [],
            evidence: [line],
            adjustedPValue: null,
            effect: same,
          },
        });
    }
  }
  scored.sort((a, b) => (a.source.kind === b.source.kind ? b.score - a.score : a.source.kind === 'pinned' ? -1 : 1));
  sources.push(...scored.map((s) => s.source));
  const unexplained = varying.filter(([name]) => !pinnedAway.has(name));
  const outputsUnexplained = outputsVary.length > 0 && !outputsPinned;
  if (unexplained.length > 0 || outputsUnexplained) {
    const effects = unexplained.map(([name, m]) => {
      const sd = m.groups[baselineName]!.sd ?? 0;
      return { metric: name, absolute: sd, relativeToSeedSpread: relToSeed(m, sd), before: sd, after: null };
    });
    const suspects = rankSuspects(input.findings, {
      gpu: input.gpu ?? null,
      hashSeedPinned: input.groups.some((g) => g.name === 'pin:hashseed'),
    });
    sources.push({
      category: 'randomness',
      factor: 'uncontrolled nondeterminism',
      kind: 'uncontrolled',
      effects,
      effect: [
        effects.length
          ? `The baseline varies from rerun to rerun and no pinned factor removes it: sd ${effects.map(effectText).join('; ')}.`
          : '',
        outputsUnexplained
          ? `${effects.length ? 'Its' : 'The baseline'} output files ${shortList(outputsVary, 5)} differ between identical reruns and no pinned factor makes them agree.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
      evidence: suspects.length
        ? suspects.slice(0, 20).map(suspectEvidence)
        : ['the seed scan found no unseeded random source; suspects are threads, GPU kernels or the system clock'],
    });
  }
  const diffs = [...input.differences].sort((a, b) => a.prior - b.prior || a.factor.localeCompare(b.factor));
  for (const d of diffs) {
    // a declared pin is what the project asks for, not what an original run used: say so
    const declared = d.factor.startsWith('declared ');
    sources.push({
      category: d.category,
      factor: d.factor,
      kind: 'candidate',
      effects: [],
      effect: declared
        ? `${declaredText(d)}; the reruns used ${d.rerun}, so the result is not shown to hold in the declared environment; no rerun group isolates its effect.`
        : `Differs between the original and the reruns (${d.original} → ${d.rerun}); no rerun group isolates its effect.`,
      evidence: [`${declared ? 'declared' : 'original'}: ${d.original}`, `reruns: ${d.rerun}`],
    });
  }
  return sources.map((s, i) => ({ ...s, rank: i + 1 }));
}

/** "conda.yaml pins scikit-learn 0.19.1", from a declared difference's factor and its `<version> (declared in <file>)`. */
function declaredText(d: SnapshotDifference): string {
  const name = d.factor === 'declared python' ? 'python' : d.factor.replace(/^declared package:/, '');
  const m = /^(.*) \(declared in (.*)\)$/.exec(d.original);
  return m ? `${m[2]} pins ${name} ${m[1]}` : `the project declares ${name} ${d.original}`;
}
