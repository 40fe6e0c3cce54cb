// Compares 2–20 snapshots at once: a column per run, the first as the baseline, each fact and metric lined up.
import { COMPARE_SECTIONS } from './compare-model';
import { ownValue } from '../records';
import { FACTS } from './compare-facts';
import { compareSnapshots, runRef } from './compare';
import type { RunSetComparison, RunSetMetric, RunSetSection } from './compare-many-model';
import { MAX_COMPARE_RUNS } from './compare-many-model';
import type { Snapshot } from '../snapshot/snapshot';
import { formatSignificant } from '../numbers';

function sectionsOf(runs: readonly Snapshot[]): RunSetSection[] {
  return COMPARE_SECTIONS.map((section) => {
    const facts = runs.map((s) => FACTS[section](s));
    // keys in the order the runs first have them, so related facts stay together
    const keys = new Map<string, string>();
    for (const f of facts) for (const [k, x] of f) if (!keys.has(k)) keys.set(k, x.label);
    const rows = [...keys].map(([key, label]) => {
      const base = facts[0]!.get(key)?.value ?? null;
      const differsFromBaseline = facts.map((f) => (f.get(key)?.value ?? null) !== base);
      return {
        key,
        label,
        values: facts.map((f) => {
          const x = f.get(key);
          return x ? (x.display ?? x.value) : null;
        }),
        differsFromBaseline,
        differs: differsFromBaseline.some(Boolean),
      };
    });
    return { section, rows, differences: rows.filter((r) => r.differs).length };
  });
}

function metricsOf(runs: readonly Snapshot[]): RunSetMetric[] {
  const names = [...new Set(runs.flatMap((s) => Object.keys(s.outcome.metrics)))].sort();
  return names.map((name) => {
    const values = runs.map((s) => ownValue(s.outcome.metrics, name)?.value ?? null);
    const base = values[0] ?? null;
    const rel = values.map((v, i) =>
      i === 0 || v === null || base === null || base === 0 || !Number.isFinite(base)
        ? null
        : (v - base) / Math.abs(base),
    );
    const same = (v: number | null): boolean => v === base || (v !== null && base !== null && Object.is(v, base));
    const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
    return {
      name,
      values,
      rel,
      differs: !values.every(same),
      min: finite.length ? Math.min(...finite) : null,
      max: finite.length ? Math.max(...finite) : null,
    };
  });
}

/**
 * How a differing metric reads in the headline. Runs without it, or with a NaN or infinite value, are named first:
 * the range of the finite values alone said "acc ranges 0.9 to 0.9" where the baseline had no acc at all.
 */
function metricDifference(m: RunSetMetric, n: number): string {
  const missing = m.values.filter((v) => v === null).length;
  if (missing) return `${m.name} missing from ${missing} of ${n} runs`;
  const odd = [...new Set(m.values.filter((v) => v !== null && !Number.isFinite(v)).map((v) => formatSignificant(v)))];
  if (odd.length) {
    const k = m.values.filter((v) => v !== null && !Number.isFinite(v)).length;
    return `${m.name} ${odd.join(' or ')} in ${k} of ${n} runs`;
  }
  return m.min !== null && m.max !== null
    ? `${m.name} ranges ${formatSignificant(m.min)} to ${formatSignificant(m.max)}`
    : `${m.name} differs`;
}

function headlineOf(c: Omit<RunSetComparison, 'headline'>): string {
  const n = c.runs.length;
  const changed = c.metrics.filter((m) => m.differs);
  const outcome = c.metrics.length
    ? changed.length
      ? changed
          .slice(0, 2)
          .map((m) => metricDifference(m, n))
          .join(', ') + (changed.length > 2 ? ` and ${changed.length - 2} more metrics differ` : '')
      : `the ${c.metrics.length === 1 ? 'metric is' : `${c.metrics.length} metrics are`} identical`
    : 'no metrics to compare';
  const cats = c.sections.filter((s) => s.section !== 'outcome' && s.differences > 0).map((s) => s.section);
  const facts = c.sections.reduce((k, s) => k + (s.section === 'outcome' ? 0 : s.differences), 0);
  const differ = cats.length
    ? `the runs differ in ${cats.join(', ')} (${facts} fact${facts === 1 ? '' : 's'})`
    : 'the runs do not differ in code, data, software, hardware, randomness or process';
  return `${n} runs against the baseline: ${outcome}; ${differ}.`;
}

/** Compares 2–20 snapshots, the first the baseline: every fact and metric per run, and each other run's ranked summary against the baseline. */
export function compareRunSet(runs: readonly Snapshot[]): RunSetComparison {
  if (runs.length < 2 || runs.length > MAX_COMPARE_RUNS)
    throw new RangeError(`compareRunSet takes 2 to ${MAX_COMPARE_RUNS} runs, got ${runs.length}`);
  const [base, ...others] = runs as [Snapshot, ...Snapshot[]];
  const pairs = others.map((s) => {
    const c = compareSnapshots(base, s);
    return { runId: s.id, headline: c.summary.headline, differences: c.summary.differences, ranked: c.summary.ranked };
  });
  const body = {
    runs: runs.map(runRef),
    sections: sectionsOf(runs),
    metrics: metricsOf(runs),
    pairs,
    uncommitted: runs.map((s) => s.code.patch),
  };
  return { ...body, headline: headlineOf(body) };
}
