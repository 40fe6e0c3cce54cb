// Metrics that measure what a run cost (time, speed, memory, utilisation), not what it found: reported, not judged, unless --metric names them.

/** Words of a metric name that mark a measure of time, speed or memory (`train_time_s`, `epochDuration`, `peak_rss_mb`). */
const COST_WORDS = new Set([
  'time',
  'times',
  'timing',
  'duration',
  'elapsed',
  'runtime',
  'walltime',
  'wallclock',
  'latency',
  'throughput',
  'fps',
  'seconds',
  'secs',
  'sec',
  'minutes',
  'hours',
  'memory',
  'mem',
  'rss',
  'vram',
  'utilization',
  'utilisation',
  'util',
  'mfu',
]);
/** Units that make `per <unit>` a rate (`samples_per_second`, `tokens_per_sec`, `it_per_s`). */
const PER_UNITS = new Set(['s', 'sec', 'second', 'seconds', 'ms', 'minute', 'min', 'hour', 'hr']);
/** Words after `time` that make it a domain, not a clock (`time_series_mae`, `time_step_loss`). */
const NOT_A_CLOCK_AFTER_TIME = new Set(['series', 'step', 'steps', 'stamp', 'horizon', 'window']);

/** A metric name's words: split at anything not a letter or digit and at camelCase humps, lower-cased. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a metric measures what the run cost rather than what it found: MLflow's system metrics (`system/…`, logged
 * by its system-metrics monitor), and names whose words say time, speed, memory or utilisation. Why: a training time
 * differs on every run of the most deterministic experiment; judged like accuracy, it makes every audit "not
 * reproduced". Such metrics are still read, summarised and shown; `--metric NAME` judges one.
 */
export function isCostMetric(name: string): boolean {
  if (/^system\//i.test(name)) return true;
  const words = wordsOf(name);
  return words.some((w, i) => {
    if (w === 'per') return PER_UNITS.has(words[i + 1] ?? '');
    if (w === 'time' && NOT_A_CLOCK_AFTER_TIME.has(words[i + 1] ?? '')) return false;
    return COST_WORDS.has(w);
  });
}
