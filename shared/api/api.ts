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
import {
  DeleteRunsInput,
  DeleteRunsOutput,
  EditRunInput,
  EditRunOutput,
  ExportRunsCsvInput,
  ExportRunsCsvOutput,
  ListRunColumnsInput,
  ListRunColumnsOutput,
  RunSelection,
} from './api-runs';
import { RunSummarySchema, SnapshotSchema } from '../snapshot/snapshot';

/**
 * The API contract: every operation's name, input and output schema. The core implements it once
 * (`electron/core/handlers.ts`); IPC, HTTP and the CLI are thin adapters that parse input with
 * these schemas and pass `Result` values back.
 */

export const ListRunsInput = RunSelection.extend({
  limit: z.number().int().min(1).max(100_000).optional(),
  offset: z.number().int().min(0).optional(),
});
export const ListRunsOutput = z.object({ runs: z.array(RunSummarySchema), total: z.number().int() });

export const GetRunInput = z.object({ id: z.string().min(1).max(64) });
export const GetRunOutput = SnapshotSchema;

export const GetRunLogInput = z.object({ id: z.string().min(1).max(64), stream: z.enum(['stdout', 'stderr']) });
export const GetRunLogOutput = z.object({ text: z.string(), bytes: z.number().int(), truncated: z.boolean() });

export const StoreInfoInput = z.object({});
export const StoreInfoOutput = z.object({
  dir: z.string(),
  dbPath: z.string(),
  runs: z.number().int(),
  version: z.string(),
});

/** One operation of the contract. */
export interface Operation<I extends z.ZodType, O extends z.ZodType> {
  input: I;
  output: O;
  summary: string;
}

const op = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, summary: string): Operation<I, O> => ({
  input,
  output,
  summary,
});

/** Every operation, by name. Add new operations here; faces pick them up from this map. */
export const api = {
  listRuns: op(
    ListRunsInput,
    ListRunsOutput,
    "List snapshots, newest first or sorted by any column, filtered by text, kind, audit or MLflow's search syntax.",
  ),
  listRunColumns: op(
    ListRunColumnsInput,
    ListRunColumnsOutput,
    'Every metric, parameter and tag name in the store: the columns the run table can show.',
  ),
  editRun: op(EditRunInput, EditRunOutput, 'Rename a run, set or remove its tags, or write its note.'),
  deleteRuns: op(DeleteRunsInput, DeleteRunsOutput, 'Delete runs with the logs no other run uses.'),
  exportRunsCsv: op(ExportRunsCsvInput, ExportRunsCsvOutput, 'The run table, filtered and sorted, as CSV.'),
  getRun: op(GetRunInput, GetRunOutput, 'One snapshot by id or unique id prefix.'),
  getRunLog: op(GetRunLogInput, GetRunLogOutput, "A run's captured stdout or stderr."),
  storeInfo: op(StoreInfoInput, StoreInfoOutput, 'Where the store is and how many runs it holds.'),
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
