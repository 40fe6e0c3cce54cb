// What a verdict rests on, as plain sentences every report format lists under the verdict: the question, what was judged, power, inconclusive's reason, differing outputs.
import type { AuditReport } from './report-model';
import { formatReportNumber } from './build-report';

/** The verdict's basis in sentences (plain text: each format escapes it). */
export function verdictBasisLines(verdict: AuditReport['verdict']): string[] {
  const lines: string[] = [];
  const j = verdict.judgement;
  if (j) {
    lines.push(
      j.question === 'deterministic'
        ? 'Question: do identical reruns agree? (no original to compare with)'
        : 'Question: does the original reproduce?',
    );
    lines.push(
      `Judged on: ${j.judgedMetrics.length ? j.judgedMetrics.join(', ') : 'no metric'}${j.outputFiles ? `; ${j.outputFiles} output files` : ''}.${j.reportedMetrics.length ? ` Reported, not judged: ${j.reportedMetrics.join(', ')}.` : ''}`,
    );
    for (const p of j.power)
      if (p.detectableDifference !== null)
        lines.push(
          `Power: with ${p.n} reruns, a difference of ${formatReportNumber(p.detectableDifference)} in ${p.metric} would be detected with 80 % probability (α = 0.05); smaller ones may have gone unseen.`,
        );
    if (j.reason) lines.push(`Inconclusive because ${j.reason}.`);
    if (j.nextStep)
      lines.push(`To settle it: ${j.nextStep}${j.rerunsNeeded ? ` (${j.rerunsNeeded} baseline reruns)` : ''}.`);
  }
  const o = verdict.outputs;
  if (o) {
    lines.push(
      `Outputs: ${o.compared === 1 ? '1 file compared' : `${o.compared} files compared file by file`}${o.normalised.length ? ` (MLflow's per-run fields normalised in ${o.normalised.join(', ')})` : ''}; ${o.differing.length ? `${o.differing.length} differ${o.differing.length === 1 ? 's' : ''}` : o.compared === 1 ? 'it does not differ' : 'none differs'}.`,
    );
    for (const d of o.differing.slice(0, 50))
      lines.push(
        `Output ${d.path}: ${d.kind === 'content' ? 'content differs' : d.kind === 'missing' ? 'missing from the reruns' : d.kind === 'varies' ? 'not recorded by the original, and written differently by identical reruns' : 'written only by the reruns'} in ${d.reruns} reruns.`,
      );
    if (o.ignored.length) lines.push(`Ignored by --ignore-output: ${o.ignored.join(', ')}.`);
    if (o.logs?.length)
      lines.push(`Logs, not compared (their lines carry the times they were written): ${o.logs.join(', ')}.`);
    if (o.uncomparable.length)
      lines.push(`Not compared (the original recorded only their raw bytes): ${o.uncomparable.join(', ')}.`);
  }
  return lines;
}
