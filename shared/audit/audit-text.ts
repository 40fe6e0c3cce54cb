// An audit as terminal text: the verdict and what it rests on, groups, metrics, sources; and the audit list.
import type { Audit, AuditSummary } from './audit';
import { formatRerunJobLines, formatRunnerLines } from './audit-jobs-text';
import { ownValue } from '../records';
import { finishedReruns, nonFiniteText } from './verdict-format';

/** Formats a number for a person: up to 6 significant digits, exponent form for very large or small values. */
function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e6 || a < 1e-4 ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

/** What the verdict rests on, for the terminal: the question, judged metrics, outputs, power, what to do. */
export function judgementLines(a: Audit): string[] {
  const j = a.judgement;
  const lines: string[] = [];
  if (j) {
    lines.push(
      `  question: ${j.question === 'deterministic' ? 'do identical reruns agree? (no --against)' : 'does the original reproduce?'}`,
    );
    lines.push(
      `  judged: ${j.judgedMetrics.length ? j.judgedMetrics.join(', ') : 'no metric'}${j.outputFiles ? `; ${j.outputFiles} output files` : ''}${j.reportedMetrics.length ? `   reported only: ${j.reportedMetrics.join(', ')}` : ''}`,
    );
    for (const p of j.power)
      if (p.detectableDifference !== null)
        lines.push(
          `  power: with ${p.n} reruns a difference of ${fmt(p.detectableDifference)} in ${p.metric} is detectable (80 %, α = 0.05)`,
        );
    if (j.reason) lines.push(`  inconclusive because ${j.reason}`);
    if (j.nextStep) lines.push(`  next: ${j.nextStep}${j.rerunsNeeded ? ` (${j.rerunsNeeded} baseline reruns)` : ''}`);
  }
  const o = a.outputs;
  if (o) {
    lines.push(
      `  outputs: ${o.compared} file${o.compared === 1 ? '' : 's'} compared, ${o.differing.length} differ${o.differing.length === 1 ? 's' : ''}${o.normalised.length ? `, ${o.normalised.length} normalised (MLflow per-run fields)` : ''}${o.ignored.length ? `, ${o.ignored.length} ignored` : ''}${o.logs?.length ? `, ${o.logs.length} log${o.logs.length === 1 ? '' : 's'} not compared` : ''}${o.uncomparable.length ? `, ${o.uncomparable.length} unknown in the original` : ''}`,
    );
    for (const d of o.differing.slice(0, 20))
      lines.push(
        `    ${d.path}: ${d.kind === 'content' ? 'differs' : d.kind === 'missing' ? 'missing' : d.kind === 'varies' ? 'differs between identical reruns (not recorded by the original)' : 'only in the reruns'} in ${d.reruns} reruns`,
      );
  }
  return lines;
}

/** An audit as a person reads it in the terminal: verdict first, then groups, metrics and sources. */
export function formatAuditText(a: Audit): string {
  const lines: string[] = [];
  lines.push(
    `audit ${a.id.slice(0, 8)}  ${a.project.name} (entry point ${a.entryPoint})${a.commit ? ` @ ${a.commit.slice(0, 12)}` : ''}`,
  );
  lines.push(`  project: ${a.project.location}`);
  lines.push(`  command: ${a.command}`);
  lines.push(
    `  environment: ${a.envManager}${a.plan.python ? ` (${a.plan.python})` : ''}   reference: ${a.referenceRunId ? `${a.referenceRunId.slice(0, 8)} (${a.referenceKind})` : a.referenceKind}`,
  );
  lines.push(...formatRunnerLines(a));
  lines.push(`  status: ${a.status}   verdict: ${a.verdict ?? '—'}`);
  if (a.explanation) lines.push(`  ${a.explanation}`);
  if (a.error) lines.push(`  error: ${a.error}`);
  lines.push(...judgementLines(a));
  lines.push('groups:');
  for (const g of a.groups) {
    const counts = new Map<string, number>();
    for (const r of g.reruns) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    lines.push(
      `  ${g.name.padEnd(22)} ${g.reruns.length} reruns (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}) — ${g.description}`,
    );
    for (const r of g.reruns.filter((x) => x.error)) lines.push(`      #${r.index + 1}: ${r.error}`);
    lines.push(...formatRerunJobLines(g));
  }
  const metricNames = Object.keys(a.metrics);
  if (metricNames.length) {
    lines.push('metrics:');
    for (const name of metricNames) {
      const m = a.metrics[name]!;
      lines.push(
        `  ${name}  reference ${fmt(m.reference)}${m.tolerance ? `  tolerance ${m.tolerance.kind === 'abs' ? fmt(m.tolerance.value) : `${m.tolerance.value} %`}` : ''}`,
      );
      for (const [g, s] of Object.entries(m.groups)) {
        // n counts the numbers the figures are computed from; NaN and infinities are named beside it
        const left = nonFiniteText(
          finishedReruns(a.groups.find((x) => x.name === g))
            .map((r) => ownValue(r.metrics, name))
            .filter((v): v is number => typeof v === 'number'),
        );
        const tests = [
          s.welchVsBaseline ? `Welch p=${fmt(s.welchVsBaseline.pValue)}` : '',
          s.ksVsBaseline ? `KS p=${fmt(s.ksVsBaseline.pValue)}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        lines.push(
          `    ${g.padEnd(22)} n=${s.n}${left ? ` (+${left}, left out)` : ''} mean=${fmt(s.mean)} sd=${fmt(s.sd)} min=${fmt(s.min)} max=${fmt(s.max)}${s.pi95 ? ` PI95=[${fmt(s.pi95[0])}, ${fmt(s.pi95[1])}]` : ''}${s.allBitwiseEqual ? ' bitwise-equal' : ''}${tests ? ` ${tests}` : ''}`,
        );
      }
    }
  }
  if (a.dataChecks.length) {
    lines.push('data:');
    for (const d of a.dataChecks)
      lines.push(
        `  ${d.path}: ${d.same === null ? 'not recorded by the original' : d.same ? 'unchanged' : 'CHANGED since the original'}`,
      );
  }
  lines.push(a.sources.length ? 'sources:' : 'sources: none');
  for (const s of a.sources) {
    lines.push(`  ${s.rank}. [${s.category}] ${s.factor} (${s.kind}): ${s.effect}`);
    for (const e of s.evidence.slice(0, 5)) lines.push(`       ${e}`);
  }
  for (const w of a.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** The audit list as a table, newest first. */
export function formatAuditList(audits: readonly AuditSummary[]): string {
  if (audits.length === 0) return 'no audits yet: start one with `reproscope audit <project>`';
  return audits
    .map(
      (a) =>
        `${a.id.slice(0, 8)}  ${a.createdAt.replace('T', ' ').slice(0, 19)}  ${a.status.padEnd(11)} ${(a.verdict ?? '—').padEnd(28)} ${a.rerunsDone}/${a.reruns}  ${a.project}:${a.entryPoint}`,
    )
    .join('\n');
}
