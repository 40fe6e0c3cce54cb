// The data-shift model: how each changed data input or output file differs (tables, arrays, models, text, JSON, images), as zod schemas over a number schema like the comparison's.
import { z } from 'zod';
import { AnyNumberSchema } from '../snapshot/snapshot';

/** The version of the analysis; a stored result of another version is computed again. */
export const DATA_SHIFT_VERSION = 1;

/** How a file was told apart by its content. */
export const FileKindSchema = z.enum(['table', 'array', 'model', 'text', 'json', 'image', 'binary']);
/** The kind of a file. */
export type FileKind = z.infer<typeof FileKindSchema>;

/** The data-shift schemas over a number schema (finite in JSON reports, any number in memory). */
export function dataShiftSchemas<N extends z.ZodType>(num: N) {
  const columnSummary = z.object({
    type: z.enum(['number', 'integer', 'string', 'boolean', 'other']),
    count: z.number().int().describe('values present'),
    missing: z.number().int(),
    nonNumeric: z.number().int().describe('present values of a numeric column that are not numbers'),
    examples: z.array(z.string()),
    min: num.nullable(),
    max: num.nullable(),
    mean: num.nullable(),
    sd: num.nullable(),
    top: z.array(z.object({ value: z.string(), count: z.number().int() })),
    distinct: z.number().int(),
    distinctCapped: z.boolean(),
  });
  const column = z.object({
    name: z.string(),
    /** The column's name in B when it was renamed (same values under a new name). */
    nameB: z.string().nullable(),
    status: z.enum(['same', 'changed', 'only-a', 'only-b', 'renamed', 'retyped']),
    a: columnSummary.nullable(),
    b: columnSummary.nullable(),
    test: z
      .object({
        kind: z.enum(['ks', 'chi-square', 'none']),
        statistic: num.nullable(),
        pValue: num.nullable(),
        df: z.number().int().nullable(),
        psi: num.nullable().describe('population stability index'),
        sampled: z.boolean().describe('the test ran on a seeded uniform sample of the values'),
      })
      .nullable(),
    movement: num.describe('0 (did not move) to 1: KS D for numbers, total variation distance for categories'),
  });
  const rowDiff = z.object({
    keyedBy: z.string().describe('"position" or the key column'),
    /** The columns shown, those both versions have. */
    columns: z.array(z.string()),
    /** Rows that differ (by position or key), counted over the whole files; null when not counted. */
    differing: z.number().int().nullable(),
    rows: z.array(
      z.object({
        key: z.string().describe('row number (1-based, after the header) or the key value'),
        status: z.enum(['changed', 'only-a', 'only-b']),
        a: z.array(z.string().nullable()).nullable(),
        b: z.array(z.string().nullable()).nullable(),
        /** Indexes into columns of the cells that differ. */
        changed: z.array(z.number().int()),
      }),
    ),
    truncated: z.boolean(),
    note: z.string().nullable(),
  });
  const table = z.object({
    kind: z.literal('table'),
    format: z.enum(['csv', 'tsv', 'parquet', 'jsonl']),
    rowsA: z.number().int(),
    rowsB: z.number().int(),
    schema: z.object({
      added: z.array(z.object({ name: z.string(), type: z.string() })),
      removed: z.array(z.object({ name: z.string(), type: z.string() })),
      retyped: z.array(z.object({ name: z.string(), a: z.string(), b: z.string() })),
      renamed: z.array(z.object({ from: z.string(), to: z.string() })),
    }),
    /** Every column, most moved first. */
    columns: z.array(column),
    rows: rowDiff.nullable(),
  });
  const arrayEntry = z.object({
    name: z.string().describe('the array (for .npz, the member name)'),
    status: z.enum(['same', 'changed', 'only-a', 'only-b', 'incomparable']),
    dtypeA: z.string().nullable(),
    dtypeB: z.string().nullable(),
    shapeA: z.array(z.number().int()).nullable(),
    shapeB: z.array(z.number().int()).nullable(),
    maxAbsDiff: num.nullable(),
    maxRelDiff: num.nullable(),
    beyondTolerance: z.number().int().nullable().describe('elements whose |b − a| > atol + rtol·|a|'),
    elements: z.number().int().nullable(),
    note: z.string().nullable(),
  });
  const arrays = z.object({
    kind: z.literal('array'),
    format: z.enum(['npy', 'npz']),
    tolerance: z.object({ atol: z.number(), rtol: z.number() }),
    arrays: z.array(arrayEntry),
  });
  const model = z.object({
    kind: z.literal('model'),
    format: z.enum(['pickle', 'torch']),
    typeA: z.string().nullable(),
    typeB: z.string().nullable(),
    /** Parameters (fitted attributes, tensors) compared like arrays. */
    params: z.array(arrayEntry),
    truncated: z.boolean(),
  });
  const text = z.object({
    kind: z.literal('text'),
    /** A unified diff, cut at a cap. */
    patch: z.string().nullable(),
    added: z.number().int(),
    removed: z.number().int(),
    truncated: z.boolean(),
  });
  const json = z.object({
    kind: z.literal('json'),
    changes: z.array(
      z.object({
        path: z.string().describe('a JSON path such as $.metrics.rmse or $.items[3]'),
        status: z.enum(['changed', 'only-a', 'only-b']),
        a: z.string().nullable(),
        b: z.string().nullable(),
      }),
    ),
    total: z.number().int(),
    truncated: z.boolean(),
  });
  const image = z.object({
    kind: z.literal('image'),
    widthA: z.number().int(),
    heightA: z.number().int(),
    widthB: z.number().int(),
    heightB: z.number().int(),
    /** Pixels whose RGBA differs (over the common area when the sizes differ). */
    differingPixels: z.number().int(),
    pixels: z.number().int(),
    maxChannelDiff: z.number().int(),
    /** Both images as data: URIs (PNG), kept when small enough, so the app and the HTML report show them later. */
    dataA: z.string().nullable(),
    dataB: z.string().nullable(),
  });
  const detail = z.discriminatedUnion('kind', [table, arrays, model, text, json, image]);
  const file = z.object({
    area: z.enum(['input', 'output']),
    /** The data input or output path the file belongs to. */
    root: z.string(),
    /** The file's path inside it ('' when the input is one file). */
    path: z.string(),
    change: z.enum(['changed', 'added', 'removed', 'renamed']),
    /** For a rename, the path in A; also for a changed file paired with one of a similar name in A (train_v1.csv → train_v2.csv). */
    from: z.string().nullable(),
    sizeA: z.number().int().nullable(),
    sizeB: z.number().int().nullable(),
    sha256A: z.string().nullable(),
    sha256B: z.string().nullable(),
    kind: FileKindSchema.nullable(),
    /**
     * ok: analysed (now or from the store); unavailable: a version is not on this machine as recorded;
     * unreadable: the content is not what its name says (a fake CSV, a truncated Parquet, a pickle that does not load);
     * skipped: not analysed, with the reason (not unpickled, too large, a binary format).
     */
    status: z.enum(['ok', 'unavailable', 'unreadable', 'skipped']),
    note: z.string().nullable(),
    /** Whether the result came from the store (computed earlier) rather than from the files now. */
    stored: z.boolean(),
    detail: detail.nullable(),
  });
  const dataShift = z.object({
    version: z.number().int(),
    files: z.array(file),
    /** Files that changed but are not listed (beyond the cap). */
    omitted: z.number().int(),
    key: z.string().nullable().describe('the key column rows were matched by (--key), null for row position'),
  });
  return {
    columnSummary,
    column,
    rowDiff,
    table,
    arrayEntry,
    arrays,
    model,
    text,
    json,
    image,
    detail,
    file,
    dataShift,
  };
}

const inMemory = dataShiftSchemas(AnyNumberSchema);
/** The data shift of a comparison. */
export type DataShift = z.infer<typeof inMemory.dataShift>;
/** One file of the data shift. */
export type FileShift = z.infer<typeof inMemory.file>;
/** What was found in one file pair. */
export type FileShiftDetail = z.infer<typeof inMemory.detail>;
/** A table compared. */
export type TableShift = z.infer<typeof inMemory.table>;
/** One column compared. */
export type ColumnShift = z.infer<typeof inMemory.column>;
/** The first rows that differ. */
export type RowDiff = z.infer<typeof inMemory.rowDiff>;
/** One array (or model parameter) compared. */
export type ArrayShift = z.infer<typeof inMemory.arrayEntry>;
/** Arrays compared. */
export type ArraysShift = z.infer<typeof inMemory.arrays>;
/** A model compared. */
export type ModelShift = z.infer<typeof inMemory.model>;
/** Two texts compared. */
export type TextShift = z.infer<typeof inMemory.text>;
/** Two JSON documents compared by path. */
export type JsonShift = z.infer<typeof inMemory.json>;
/** Two images compared. */
export type ImageShift = z.infer<typeof inMemory.image>;
/** The stored part of a file's analysis: its kind, status, note and detail. */
export const StoredFileShiftSchema = z.object({
  kind: FileKindSchema.nullable(),
  status: z.enum(['ok', 'unreadable', 'skipped']),
  note: z.string().nullable(),
  detail: inMemory.detail.nullable(),
});
/** The stored part of a file's analysis. */
export type StoredFileShift = z.infer<typeof StoredFileShiftSchema>;
