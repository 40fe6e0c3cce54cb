// Every report format carries what an issue-10 verdict rests on: inconclusive's reason and next step, power, differing output files; worktree paths are no difference.
import { describe, expect, it } from 'vitest';
import { decideVerdict, summarizeMetrics } from '../../../shared/audit/verdict';
import { compareSnapshots } from '../../../shared/compare/compare';
import { buildAuditReport, withoutAuditPaths } from '../../../shared/report/build-report';
import { renderReportHtml } from '../../../shared/report/render-html';
import { renderReportJson } from '../../../shared/report/render-json';
import { renderReportMarkdown } from '../../../shared/report/render-markdown';
import { ReportJsonSchema } from '../../../shared/report/report-model';
import { emptySnapshot } from '../../../shared/snapshot/snapshot';
import { syntheticAudit } from '../../helpers/audit-fixture';

describe('the verdict basis in every report format', () => {
  it('inconclusive with its reason and next step, power, and the output file that differs', () => {
    const audit = syntheticAudit({ reruns: 6, referenceRunId: null });
    audit.verdict = 'inconclusive';
    audit.explanation = 'Inconclusive: 3 baseline reruns are too few to judge accuracy; rerun with --repeats 5.';
    audit.judgement = {
      question: 'matches-original',
      judgedMetrics: ['accuracy'],
      reportedMetrics: ['loss'],
      outputFiles: 2,
      minReruns: 5,
      rerunsNeeded: 5,
      power: [{ metric: 'accuracy', n: 3, sd: 0.002, detectableDifference: 0.0124 }],
      reason: '3 baseline reruns are too few to judge accuracy',
      nextStep: 'rerun with --repeats 5 (or --repeats auto)',
    };
    audit.outputs = {
      compared: 2,
      differing: [{ path: 'artifacts/model/model.pkl', kind: 'content', reruns: 2 }],
      normalised: ['artifacts/model/MLmodel'],
      ignored: [],
      uncomparable: [],
    };
    const doc = buildAuditReport({ audit, reference: null, reruns: new Map(), version: 't' });
    const parsed = ReportJsonSchema.safeParse(JSON.parse(renderReportJson(doc)));
    expect(parsed.success).toBe(true);
    const json = parsed.data?.kind === 'audit' ? parsed.data : null;
    expect(json?.verdict).toMatchObject({
      verdict: 'inconclusive',
      judgement: { rerunsNeeded: 5, reason: '3 baseline reruns are too few to judge accuracy' },
      outputs: { differing: [{ path: 'artifacts/model/model.pkl' }] },
    });
    expect(json?.metrics.map((m) => [m.name, m.judged])).toEqual([
      ['accuracy', true],
      ['loss', true],
    ]);
    for (const text of [renderReportHtml(doc), renderReportMarkdown(doc)]) {
      expect(text).toMatch(/Inconclusive because 3 baseline reruns are too few to judge accuracy/);
      expect(text).toMatch(/To settle it: rerun with --repeats 5 \(or --repeats auto\) \(5 baseline reruns\)/);
      expect(text).toMatch(/a difference of 0\.0124 in accuracy would be detected with 80 % probability/);
      expect(text).toMatch(/Output artifacts\/model\/model\.pkl: content differs in 2 reruns/);
      expect(text).toMatch(/MLflow(&#39;|')s per-run fields normalised in artifacts\/model\/MLmodel/);
    }
  });

  it("the report's verdict sentence keeps a metric's name as written when the explanation names it first", () => {
    const audit = syntheticAudit({ reruns: 6, referenceRunId: null });
    for (const r of audit.groups[0]!.reruns) r.metrics.accuracy = 0.95;
    const reference = { metrics: { accuracy: 0.9123, loss: 0.3 }, artifactsHash: null };
    audit.metrics = summarizeMetrics(audit.groups, reference, audit.plan.tolerances);
    const v = decideVerdict(audit.groups, audit.metrics, reference);
    audit.verdict = v.verdict;
    audit.explanation = v.explanation;
    const sentence = buildAuditReport({ audit, reference: null, reruns: new Map(), version: 't' }).verdict.sentence;
    expect(sentence).toMatch(
      /did not reproduce \(6 of 6 reruns finished\)\. The metric accuracy exceeds its tolerance/,
    );
  });

  it("the verdict sentence quotes the project's and a metric's names as written, never capitalised", () => {
    const audit = syntheticAudit({ reruns: 3, referenceRunId: null });
    audit.metrics = { acc: audit.metrics[Object.keys(audit.metrics)[0]!]! };
    audit.verdict = 'not-reproduced';
    audit.explanation = 'acc is NaN in 1 and 0.9 in 2 of the 3 baseline reruns';
    const sentence = buildAuditReport({ audit, reference: null, reruns: new Map(), version: 't' }).verdict.sentence;
    expect(sentence).toMatch(/^Project iris-classifier \(entry point main/);
    expect(sentence).toMatch(/\(3 of 3 reruns finished\)\. acc is NaN in 1 and 0\.9 in 2 of the 3 baseline reruns\.$/);
  });

  it("the audit's worktree, its detached checkout, its shell, its name for a captured command and the reference's labels are not environment differences", () => {
    const ref = emptySnapshot('a', 'capture', 'now');
    ref.code.root = '/home/me/paper';
    ref.code.branch = 'master';
    ref.process.cwd = '/home/me/paper';
    ref.tags = { stage: 'final', 'mlflow.note.content': 'the run in the paper' };
    const rerun = emptySnapshot('b', 'rerun', 'now');
    rerun.code.root = '/store/audit-work/x/baseline-0/code';
    rerun.process.cwd = '/store/audit-work/x/baseline-0/code';
    rerun.process.entryPoint = 'captured command';
    // as a real audit records them: the original as typed, the rerun through the audit's shell
    ref.process.argv = ['python3', 'train.py', '0.5', '0.1'];
    rerun.process.argv = ['bash', '-c', 'python train.py 0.5 0.1'];
    const same = withoutAuditPaths(rerun, ref);
    expect([same.code.root, same.process.cwd]).toEqual(['/home/me/paper', '/home/me/paper']);
    expect(rerun.code.root).toBe('/store/audit-work/x/baseline-0/code');
    // compared as is, the reference's tag and note would be differences of every rerun; as the audit compares, none
    expect(compareSnapshots(ref, rerun).summary.ranked.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['process-tags', 'code-other', 'process-command']),
    );
    expect(compareSnapshots(ref, same).summary.differences).toBe(0);
  });
});
