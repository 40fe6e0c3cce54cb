/** Judging a campaign: the reference outcome, outputs compared file by file, metric summaries, the verdict with what it rests on, and the ranked sources. */
import { recordOf } from '../../../shared/records';
import { type Audit, type OutputComparison } from '../../../shared/audit/audit';
import { compareOutputs, treesToOutputFiles } from '../../../shared/audit/outputs';
import { isCostMetric } from '../../../shared/audit/cost-metrics';
import { type Snapshot } from '../../../shared/snapshot/snapshot';
import {
  baselineRerunsWanted,
  declaredEnvironmentDifferences,
  decideVerdict,
  findSources,
  finishedReruns,
  snapshotDifferences,
  summarizeMetrics,
  type ReferenceOutcome,
  type VerdictResult,
} from '../../../shared/audit/verdict';
import type { CoreContext } from '../core-context';
import type { Prepared, Shared } from './campaign-types';
import { addNodeSources } from './node-sources';

interface Judged {
  reference: ReferenceOutcome | null;
  refSnapshot: Snapshot | null;
  outputs: OutputComparison | null;
  verdict: VerdictResult;
}

/** The reference (the original, else the first finished baseline rerun), the output comparison, the metric summaries and the verdict. */
function judgeBaseline(audit: Audit, prepared: Prepared): Judged {
  const baseline = audit.groups.find((g) => g.name === 'baseline');
  const done = finishedReruns(baseline).sort((a, b) => a.index - b.index);
  let reference: ReferenceOutcome | null = null;
  let refSnapshot: Snapshot | null = prepared.reference;
  let outputs: OutputComparison | null = null;
  const ignore = audit.plan.ignoreOutputs ?? [];
  const named = audit.plan.outputs ?? [];
  if (prepared.reference) {
    const recorded = treesToOutputFiles(prepared.reference.outcome.artifacts);
    reference = {
      metrics: recordOf(Object.entries(prepared.reference.outcome.metrics).map(([k, m]) => [k, m.value])),
      artifactsHash: null,
      outputs: recorded.length ? recorded : null,
    };
    // the original's listing is what it recorded: a file only the reruns wrote is not known to be new, but is
    // compared among the reruns (`varies` when they wrote it differently)
    outputs = compareOutputs({
      reference: reference.outputs ?? [],
      reruns: done.map((r) => r.outputs ?? []),
      ignore,
      referenceComplete: false,
      named,
    });
    if (
      outputs &&
      outputs.compared === 0 &&
      outputs.differing.length === 0 &&
      outputs.uncomparable.length === 0 &&
      !outputs.logs
    )
      outputs = null;
  } else {
    const first = done[0];
    if (first) {
      reference = { metrics: first.metrics, artifactsHash: first.artifactsHash, outputs: first.outputs ?? [] };
      audit.referenceRunId = first.runId;
      refSnapshot = null;
      outputs =
        (first.outputs ?? []).length > 0
          ? compareOutputs({
              reference: first.outputs ?? [],
              reruns: done.slice(1).map((r) => r.outputs ?? []),
              ignore,
              referenceComplete: true,
              named,
            })
          : null;
    }
  }
  audit.metrics = summarizeMetrics(audit.groups, reference, audit.plan.tolerances, audit.plan.judgedMetrics ?? []);
  const verdict = decideVerdict(audit.groups, audit.metrics, reference, {
    referenceKind: audit.referenceKind,
    outputs,
    judgedMetrics: audit.plan.judgedMetrics ?? [],
    printedMetrics: [...new Set(done.flatMap((r) => r.printedMetrics ?? []))].sort(),
  });
  return { reference, refSnapshot, outputs, verdict };
}

/** With `--repeats auto`: how many baseline reruns to add before the verdict is settled (0 when settled or the budget is spent). */
export function moreBaselineReruns(audit: Audit, prepared: Prepared): number {
  if (!audit.plan.repeatsAuto) return 0;
  const baseline = audit.groups.find((g) => g.name === 'baseline');
  if (!baseline) return 0;
  const { verdict } = judgeBaseline(audit, prepared);
  const want = baselineRerunsWanted(verdict, baseline.reruns.length, audit.plan.maxReruns ?? 20);
  return want === null ? 0 : want - baseline.reruns.length;
}

/** Judges a finished campaign in place: metric summaries against the reference, the verdict, and the ranked sources. */
export function judge(audit: Audit, prepared: Prepared, ctx: CoreContext, shared: Shared): void {
  const baseline = audit.groups.find((g) => g.name === 'baseline');
  const { refSnapshot, outputs, verdict } = judgeBaseline(audit, prepared);
  audit.verdict = verdict.verdict;
  audit.explanation = verdict.explanation;
  audit.judgement = verdict.judgement;
  audit.outputs = outputs;
  if (audit.plan.repeatsAuto && verdict.verdict === 'inconclusive' && verdict.judgement.rerunsNeeded !== null)
    audit.warnings.push(
      `--repeats auto stopped at --max-reruns ${audit.plan.maxReruns ?? 20}: the verdict needs ${verdict.judgement.rerunsNeeded} baseline reruns`,
    );
  const firstRerun = finishedReruns(baseline)[0] ?? baseline?.reruns.find((r) => r.runId);
  const rerunSnap = firstRerun?.runId ? ctx.runs.get(firstRerun.runId) : null;
  const differences = refSnapshot && rerunSnap ? snapshotDifferences(refSnapshot, rerunSnap) : [];
  // a local rerun uses this machine's packages, not the ones the project's conda.yaml / python_env pins
  if (audit.envManager === 'local' && rerunSnap) {
    const declared = declaredEnvironmentDifferences(rerunSnap);
    differences.push(...declared);
    if (declared.length > 0)
      audit.warnings.push(
        `the project's environment spec pins ${declared.map((d) => `${d.factor.replace(/^declared (package:)?/, '')} ${d.original.replace(/ \(.*$/, '')}`).join(', ')}, but --env-manager local reran with ${declared.map((d) => d.rerun).join(', ')}; use --env-manager virtualenv or conda to rerun the declared environment`,
      );
  }
  // a training time that varies is no source of variance in the results (the verdict does not judge it either)
  const judgedNames = verdict.judgement.judgedMetrics;
  const resultMetrics = recordOf(
    Object.entries(audit.metrics).filter(([n]) => !isCostMetric(n) || judgedNames.includes(n)),
  );
  audit.sources = findSources({
    groups: audit.groups,
    metrics: resultMetrics,
    dataChecks: audit.dataChecks,
    findings: shared.scan?.findings ?? rerunSnap?.randomness.scan.findings ?? [],
    differences,
    gpu: rerunSnap ? rerunSnap.hardware.gpus.length > 0 : null,
    ignoreOutputs: audit.plan.ignoreOutputs ?? [],
    namedOutputs: audit.plan.outputs ?? [],
  });
  addNodeSources(audit, ctx);
}
