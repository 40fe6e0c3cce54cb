/** `reproscope runs` (the results table: filter, sort, columns, CSV) and the run-management commands: rename, tag, note, delete. */
import { Option, type Command } from 'commander';
import fs from 'node:fs';
import { emptyRecord } from '../../../shared/records';
import { ReproError, type ErrorInfo } from '../../../shared/errors';
import { parseRunColumn, runColumnName, runColumnText, type RunColumn } from '../../../shared/runs/run-columns';
import type { RunSummary } from '../../../shared/snapshot/snapshot';
import type { Handlers } from '../../core/handlers';
import { collect, intOption, listOption } from '../cli-options';
import { colorStatus, colorsFor, formatFittedTable, terminalWidth } from '../terminal';

/** What the run commands need from the program (passed in, as main imports this file). */
export interface RunCommandDeps {
  handlers: () => Handlers;
  unwrap: <T>(result: { ok: true; value: T } | { ok: false; error: ErrorInfo }) => T;
  printJson: (value: unknown) => void;
}

const LEAD: RunColumn[] = ['id', 'created', 'kind', 'status', 'name'].map(parseRunColumn);
const COMMAND = parseRunColumn('command');

/** The run list as a table that fits the terminal: the chosen columns between the name and the command. */
export function formatRunsTable(
  runs: readonly RunSummary[],
  extra: readonly RunColumn[],
  width: number | null,
): string {
  const c = colorsFor();
  const columns = [...LEAD, ...extra, COMMAND];
  const rows = runs.map((r) =>
    columns.map((col) => {
      if (col.kind === 'builtin' && col.name === 'id') return r.id.slice(0, 8);
      if (col.kind === 'builtin' && col.name === 'status') {
        const s = r.exitCode !== null && r.status !== 'finished' ? `${r.status} (${r.exitCode})` : r.status;
        return colorStatus(s, c) + (r.groupSize !== undefined ? c.dim(` +${r.groupSize - 1} reruns`) : '');
      }
      return runColumnText(r, col);
    }),
  );
  const flexible = [4, columns.length - 1]; // the name and the command give up width first
  return formatFittedTable(
    columns.map((col) => (col.kind === 'builtin' ? col.name.toUpperCase() : runColumnName(col))),
    rows,
    { width, flexible, headerStyle: c.bold },
  );
}

/** Adds `runs`, `rename`, `tag`, `note` and `delete` to the program. */
export function registerRunCommands(program: Command, deps: RunCommandDeps): void {
  program
    .command('runs')
    .description('list recorded runs, newest first: filter in MLflow search syntax, sort, choose columns, export CSV')
    .option('--search <text>', 'only runs whose name, project, command or id contains this')
    .option('--filter <expr>', `MLflow search syntax, e.g. "metrics.accuracy > 0.9 and params.C = '1'"`)
    .option('--sort <key>', 'order by a column, ASC (default) or DESC, e.g. "metrics.rmse DESC"')
    .option('--columns <keys>', 'extra columns, comma-separated: metrics.NAME, params.NAME, tags.NAME', listOption)
    .addOption(new Option('--kind <kind>', 'only one kind of run').choices(['capture', 'rerun', 'import']))
    .option('--group', 'one row per audit for its reruns')
    .option('--limit <n>', 'at most this many (default 50; all with --csv)', intOption(1, 100_000))
    .option('--csv [file]', 'write the table as CSV (to stdout, or to the file)')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        search?: string;
        filter?: string;
        sort?: string;
        columns?: string[];
        kind?: 'capture' | 'rerun' | 'import';
        group?: boolean;
        limit?: number;
        csv?: string | true;
        json?: boolean;
      }) => {
        let extra: RunColumn[];
        try {
          extra = (opts.columns ?? []).map(parseRunColumn);
        } catch (e) {
          throw new ReproError(
            'INVALID_INPUT',
            `--columns: ${(e as Error).message.replace(/^filter: /, '')}`,
            (e as ReproError).hint,
          );
        }
        const selection = {
          search: opts.search,
          filter: opts.filter,
          sort: opts.sort,
          kind: opts.kind,
          groupReruns: opts.group,
        };
        if (opts.csv !== undefined) {
          const columns = [...LEAD, ...extra, COMMAND].map(runColumnName);
          const res = deps.unwrap(await deps.handlers().exportRunsCsv({ ...selection, columns }));
          if (typeof opts.csv === 'string') {
            fs.writeFileSync(opts.csv, res.csv);
            process.stderr.write(`reproscope: wrote ${res.rows} runs to ${opts.csv}\n`);
          } else process.stdout.write(res.csv);
          return;
        }
        const res = deps.unwrap(await deps.handlers().listRuns({ ...selection, limit: opts.limit ?? 50 }));
        if (opts.json) return deps.printJson(res);
        if (res.runs.length === 0) {
          const store = deps.unwrap(await deps.handlers().storeInfo({}));
          process.stdout.write(
            store.runs === 0
              ? 'No runs yet. Capture one with `reproscope capture -- python train.py`, audit a project with `reproscope audit DIR`, or import MLflow runs with `reproscope import ./mlruns`.\n'
              : `No run matches (${store.runs.toLocaleString('en')} runs in the store).\n`,
          );
          return;
        }
        process.stdout.write(`${formatRunsTable(res.runs, extra, terminalWidth())}\n`);
        if (res.total > res.runs.length)
          process.stderr.write(`reproscope: showing ${res.runs.length} of ${res.total} runs (--limit N for more)\n`);
      },
    );

  program
    .command('rename')
    .description('rename a run (an empty name clears it)')
    .argument('<run-id>')
    .argument('<name>')
    .option('--json', 'print the run’s id, name and tags as JSON')
    .action(async (id: string, name: string, opts: { json?: boolean }) => {
      const r = deps.unwrap(await deps.handlers().editRun({ id, name }));
      if (opts.json) deps.printJson(r);
      else process.stdout.write(`${r.id.slice(0, 8)}  ${r.name ?? '(no name)'}\n`);
    });

  program
    .command('tag')
    .description('set tags on a run (key=value), or remove them with --remove key')
    .argument('<run-id>')
    .argument('[tags...]', 'key=value pairs')
    .option('--remove <key>', 'a tag to remove (repeatable)', collect, [])
    .option('--json', 'print the run’s id, name and tags as JSON')
    .action(async (id: string, pairs: string[], opts: { remove: string[]; json?: boolean }) => {
      const setTags = emptyRecord<string>();
      for (const p of pairs) {
        const i = p.indexOf('=');
        if (i <= 0) throw new ReproError('INVALID_INPUT', `tag ${p} is not key=value`, 'Write tags as stage=final.');
        setTags[p.slice(0, i)] = p.slice(i + 1);
      }
      const r = deps.unwrap(await deps.handlers().editRun({ id, setTags, removeTags: opts.remove }));
      if (opts.json) deps.printJson(r);
      else for (const [k, v] of Object.entries(r.tags)) process.stdout.write(`${k}=${v}\n`);
    });

  program
    .command('note')
    .description("write a run's note (MLflow's mlflow.note.content tag); an empty text removes it")
    .argument('<run-id>')
    .argument('<text>')
    .option('--json', 'print the run’s id, name and tags as JSON')
    .action(async (id: string, text: string, opts: { json?: boolean }) => {
      const r = deps.unwrap(await deps.handlers().editRun({ id, note: text }));
      if (opts.json) deps.printJson(r);
      else process.stdout.write(`${r.id.slice(0, 8)}  note ${text.trim() ? 'saved' : 'removed'}\n`);
    });

  program
    .command('delete')
    .description('delete runs and the logs no other run uses (runs an audit was computed from are kept)')
    .argument('<run-ids...>')
    .option('--json', 'print the deleted ids as JSON')
    .action(async (ids: string[], opts: { json?: boolean }) => {
      const r = deps.unwrap(await deps.handlers().deleteRuns({ ids }));
      if (opts.json) deps.printJson(r);
      else
        process.stdout.write(
          `deleted ${r.deleted.length} ${r.deleted.length === 1 ? 'run' : 'runs'} (${r.blobsFreed} log ${r.blobsFreed === 1 ? 'blob' : 'blobs'} freed)\n`,
        );
    });
}
