// The run-management operations' schemas: table columns, rename/tag/note, delete, CSV export.
import { z } from 'zod';
import { nameRecordSchema } from '../records-schema';

/** The run-management operations' schemas: the columns a table can show, rename/tag/note, delete, CSV export. */

/** The text a filter, a sort or a column is written in (parsed by shared/runs/search-filter.ts in the core). */
const FilterText = z.string().max(4000);

/** What selects and orders the runs of a list or an export. */
export const RunSelection = z.object({
  search: z.string().max(500).optional(),
  /** MLflow's search syntax: `metrics.rmse < 0.8 and params.alpha = '0.5' and tags.x LIKE '%y%'`. */
  filter: FilterText.optional(),
  /** MLflow's order_by: a key, then ASC or DESC (`metrics.rmse DESC`). Newest first when absent. */
  sort: z.string().max(500).optional(),
  kind: z.enum(['capture', 'rerun', 'import']).optional(),
  auditId: z.string().max(64).optional(),
  /** Runs of any of these audits (the app's verdict filter: the audits with one verdict). */
  auditIds: z.array(z.string().max(64)).max(10_000).optional(),
  /** One row per audit for its reruns, with the number that matched (`groupSize`). */
  groupReruns: z.boolean().optional(),
});

const NameCount = z.object({ name: z.string(), runs: z.number().int() });
export const ListRunColumnsInput = z.object({});
export const ListRunColumnsOutput = z.object({
  metrics: z.array(NameCount),
  params: z.array(NameCount),
  tags: z.array(NameCount),
});

const RunId = z.string().min(1).max(64);
export const EditRunInput = z.object({
  id: RunId,
  /** The new name; null or an empty text clears it. */
  name: z.string().max(500).nullable().optional(),
  /** The run's note (MLflow's `mlflow.note.content` tag); null or an empty text removes it. */
  note: z.string().max(100_000).nullable().optional(),
  setTags: nameRecordSchema(z.string().max(5000), z.string().min(1).max(250)).optional(),
  removeTags: z.array(z.string().min(1).max(250)).max(1000).optional(),
});
export const EditRunOutput = z.object({
  id: z.string(),
  name: z.string().nullable(),
  tags: nameRecordSchema(z.string()),
});

export const DeleteRunsInput = z.object({ ids: z.array(RunId).min(1).max(100_000) });
export const DeleteRunsOutput = z.object({
  deleted: z.array(z.string()),
  /** Log blobs freed because no remaining run used them. */
  blobsFreed: z.number().int(),
});

export const ExportRunsCsvInput = RunSelection.extend({
  /** Columns: built-in names (id, created, kind, status, name, project, commit, command) and metrics./params./tags. keys. */
  columns: z.array(z.string().min(1).max(500)).max(500).optional(),
});
export const ExportRunsCsvOutput = z.object({ csv: z.string(), rows: z.number().int() });
