// Builds report documents from stored facts: comparisons of two or more runs, and audits.
import type { Audit, Verdict } from '../audit/audit';
import { CAPTURED_ENTRY_POINT } from '../audit/captured-command';
import { nonFiniteText } from '../audit/verdict-format';
import { compareSnapshots } from '../compare/compare';
import { compareRunSet } from '../compare/compare-many';
import type { Comparison, DataInputComparison } from '../compare/compare-model';
import type { SeedFinding, Snapshot } from '../snapshot/snapshot';
import { formatMetricValue } from '../snapshot/snapshot-text';
import { reproducibilityChecklist } from './checklist';
import {
  REPORT_SCHEMA_NAME,
  REPORT_SCHEMA_VERSION,
  type AuditReport,
  type AuditReportMetric,
  type CompareReport,
  type CompareSetReport,
} from './report-model';

/**
 * Builds report documents from what the store holds: two snapshots for a comparison; an audit
 * with its reference and one representative rerun snapshot per group for an audit. Pure, so a
 * report can be rebuilt from the store at any time and gives the same document.
 */

/** The name a run goes by in a report: its name, else its short id. */
export function runLabel(r: { id: string; name: string | null }): string {
  return r.name ? `${r.name} (${r.id.slice(0, 8)})` : r.id.slice(0, 8);
}

/** A comparison report of two snapshots (A is the reference); `comparison` may be passed when already computed. */
export function buildCompareReport(
  a: Snapshot,
  b: Snapshot,
  version: string,
  comparison: Comparison = compareSnapshots(a, b),
): CompareReport {
  // The git history between the commits is read from a repository on this machine, not from the
  // store, so it stays out of the report: a report is a function of the store alone.
  const pure: Comparison = { ...comparison, code: { ...comparison.code, history: null } };
  return {
    schema: REPORT_SCHEMA_NAME,
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: { name: 'reproscope', version },
    title: `Comparison of run ${runLabel(a)} and run ${runLabel(b)}`,
    kind: 'compare',
    comparison: pure,
  };
}

/** A comparison report of 3 to 20 snapshots, the first the baseline. */
export function buildCompareSetReport(runs: readonly Snapshot[], version: string): CompareSetReport {
  return {
    schema: REPORT_SCHEMA_NAME,
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: { name: 'reproscope', version },
    title: `Comparison of ${runs.length} runs against ${runLabel(runs[0]!)}`,
    kind: 'compare-set',
    comparison: compareRunSet(runs),
  };
}

const VERDICT_PHRASE: Record<Verdict, string> = {
  'reproduced-exact': 'reproduced exactly',
  'reproduced-within-tolerance': 'reproduced within tolerance',
  'statistically-consistent': 'is statistically consistent with the reference (not reproduced exactly)',
  inconclusive: 'could not be judged (inconclusive)',
  'not-reproduced': 'did not reproduce',
  failed: 'could not be audited (the reruns failed)',
};

/** The verdict in one sentence a reviewer can quote. */
export function verdictSentence(audit: Audit): string {
  const what = `${audit.project.name} (entry point ${audit.entryPoint}${audit.commit ? `, commit ${audit.commit.slice(0, 12)}` : ''})`;
  const reruns = audit.groups.reduce((n, g) => n + g.reruns.length, 0);
  const finished = audit.groups.reduce((n, g) => n + g.reruns.filter((r) => r.status === 'finished').length, 0);
  if (audit.verdict === null)
    return `The audit of ${what} is ${audit.status}: ${finished} of ${reruns} reruns finished, no verdict yet.`;
  // a sentence starts with a capital, but a metric's (or the project's) name is quoted as written: "acc" is not "Acc"
  const explanation = audit.explanation?.trim() ?? '';
  const named = Object.keys(audit.metrics ?? {}).some((n) => explanation.startsWith(n));
  const opening = explanation && !named ? `${explanation[0]!.toUpperCase()}${explanation.slice(1)}` : explanation;
  const because = opening ? ` ${opening.replace(/([^.!?])$/, '$1.')}` : '';
  return `Project ${what} ${VERDICT_PHRASE[audit.verdict]} (${finished} of ${reruns} reruns finished).${because}`;
}

function representatives(
  audit: Audit,
  snapshots: ReadonlyMap<string, Snapshot>,
): { group: string; snapshot: Snapshot }[] {
  const out: { group: string; snapshot: Snapshot }[] = [];
  for (const g of audit.groups) {
    const rerun =
      g.reruns.find(
        (r) => r.status === 'finished' && r.runId && r.runId !== audit.referenceRunId && snapshots.has(r.runId),
      ) ?? g.reruns.find((r) => r.runId && r.runId !== audit.referenceRunId && snapshots.has(r.runId));
    if (rerun?.runId) out.push({ group: g.name, snapshot: snapshots.get(rerun.runId)! });
  }
  return out;
}

/** The rerun snapshots an audit report reads: the first finished rerun of each group (besides the reference). */
export function auditReportRunIds(audit: Audit): string[] {
  const ids: string[] = [];
  for (const g of audit.groups) {
    const rerun =
      g.reruns.find((r) => r.status === 'finished' && r.runId && r.runId !== audit.referenceRunId) ??
      g.reruns.find((r) => r.runId && r.runId !== audit.referenceRunId);
    if (rerun?.runId) ids.push(rerun.runId);
  }
  return ids;
}

function metricRows(audit: Audit): AuditReportMetric[] {
  return Object.entries(audit.metrics)
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([name, m]) => ({
      name,
      reference: m.reference,
      tolerance: m.tolerance ? { metric: m.tolerance.metric, kind: m.tolerance.kind, value: m.tolerance.value } : null,
      maxAbsDiff: m.maxAbsDiff,
      withinTolerance: m.withinTolerance,
      referenceInPi95: m.referenceInPi95,
      judged: m.judged ?? true,
      groups: audit.groups.map((g) => {
        const s = m.groups[g.name];
        const values = g.reruns
          .filter((r) => r.status === 'finished' && typeof r.metrics[name] === 'number')
          .map((r) => r.metrics[name]!);
        const mean = s?.mean ?? null;
        return {
          group: g.name,
          description: g.description,
          n: s?.n ?? values.length,
          failed: g.reruns.filter((r) => r.status !== 'finished' && r.status !== 'pending').length,
          mean,
          sd: s?.sd ?? null,
          ci95: s?.ci95 ?? null,
          pi95: s?.pi95 ?? null,
          min: s?.min ?? null,
          max: s?.max ?? null,
          // a NaN or infinite reference leaves no difference to state (the reference and the sentence show it)
          difference: mean !== null && m.reference !== null && Number.isFinite(m.reference) ? mean - m.reference : null,
          allBitwiseEqual: s?.allBitwiseEqual ?? false,
          values,
        };
      }),
    }));
}

/**
 * A rerun snapshot with the audit's own locations (its worktree as code root and working folder)
 * replaced by the reference's, and the reference's command line, tags, branch and (for a captured command) entry
 * point: where the audit put its copy, its detached checkout, the shell it ran the command in, its name for the
 * original's command line and how a person labelled the reference are not differences of the experiment.
 */
export function withoutAuditPaths(rerun: Snapshot, reference: Snapshot): Snapshot {
  if (rerun.kind !== 'rerun') return rerun;
  return {
    ...rerun,
    // its checkout is a detached worktree of the same commit: no branch of its own
    code: { ...rerun.code, root: reference.code.root, note: reference.code.note, branch: reference.code.branch },
    process: {
      ...rerun.process,
      cwd: reference.process.cwd,
      // The audit's own wrapper (`bash -c '<the entry point's command>'`, inside `docker run` for docker): what it
      // ran follows from the entry point, the parameters and the code, each compared in rows of their own.
      argv: reference.process.argv,
      // the audit's name for the original's own command line, not an entry point the original lacked
      entryPoint:
        rerun.process.entryPoint === CAPTURED_ENTRY_POINT ? reference.process.entryPoint : rerun.process.entryPoint,
    },
    // A rerun is reproscope's own: the labels a person gave the reference (tags, note) are not what it ran.
    tags: reference.tags,
  };
}

/** What an audit report is built from: the audit, its reference snapshot, and the rerun snapshots `auditReportRunIds` names. */
export interface AuditReportInput {
  audit: Audit;
  reference: Snapshot | null;
  reruns: ReadonlyMap<string, Snapshot>;
  version: string;
}

/** An audit report: what was audited, the verdict, metrics per group, sources, environment and data differences, seed findings, the checklist. */
export function buildAuditReport({ audit, reference, reruns, version }: AuditReportInput): AuditReport {
  const reps = representatives(audit, reruns);
  const comparisons = reference
    ? reps.map((r) => ({
        group: r.group,
        snapshot: r.snapshot,
        comparison: compareSnapshots(reference, withoutAuditPaths(r.snapshot, reference)),
      }))
    : [];
  const baseline = comparisons.find((c) => c.group === 'baseline') ?? comparisons[0] ?? null;
  const findingsFrom = reference ?? reps[0]?.snapshot ?? null;
  const seedFindings: SeedFinding[] = findingsFrom?.randomness.scan.findings ?? [];
  const dataInputs: DataInputComparison[] = baseline
    ? baseline.comparison.data.inputs.filter((d) => d.status !== 'same')
    : [];
  const rerunCount = audit.groups.reduce((n, g) => n + g.reruns.length, 0);
  const checklist = reproducibilityChecklist(reference ?? reps[0]?.snapshot ?? null, audit);
  const warnings = [...audit.warnings];
  if (!reference)
    warnings.push(
      audit.referenceRunId
        ? `the reference run ${audit.referenceRunId.slice(0, 8)} is not in the store: environment differences are left out`
        : 'the audit has no reference run: environment differences are left out',
    );
  return {
    schema: REPORT_SCHEMA_NAME,
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: { name: 'reproscope', version },
    title: `Reproducibility audit of ${audit.project.name} (${audit.entryPoint})`,
    kind: 'audit',
    audited: {
      auditId: audit.id,
      project: { name: audit.project.name, location: audit.project.location, kind: audit.project.kind },
      entryPoint: audit.entryPoint,
      commit: audit.commit,
      parameters: audit.parameters,
      envManager: audit.envManager,
      command: audit.command,
      createdAt: audit.createdAt,
      finishedAt: audit.finishedAt,
      status: audit.status,
      reference: { runId: audit.referenceRunId, kind: audit.referenceKind, name: reference?.name ?? null },
      plan: {
        repeats: audit.plan.repeats,
        vary: [...audit.plan.vary],
        tolerances: audit.plan.tolerances.map((t) => ({ metric: t.metric, kind: t.kind, value: t.value })),
        reruns: rerunCount,
      },
    },
    verdict: {
      verdict: audit.verdict,
      sentence: verdictSentence(audit),
      judgement: audit.judgement
        ? {
            ...audit.judgement,
            judgedMetrics: [...audit.judgement.judgedMetrics],
            reportedMetrics: [...audit.judgement.reportedMetrics],
            power: audit.judgement.power.map((p) => ({ ...p })),
          }
        : null,
      outputs: audit.outputs
        ? {
            ...audit.outputs,
            differing: audit.outputs.differing.map((d) => ({ ...d })),
            normalised: [...audit.outputs.normalised],
            ignored: [...audit.outputs.ignored],
            uncomparable: [...audit.outputs.uncomparable],
            ...(audit.outputs.logs ? { logs: [...audit.outputs.logs] } : {}),
          }
        : null,
    },
    metrics: metricRows(audit),
    // Fields are picked one by one so the report keeps its own documented shape when the audit model grows.
    sources: [...audit.sources]
      .sort((x, y) => x.rank - y.rank)
      .map((s) => ({
        rank: s.rank,
        category: s.category,
        factor: s.factor,
        kind: s.kind,
        effect: s.effect,
        evidence: [...s.evidence],
        effects: s.effects.map((x) => ({
          metric: x.metric,
          absolute: x.absolute,
          relativeToSeedSpread: x.relativeToSeedSpread,
          before: x.before,
          after: x.after,
        })),
      })),
    environment: {
      differences: comparisons.map((c) => ({
        group: c.group,
        runId: c.snapshot.id,
        differences: c.comparison.sections
          .filter((s) => s.section !== 'outcome' && s.differences > 0)
          .map((s) => ({ section: s.section, rows: s.rows.filter((r) => r.status !== 'same') })),
        ranked: c.comparison.summary.ranked,
      })),
      appendix: baseline ? baseline.comparison.sections : null,
    },
    seedFindings,
    data: {
      checks: audit.dataChecks.map((d) => ({
        path: d.path,
        originalHash: d.originalHash,
        currentHash: d.currentHash,
        same: d.same,
      })),
      inputs: dataInputs,
    },
    checklist,
    warnings,
  };
}

/** A number for people in reports: full precision up to 6 significant digits, NaN and infinities spelled out. */
export function formatReportNumber(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return formatMetricValue(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** A group's n in a report: the numbers its figures rest on, and the NaN and infinite values left out ("4 (+1 NaN)"). */
export function formatGroupCount(g: { n: number; values: readonly number[] }): string {
  const left = nonFiniteText(g.values);
  return left ? `${g.n} (+${left})` : String(g.n);
}

/** A relative difference as a signed percentage. */
export function formatPercent(rel: number | null): string {
  if (rel === null || !Number.isFinite(rel)) return '—';
  return `${rel >= 0 ? '+' : ''}${formatReportNumber(rel * 100, 3)} %`;
}
