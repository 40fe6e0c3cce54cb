// The compare and report operations' schemas: compare runs, export reports in four formats.
import { z } from 'zod';
import { ComparisonSchema } from '../compare/compare-model';
import { MAX_COMPARE_RUNS, RunSetComparisonSchema } from '../compare/compare-many-model';

/**
 * The compare and report operations' schemas: compare two runs, and export what an audit or a
 * comparison found as HTML, Markdown, JSON or PDF.
 */

const RunId = z.string().trim().min(1).max(64);

export const CompareRunsInput = z.object({
  /** The reference run (id or unique prefix). */
  a: RunId,
  /** The run compared with it. */
  b: RunId,
  /** Match the rows of changed tables by this column instead of by position (the CLI's --key). */
  key: z.string().trim().min(1).max(200).optional(),
  /** Load pickled models even from imported stores or data inputs (the CLI's --unpickle); loading a pickle runs its code. */
  unpickle: z.boolean().optional(),
  /** Analyse changed data and output files (default true); false compares the records only. */
  data: z.boolean().optional(),
});
export const CompareRunsOutput = ComparisonSchema;

export const CompareRunSetInput = z.object({
  /** The runs (ids or unique prefixes), the baseline first; each at most once. */
  ids: z
    .array(RunId)
    .min(2, 'a comparison takes at least two runs')
    .max(MAX_COMPARE_RUNS, `a comparison takes at most ${MAX_COMPARE_RUNS} runs`),
});
export const CompareRunSetOutput = RunSetComparisonSchema;

/** The report formats. */
export const ReportFormatSchema = z.enum(['html', 'md', 'json', 'pdf']);
/** One report format. */
export type ReportFormat = z.infer<typeof ReportFormatSchema>;

export const ExportReportInput = z
  .object({
    kind: z.enum(['audit', 'compare']),
    /** One audit id, or 2 to 20 run ids (the baseline first) for a comparison. */
    ids: z.array(RunId).min(1).max(MAX_COMPARE_RUNS),
    format: ReportFormatSchema,
    /**
     * The Chromium that prints a PDF (the CLI's --chromium); else one found on the machine. Only an
     * absolute path to a program named like chromium or chrome is accepted, so a caller cannot make
     * the core launch an arbitrary program.
     */
    chromium: z
      .string()
      .max(4096)
      .regex(
        /^(\/|[A-Za-z]:\\).*(chrom|headless_shell)[^/\\]*$/i,
        'must be an absolute path to a Chromium or Chrome executable',
      )
      .optional(),
  })
  .refine((v) => (v.kind === 'audit' ? v.ids.length === 1 : v.ids.length >= 2), {
    message: `an audit report takes one audit id, a comparison report 2 to ${MAX_COMPARE_RUNS} run ids`,
    path: ['ids'],
  });
export const ExportReportOutput = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  format: ReportFormatSchema,
  /** The report text (html, md, json); null for a PDF. */
  text: z.string().nullable(),
  /** The PDF's bytes in base64; null for the text formats. */
  base64: z.string().nullable(),
});
/** An exported report. */
export type ExportedReport = z.infer<typeof ExportReportOutput>;
