// `reproscope compare` and `report`: compare two or more runs in the terminal or as JSON, and export reports.
import type { Command } from 'commander';
import { Option } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import type { ExportReportInput, ReportFormat } from '../../../shared/api/api-compare';
import { MAX_COMPARE_RUNS } from '../../../shared/compare/compare-limits';
import { colorsFor, terminalWidth } from '../terminal';
import { ReproError, type ErrorInfo } from '../../../shared/errors';
import { formatBytes } from '../../../shared/snapshot/snapshot-text';
import type { Handlers } from '../../core/handlers';
import type { z } from 'zod';

/** What the compare and report commands need from the program (main's helpers, passed in as main imports this file). */
export interface CompareCommandDeps {
  handlers: () => Handlers;
  unwrap: <T>(result: { ok: true; value: T } | { ok: false; error: ErrorInfo }) => T;
  printJson: (value: unknown) => void;
}

/** Adds `reproscope compare` and `reproscope report` to the program. */
export function registerCompareCommands(program: Command, deps: CompareCommandDeps): void {
  program
    .command('compare')
    .description(
      'compare 2 to 20 runs by category: what differs, and what most likely explains a change in outcome (the first is the baseline)',
    )
    .usage('[options] <run-a> <run-b> [more-runs...]')
    .argument('<runs...>', 'the runs, baseline first (a unique id prefix is enough); two give the detailed comparison')
    .option('--all', 'show every fact, differences marked (default: only differences)')
    .option('--json', 'print the whole comparison as JSON')
    .option('--key <column>', 'match the rows of changed tables by this column instead of by row position')
    .option(
      '--unpickle',
      'load pickled models even from imported stores or data inputs (loading a pickle runs its code)',
    )
    .option('--no-data', 'do not read changed data and output files (compare the records only)')
    .action(
      async (
        runs: string[],
        opts: { all?: boolean; json?: boolean; key?: string; unpickle?: boolean; data: boolean },
      ) => {
        if (runs.length < 2 || runs.length > MAX_COMPARE_RUNS)
          throw new ReproError(
            'INVALID_INPUT',
            `compare takes 2 to ${MAX_COMPARE_RUNS} runs, got ${runs.length}`,
            'Write reproscope compare RUN_A RUN_B [RUN_C …], the baseline first.',
          );
        if (runs.length > 2) {
          // the text formatters (and the comparison model under them) load when a comparison is printed (issue 13)
          const { formatRunSetText } = await import('./compare-set-text');
          const set = deps.unwrap(await deps.handlers().compareRunSet({ ids: runs }));
          if (opts.json) deps.printJson(set);
          else
            process.stdout.write(
              `${formatRunSetText(set, { all: opts.all, width: terminalWidth(), colors: colorsFor() })}\n`,
            );
          return;
        }
        const [a, b] = runs as [string, string];
        const comparison = deps.unwrap(
          await deps.handlers().compareRuns({ a, b, key: opts.key, unpickle: opts.unpickle, data: opts.data }),
        );
        if (opts.json) deps.printJson(comparison);
        else {
          const [{ formatComparisonText }, { formatDataShiftText }] = await Promise.all([
            import('../../../shared/compare/compare-text'),
            import('../../../shared/compare/data-shift-format'),
          ]);
          const shift = comparison.dataShift ? formatDataShiftText(comparison.dataShift) : '';
          process.stdout.write(
            `${formatComparisonText(comparison, { all: opts.all, width: terminalWidth(), after: shift })}\n`,
          );
        }
      },
    );

  program
    .command('report')
    .description('export an audit, or a comparison of two runs, as HTML, Markdown, JSON or PDF')
    .usage('<audit-id> --format html -o FILE | --compare <run-a> <run-b> --format md -o FILE')
    .argument('[audit-id]', 'the audit to report on')
    .option('--compare <runs...>', 'report on a comparison of 2 to 20 runs instead (the baseline first)')
    .addOption(
      new Option('--format <format>', 'the report format').choices(['html', 'md', 'json', 'pdf']).default('html'),
    )
    .option(
      '-o, --output <file>',
      'where to write it (default: stdout for text formats, the suggested file name for pdf)',
    )
    .option('--chromium <path>', 'the Chromium or Chrome that prints a PDF (default: one found on this machine)')
    .option(
      '--json',
      'print what was written as JSON ({path, format, fileName, bytes}); without -o, the report itself as {fileName, mimeType, format, text, base64}',
    )
    .action(
      async (
        auditId: string | undefined,
        opts: { compare?: string[]; format: ReportFormat; output?: string; chromium?: string; json?: boolean },
      ) => {
        let input: z.input<typeof ExportReportInput>;
        if (opts.compare) {
          const given = [...opts.compare, ...(auditId ? [auditId] : [])];
          if (auditId !== undefined || given.length < 2 || given.length > MAX_COMPARE_RUNS) {
            throw new ReproError(
              'INVALID_INPUT',
              `--compare takes 2 to ${MAX_COMPARE_RUNS} run ids, got ${given.length}`,
              'Write reproscope report --compare RUN_A RUN_B [RUN_C …] --format md -o diff.md',
            );
          }
          input = { kind: 'compare', ids: given, format: opts.format };
        } else {
          if (!auditId)
            throw new ReproError(
              'INVALID_INPUT',
              'no audit id and no --compare runs given',
              'Write reproscope report AUDIT_ID --format html -o audit.html, or reproscope report --compare RUN_A RUN_B.',
            );
          input = { kind: 'audit', ids: [auditId], format: opts.format };
        }
        if (opts.chromium) input.chromium = path.resolve(opts.chromium);
        const report = deps.unwrap(await deps.handlers().exportReport(input));
        const bytes =
          report.base64 !== null ? Buffer.from(report.base64, 'base64') : Buffer.from(report.text ?? '', 'utf8');
        const target = opts.output ?? (report.format === 'pdf' ? report.fileName : null);
        if (target === null || target === '-') {
          if (opts.json) deps.printJson(report);
          else process.stdout.write(bytes);
          return;
        }
        try {
          fs.writeFileSync(target, bytes);
        } catch (e) {
          throw new ReproError(
            'FILE_UNREADABLE',
            `the report could not be written to ${target}: ${(e as Error).message}`,
            'Choose a folder you can write to with -o FILE.',
          );
        }
        if (opts.json)
          deps.printJson({
            path: path.resolve(target),
            format: report.format,
            fileName: report.fileName,
            bytes: bytes.length,
          });
        else
          process.stderr.write(
            `reproscope: wrote ${report.format} report to ${target} (${formatBytes(bytes.length)})\n`,
          );
      },
    );
}
