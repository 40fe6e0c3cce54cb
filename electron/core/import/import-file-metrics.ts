/** Parsing a file store's metric files: MLflow's own `ts value step` lines in place, anything else field by field. */
import {
  parseMlflowValue,
  type MlflowMetricColumns,
  type MlflowMetricPoint,
} from '../../../shared/mlflow/mlflow-records';
import { longDecimalBytes, POW10 } from '../../../shared/decimal-bytes';

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

const TWO_53 = 2 ** 53;

/** Columns the byte parser fills before it copies out what it found (parses are synchronous and never nested). */
let scratch = new Float64Array(3 * 1024);

/**
 * parseMetricColumns of a metric file's bytes, without making a string of them: the same columns, the same
 * errors. Why: parsing 5 million values was a third of a 10k-run import's reader thread, mostly making a string
 * of each value for Number(). Lines as MLflow writes them (`ts value step` or `ts value`, plain digits, the
 * value a plain decimal) are read from the bytes, each value by the exact fast path every strtod takes (its
 * digits as a whole number below 2^53, scaled by an exact power of ten up to 10^22: one correctly rounded
 * division or product); other values by Number() of their ASCII text. A file with any other line (blank,
 * CRLF, NaN, spacing, more fields, a byte that is not ASCII) is decoded as UTF-8 and parsed by
 * parseMetricColumns, whose reading is the reference.
 */
export function parseMetricBytes(name: string, bytes: Buffer): MlflowMetricColumns {
  const n = bytes.length;
  let cap = (scratch.length / 3) | 0;
  let count = 0;
  let i = 0;
  while (i < n) {
    if (count === cap) {
      const grown = new Float64Array(cap * 6);
      for (let col = 0; col < 3; col++) grown.set(scratch.subarray(col * cap, col * cap + count), col * cap * 2);
      scratch = grown;
      cap *= 2;
    }
    // The timestamp: 1 to 15 digits, then one space.
    const tsStart = i;
    let ts = 0;
    let c = bytes[i]!;
    while (c >= 48 && c <= 57) {
      ts = ts * 10 + (c - 48);
      c = ++i < n ? bytes[i]! : -1;
    }
    if (i === tsStart || i - tsStart > 15 || c !== 32) return parseMetricText(name, bytes);
    // The value: [-]digits[.digits][e[+-]digits] or [-].digits…, read as digits w and a power of ten e10.
    const valueStart = ++i;
    c = i < n ? bytes[i]! : -1;
    let neg = false;
    if (c === 45) {
      neg = true;
      c = ++i < n ? bytes[i]! : -1;
    }
    let w = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      w = w * 10 + (c - 48);
      digits++;
      c = ++i < n ? bytes[i]! : -1;
    }
    let e10 = 0;
    if (c === 46) {
      c = ++i < n ? bytes[i]! : -1;
      while (c >= 48 && c <= 57) {
        w = w * 10 + (c - 48);
        digits++;
        e10--;
        c = ++i < n ? bytes[i]! : -1;
      }
    }
    if (digits === 0) return parseMetricText(name, bytes);
    if (c === 101 || c === 69) {
      c = ++i < n ? bytes[i]! : -1;
      let expNeg = false;
      if (c === 43 || c === 45) {
        expNeg = c === 45;
        c = ++i < n ? bytes[i]! : -1;
      }
      const expStart = i;
      let ex = 0;
      while (c >= 48 && c <= 57) {
        if (ex < 100000) ex = ex * 10 + (c - 48);
        c = ++i < n ? bytes[i]! : -1;
      }
      if (i === expStart) return parseMetricText(name, bytes);
      e10 += expNeg ? -ex : ex;
    }
    const valueEnd = i;
    // What ends the value: a space and the step, or the line's end (two fields).
    let step = 0;
    if (c === 32) {
      c = ++i < n ? bytes[i]! : -1;
      let stepNeg = false;
      if (c === 45) {
        stepNeg = true;
        c = ++i < n ? bytes[i]! : -1;
      }
      const stepStart = i;
      while (c >= 48 && c <= 57) {
        step = step * 10 + (c - 48);
        c = ++i < n ? bytes[i]! : -1;
      }
      if (i === stepStart || i - stepStart > 15) return parseMetricText(name, bytes);
      if (stepNeg) step = -step; // "-0" reads as -0, as Number() reads it
    }
    if (c !== 10 && c !== -1) return parseMetricText(name, bytes);
    i++;
    // w is exact while below 2^53 (every step before was exact too); 10^|e10| is exact up to 10^22.
    let value: number;
    if (w < TWO_53 && e10 >= -22 && e10 <= 22) {
      value = e10 < 0 ? w / POW10[-e10]! : w * POW10[e10]!;
      if (neg) value = -value;
    } else {
      value = e10 < 0 && e10 >= -22 ? longDecimalBytes(bytes, valueStart, valueEnd, -e10) : NaN;
      if (value !== value) value = Number(latin1(bytes, valueStart, valueEnd));
      else if (neg) value = -value;
      if (!Number.isFinite(value) || Math.abs(value) >= MLFLOW_MAX) return parseMetricText(name, bytes);
    }
    scratch[count] = step;
    scratch[cap + count] = value;
    scratch[2 * cap + count] = ts;
    count++;
  }
  const all = new Float64Array(count * 3);
  all.set(scratch.subarray(0, count), 0);
  all.set(scratch.subarray(cap, cap + count), count);
  all.set(scratch.subarray(2 * cap, 2 * cap + count), 2 * count);
  return {
    steps: all.subarray(0, count),
    values: all.subarray(count, 2 * count),
    timestamps: all.subarray(2 * count),
  };
}

/** ASCII bytes as a string (the value's characters were checked to be ASCII). */
function latin1(bytes: Buffer, start: number, end: number): string {
  return LATIN1_SLICE ? (bytes as SlicedBuffer).latin1Slice(start, end) : bytes.toString('latin1', start, end);
}
/** The Buffer method under toString('latin1'), without its argument checks (~10 % of this parse), where Node has it. */
type SlicedBuffer = Buffer & { latin1Slice(start: number, end: number): string };
const LATIN1_SLICE = typeof (Buffer.prototype as Partial<SlicedBuffer>).latin1Slice === 'function';

/** The careful way: the file as UTF-8 text, through parseMetricColumns. */
function parseMetricText(name: string, bytes: Buffer): MlflowMetricColumns {
  return parseMetricColumns(name, bytes.toString('utf8'));
}

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
