// `reproscope audit`, `audits`, `show-audit`: the audit commands, their option parsers (-P, --tolerance, --vary, --repeats) and exit codes.
import { auditProgress } from '../audit-progress';
import { collect, intOption } from '../cli-options';
import { Option, type Command } from 'commander';
import readline from 'node:readline';
import type { Audit, Tolerance, VaryFactor } from '../../../shared/audit/audit';
import { VARY_FACTORS } from '../../../shared/audit/vary-factors';
import { formatAuditList, formatAuditText } from '../../../shared/audit/audit-text';
import { colorStatus, colorsFor, formatFittedTable, terminalWidth } from '../terminal';
import { ReproError, type ErrorInfo } from '../../../shared/errors';
import type { CoreContext } from '../../core/core-context';
import type { Handlers } from '../../core/handlers';

/** What the audit commands need from the program (passed in, as main imports this file). */
export interface AuditCommandDeps {
  core: () => CoreContext;
  handlers: () => Handlers;
  unwrap: <T>(result: { ok: true; value: T } | { ok: false; error: ErrorInfo }) => T;
  printJson: (value: unknown) => void;
}

const positiveInt =
  (flag: string, max: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new ReproError('INVALID_INPUT', `${flag} ${v} is not a whole number between 1 and ${max}`);
    return n;
  };

/** Parses -P key=value. */
export function parseParam(text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new ReproError('INVALID_INPUT', `-P ${text} is not key=value`, 'Write parameters as -P alpha=0.5.');
  return [text.slice(0, i), text.slice(i + 1)];
}

/** Parses --tolerance NAME=ABS or NAME=REL%. */
export function parseTolerance(text: string): Tolerance {
  const m = /^(.+)=([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)(%?)$/i.exec(text.trim());
  if (!m)
    throw new ReproError(
      'INVALID_INPUT',
      `--tolerance ${text} is not NAME=ABS or NAME=REL%`,
      'For example --tolerance accuracy=0.01 or --tolerance loss=2%.',
    );
  return { metric: m[1]!, kind: m[3] ? 'rel' : 'abs', value: Number(m[2]) };
}

/** Parses --vary seed,threads,hashseed. */
export function parseVary(text: string): VaryFactor[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const i of items) {
    if (!(VARY_FACTORS as readonly string[]).includes(i))
      throw new ReproError('INVALID_INPUT', `--vary ${i} is not one of ${VARY_FACTORS.join(', ')}`);
  }
  return [...new Set(items)] as VaryFactor[];
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** The exit code of an inconclusive verdict (docs/audit.md): neither success nor a failure to reproduce. */
export const EXIT_INCONCLUSIVE = 4;

/** The exit code of a finished audit: 0 only for the reproduced verdicts, 4 inconclusive, 1 otherwise, 130 when interrupted. */
export function auditExitCode(a: Audit): number {
  if (a.status === 'interrupted') return 130;
  if (a.status !== 'finished') return 1;
  if (a.verdict === 'inconclusive') return EXIT_INCONCLUSIVE;
  return a.verdict === 'reproduced-exact' ||
    a.verdict === 'reproduced-within-tolerance' ||
    a.verdict === 'statistically-consistent'
    ? 0
    : 1;
}

/** Parses --repeats N or --repeats auto. */
export function parseRepeats(v: string): number | 'auto' {
  return v.trim().toLowerCase() === 'auto' ? 'auto' : positiveInt('--repeats', 1000)(v);
}

interface AuditOptions {
  entryPoint?: string;
  param: string[];
  version?: string;
  against?: string;
  repeats: number | 'auto';
  maxReruns: number;
  outputs: string[];
  ignoreOutput: string[];
  metric: string[];
  vary: VaryFactor[];
  python?: string;
  envManager: 'local' | 'virtualenv' | 'conda' | 'docker';
  metrics: string[];
  metricsFrom: string[];
  metricPattern: string[];
  data: string[];
  tolerance: Tolerance[];
  jobs: number;
  timeout?: number;
  seedParam?: string;
  strictData?: boolean;
  pipOption: string[];
  yes?: boolean;
  json?: boolean;
  resume?: string;
  verbose?: boolean;
  runner: 'local' | 'slurm';
  slurmPartition?: string;
  slurmOption: string[];
  workDir?: string;
}

/** Follows an audit's progress on stderr (a bar; rerun output with --verbose), and stops it on Ctrl-C. */
function follow(
  deps: AuditCommandDeps,
  json: boolean,
  verbose: boolean,
): { stop: () => void; interrupted: () => boolean } {
  const core = deps.core();
  let auditId: string | null = null;
  let interrupted = false;
  const bar = auditProgress({ verbose, quiet: false });
  const unsubscribe = core.events.subscribe((e) => {
    if (!e.task.startsWith('audit-')) return;
    const id = (e.detail?.auditId as string | undefined) ?? null;
    if (id) auditId = id;
    if (json && e.phase === 'start') return;
    bar.sink(e);
  });
  const onSigint = (): void => {
    interrupted = true;
    process.stderr.write('\nreproscope: interrupting the audit: stopping the rerun in flight…\n');
    if (auditId) void deps.handlers().cancelAudit({ id: auditId });
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    stop: () => {
      unsubscribe();
      bar.stop();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
    interrupted: () => interrupted,
  };
}

function report(a: Audit, json: boolean, deps: AuditCommandDeps): void {
  if (json) deps.printJson(a);
  else process.stdout.write(`${formatAuditText(a)}\n`);
  if (a.status === 'interrupted')
    process.stderr.write(
      `reproscope: audit ${a.id.slice(0, 8)} interrupted; complete it with: reproscope audit ${JSON.stringify(a.project.location)} --resume ${a.id.slice(0, 8)}\n`,
    );
  // an audit that stopped on an error says so where errors go, also when its report went to a file or a pipe
  if (a.status === 'failed' && a.error) process.stderr.write(`reproscope: error: the audit stopped: ${a.error}\n`);
  process.exitCode = auditExitCode(a);
}

/** Adds `reproscope audit`, `reproscope audits` and `reproscope show-audit` to the program. */
export function registerAuditCommands(program: Command, deps: AuditCommandDeps): void {
  program
    .command('audit')
    .description('rerun an MLproject under controlled variations and say whether, and why, its results differ')
    .argument('<project>', 'a project folder (with an MLproject file), a .py or .sh script to rerun, or a git URL')
    .option('-e, --entry-point <name>', "the entry point (default: the original's, else main)")
    .option('-P, --param <key=value>', 'a parameter (repeatable)', collect, [])
    .option('--version <commit>', "the commit to rerun (default: the original's, else HEAD with uncommitted changes)")
    .option('--against <run>', 'the original run (captured or imported) to judge the reruns against')
    .option('--repeats <n|auto>', 'reruns per group; auto: rerun until the verdict is settled', parseRepeats, 3)
    .option(
      '--max-reruns <n>',
      'the most baseline reruns --repeats auto may run',
      positiveInt('--max-reruns', 1000),
      20,
    )
    .option(
      '--outputs <path>',
      'an output file or folder the project writes, compared file by file (repeatable)',
      collect,
      [],
    )
    .option('--ignore-output <glob>', 'output files to leave out of the comparison (repeatable)', collect, [])
    .option('--metric <name>', 'judge the verdict on this metric (repeatable); the others are reported', collect, [])
    .option('--vary <factors>', `factors to vary one at a time: ${VARY_FACTORS.join(',')}`, parseVary, [])
    .option(
      '--python <path>',
      'the interpreter that python and python3 resolve to (local), or that builds the virtualenv',
    )
    .addOption(
      new Option('--env-manager <manager>', 'how environments are made')
        .choices(['local', 'virtualenv', 'conda', 'docker'])
        .default('local'),
    )
    .option('--metrics <file>', 'a metrics file the project writes (repeatable)', collect, [])
    .option(
      '--metrics-from <source>',
      'read metrics from stdout, stderr (name=value / name: value lines) or tensorboard:DIR (repeatable)',
      collect,
      [],
    )
    .option(
      '--metric-pattern <regex>',
      'a regular expression with named groups read over the output (repeatable)',
      collect,
      [],
    )
    .option('--data <path>', 'a data input to hash and compare with the original (repeatable)', collect, [])
    .option(
      '--tolerance <name=abs|name=rel%>',
      'an allowed difference for a metric (repeatable)',
      (v: string, prev: Tolerance[] = []) => [...prev, parseTolerance(v)],
      [],
    )
    .option('--jobs <n>', 'reruns at the same time', positiveInt('--jobs', 64), 1)
    .option('--timeout <seconds>', 'stop a rerun after this long', (v) => {
      const n = Number(v);
      if (!(n > 0)) throw new ReproError('INVALID_INPUT', `--timeout ${v} is not a positive number of seconds`);
      return n;
    })
    .option('--seed-param <name>', 'the parameter that carries the seed (default: detected)')
    .option('--strict-data', 'stop the audit when a data input changed since the original')
    .option('--pip-option <option>', 'an option passed to pip when building a virtualenv (repeatable)', collect, [])
    .option('-y, --yes', 'run without asking for confirmation first')
    .option('--json', 'print the finished audit as JSON on stdout (rerun output goes to stderr)')
    .option('--resume <audit>', 'complete an interrupted audit')
    .option('--verbose', "print each rerun's output (prefixed by its rerun) under the progress bar")
    .addOption(
      new Option('--runner <runner>', 'where reruns run: this machine, or jobs of a Slurm cluster')
        .choices(['local', 'slurm'])
        .default('local'),
    )
    .option(
      '--slurm-partition <partition>',
      'the Slurm partition reruns are submitted to (default: the cluster default)',
    )
    .option(
      '--slurm-option <option>',
      'an sbatch option for each rerun, written --slurm-option=--gres=gpu:1 (repeatable)',
      collect,
      [],
    )
    .option(
      '--work-dir <dir>',
      "where reruns' work folders go (default: the store's audit-work/); for Slurm, a shared filesystem",
    )
    .action(async (project: string, opts: AuditOptions) => {
      const watcher = follow(deps, Boolean(opts.json), Boolean(opts.verbose));
      try {
        if (opts.resume) {
          const a = deps.unwrap(await deps.handlers().resumeAudit({ id: opts.resume, wait: true }));
          report(a, Boolean(opts.json), deps);
          return;
        }
        const input = {
          project,
          entryPoint: opts.entryPoint,
          parameters: Object.fromEntries(opts.param.map(parseParam)),
          version: opts.version,
          against: opts.against,
          // auto: the audit starts from what its question needs (2 identical reruns, or 5 against an original) and grows
          repeats: opts.repeats === 'auto' ? 2 : opts.repeats,
          repeatsAuto: opts.repeats === 'auto',
          maxReruns: opts.maxReruns,
          outputs: opts.outputs,
          ignoreOutputs: opts.ignoreOutput,
          judgedMetrics: opts.metric,
          vary: opts.vary,
          python: opts.python,
          envManager: opts.envManager,
          metrics: opts.metrics,
          metricsFrom: opts.metricsFrom,
          metricPatterns: opts.metricPattern,
          data: opts.data,
          tolerances: opts.tolerance,
          jobs: opts.jobs,
          timeoutS: opts.timeout,
          seedParam: opts.seedParam,
          strictData: Boolean(opts.strictData),
          pipOptions: opts.pipOption,
          cwd: process.cwd(),
          runner: opts.runner,
          slurmPartition: opts.slurmPartition,
          slurmOptions: opts.slurmOption,
          workDir: opts.workDir,
        };
        const plan = deps.unwrap(await deps.handlers().startAudit({ ...input, dryRun: true }));
        const total = plan.groups.reduce((n, g) => n + g.reruns.length, 0);
        process.stderr.write(
          `reproscope: ${total} reruns (${plan.groups.map((g) => `${g.name} ×${g.reruns.length}`).join(', ')}) of ${plan.project.location}${plan.commit ? ` @ ${plan.commit.slice(0, 12)}` : ''}, each running:\n  ${plan.command}\n`,
        );
        // before the first rerun, not after: a command that differs from the original's, a typo'd -P, declared pins
        for (const w of plan.warnings) process.stderr.write(`reproscope: warning: ${w}\n`);
        if (!opts.yes) {
          if (!process.stdin.isTTY) {
            throw new ReproError(
              'INVALID_INPUT',
              "the audit runs the project's code, and there is no terminal to confirm it",
              'Read the command above and pass --yes to run it without asking.',
            );
          }
          if (!(await confirm('Run it? [y/N] '))) {
            process.stderr.write('reproscope: nothing was run\n');
            process.exitCode = 1;
            return;
          }
        }
        if (watcher.interrupted()) {
          process.exitCode = 130;
          return;
        }
        const a = deps.unwrap(await deps.handlers().startAudit({ ...input, wait: true }));
        report(a, Boolean(opts.json), deps);
      } finally {
        watcher.stop();
      }
    });

  const formatAuditsTable = (audits: Parameters<typeof formatAuditList>[0], width: number): string => {
    const c = colorsFor();
    return formatFittedTable(
      ['ID', 'CREATED', 'STATUS', 'VERDICT', 'RERUNS', 'PROJECT:ENTRY POINT'],
      audits.map((a) => [
        a.id.slice(0, 8),
        a.createdAt.replace('T', ' ').slice(0, 19),
        colorStatus(a.status, c),
        a.verdict ? colorStatus(a.verdict, c) : '—',
        `${a.rerunsDone}/${a.reruns}`,
        `${a.project}:${a.entryPoint}`,
      ]),
      { width, flexible: [5], headerStyle: c.bold },
    );
  };

  program
    .command('audits')
    .description('list audits, newest first')
    .option('--limit <n>', 'at most this many', intOption(1, 100_000), 50)
    .option('--json', 'print JSON')
    .action(async (opts: { limit: number; json?: boolean }) => {
      const res = deps.unwrap(await deps.handlers().listAudits({ limit: opts.limit }));
      if (opts.json) deps.printJson(res);
      else {
        const width = terminalWidth();
        // on a terminal: a table that fits its width (the project column gives way); a pipe keeps the plain list
        process.stdout.write(
          `${width && res.audits.length ? formatAuditsTable(res.audits, width) : formatAuditList(res.audits)}\n`,
        );
      }
    });

  program
    .command('show-audit')
    .description('show one audit: verdict, groups, metrics and sources (a unique id prefix is enough)')
    .argument('<audit-id>')
    .option('--json', 'print the whole audit as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const a = deps.unwrap(await deps.handlers().getAudit({ id }));
      if (opts.json) deps.printJson(a);
      else process.stdout.write(`${formatAuditText(a)}\n`);
    });
}
