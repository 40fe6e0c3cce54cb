// The `reproscope` program: builds the command tree (capture, show, logs and the registered command groups), prints results and maps errors to exit codes.
import { collect } from './cli-options';
import { Command } from 'commander';
import { formatError, toErrorInfo, type ErrorInfo } from '../../shared/errors';
import { nonFiniteReplacer } from '../../shared/snapshot/nonfinite-json';
import { formatSnapshotText } from '../../shared/snapshot/snapshot-text';
import type { GitAnswers } from '../core/code-state-ask';
import type { CoreContext } from '../core/core-context';
import type { StoreContext } from '../core/store-context';
import type { Handlers } from '../core/handlers';
import { REPROSCOPE_VERSION } from '../core/version';
import { registerAuditCommands } from './commands/audit';
import { registerCompareCommands } from './commands/compare';
import { registerImportCommands } from './commands/import';
import { registerRunCommands } from './commands/runs';
import { demoCommand } from './commands/demo';
import { serveCommand } from './commands/serve';
import { auditProgress } from './audit-progress';
import { terminalProgress } from './progress-bar';

/** Exit codes of reproscope's own failures (a captured command's code is passed through instead). */
const EXIT_FOR: Partial<Record<ErrorInfo['code'], number>> = {
  INVALID_INPUT: 2,
  // a project, -P path or --data path that does not exist is bad input too (docs/audit.md: exit 2)
  PROJECT_INVALID: 2,
  DATA_PATH_MISSING: 2,
  COMMAND_NOT_FOUND: 127,
  NOT_FOUND: 3,
  AMBIGUOUS_ID: 3,
};

/** A failure that the CLI reports and exits with. */
class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** Prints a JSON value (keeping NaN and infinities as {"$nonfinite": …}). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, nonFiniteReplacer, 2)}\n`);
}

/** What a command's action needs of the core, loaded on first use. */
interface CoreModules {
  openCore: typeof import('../core/core-context').openCore;
  createHandlers: typeof import('../core/handlers').createHandlers;
}

async function loadCoreModules(): Promise<CoreModules> {
  const [{ openCore }, { createHandlers }] = await Promise.all([
    import('../core/core-context'),
    import('../core/handlers'),
  ]);
  return { openCore, createHandlers };
}

/** Builds the `reproscope` command tree. */
export function buildProgram(): Command {
  const program = new Command('reproscope')
    .description(
      'Does this experiment reproduce, and if not, why? Capture runs, audit MLflow projects, compare, report.',
    )
    .version(REPROSCOPE_VERSION)
    .option('--store <dir>', 'the store folder (default: $REPROSCOPE_HOME or the platform data folder)')
    .enablePositionalOptions()
    .showHelpAfterError();
  const storeDir = (): string | undefined => program.opts<{ store?: string }>().store;

  // The store, its repositories and the handlers of every feature are loaded when a command's action is about to
  // run, not when the program is built: `--help`, `--version` and a usage error load none of them (issue 13).
  let loaded: CoreModules | null = null;
  // capture loads less before its command starts: the store without the runs repository, and no handlers
  let captureStore: typeof import('../core/store-context') | null = null;
  let gitAnswers: Promise<GitAnswers> | null = null;
  program.hook('preAction', async (_program, action) => {
    if (action.name() === 'capture') {
      // git is asked first, and answers while the rest loads
      gitAnswers ??= (await import('../core/code-state-ask')).askGit(process.cwd());
      captureStore ??= await import('../core/store-context');
    } else loaded ??= await loadCoreModules();
  });
  const modules = (): CoreModules => {
    if (!loaded) throw new Error('the core is used before a command action loaded it');
    return loaded;
  };
  let ctx: CoreContext | null = null;
  let captureCtx: StoreContext | null = null;
  const core = (): CoreContext => (ctx ??= modules().openCore(storeDir()));
  const handlers = (): Handlers => modules().createHandlers(core());
  program.hook('postAction', () => {
    ctx?.close();
    ctx = null;
    captureCtx?.close();
    captureCtx = null;
  });

  program
    .command('capture')
    .description(
      'run a command and record a snapshot of it: code, data, software, hardware, randomness, process, outcome',
    )
    .usage('[options] -- <command...>')
    .argument('<command...>', 'the command to run, after --')
    .option('--name <name>', 'a name for the run')
    .option('--data <path>', 'a data file or folder the run reads (repeatable)', collect, [])
    .option('--metrics <file>', 'a metrics file the run writes: JSON, YAML, CSV or TSV (repeatable)', collect, [])
    .option(
      '--metrics-from <source>',
      'read metrics from stdout, stderr (name=value / name: value lines) or tensorboard:DIR (repeatable)',
      collect,
      [],
    )
    .option(
      '--metric-pattern <regex>',
      'a regular expression with named groups read over the output, e.g. "(?<name>\\w+)=(?<value>[-0-9.e]+)" (repeatable)',
      collect,
      [],
    )
    .option('--outputs <path>', 'an artifact file or folder to hash after the run (repeatable)', collect, [])
    .option(
      '--python <path>',
      "the interpreter the command's python and python3 resolve to, as in audit (default: the one the command runs)",
    )
    .option('--env <name>', 'an extra environment variable to record (repeatable)', collect, [])
    .option('--json', "print the snapshot as JSON (the command's own output is kept in the store: reproscope logs ID)")
    .passThroughOptions()
    .action(
      async (
        command: string[],
        opts: {
          name?: string;
          data: string[];
          metrics: string[];
          metricsFrom: string[];
          metricPattern: string[];
          outputs: string[];
          python?: string;
          env: string[];
          json?: boolean;
        },
      ) => {
        const { captureRun } = await import('../core/capture');
        const progress = terminalProgress();
        const storeModule = captureStore;
        if (!storeModule) throw new Error('capture ran before its store module loaded');
        const c = (captureCtx ??= storeModule.openStoreContext(storeDir()));
        // the runs repository is loaded to save the snapshot, after the command (its schemas loaded while it ran)
        const runs = () => storeModule.loadRunsRepository(c);
        const unsubscribe = c.events.subscribe(progress.sink);
        try {
          const result = await captureRun(
            {
              argv: command,
              cwd: process.cwd(),
              name: opts.name ?? null,
              data: opts.data,
              metrics: opts.metrics,
              metricsFrom: opts.metricsFrom,
              metricPatterns: opts.metricPattern,
              outputs: opts.outputs,
              python: opts.python ?? null,
              envNames: opts.env,
              // with --json stdout is the JSON alone: the command's output goes to the store, not the terminal
              interactive: !opts.json,
              gitAnswers,
            },
            { runs, hashCache: c.hashCache, onProgress: c.events.publish },
          );
          const s = result.snapshot;
          if (opts.json) printJson(s);
          process.stderr.write(
            `reproscope: recorded run ${s.id.slice(0, 8)} (${s.outcome.status}${s.outcome.exitCode !== null ? `, exit ${s.outcome.exitCode}` : ''}) in ${c.store.dir}\n`,
          );
          for (const w of s.warnings) process.stderr.write(`reproscope: warning: ${w}\n`);
          process.exitCode = result.exitCode;
        } finally {
          unsubscribe();
          progress.stop();
        }
      },
    );

  program
    .command('show')
    .description('show one run by category (a unique id prefix is enough)')
    .argument('<run-id>')
    .option('--json', 'print the whole snapshot as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const snapshot = unwrap(await handlers().getRun({ id }));
      if (opts.json) printJson(snapshot);
      else process.stdout.write(`${formatSnapshotText(snapshot)}\n`);
    });

  program
    .command('logs')
    .description("print a run's captured stdout (or stderr)")
    .argument('<run-id>')
    .option('--stderr', 'print stderr instead of stdout')
    .option('--json', 'print the log as JSON: its text, its size and whether it was cut')
    .action(async (id: string, opts: { stderr?: boolean; json?: boolean }) => {
      const log = unwrap(await handlers().getRunLog({ id, stream: opts.stderr ? 'stderr' : 'stdout' }));
      if (opts.json) printJson(log);
      // piped or redirected, the log is the bytes the run printed; on a terminal its control characters are escaped
      else process.stdout.write(process.stdout.isTTY ? log.text : Buffer.from(log.text));
    });

  registerRunCommands(program, { handlers, unwrap, printJson });
  program.addCommand(serveCommand(core));
  program.addCommand(
    demoCommand(core, (c) => {
      // the audit's own bar for its reruns; the byte/file bar for hashing and the rest
      const bar = terminalProgress();
      const audit = auditProgress({ verbose: false });
      const unsubscribe = c.events.subscribe((e) => (e.task.startsWith('audit-') ? audit.sink(e) : bar.sink(e)));
      return () => {
        unsubscribe();
        bar.stop();
        audit.stop();
      };
    }),
  );
  registerImportCommands(program, { core, handlers, unwrap, printJson });
  registerAuditCommands(program, { core, handlers, unwrap, printJson });
  registerCompareCommands(program, { handlers, unwrap, printJson });

  return program;
}

/** Returns a result's value or reports its error and exits. */
export function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: ErrorInfo }): T {
  if (result.ok) return result.value;
  reportError(result.error);
  throw new CliExit(EXIT_FOR[result.error.code] ?? 1);
}

function reportError(error: ErrorInfo): void {
  process.stderr.write(`reproscope: error: ${formatError(error)}\n`);
}

/** Runs the CLI with argv; resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CliExit) return e.exitCode;
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) return ce.exitCode ?? 2;
    const info = toErrorInfo(e);
    reportError(info);
    return EXIT_FOR[info.code] ?? 1;
  }
}
