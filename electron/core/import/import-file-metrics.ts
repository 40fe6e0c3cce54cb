/** Parsing a file store's metric files: MLflow's own `ts value step` lines in place, anything else field by field. */
import {
  parseMlflowValue,
  type MlflowMetricColumns,
  type MlflowMetricPoint,
} from '../../../shared/mlflow/mlflow-records';

/** Parses one metric file: lines `timestamp value [step [more…]]`; throws a sentence naming the bad line. */
export function parseMetricLines(name: string, text: string): MlflowMetricPoint[] {
  const { steps, values, timestamps } = parseMetricColumns(name, text);
  const points = new Array<MlflowMetricPoint>(steps.length);
  for (let i = 0; i < steps.length; i++) points[i] = { step: steps[i]!, value: values[i]!, timestamp: timestamps[i]! };
  return points;
}

/** parseMetricLines as three columns, in file order, without an object per point (every timestamp is a number). */
export function parseMetricColumns(name: string, text: string): MlflowMetricColumns {
  const n = text.length;
  // One point a line at most: count them, so the columns are allocated once.
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
  const all = new Float64Array(lines * 3);
  const steps = all.subarray(0, lines);
  const values = all.subarray(lines, 2 * lines);
  const timestamps = all.subarray(2 * lines);
  let count = 0;
  let lineNo = 0;
  let at = 0;
  while (at < n) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = n;
    lineNo++;
    // MLflow's own lines are `<digits> <value> <digits>`: read those in place; anything else goes the careful way.
    if (fastMetricLine(text, { start: at, end }, { steps, values, timestamps }, count)) count++;
    else {
      const slow = parseMetricLine(name, text.slice(at, end), lineNo);
      if (slow !== null) {
        steps[count] = slow.step;
        values[count] = slow.value;
        timestamps[count] = slow.timestamp!;
        count++;
      }
    }
    at = end + 1;
  }
  return {
    steps: steps.subarray(0, count),
    values: values.subarray(0, count),
    timestamps: timestamps.subarray(0, count),
  };
}

const MLFLOW_MAX = 1.7976931348623157e308;

/**
 * Reads `ts value step` or `ts value` made of plain digits (at most 15, so exact) around a value into
 * point `k` of the columns; false (nothing written) to let parseMetricLine decide.
 */
function fastMetricLine(
  text: string,
  { start, end }: { start: number; end: number },
  out: MlflowMetricColumns,
  k: number,
): boolean {
  let i = start;
  let ts = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    ts = ts * 10 + (c - 48);
    i++;
  }
  if (i === start || i - start > 15 || i >= end || text.charCodeAt(i) !== 32) return false;
  const valueStart = ++i;
  while (i < end && text.charCodeAt(i) !== 32) i++;
  if (i === valueStart) return false;
  const valueEnd = i;
  let step = 0;
  if (i < end) {
    let neg = false;
    if (text.charCodeAt(++i) === 45) {
      neg = true;
      i++;
    }
    const digitsStart = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return false;
      step = step * 10 + (c - 48);
      i++;
    }
    if (i === digitsStart || i - digitsStart > 15) return false;
    if (neg) step = -step; // "-0" reads as -0, as Number() reads it
  } else {
    // Two fields: the value ends the line, so it must not end in what trim() would remove.
    const last = text.charCodeAt(valueEnd - 1);
    if (!((last >= 48 && last <= 57) || (last >= 65 && last <= 90) || (last >= 97 && last <= 122) || last === 46))
      return false;
  }
  const value = Number(text.slice(valueStart, valueEnd));
  if (!Number.isFinite(value) || Math.abs(value) >= MLFLOW_MAX) return false;
  out.steps[k] = step;
  out.values[k] = value;
  out.timestamps[k] = ts;
  return true;
}

/** One metric line read field by field (any spacing, Python's spellings of NaN and infinities); null for a blank line. */
function parseMetricLine(name: string, raw: string, lineNo: number): MlflowMetricPoint | null {
  const line = raw.trim();
  if (line === '') return null;
  const parts = line.split(' ');
  if (parts.length < 2)
    throw new Error(`metric ${name} line ${lineNo} has ${parts.length} field; MLflow writes "timestamp value [step]"`);
  const ts = Number(parts[0]);
  const rawValue = parts[1]!;
  let value = rawValue === '' ? Number.NaN : Number(rawValue);
  if (Number.isNaN(value) || !Number.isFinite(value) || Math.abs(value) >= MLFLOW_MAX) {
    const parsed = parseMlflowValue(rawValue);
    if (parsed === null) throw new Error(`metric ${name} line ${lineNo}: "${rawValue.slice(0, 40)}" is not a number`);
    value = parsed;
  }
  const step = parts.length >= 3 ? Number(parts[2]) : 0;
  if (!Number.isInteger(ts) || !Number.isInteger(step))
    throw new Error(`metric ${name} line ${lineNo}: timestamp and step must be whole numbers`);
  return { step, value, timestamp: ts };
}
