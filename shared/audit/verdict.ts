// The audit's judgement as pure functions of stored facts: per-metric statistics, the verdict and its explanation.
import { emptyRecord, hasName, ownValue } from '../records';
import type {
  AuditGroup,
  Judgement,
  MetricSummary,
  OutputComparison,
  OutputFile,
  PowerStatement,
  Tolerance,
  Verdict,
} from './audit';
import { isCostMetric } from './cost-metrics';
import { differingFilesText, varyingFilesText } from './outputs';
import { detectableDifference, ks2Sample, minRerunsForStatistics, summarize, welchTTest } from './statistics';
import { finishedReruns, fmt, shortList } from './verdict-format';

/**
 * The audit's judgement, as pure functions of stored facts (docs/audit.md states the rules): per
 * metric and group statistics, and the verdict with its one-sentence explanation and what it rests
 * on. The sources of variance are in sources.ts (re-exported here).
 */

export { finishedReruns } from './verdict-format';
export {
  declaredEnvironmentDifferences,
  declaredPins,
  findSources,
  snapshotDifferences,
  type SnapshotDifference,
  type SourceInput,
} from './sources';

/** The reference's outcome: its metric values, its artifacts hash and its output files (null when unknown). */
export interface ReferenceOutcome {
  metrics: Record<string, number>;
  artifactsHash: string | null;
  outputs?: OutputFile[] | null;
}

/** Whether `value` is within a tolerance of `reference` (the same NaN or infinity is; any other non-finite pair is not). */
export function withinTolerance(value: number, reference: number, tol: Tolerance): boolean {
  if (Object.is(value, reference)) return true;
  const diff = Math.abs(value - reference);
  return tol.kind === 'abs' ? diff <= tol.value : diff <= (tol.value / 100) * Math.abs(reference);
}

/**
 * Whether a metric is NaN or infinite in the reference and the very same in every finished baseline
 * rerun: nothing numeric can be compared then, so the verdict leaves it out (docs/audit.md).
 */
export function notANumberAlike(reference: number | undefined, values: readonly (number | undefined)[]): boolean {
  return (
    reference !== undefined &&
    !Number.isFinite(reference) &&
    values.length > 0 &&
    values.every((v) => v !== undefined && Object.is(v, reference))
  );
}

/** Per metric: the reference value, statistics per group (tests against the baseline), tolerance checks, the prediction-interval check and whether it is judged (`judged` empty: every metric the reference reported but those of time, speed or memory, unless it is NaN or infinite alike everywhere). */
export function summarizeMetrics(
  groups: readonly AuditGroup[],
  reference: ReferenceOutcome | null,
  tolerances: readonly Tolerance[],
  judged: readonly string[] = [],
): Record<string, MetricSummary> {
  const names = new Set<string>(Object.keys(reference?.metrics ?? {}));
  for (const g of groups) for (const r of finishedReruns(g)) for (const k of Object.keys(r.metrics)) names.add(k);
  const baseline = groups.find((g) => g.name === 'baseline');
  const out = emptyRecord<MetricSummary>();
  for (const name of [...names].sort()) {
    const baseValues = finishedReruns(baseline)
      .map((r) => ownValue(r.metrics, name))
      .filter((v): v is number => typeof v === 'number');
    const groupsOut: MetricSummary['groups'] = {};
    for (const g of groups) {
      const values = finishedReruns(g)
        .map((r) => ownValue(r.metrics, name))
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
    const ref = ownValue(reference?.metrics, name);
    const tolerance = tolerances.find((t) => t.metric === name) ?? null;
    const base = groupsOut.baseline;
    // the same NaN or infinity is no difference; NaN against anything else stays NaN (it is not a distance)
    const diffs = ref === undefined ? [] : baseValues.map((v) => (Object.is(v, ref) ? 0 : Math.abs(v - ref)));
    out[name] = {
      reference: ref ?? null,
      groups: groupsOut,
      tolerance,
      maxAbsDiff: diffs.length ? (diffs.some(Number.isNaN) ? NaN : Math.max(...diffs)) : null,
      withinTolerance:
        tolerance && ref !== undefined && baseValues.length
          ? baseValues.every((v) => withinTolerance(v, ref, tolerance))
          : null,
      referenceInPi95: ref !== undefined && base?.pi95 ? ref >= base.pi95[0] && ref <= base.pi95[1] : null,
      judged:
        (judged.length === 0 ? ref !== undefined && !isCostMetric(name) : judged.includes(name)) &&
        !notANumberAlike(
          ref,
          finishedReruns(baseline).map((r) => ownValue(r.metrics, name)),
        ),
    };
  }
  return out;
}

/** How the verdict is asked: against a recorded original or, without one, among the reruns. */
export interface VerdictOptions {
  /** `original` (`--against`): does the original reproduce? `first-baseline`: are identical reruns deterministic? */
  referenceKind?: 'original' | 'first-baseline';
  /** The output files compared (compareOutputs), null when none were. */
  outputs?: OutputComparison | null;
  /** Metrics named with `--metric`, empty for every metric the reference reported. */
  judgedMetrics?: readonly string[];
  /** Metric-looking names the baseline reruns printed although no metric was read from their output. */
  printedMetrics?: readonly string[];
}

/** A verdict, its sentence and what it rests on. */
export interface VerdictResult {
  verdict: Verdict;
  explanation: string;
  judgement: Judgement;
}

/** The fewest finished baseline reruns a statistical verdict needs (docs/audit.md: 5). */
export const MIN_RERUNS = minRerunsForStatistics();

const quoted = (names: readonly string[]): string => names.map((m) => `"${m}"`).join(', ');
const tolText = (t: Tolerance): string => (t.kind === 'abs' ? fmt(t.value) : `${t.value} %`);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** What the baseline reruns gave for a metric, by value: "NaN in 1 and 0.9 in 4 of the 5 baseline reruns" (finite values that differ as a range). */
function valuesTally(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  const parts: { what: string; k: number }[] = [];
  for (const kind of ['NaN', 'Infinity', '-Infinity']) {
    const k = values.filter((v) => String(v) === kind).length;
    if (k) parts.push({ what: kind, k });
  }
  if (finite.length) {
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const what = finite.every((v) => Object.is(v, finite[0]))
      ? fmt(finite[0])
      : `a number from ${fmt(lo)} to ${fmt(hi)}`;
    parts.push({ what, k: finite.length });
  }
  const n = values.length;
  if (parts.length === 1) return `${parts[0]!.what} in ${n === 1 ? 'the baseline rerun' : `all ${n} baseline reruns`}`;
  return `${parts.map((p) => `${p.what} in ${p.k}`).join(' and ')} of the ${n} baseline reruns`;
}

/** The smallest detectable difference of each judged metric that varies in the baseline. */
function powerOf(names: readonly string[], metrics: Record<string, MetricSummary>): PowerStatement[] {
  const out: PowerStatement[] = [];
  for (const name of names) {
    const b = metrics[name]?.groups.baseline;
    // sd 0 while the values differ: only NaN or infinite values vary, which no number of reruns measures
    if (!b || b.allBitwiseEqual || b.sd === 0) continue;
    out.push({
      metric: name,
      n: b.n,
      sd: b.sd,
      detectableDifference: b.sd === null ? null : detectableDifference(b.sd, b.n),
    });
  }
  return out;
}

const powerText = (power: readonly PowerStatement[]): string => {
  const known = power.filter((p) => p.detectableDifference !== null);
  if (known.length === 0) return '';
  const n = known[0]!.n;
  return ` With ${plural(n, 'rerun')} the audit could detect a difference of ${known.map((p) => `${fmt(p.detectableDifference)} in ${p.metric}`).join(', ')} (80 % power, α = 0.05); smaller differences may have gone unseen.`;
};

/**
 * "A differ from the original's, and B differ between identical reruns (the original recorded none of them)": the
 * files that differ from the reference, then those only the reruns wrote and wrote differently from each other.
 */
function outputsDifferText(outputs: OutputComparison, kind: VerdictOptions['referenceKind']): string {
  const parts: string[] = [];
  if (outputs.differing.some((d) => d.kind !== 'varies'))
    parts.push(
      `${differingFilesText(outputs)} differ${kind === 'first-baseline' ? ' between identical reruns' : " from the original's"}`,
    );
  if (outputs.differing.some((d) => d.kind === 'varies'))
    parts.push(
      `${parts.length ? 'the files ' : ''}${varyingFilesText(outputs)} differ between identical reruns (the original recorded none of them)`,
    );
  return parts.join(', and ');
}

/** The verdict and its sentence; see docs/audit.md for the rules, applied in order. */
export function decideVerdict(
  groups: readonly AuditGroup[],
  metrics: Record<string, MetricSummary>,
  reference: ReferenceOutcome | null,
  options: VerdictOptions = {},
): VerdictResult {
  const kind = options.referenceKind ?? 'original';
  const outputs = options.outputs ?? null;
  const baseline = groups.find((g) => g.name === 'baseline');
  const runs = baseline?.reruns ?? [];
  const failed = runs.filter((r) => r.status === 'failed' || r.status === 'timed-out');
  const done = finishedReruns(baseline);
  const refNames = Object.keys(reference?.metrics ?? {}).sort();
  const asked = options.judgedMetrics ?? [];
  // unasked, a metric of time, speed or memory is reported, not judged: it differs on every run of any experiment
  const costs = asked.length ? [] : [...new Set([...refNames, ...Object.keys(metrics)])].filter(isCostMetric).sort();
  let judged = (asked.length ? asked.filter((n) => refNames.includes(n)) : refNames.filter((n) => !costs.includes(n)))
    .slice()
    .sort();
  const notJudged = Object.keys(metrics)
    .filter((n) => !judged.includes(n))
    .sort();
  const judgement: Judgement = {
    question: kind === 'original' ? 'matches-original' : 'deterministic',
    judgedMetrics: judged,
    reportedMetrics: notJudged,
    outputFiles: outputs?.compared ?? 0,
    minReruns: MIN_RERUNS,
    rerunsNeeded: null,
    power: [],
    reason: null,
    nextStep: null,
  };
  // metrics left out for being NaN or infinite alike everywhere: every sentence says so
  let notCompared = '';
  const costNote = costs.length
    ? ` Not judged: ${shortList(costs, 5)} (time, speed or memory, which differ on every run; give --metric ${costs[0]} to judge ${costs.length === 1 ? 'it' : 'one'}).`
    : '';
  const logs = outputs?.logs ?? [];
  const logsNote = logs.length
    ? ` Logs not compared: ${shortList(logs, 3)} (their lines carry the times they were written).`
    : '';
  const result = (verdict: Verdict, explanation: string): VerdictResult => ({
    verdict,
    explanation: `${explanation}${notCompared}${verdict === 'failed' ? '' : `${costNote}${logsNote}`}`,
    judgement,
  });
  const inconclusive = (reason: string, nextStep: string, needed: number | null = null): VerdictResult => {
    judgement.reason = reason;
    judgement.nextStep = nextStep;
    judgement.rerunsNeeded = needed;
    return result('inconclusive', `Inconclusive: ${reason}; ${nextStep}.`);
  };

  if (failed.length > 0 || done.length === 0) {
    const first = failed[0];
    const why = first
      ? (first.error ?? (first.exitCode !== null ? `exit code ${first.exitCode}` : first.status))
      : 'no baseline rerun finished';
    return result('failed', `${failed.length} of ${runs.length} baseline reruns failed (first: ${why}).`);
  }
  if (!reference) return result('failed', 'There is no reference outcome to judge the reruns against.');
  const unknown = asked.filter((n) => !refNames.includes(n));
  // without --against the reference is one of the reruns: a metric only some identical reruns report is a difference too
  const expected =
    kind === 'first-baseline' && asked.length === 0
      ? [...new Set([...judged, ...done.flatMap((r) => Object.keys(r.metrics))])].filter((n) => !isCostMetric(n)).sort()
      : judged;
  const missing = expected.filter((n) => done.some((r) => !hasName(r.metrics, n)));
  if (missing.length > 0) {
    const lacking = (n: string): string => {
      const k = done.filter((r) => !hasName(r.metrics, n)).length;
      return `"${n}" (missing from ${k === done.length ? (k === 1 ? 'the baseline rerun' : `all ${k}`) : `${k} of ${done.length}`})`;
    };
    return result(
      'not-reproduced',
      `The baseline reruns did not report ${missing.map(lacking).join(', ')}, which the ${kind === 'original' ? 'original' : 'other baseline reruns'} reported.`,
    );
  }
  const refValue = (n: string): number => ownValue(reference.metrics, n)!;
  const valuesOf = (n: string): number[] => done.map((r) => ownValue(r.metrics, n)!);
  const sameEverywhere = (n: string): boolean => valuesOf(n).every((v) => Object.is(v, refValue(n)));
  const inAll = done.length === 1 ? 'the baseline rerun' : `all ${done.length} baseline reruns`;
  // NaN (or an infinity) in the reference and every rerun alike: no number was compared, so it is not judged
  const alike = judged.filter((n) => notANumberAlike(refValue(n), valuesOf(n)));
  const alikeText = alike.length
    ? `${alike.map((n) => `${n} is ${fmt(refValue(n))}`).join(' and ')} in ${kind === 'original' ? `the original and in ${inAll}` : inAll}`
    : '';
  if (alike.length) {
    judged = judged.filter((n) => !alike.includes(n));
    judgement.judgedMetrics = judged;
    judgement.reportedMetrics = [...notJudged, ...alike].sort();
  }
  const files = outputs?.compared ?? 0;
  // nothing to hold the reruns against, but they disagree with each other: whatever the original wrote, it does not reproduce
  if (judged.length === 0 && files === 0 && outputs?.differing.some((d) => d.kind === 'varies'))
    return result(
      'not-reproduced',
      `The output files ${outputsDifferText(outputs, kind)}, so they do not reproduce; no metric was compared.`,
    );
  if (judged.length === 0 && files === 0 && alike.length)
    return inconclusive(
      `${alikeText}, so no number was compared`,
      'find why the runs log no number, or give --metric for a metric that is a number, or --outputs PATH to compare files',
    );
  if (alike.length) notCompared = ` Not compared: ${alikeText}.`;
  if (judged.length === 0 && files === 0 && kind === 'original' && refNames.length === 0 && notJudged.length > 0) {
    // the reruns' metrics were read (the metric options worked): it is the original that has none to compare with
    const shown = notJudged.slice(0, 5).join(', ') + (notJudged.length > 5 ? `, … (${notJudged.length} in all)` : '');
    return inconclusive(
      `the original recorded no metrics (the reruns report ${shown}), so none was compared`,
      'audit without --against to ask whether identical reruns agree, or --against a run that recorded these metrics (capture it with the same metric options)',
    );
  }
  if (judged.length === 0 && files === 0) {
    const why = unknown.length
      ? `the reference did not report ${quoted(unknown)}, so no metric or output was compared`
      : 'no metric or output was compared';
    const printed = options.printedMetrics ?? [];
    const shown = printed.slice(0, 5).join(', ') + (printed.length > 5 ? `, … (${printed.length} in all)` : '');
    return inconclusive(
      why,
      printed.length
        ? `the reruns printed ${shown}: give --metrics-from stdout to compare what they print (or --metric-pattern REGEX for other shapes)`
        : 'give --metrics FILE, --metrics-from stdout|tensorboard:DIR, --metric-pattern REGEX or --outputs PATH so the reruns have something to compare',
    );
  }
  if (kind === 'first-baseline' && done.length < 2)
    return inconclusive(
      'one rerun without --against was compared only with itself',
      'give --repeats 2 or more to ask whether identical reruns agree, or --against a recorded run',
      2,
    );
  const compared = [judged.length ? plural(judged.length, 'metric') : '', files ? plural(files, 'output file') : '']
    .filter(Boolean)
    .join(' and ');
  // a NaN or an infinity where the reference has something else: no tolerance or interval can take it
  const broken = judged.filter(
    (n) => !sameEverywhere(n) && [refValue(n), ...valuesOf(n)].some((v) => !Number.isFinite(v)),
  );
  if (broken.length > 0) {
    const n = broken[0]!;
    const tally = valuesTally(valuesOf(n));
    const also =
      broken.length > 1
        ? ` ${quoted(broken.slice(1))} ${broken.length > 2 ? 'are' : 'is'} NaN or infinite in some runs too.`
        : '';
    return result(
      'not-reproduced',
      kind === 'original'
        ? `The original's ${n} is ${fmt(refValue(n))}, but it is ${tally}: a NaN or infinite value matches no tolerance or interval.${also}`
        : `Identical reruns disagree: ${n} is ${tally}, with nothing changed, so the project is nondeterministic.${also}`,
    );
  }
  const exceeded = judged.filter((n) => metrics[n]?.withinTolerance === false);
  const outputsDiffer = (outputs?.differing.length ?? 0) > 0;
  const outputsClause = outputsDiffer ? ` The output files ${outputsDifferText(outputs!, kind)}.` : '';
  const varying = judged.filter(
    (n) => !done.every((r) => Object.is(ownValue(r.metrics, n), ownValue(done[0]!.metrics, n))),
  );
  judgement.power = powerOf(varying, metrics);
  const power = powerText(judgement.power);
  if (exceeded.length > 0) {
    const worst = exceeded
      .map((n) => ({ n, d: metrics[n]!.maxAbsDiff ?? 0, t: metrics[n]!.tolerance! }))
      .sort((a, b) => b.d - a.d)[0]!;
    return result(
      'not-reproduced',
      `The metric ${worst.n} exceeds its tolerance: a baseline rerun differs by ${fmt(worst.d)} (tolerance ${tolText(worst.t)}).${outputsClause}${power}`,
    );
  }
  const inexact = judged.filter(
    (n) => !done.every((r) => Object.is(ownValue(r.metrics, n), ownValue(reference.metrics, n))),
  );
  if (inexact.length === 0 && !outputsDiffer)
    return result(
      'reproduced-exact',
      `${done.length === 1 ? 'The baseline rerun' : `All ${done.length} baseline reruns`} reproduced ${compared}${judged.length ? ` (${judged.join(', ')})` : ''} bit for bit${files && outputs?.normalised.length ? ` (MLflow's per-run fields in ${outputs.normalised.join(', ')} normalised)` : ''}.`,
    );
  if (inexact.length === 0)
    return result(
      'not-reproduced',
      `${judged.length ? 'Every metric matches bit for bit, but the' : 'The'} output files ${outputsDifferText(outputs!, kind)}.`,
    );
  const untolerated = inexact.filter((n) => metrics[n]?.withinTolerance !== true);
  if (untolerated.length === 0) {
    const worst = inexact
      .map((n) => ({ n, d: metrics[n]!.maxAbsDiff ?? 0, t: metrics[n]!.tolerance! }))
      .sort((a, b) => b.d - a.d)[0]!;
    return result(
      'reproduced-within-tolerance',
      `Every baseline rerun is within the tolerances; the largest difference is ${worst.n} ${fmt(worst.d)} (tolerance ${tolText(worst.t)}).${outputsClause}${power}`,
    );
  }
  const n0 = untolerated[0]!;
  const m0 = metrics[n0]!;
  const b0 = m0.groups.baseline;
  if (kind === 'first-baseline') {
    return result(
      'not-reproduced',
      `Identical reruns disagree: ${n0} varies from ${fmt(b0?.min)} to ${fmt(b0?.max)} (sd ${fmt(b0?.sd)}) with nothing changed and no --tolerance for it, so the project is nondeterministic.${power}`,
    );
  }
  if (done.length < 2)
    return inconclusive(
      `one rerun differs from the original in ${n0} and cannot say whether ${n0} varies`,
      `rerun with --repeats ${MIN_RERUNS} (or --repeats auto), or set a --tolerance for ${n0}`,
      MIN_RERUNS,
    );
  const steady = untolerated.find((n) => metrics[n]?.groups.baseline?.allBitwiseEqual);
  if (steady) {
    const m = metrics[steady]!;
    const mean = m.groups.baseline?.mean;
    // 0 and -0: equal as numbers, apart in the sign bit only (a sum of signed zeros, a negated zero loss)
    const zeros = mean === 0 && m.reference === 0;
    const signed = (v: number | null | undefined): string => (Object.is(v, -0) ? '-0' : fmt(v));
    return result(
      'not-reproduced',
      `Every rerun gives ${steady} ${signed(mean)} bit for bit, but the original's is ${signed(m.reference)} (${zeros ? 'zeros of opposite sign: equal as numbers, apart in their sign bit' : `difference ${fmt(m.maxAbsDiff)}`}).${outputsClause}`,
    );
  }
  const outside = untolerated.filter((n) => metrics[n]?.referenceInPi95 !== true);
  // a reference outside even a few reruns' wide interval is evidence; consistency needs enough reruns to mean something
  if (outside.length === 0 && done.length < MIN_RERUNS)
    return inconclusive(
      `${plural(done.length, 'baseline rerun')} ${done.length === 1 ? 'is' : 'are'} too few to judge ${n0}, which varies (sd ${fmt(b0?.sd)}); a statistical verdict needs at least ${MIN_RERUNS}`,
      `rerun with --repeats ${MIN_RERUNS} (or --repeats auto), or set a --tolerance for ${n0}`,
      MIN_RERUNS,
    );
  if (outside.length === 0) {
    const pi = b0!.pi95!;
    return result(
      'statistically-consistent',
      `The reruns are not bitwise equal, but the original lies inside the baseline's 95 % prediction interval for every varying metric (e.g. ${n0} ${fmt(ownValue(reference.metrics, n0))} in [${fmt(pi[0])}, ${fmt(pi[1])}]).${power}`,
    );
  }
  const n = outside[0]!;
  const m = metrics[n]!;
  const pi = m.groups.baseline?.pi95;
  return result(
    'not-reproduced',
    `The original's ${n} ${fmt(m.reference)} lies outside the baseline's 95 % prediction interval${pi ? ` [${fmt(pi[0])}, ${fmt(pi[1])}]` : ''} (largest difference ${fmt(m.maxAbsDiff)}).${power}`,
  );
}

/**
 * How many baseline reruns `--repeats auto` should have in all to settle a verdict: the judgement's
 * `rerunsNeeded`, capped by `maxReruns`; null when the verdict is settled (or more reruns cannot settle it).
 */
export function baselineRerunsWanted(v: VerdictResult, have: number, maxReruns: number): number | null {
  if (v.verdict !== 'inconclusive' || v.judgement.rerunsNeeded === null) return null;
  const want = Math.min(v.judgement.rerunsNeeded, maxReruns);
  return want > have ? want : null;
}
