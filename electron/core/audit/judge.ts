/** Judging a finished campaign: the reference outcome, metric summaries, the verdict and the ranked sources. */
import { type Audit } from '../../../shared/audit/audit';
import { type Snapshot } from '../../../shared/snapshot/snapshot';
import {
  decideVerdict,
  findSources,
  finishedReruns,
  snapshotDifferences,
  summarizeMetrics,
  type ReferenceOutcome,
} from '../../../shared/audit/verdict';
import type { CoreContext } from '../core-context';
import type { Prepared, Shared } from './campaign-types';

/** Judges a finished campaign in place: metric summaries against the reference, the verdict, and the ranked sources. */
export function judge(audit: Audit, prepared: Prepared, ctx: CoreContext, shared: Shared): void {
  const baseline = audit.groups.find((g) => g.name === 'baseline');
  let reference: ReferenceOutcome | null = null;
  let refSnapshot: Snapshot | null = prepared.reference;
  if (prepared.reference) {
    reference = {
      metrics: Object.fromEntries(Object.entries(prepared.reference.outcome.metrics).map(([k, m]) => [k, m.value])),
      artifactsHash: null,
    };
  } else {
    const first = finishedReruns(baseline).sort((a, b) => a.index - b.index)[0];
    if (first) {
      reference = { metrics: first.metrics, artifactsHash: first.artifactsHash };
      audit.referenceRunId = first.runId;
      refSnapshot = null;
    }
  }
  audit.metrics = summarizeMetrics(audit.groups, reference, audit.plan.tolerances);
  const v = decideVerdict(audit.groups, audit.metrics, reference);
  audit.verdict = v.verdict;
  audit.explanation = v.explanation;
  const firstRerun = finishedReruns(baseline)[0] ?? baseline?.reruns.find((r) => r.runId);
  const rerunSnap = firstRerun?.runId ? ctx.runs.get(firstRerun.runId) : null;
  const differences = refSnapshot && rerunSnap ? snapshotDifferences(refSnapshot, rerunSnap) : [];
  audit.sources = findSources({
    groups: audit.groups,
    metrics: audit.metrics,
    dataChecks: audit.dataChecks,
    findings: shared.scan?.findings ?? rerunSnap?.randomness.scan.findings ?? [],
    differences,
  });
}
