// Reads metrics files (JSON, YAML, CSV, TSV, by extension) into metrics, NaN and infinities kept.
import { parse as parseYaml } from 'yaml';
import { ReproError } from '../errors';
import { emptyRecord } from '../records';
import type { Metric } from './snapshot';

/** The metrics file formats reproscope reads. */
export type MetricsFormat = 'json' | 'yaml' | 'csv' | 'tsv';

/** Picks a format from a file name's extension; JSON when unknown. */
export function metricsFormatFor(fileName: string): MetricsFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv')) return 'tsv';
  return 'json';
}

function invalid(label: string, why: string): ReproError {
  return new ReproError(
    'METRICS_INVALID',
    `${label} is not a metrics file: ${why}`,
    'A metrics file holds numbers by name: JSON or YAML ({"accuracy": 0.93}, nested keys allowed), or CSV/TSV with a header row.',
  );
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return null;
  if (typeof value === 'string') {
    const t = value.trim();
    if (/^[+-]?(nan|inf(inity)?)$/i.test(t))
      return t.toLowerCase().includes('nan') ? NaN : t.startsWith('-') ? -Infinity : Infinity;
    if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  }
  return null;
}

/** Flattens nested keys with `.`; every leaf must be a number (or a numeric string), else an error naming the key. */
function flatten(value: unknown, prefix: string, out: Map<string, number>, label: string): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flatten(v, prefix ? `${prefix}.${k}` : k, out, label);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${prefix}.${i}`, out, label));
    return;
  }
  const n = toNumber(value);
  if (n === null)
    throw invalid(label, `the value of "${prefix || '(root)'}" is ${JSON.stringify(value)}, not a number`);
  out.set(prefix, n);
}

function parseDelimited(text: string, sep: string, label: string, source: string): Record<string, Metric> {
  const rows = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(sep).map((c) => c.trim().replace(/^"(.*)"$/, '$1')));
  const header = rows[0];
  if (!header || rows.length < 2) throw invalid(label, 'it needs a header row and at least one row of values');
  const lowered = header.map((h) => h.toLowerCase());
  // Two-column "name,value" files list one metric a row.
  if (header.length === 2 && ['name', 'metric', 'key'].includes(lowered[0]!) && lowered[1] === 'value') {
    const out = emptyRecord<Metric>();
    for (const [i, row] of rows.slice(1).entries()) {
      const n = toNumber(row[1]);
      if (!row[0] || n === null) throw invalid(label, `row ${i + 2} has no number in its value column`);
      out[row[0]] = { value: n, history: null, source };
    }
    return out;
  }
  // Otherwise each column is a metric and each row a step; a "step" or "epoch" column gives the step.
  const stepCol = lowered.findIndex((h) => h === 'step' || h === 'epoch' || h === 'iteration');
  const out = emptyRecord<Metric>();
  header.forEach((name, col) => {
    if (col === stepCol || name === '') return;
    const history = rows.slice(1).map((row, i) => {
      const n = toNumber(row[col]);
      if (n === null)
        throw invalid(label, `row ${i + 2}, column "${name}" holds ${JSON.stringify(row[col] ?? '')}, not a number`);
      const step = stepCol >= 0 ? (toNumber(row[stepCol]) ?? i) : i;
      return { step, value: n, timestamp: null };
    });
    out[name] = { value: history[history.length - 1]!.value, history: history.length > 1 ? history : null, source };
  });
  return out;
}

/** Parses a metrics file's text into metrics; anything that is not a metric is an error naming the key. */
export function parseMetricsText(
  text: string,
  format: MetricsFormat,
  label: string,
  source = label,
): Record<string, Metric> {
  if (format === 'csv' || format === 'tsv') return parseDelimited(text, format === 'csv' ? ',' : '\t', label, source);
  let raw: unknown;
  try {
    raw =
      format === 'json'
        ? JSON.parse(
            text
              .replace(/\bNaN\b/g, '"NaN"')
              .replace(/-Infinity\b/g, '"-Infinity"')
              .replace(/(?<!["-])\bInfinity\b/g, '"Infinity"'),
          )
        : parseYaml(text);
  } catch (e) {
    throw invalid(label, `it is not valid ${format.toUpperCase()} (${(e as Error).message.split('\n')[0]})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw invalid(label, 'its top level is not a mapping of names to numbers');
  const flat = new Map<string, number>();
  flatten(raw, '', flat, label);
  if (flat.size === 0) throw invalid(label, 'it holds no metrics');
  const out = emptyRecord<Metric>();
  for (const [k, v] of flat) out[k] = { value: v, history: null, source };
  return out;
}
