// The ranking of a comparison's differences: which most likely explain a change in outcome, and the headline that says so.
import {
  COMPARE_SECTIONS,
  type CompareRow,
  type CompareSection,
  type DataInputComparison,
  type DifferenceKind,
  type MetricComparison,
  type PackageChange,
  type SummaryItem,
} from './compare-model';
import type { KindedRow } from './compare-facts';
import { dataChangeRelation } from './compare-data-read';
import type { SeedFinding, Snapshot } from '../snapshot/snapshot';
import { formatRelative, formatSignificant } from '../numbers';
import { normalizePackageName } from '../snapshot/versions';

/**
 * The ranking rule of the summary, strongest first: what the run read and ran (data, code,
 * parameters, seeds) before the software that ran it, a major version step before a minor one
 * before a patch, numerics builds and GPUs before CPU model and OS, and bookkeeping (paths, user,
 * host, branch names) last. Within a weight, packages known to change numerics come first, then
 * DESIGN.md's category order. docs/compare.md explains each line.
 */
export const RANKING_RULE: readonly { kind: DifferenceKind; weight: number; why: string }[] = [
  { kind: 'data-content', weight: 100, why: 'the data the run read has different content' },
  { kind: 'code-commit', weight: 95, why: 'the code is at a different commit' },
  { kind: 'code-patch', weight: 93, why: 'the uncommitted changes to the code differ' },
  { kind: 'process-parameters', weight: 90, why: 'the run was given different parameters' },
  { kind: 'randomness-seeds', weight: 88, why: 'the seeds differ' },
  { kind: 'software-python', weight: 80, why: 'the Python interpreter differs' },
  { kind: 'package-major', weight: 78, why: 'packages changed major version' },
  { kind: 'software-numerics-build', weight: 76, why: 'numerics libraries were built differently (BLAS, CUDA, cuDNN)' },
  { kind: 'hardware-gpu', weight: 72, why: 'the GPUs, driver or CUDA version differ' },
  { kind: 'package-minor', weight: 68, why: 'packages changed minor version' },
  {
    kind: 'hardware-cpu-flags',
    weight: 66,
    why: 'the CPUs differ in instruction sets that change floating-point results',
  },
  {
    kind: 'process-env',
    weight: 62,
    why: 'environment variables that change results differ (threads, determinism switches)',
  },
  {
    kind: 'randomness-scan',
    weight: 58,
    why: 'seed-setting calls or unseeded sources were added or removed in the code',
  },
  { kind: 'randomness-hashseed', weight: 56, why: 'PYTHONHASHSEED differs' },
  { kind: 'code-untracked', weight: 52, why: 'untracked files in the repository differ' },
  { kind: 'data-declared', weight: 50, why: 'DVC records or declared datasets differ' },
  { kind: 'package-patch', weight: 45, why: 'packages changed patch version' },
  { kind: 'package-added-removed', weight: 42, why: 'packages were installed on one side only' },
  {
    kind: 'package-other',
    weight: 40,
    why: 'package versions differ in a pre-release, post-release or local part, or do not parse',
  },
  { kind: 'software-env-spec', weight: 38, why: 'the environment spec files differ' },
  { kind: 'process-command', weight: 36, why: 'the command line or entry point differs' },
  {
    kind: 'data-unread',
    weight: 34,
    why: 'data files changed that the run is not known to have read (only added, or not the files its command names)',
  },
  { kind: 'hardware-cpu', weight: 32, why: 'the CPU model or core count differs' },
  { kind: 'software-os', weight: 25, why: 'the operating system differs' },
  { kind: 'hardware-other', weight: 20, why: 'memory or virtualization differ' },
  { kind: 'code-other', weight: 12, why: 'branch, remotes or repository location differ' },
  { kind: 'process-other', weight: 10, why: 'working directory, user or host differ' },
  { kind: 'process-tags', weight: 5, why: 'the runs are tagged differently (labels and notes, not inputs)' },
];

/** The ranking rule by kind. */
const WEIGHT = new Map(RANKING_RULE.map((r) => [r.kind, r]));

/** Packages whose version changes floating-point results directly; listed first within a weight. */
const NUMERICS_PACKAGES =
  /^(numpy|scipy|torch|torchvision|tensorflow|tensorflow-cpu|tensorflow-gpu|jax|jaxlib|scikit-learn|pandas|xgboost|lightgbm|catboost|cupy.*|mkl.*|intel-openmp|openblas.*|scipy-openblas.*|nvidia-.*|triton|numba|llvmlite|keras|transformers|accelerate|onnxruntime.*)$/;

/** The ranking kind of a package change, by its version step. */
export function packageKind(p: PackageChange): DifferenceKind {
  if (p.change === 'added' || p.change === 'removed') return 'package-added-removed';
  return p.step === 'major'
    ? 'package-major'
    : p.step === 'minor'
      ? 'package-minor'
      : p.step === 'patch'
        ? 'package-patch'
        : 'package-other';
}

/** A row as one line of a summary. */
export function describeRow(r: CompareRow): string {
  if (r.status === 'only-a') return `${r.label}: ${r.a} (only in A)`;
  if (r.status === 'only-b') return `${r.label}: ${r.b} (only in B)`;
  return `${r.label}: ${r.a} → ${r.b}`;
}

/** What rankSummary weighs: the rows of each section and the detailed differences. */
export interface RankInput {
  rows: { section: CompareSection; kinded: KindedRow[] }[];
  packages: PackageChange[];
  flags: { a: string[]; b: string[] };
  findings: { gained: SeedFinding[]; lost: SeedFinding[] };
  data: DataInputComparison[];
  /** The two snapshots, to tell which changed data files their commands name. */
  runs: { a: Snapshot; b: Snapshot };
}

/** The differences grouped by kind and ordered by the ranking rule, strongest first. */
export function rankSummary(input: RankInput): SummaryItem[] {
  const { rows, packages, flags, findings, data, runs } = input;
  const groups = new Map<DifferenceKind, { section: CompareSection; details: { text: string; numerics: boolean }[] }>();
  const add = (kind: DifferenceKind, section: CompareSection, text: string, numerics = false): void => {
    const g = groups.get(kind) ?? { section, details: [] };
    g.details.push({ text, numerics });
    groups.set(kind, g);
  };
  for (const { section, kinded } of rows) {
    if (section === 'outcome') continue; // the outcome is what is explained, not an explanation
    for (const { row, kind } of kinded) {
      if (row.status === 'same') continue;
      if (
        row.key.startsWith('package:') ||
        row.key.startsWith('flag:') ||
        row.key.startsWith('finding:') ||
        row.key.startsWith('input:')
      )
        continue;
      if (row.key === 'patch' || row.key === 'dirty') {
        if (row.key === 'patch')
          add(kind, section, row.status === 'changed' ? 'the uncommitted patches differ' : describeRow(row));
        else if (!rows.some((r) => r.kinded.some((k) => k.row.key === 'patch' && k.row.status !== 'same')))
          add(kind, section, describeRow(row));
        continue;
      }
      add(kind, section, describeRow(row));
    }
  }
  for (const d of data) {
    if (d.status === 'same') continue;
    const what =
      d.status === 'changed'
        ? `${d.changed} changed, ${d.added} added, ${d.removed} removed file${d.changed + d.added + d.removed === 1 ? '' : 's'}`
        : d.status === 'only-a'
          ? 'only in A'
          : 'only in B';
    const read = dataChangeRelation(d, runs.a, runs.b);
    add(read.kind, 'data', `input ${d.path}: ${what}${read.note ? ` (${read.note})` : ''}`);
  }
  for (const p of packages) {
    const text =
      p.change === 'added'
        ? `${p.name} ${p.b} (only in B)`
        : p.change === 'removed'
          ? `${p.name} ${p.a} (only in A)`
          : `${p.name} ${p.a} → ${p.b}${p.change === 'downgraded' ? ' (downgrade)' : ''}`;
    add(packageKind(p), 'software', text, NUMERICS_PACKAGES.test(normalizePackageName(p.name)));
  }
  if (flags.a.length) add('hardware-cpu-flags', 'hardware', `only A's CPU has ${flags.a.join(', ')}`);
  if (flags.b.length) add('hardware-cpu-flags', 'hardware', `only B's CPU has ${flags.b.join(', ')}`);
  for (const x of findings.gained)
    add(
      'randomness-scan',
      'randomness',
      `B gains ${x.kind === 'seed' ? 'seed call' : 'risk'} ${x.rule} at ${x.file}:${x.line}`,
    );
  for (const x of findings.lost)
    add(
      'randomness-scan',
      'randomness',
      `B loses ${x.kind === 'seed' ? 'seed call' : 'risk'} ${x.rule} at ${x.file}:${x.line}`,
    );

  const order = new Map(COMPARE_SECTIONS.map((s, i) => [s, i]));
  const items: (SummaryItem & { numerics: boolean })[] = [];
  for (const [kind, g] of groups) {
    const rule = WEIGHT.get(kind)!;
    g.details.sort((x, y) => Number(y.numerics) - Number(x.numerics));
    items.push({
      kind,
      section: g.section,
      weight: rule.weight,
      count: g.details.length,
      title: `${rule.why[0]!.toUpperCase()}${rule.why.slice(1)}${g.details.length > 1 ? ` (${g.details.length})` : ''}`,
      details: g.details.slice(0, 10).map((d) => d.text),
      numerics: g.details.some((d) => d.numerics),
    });
  }
  items.sort(
    (x, y) =>
      y.weight - x.weight ||
      Number(y.numerics) - Number(x.numerics) ||
      order.get(x.section)! - order.get(y.section)! ||
      (x.kind < y.kind ? -1 : 1),
  );
  return items.map(({ numerics: _n, ...rest }) => rest);
}

/** The one sentence that opens a comparison: the outcome, then what differs and the likeliest cause. */
export function headline(
  metrics: MetricComparison[],
  ranked: SummaryItem[],
  differences: number,
  bySection: Record<string, number>,
): string {
  const changedMetrics = metrics.filter((m) => m.status !== 'same');
  const cats = COMPARE_SECTIONS.filter((s) => s !== 'outcome' && (bySection[s] ?? 0) > 0);
  const outcome =
    changedMetrics.length === 0
      ? metrics.length
        ? `The ${metrics.length === 1 ? 'metric is' : `${metrics.length} metrics are`} identical`
        : 'No metrics to compare'
      : changedMetrics
          .slice(0, 2)
          .map((m) =>
            m.a !== null && m.b !== null
              ? `${m.name} ${formatSignificant(m.a)} → ${formatSignificant(m.b)}${m.rel !== null && Number.isFinite(m.rel) ? ` (${formatRelative(m.rel)})` : ''}`
              : `${m.name} only in ${m.a === null ? 'B' : 'A'}`,
          )
          .join(', ') + (changedMetrics.length > 2 ? ` and ${changedMetrics.length - 2} more metrics differ` : '');
  if (cats.length === 0)
    return `${outcome}; the runs do not differ in code, data, software, hardware, randomness or process.`;
  // Tags are shown and ranked last, but never named as the likely cause: a label changes no result.
  const top = ranked.find((r) => r.kind !== 'process-tags');
  const why = top
    ? `, most likely because ${top.title[0]!.toLowerCase()}${top.title.slice(1)}`
    : ranked.length
      ? ', only in how they are tagged (labels and notes, not inputs)'
      : '';
  return `${outcome}; the runs differ in ${cats.join(', ')} (${differences} difference${differences === 1 ? '' : 's'})${why}.`;
}
