// compareSnapshots: two snapshots compared section by section, with details and a ranked summary of likely causes.
import {
  COMPARE_SECTIONS,
  type CompareRow,
  type CompareSection,
  type Comparison,
  type PackageChange,
  type RunRef,
  type SectionComparison,
} from './compare-model';
import { diffFacts, FACTS } from './compare-facts';
import {
  compareData,
  compareFindings,
  compareMetrics,
  comparePackages,
  diffManifests,
  diffPatches,
  diffText,
} from './compare-diff';
import { headline, rankSummary } from './compare-ranking';
import { formatCommand } from '../mlflow/shell-quote';
import type { Snapshot } from '../snapshot/snapshot';
import { diffVersions, type VersionStep } from '../snapshot/versions';

/**
 * Compares two snapshots: per section (the six categories, then the outcome) rows of
 * same / changed / only-a / only-b, with detail for packages, data manifests, text specs, seed-scan
 * findings and metrics, and a summary that ranks the differences most likely to explain a change
 * in outcome. Pure and linear in the size of the snapshots (Maps, no nested scans). The parts live
 * beside it: compare-facts (rows), compare-diff (details), compare-ranking (summary), compare-many (N runs).
 */

export { MAX_FILE_CHANGES, diffManifests } from './compare-diff';
export { RANKING_RULE } from './compare-ranking';

/** A run as a comparison's header names it. */
export function runRef(s: Snapshot): RunRef {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    createdAt: s.createdAt,
    project: s.project.name ?? s.project.root,
    commit: s.code.commit,
    command: s.process.argv.length ? formatCommand(s.process.argv) : (s.process.entryPoint ?? ''),
    status: s.outcome.status,
  };
}

/** Compares two snapshots (A is the reference, B the other run): rows per section, details and a ranked summary. */
export function compareSnapshots(a: Snapshot, b: Snapshot): Comparison {
  const kindedBySection = COMPARE_SECTIONS.map((section) => ({
    section,
    kinded: diffFacts(FACTS[section](a), FACTS[section](b)),
  }));
  const sections: SectionComparison[] = kindedBySection.map(({ section, kinded }) => {
    const rows = kinded.map((k) => k.row);
    return { section, rows, differences: rows.reduce((n, r) => n + (r.status === 'same' ? 0 : 1), 0) };
  });

  const { packages, same } = comparePackages(a, b);
  const flagsA = new Set(a.hardware.cpu?.numericsFlags ?? []);
  const flagsB = new Set(b.hardware.cpu?.numericsFlags ?? []);
  const flags = {
    a: [...flagsA].filter((x) => !flagsB.has(x)).sort(),
    b: [...flagsB].filter((x) => !flagsA.has(x)).sort(),
  };
  const findings = compareFindings(a, b);
  const data = compareData(a, b);
  const metrics = compareMetrics(a, b);

  const specsA = new Map(a.software.envSpecs.map((s) => [s.path, s]));
  const specsB = new Map(b.software.envSpecs.map((s) => [s.path, s]));
  const specPaths = [...new Set([...specsA.keys(), ...specsB.keys()])].sort();
  const envSpecs = specPaths.map((p) => {
    const x = specsA.get(p);
    const y = specsB.get(p);
    // Equal hashes mean equal texts: skip the line diff.
    if (x && y && x.sha256 === y.sha256) return { path: p, status: 'same' as const, patch: null, note: null };
    return diffText(p, x?.content ?? null, y?.content ?? null);
  });

  const untrackedA = a.code.vcs === 'git' ? a.code.untracked : [];
  const untrackedB = b.code.vcs === 'git' ? b.code.untracked : [];
  const codePatch =
    a.code.patch === null && b.code.patch === null
      ? null
      : diffPatches('uncommitted.patch', a.code.patch, b.code.patch);

  const pyA = a.software.python.status === 'ok' ? a.software.python.version : null;
  const pyB = b.software.python.status === 'ok' ? b.software.python.version : null;
  const pyStep = pyA && pyB && pyA !== pyB ? diffVersions(pyA, pyB).step : null;
  // A Python patch release is ranked like a package patch, not like a new interpreter.
  const softwareRows = kindedBySection.find((s) => s.section === 'software')!;
  for (const k of softwareRows.kinded)
    if (k.row.key === 'python' && (pyStep === 'patch' || pyStep === 'other')) k.kind = 'package-patch';

  const bySection: Record<string, number> = {};
  let differences = 0;
  for (const s of sections) {
    bySection[s.section] = s.differences;
    if (s.section !== 'outcome') differences += s.differences;
  }
  const ranked = rankSummary({ rows: kindedBySection, packages, flags, findings, data, runs: { a, b } });

  return {
    a: runRef(a),
    b: runRef(b),
    summary: { headline: headline(metrics, ranked, differences, bySection), differences, bySection, ranked },
    sections,
    code: {
      patch: codePatch,
      uncommitted: { a: a.code.patch, b: b.code.patch },
      untracked: diffManifests(untrackedA, untrackedB).files,
      history: null,
    },
    data: { inputs: data },
    software: { python: { a: pyA, b: pyB, step: pyStep }, packages, packagesSame: same, envSpecs },
    hardware: { flagsOnlyA: flags.a, flagsOnlyB: flags.b },
    randomness: { findingsGained: findings.gained, findingsLost: findings.lost },
    outcome: { metrics },
  };
}

/** The rows of a section that differ (or all of them). */
export function sectionRows(c: Comparison, section: CompareSection, all = false): CompareRow[] {
  const s = c.sections.find((x) => x.section === section);
  if (!s) return [];
  return all ? s.rows : s.rows.filter((r) => r.status !== 'same');
}

/** The version step of a package change as a word for people ("major upgrade"). */
export function describePackageChange(p: PackageChange): string {
  if (p.change === 'added' || p.change === 'removed') return p.change;
  const step: VersionStep | null = p.step;
  return step && step !== 'other'
    ? `${step} ${p.change === 'changed' ? 'change' : p.change.replace(/d$/, '')}`
    : p.change;
}
