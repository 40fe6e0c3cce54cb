// `reproscope import`: brings an MLflow file store, mlflow.db or tracking server in, and prints what it added.
import type { Command } from 'commander';
import type { ImportSummary } from '../../../shared/api/api-import';
import { ReproError, type ErrorInfo } from '../../../shared/errors';
import type { CoreContext } from '../../core/core-context';
import type { Handlers } from '../../core/handlers';
import { terminalProgress } from '../progress-bar';

/** What the import commands need from the program: the core (for its progress stream), the handlers, and main's result helpers (passed in, as main imports this file). */
export interface ImportCommandDeps {
  core: () => CoreContext;
  handlers: () => Handlers;
  unwrap: <T>(result: { ok: true; value: T } | { ok: false; error: ErrorInfo }) => T;
  printJson: (value: unknown) => void;
}

/** The import summary as a person reads it: what was found, what changed, what was left out and why. */
export function formatImportSummary(s: ImportSummary): string {
  const lines = [`imported from ${s.source.location} (${s.source.type.replace('mlflow-', 'MLflow ')})`];
  lines.push(
    `  experiments: ${s.experiments.length === 0 ? 'none' : s.experiments.map((e) => `${e.name ?? e.id} (${e.id}): ${e.runs} run${e.runs === 1 ? '' : 's'}`).join(', ')}`,
  );
  lines.push(
    `  runs: ${s.added} added, ${s.updated} updated, ${s.unchanged} unchanged, ${s.skipped.length} skipped  (${(s.durationMs / 1000).toFixed(1)} s)`,
  );
  if (s.skipped.length > 0) {
    lines.push('  skipped:');
    for (const k of s.skipped) {
      const what = k.runId
        ? `run ${k.runId}${k.experimentId ? ` (experiment ${k.experimentId})` : ''}`
        : k.experimentId
          ? `experiment ${k.experimentId}`
          : 'store';
      lines.push(`    ${what}: ${k.reason}`);
    }
  }
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

const parseTimeout = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 600)
    throw new ReproError('INVALID_INPUT', `--timeout ${v} is not a number of seconds between 0 and 600`);
  return Math.round(n * 1000);
};

/** Adds `reproscope import` to the program. */
export function registerImportCommands(program: Command, deps: ImportCommandDeps): void {
  program
    .command('import')
    .description(
      'import what MLflow recorded: an mlruns folder, an mlflow.db (or sqlite:///path), or a tracking server (http://host:port)',
    )
    .argument('<store>', 'an mlruns folder, an mlflow.db, sqlite:///path, file:///path or http(s)://host:port')
    .option('--experiment <name>', 'only this experiment (by name or id)')
    .option('--include-deleted', 'also import runs and experiments deleted in MLflow')
    .option(
      '--project <dir>',
      'the project folder whose dvc.lock is recorded (and checked against the disk) in the imported runs',
    )
    .option('--timeout <seconds>', 'how long to wait for each request to a tracking server', parseTimeout)
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        store: string,
        opts: { experiment?: string; includeDeleted?: boolean; project?: string; timeout?: number; json?: boolean },
      ) => {
        const progress = terminalProgress();
        const core = deps.core();
        const unsubscribe = core.events.subscribe(progress.sink);
        let result;
        try {
          result = await deps.handlers().importMlflow({
            location: store,
            experiment: opts.experiment,
            includeDeleted: opts.includeDeleted,
            project: opts.project,
            timeoutMs: opts.timeout,
          });
        } finally {
          unsubscribe();
          progress.stop();
        }
        const summary = deps.unwrap(result);
        if (opts.json) deps.printJson(summary);
        else process.stdout.write(`${formatImportSummary(summary)}\n`);
        // the secret rules load only where a URL is printed (issue 13: every command's start)
        const { stripUrlCredentials } = await import('../../../shared/snapshot/secrets');
        if (!opts.json && summary.source.type === 'mlflow-server')
          process.stderr.write(
            `reproscope: read ${stripUrlCredentials(store)} over HTTP; artifacts stay on the server\n`,
          );
      },
    );
}
