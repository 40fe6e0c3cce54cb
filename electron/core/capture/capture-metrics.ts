/** The metric sources beside metrics files: what the command printed (`--metrics-from stdout`, `--metric-pattern`) and TensorBoard logs. */
import path from 'node:path';
import {
  compileMetricPattern,
  metricsFromOutput,
  parseMetricsFrom,
  type MetricPattern,
} from '../../../shared/snapshot/metrics-from-output';
import { emptyRecord } from '../../../shared/records';
import type { Metric } from '../../../shared/snapshot/snapshot';

/** The user's metric sources, checked before anything runs. */
export interface MetricSources {
  /** Streams read with the generic `name=value` rule. */
  streams: ('stdout' | 'stderr')[];
  patterns: MetricPattern[];
  /** TensorBoard log folders, as given (relative to the command's folder). */
  tensorboard: string[];
}

/** Parses `--metrics-from` and `--metric-pattern` values; a bad one is an INVALID_INPUT error before the command starts. */
export function parseMetricSources(metricsFrom: readonly string[], metricPatterns: readonly string[]): MetricSources {
  const sources: MetricSources = { streams: [], patterns: metricPatterns.map(compileMetricPattern), tensorboard: [] };
  for (const text of metricsFrom) {
    const spec = parseMetricsFrom(text);
    if (spec.kind === 'tensorboard') sources.tensorboard.push(spec.dir);
    else if (!sources.streams.includes(spec.kind)) sources.streams.push(spec.kind);
  }
  return sources;
}

/** What a command left that the sources read. */
export interface MetricSourceInput {
  cwd: string;
  stdout: { data: Buffer; truncated: boolean };
  stderr: { data: Buffer; truncated: boolean };
  /** When the command started: TensorBoard files older than this are earlier runs'. */
  startedAt: Date;
}

/** Whether any source beyond metrics files was asked for. */
export function hasMetricSources(sources: MetricSources): boolean {
  return sources.streams.length > 0 || sources.patterns.length > 0 || sources.tensorboard.length > 0;
}

/**
 * Reads every source: patterns apply to the streams named by `--metrics-from` (stdout when none is),
 * a metric read earlier wins over a later one of the same name (patterns, then streams, then
 * TensorBoard). A TensorBoard file cut short or damaged throws METRICS_INVALID, as a bad metrics file does.
 */
export async function readMetricSources(
  sources: MetricSources,
  input: MetricSourceInput,
): Promise<{ metrics: Record<string, Metric>; notes: string[] }> {
  const metrics = emptyRecord<Metric>();
  const notes: string[] = [];
  const streams = sources.streams.length > 0 ? sources.streams : sources.patterns.length > 0 ? ['stdout' as const] : [];
  for (const stream of streams) {
    const captured = input[stream];
    const read = metricsFromOutput(captured.data.toString('utf8'), {
      generic: sources.streams.includes(stream),
      patterns: sources.patterns,
      source: stream,
    });
    for (const [k, v] of Object.entries(read.metrics)) metrics[k] ??= v;
    notes.push(...read.notes);
    if (captured.truncated && Object.keys(read.metrics).length > 0)
      notes.push(`outcome: ${stream} was longer than reproscope keeps; metric histories read from it miss its middle`);
  }
  // The TensorBoard reader (with protobufjs, 0.4 MB) loads only when a log folder is named: a plain capture starts
  // its command sooner without it (issue 13).
  if (sources.tensorboard.length > 0) {
    const { readTensorboardMetrics } = await import('../../platform/tensorboard-events');
    for (const dir of sources.tensorboard) {
      const read = readTensorboardMetrics(path.resolve(input.cwd, dir), {
        source: `tensorboard:${dir}`,
        // a second of slack: some file systems keep modification times in whole seconds
        modifiedSince: input.startedAt.getTime() - 1000,
      });
      for (const [k, v] of Object.entries(read.metrics)) metrics[k] ??= v;
      notes.push(...read.notes);
    }
  }
  return { metrics, notes };
}
