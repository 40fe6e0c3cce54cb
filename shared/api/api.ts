// The API contract: every operation's name, input schema, output schema and summary.
import { z } from 'zod';
import { ListExamplesInput, ListExamplesOutput } from './api-app';
import {
  CompareRunSetInput,
  CompareRunSetOutput,
  CompareRunsInput,
  CompareRunsOutput,
  ExportReportInput,
  ExportReportOutput,
} from './api-compare';
import {
  CancelAuditInput,
  CancelAuditOutput,
  GetAuditInput,
  GetAuditOutput,
  ListAuditsInput,
  ListAuditsOutput,
  ReadProjectInput,
  ReadProjectOutput,
  ResumeAuditInput,
  ResumeAuditOutput,
  StartAuditInput,
  StartAuditOutput,
} from './api-audit';
import { ImportMlflowInput, ImportMlflowOutput } from './api-import';
import { op, runsApi } from './api-runs-contract';

/**
 * The API contract: every operation's name, input and output schema. The core implements it once
 * (`electron/core/handlers.ts`); IPC, HTTP and the CLI are thin adapters that parse input with
 * these schemas and pass `Result` values back.
 */

/** The run operations' schemas, defined with them in api-runs-contract.ts. */
export {
  GetRunInput,
  GetRunLogInput,
  GetRunLogOutput,
  GetRunOutput,
  ListRunsInput,
  ListRunsOutput,
  StoreInfoInput,
  StoreInfoOutput,
  type Operation,
} from './api-runs-contract';

/** Every operation, by name. Add new operations here; faces pick them up from this map. */
export const api = {
  ...runsApi,
  importMlflow: op(
    ImportMlflowInput,
    ImportMlflowOutput,
    'Import the runs of an MLflow file store, mlflow.db or tracking server as snapshots.',
  ),
  listExamples: op(ListExamplesInput, ListExamplesOutput, 'The bundled example experiments, to audit in one click.'),
  compareRuns: op(
    CompareRunsInput,
    CompareRunsOutput,
    'Compare two runs by category, with a ranked summary of what most likely explains a change in outcome.',
  ),
  compareRunSet: op(
    CompareRunSetInput,
    CompareRunSetOutput,
    'Compare 2 to 20 runs, the first as the baseline: every fact and metric per run, and each run ranked against the baseline.',
  ),
  exportReport: op(ExportReportInput, ExportReportOutput, 'An audit or a comparison as HTML, Markdown, JSON or PDF.'),
  startAudit: op(
    StartAuditInput,
    StartAuditOutput,
    'Audit an MLproject: rerun it in groups under controlled variations and judge the reruns against the original.',
  ),
  getAudit: op(
    GetAuditInput,
    GetAuditOutput,
    'One audit by id or unique id prefix, with its groups, statistics, verdict and sources.',
  ),
  listAudits: op(ListAuditsInput, ListAuditsOutput, 'List audits, newest first.'),
  cancelAudit: op(
    CancelAuditInput,
    CancelAuditOutput,
    'Stop a running audit: its rerun in flight is killed and the audit can be resumed.',
  ),
  resumeAudit: op(ResumeAuditInput, ResumeAuditOutput, 'Complete an interrupted audit.'),
  readProject: op(
    ReadProjectInput,
    ReadProjectOutput,
    "An MLproject's entry points, parameters and environment, for the audit form.",
  ),
} as const;

/** The name of an operation. */
export type ApiName = keyof typeof api;
/** What an operation accepts (before defaults). */
export type ApiInput<N extends ApiName> = z.input<(typeof api)[N]['input']>;
/** What an operation returns. */
export type ApiOutput<N extends ApiName> = z.output<(typeof api)[N]['output']>;
