/** Metrics read from what a command printed: `name=value` / `name: value` lines, user regexes, and the `--metrics-from` spec. */
import { ReproError } from '../errors';
import { emptyRecord } from '../records';
import { isSeedName } from './seeds';
import type { Metric } from './snapshot';

type MetricPoint = NonNullable<Metric['history']>[number];

/**
 * The generic rule (`--metrics-from stdout`), conservative on purpose: a wrong metric makes a
 * verdict wrong, a missed one only asks the user for `--metric-pattern`.
 * - A pair is `name=value`, `name = value`, `name: value` (a space after the colon, so `host:8080`
 *   and `12:30:01` are not pairs) or a quoted `"name": value` / `'name': value` (Python dicts, JSON).
 * - The name starts with a letter and holds letters, digits, `_ . / -`; it does not follow `-`
 *   or another name character (so `--lr=0.1` echoed flags are not read).
 * - The value is a plain decimal number (exponent allowed, `nan`/`inf` too), followed by the end
 *   of the line, a space, `, ; | ) ] } %` or a quote: `3.11.2`, `9910/10000`, `12s` and `0x1f` are not values.
 * - `epoch`, `step`, `iter`, `iteration`, `global_step` are steps, not metrics: the step of the
 *   other pairs on their line (else a metric's step is its occurrence count).
 * - Names that measure time, speed or memory, identify the process or hold the seed (`time`,
 *   `elapsed`, `eta`, `train_runtime`, `samples_per_second`, `mem`, `pid`, `port`, `version`, `seed`…)
 *   and environment-variable shapes (`CUDA_VISIBLE_DEVICES`) are skipped and listed: they differ
 *   between identical runs or are not results. Lines printing `Namespace(...)` (argparse) are skipped.
 * The last occurrence is the metric's value; every occurrence is its history.
 */
export const OUTPUT_METRICS_RULE =
  'name=value or name: value pairs with a plain number; timing, identity and seeds skipped';

/** Where `--metrics-from` reads: a stream the command printed, or a TensorBoard log folder. */
export type MetricsFromSpec = { kind: 'stdout' } | { kind: 'stderr' } | { kind: 'tensorboard'; dir: string };

/** Parses one `--metrics-from` value: `stdout`, `stderr` or `tensorboard:DIR`. */
export function parseMetricsFrom(text: string): MetricsFromSpec {
  const t = text.trim();
  if (t === 'stdout' || t === 'stderr') return { kind: t };
  const m = /^(?:tensorboard|tb):(.+)$/i.exec(t);
  if (m && m[1]!.trim() !== '') return { kind: 'tensorboard', dir: m[1]!.trim() };
  throw new ReproError(
    'INVALID_INPUT',
    `--metrics-from ${JSON.stringify(text)} is not a metrics source`,
    'Give stdout, stderr, or tensorboard:DIR (the folder the run writes its events.out.tfevents.* files to).',
  );
}

const STEP_NAMES = ['global_step', 'step', 'iteration', 'iter', 'epoch'];
const STEP_MARKER =
  /(?<![A-Za-z0-9_])["']?(global_step|step|iteration|iter|epoch)["']?\s*[:=]?\s*(\d+(?:\.\d+)?)(?![\d.])/gi;
const PAIR =
  /(?<![A-Za-z0-9_./-])(["']?)([A-Za-z][A-Za-z0-9_./-]*)\1(\s*)(=|:)(\s*)([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf(?:inity)?))(?=$|[\s,;|)\]}%'"])/gi;
/** A qualifier word before a `name:` pair, itself right after a delimiter: "Test set: Average loss: 0.02". */
const QUALIFIER = /(?:^|[:,;|([{]\s+|\s-\s+|\t|\s{2,})([A-Za-z]+) $/;

/**
 * The name of a `name: value` pair in prose: "Average loss: 0.0274" is `average_loss`, not a bare `loss` that
 * would sit beside the `Loss` of the training lines and mean something else. One qualifier word is taken, when it
 * follows a delimiter (line start, `: `, `, `, ` - `, a tab or a run of spaces); single words keep their case.
 */
function proseName(before: string, name: string): string {
  const q = QUALIFIER.exec(before)?.[1];
  return q && !STEP_NAMES.includes(q.toLowerCase()) ? `${q}_${name}`.toLowerCase() : name;
}

/** Name parts that mark a measurement of the run itself rather than a result. */
const VOLATILE_PARTS = new Set([
  'time',
  'times',
  'timestamp',
  'elapsed',
  'duration',
  'eta',
  'runtime',
  'took',
  'sec',
  'secs',
  'second',
  'seconds',
  'ms',
  'msec',
  'minutes',
  'hours',
  'speed',
  'throughput',
  'fps',
  'per',
  'date',
  'clock',
  'wall',
  'mem',
  'memory',
  'rss',
  'vram',
  'pid',
  'ppid',
  'port',
  'uid',
  'gid',
  'version',
  'seed',
]);
const ENV_SHAPE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
// Terminal colour codes start with ESC, a control character by definition.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const OMITTED_MARKER = /^… \[\d+ bytes omitted by reproscope\] …$/;

function isVolatileName(name: string): boolean {
  if (ENV_SHAPE.test(name)) return true;
  const lower = name.toLowerCase();
  if (VOLATILE_PARTS.has(lower) || isSeedName(name)) return true;
  return lower.split(/[_./-]+/).some((p) => VOLATILE_PARTS.has(p));
}

function numberOf(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^[+-]?nan$/.test(t)) return Number.NaN;
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

function lineStep(line: string): number | null {
  let best: { rank: number; step: number } | null = null;
  for (const m of line.matchAll(STEP_MARKER)) {
    const rank = STEP_NAMES.indexOf(m[1]!.toLowerCase());
    const step = Number(m[2]);
    if (best === null || rank < best.rank) best = { rank, step };
  }
  return best?.step ?? null;
}

/** Collects points per name, keeping first-seen order. */
class MetricCollector {
  private readonly points = new Map<string, MetricPoint[]>();
  constructor(private readonly source: string) {}

  add(name: string, value: number, step: number | null): void {
    let list = this.points.get(name);
    if (!list) this.points.set(name, (list = []));
    list.push({ step: step ?? list.length, value, timestamp: null });
  }

  get size(): number {
    return this.points.size;
  }

  result(): Record<string, Metric> {
    const out = emptyRecord<Metric>();
    for (const [name, history] of this.points)
      out[name] = {
        value: history[history.length - 1]!.value,
        history: history.length > 1 ? history : null,
        source: this.source,
      };
    return out;
  }
}

/** A `--metric-pattern` compiled: Python's `(?P<name>…)` is accepted as well as JavaScript's `(?<name>…)`. */
export interface MetricPattern {
  text: string;
  regex: RegExp;
  /** `name`+`value` groups name the metric from the text; otherwise each other named group is a metric. */
  mode: 'name-value' | 'fixed';
  fixed: string[];
}

/** Compiles a `--metric-pattern`; a bad regex or one without named groups is an INVALID_INPUT error. */
export function compileMetricPattern(text: string): MetricPattern {
  const hint =
    'Use named groups: (?<name>\\w+)=(?<value>[-0-9.e]+) for any metric, or (?<val_loss>[0-9.]+) for one; an optional (?<step>\\d+) gives the step.';
  let regex: RegExp;
  try {
    regex = new RegExp(text.replace(/\(\?P</g, '(?<'), 'g');
  } catch (e) {
    throw new ReproError(
      'INVALID_INPUT',
      `--metric-pattern ${JSON.stringify(text)} is not a regular expression: ${(e as Error).message}`,
      hint,
    );
  }
  const groups = [...text.matchAll(/\(\?P?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
  if (groups.includes('name') && groups.includes('value')) return { text, regex, mode: 'name-value', fixed: [] };
  const fixed = groups.filter((g) => g !== 'step' && g !== 'name' && g !== 'value');
  if (fixed.length === 0)
    throw new ReproError(
      'INVALID_INPUT',
      `--metric-pattern ${JSON.stringify(text)} has no named group to read a metric from`,
      hint,
    );
  return { text, regex, mode: 'fixed', fixed };
}

/** What reading printed output gave: the metrics, and sentences about what was left out. */
export interface OutputMetrics {
  metrics: Record<string, Metric>;
  notes: string[];
}

/** Options of metricsFromOutput. */
export interface OutputMetricsOptions {
  /** Apply the generic `name=value` rule (`--metrics-from stdout`). */
  generic: boolean;
  patterns: readonly MetricPattern[];
  /** The metric source recorded and named in notes, e.g. `stdout`. */
  source: string;
}

/** Reads metrics from a command's printed text; a pattern's metric wins over the generic rule's of the same name. */
export function metricsFromOutput(text: string, options: OutputMetricsOptions): OutputMetrics {
  const generic = new MetricCollector(options.source);
  const patterned = new MetricCollector(`${options.source} (--metric-pattern)`);
  const skipped = new Set<string>();
  const patternHits = options.patterns.map(() => 0);
  const lines = text.replace(ANSI, '').split(/\r\n|\r|\n/);
  for (const line of lines) {
    if (line.trim() === '' || OMITTED_MARKER.test(line.trim())) continue;
    options.patterns.forEach((p, i) => {
      for (const m of line.matchAll(p.regex)) {
        const g = m.groups ?? {};
        const step = g.step !== undefined ? numberOf(g.step) : null;
        const pairs: [string, string | undefined][] =
          p.mode === 'name-value' ? [[g.name ?? '', g.value]] : p.fixed.map((n) => [n, g[n]]);
        for (const [name, raw] of pairs) {
          const value = raw === undefined ? null : numberOf(raw);
          if (name === '' || value === null) continue;
          patterned.add(name, value, step);
          patternHits[i]! += 1;
        }
        if (m[0] === '') break; // an empty match would repeat forever
      }
    });
    if (!options.generic || /\bNamespace\(/.test(line)) continue;
    const step = lineStep(line);
    for (const m of line.matchAll(PAIR)) {
      const [, quote, bare, , sep, after, raw] = m as unknown as string[];
      if (sep === ':' && !quote && after === '') continue;
      const name = sep === ':' && !quote ? proseName(line.slice(0, m.index), bare!) : bare;
      if (STEP_NAMES.includes(bare!.toLowerCase())) continue;
      if (isVolatileName(name!)) {
        skipped.add(name!);
        continue;
      }
      generic.add(name!, numberOf(raw!)!, step);
    }
  }
  const notes: string[] = [];
  const byCase = new Map<string, string[]>();
  for (const n of Object.keys(generic.result()))
    byCase.set(n.toLowerCase(), [...(byCase.get(n.toLowerCase()) ?? []), n]);
  for (const names of byCase.values())
    if (names.length > 1)
      notes.push(
        `outcome: ${names.sort().join(' and ')} from ${options.source} differ only by case and are kept apart; give --metric-pattern to name them yourself`,
      );
  if (skipped.size > 0)
    notes.push(
      `outcome: not read as metrics from ${options.source} (timing, identity or seed values): ${[...skipped].sort().join(', ')}`,
    );
  options.patterns.forEach((p, i) => {
    if (patternHits[i] === 0)
      notes.push(`outcome: --metric-pattern ${JSON.stringify(p.text)} matched no number in ${options.source}`);
  });
  if (options.generic && generic.size === 0 && options.patterns.length === 0)
    notes.push(
      `outcome: ${options.source} held no name=value or name: value metric lines (give --metric-pattern for other shapes)`,
    );
  return { metrics: { ...generic.result(), ...patterned.result() }, notes };
}

/** The names `--metrics-from stdout` would read from `text` (for the hint when a run printed metrics nobody asked for). */
export function printedMetricNames(text: string): string[] {
  return Object.keys(metricsFromOutput(text, { generic: true, patterns: [], source: 'stdout' }).metrics).sort();
}
