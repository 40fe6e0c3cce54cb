/** Metric histories as compact blobs: float64 values, steps and timestamps as varint differences, long ones deflated. */
import os from 'node:os';
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ReproError } from '../../shared/errors';
import { emptyRecord } from '../../shared/records';
import type { Metric, Snapshot } from '../../shared/snapshot/snapshot';

/** One point of a history, as the snapshot model has it. */
export type MetricPoint = NonNullable<Metric['history']>[number];

/**
 * Why this shape: a history is most of a snapshot's bytes, and as JSON every point costs ~60 characters
 * that must be parsed and validated on every read. Values are kept as float64, so every number (NaN,
 * ±Infinity, ±1.797e308, 5e-324) comes back bit for bit. Steps and timestamps are nearly always whole
 * numbers that grow by small amounts: those are stored as zigzag varints of their differences (a step
 * 0,1,2… costs one byte a point, a millisecond timestamp one to three); any other column is float64.
 * A null timestamp is NaN in a float64 column (a timestamp that is a number is always finite: the
 * snapshot schema refuses NaN there). Only long histories are deflated: zlib's set-up per call costs
 * more than it saves on the few hundred points most metrics have, and imports write hundreds of thousands.
 *
 * Format 2: byte 0 = 2, byte 1 flags (bit 0: steps as varint differences, bit 1: timestamps as varint
 * differences, bit 2: the rest deflated), then steps, values (float64 LE), timestamps.
 * Format 1 (written for a few minutes on one day, still read): flags bits 0/1 = float64 differences,
 * then deflate-raw of the byte-shuffled float64 columns.
 */
const FORMAT = 2;
const STEPS_DELTA = 1;
const TIMESTAMPS_DELTA = 2;
const DEFLATED = 4;
/** Bodies at least this long are deflated. */
const DEFLATE_FROM = 64 * 1024;
/** Whole numbers up to this size are delta-coded: differences and their zigzag forms stay exact integers. */
const DELTA_LIMIT = 2 ** 50;
const deflateRawAsync = promisify(deflateRaw);

if (os.endianness() !== 'LE') throw new Error('reproscope stores metric histories little-endian only');

/** A history as stored: the metric's name, its number of points and the encoded bytes. */
export interface EncodedHistory {
  name: string;
  points: number;
  data: Buffer;
}

/** Whether every number of a column is a whole number small enough to be delta-coded. */
function deltaSafe(column: Float64Array): boolean {
  for (let i = 0; i < column.length; i++) {
    const x = column[i]!;
    if (!Number.isInteger(x) || Math.abs(x) > DELTA_LIMIT) return false;
  }
  return true;
}

/** Writes a column at `at`: zigzag varints of its differences, or float64; returns the offset after it. */
function writeColumn(out: Buffer, at: number, column: Float64Array, delta: boolean): number {
  if (!delta) {
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
    return at + column.byteLength;
  }
  let prev = 0;
  for (let i = 0; i < column.length; i++) {
    const d = column[i]! - prev;
    prev = column[i]!;
    let z = d >= 0 ? d * 2 : -d * 2 - 1;
    if (z < 2 ** 31) {
      while (z >= 0x80) {
        out[at++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
    } else {
      while (z >= 0x80) {
        out[at++] = (z % 0x80) | 0x80;
        z = Math.floor(z / 0x80);
      }
    }
    out[at++] = z;
  }
  return at;
}

/** Reads a column written by writeColumn; returns it and the offset after it. */
function readColumn(data: Buffer, at: number, n: number, delta: boolean): [Float64Array, number] {
  const column = new Float64Array(n);
  if (!delta) {
    if (at + n * 8 > data.length) throw new Error('the history is cut short');
    new Uint8Array(column.buffer).set(data.subarray(at, at + n * 8));
    return [column, at + n * 8];
  }
  let prev = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    let scale = 1;
    for (;;) {
      if (at >= data.length) throw new Error('the history is cut short');
      const b = data[at++]!;
      z += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
    }
    prev += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    column[i] = prev;
  }
  return [column, at];
}

/**
 * A history as three columns of the same length (timestamps NaN where none was recorded): what a reader
 * can hand over without building a point object per point (imports carry millions of points).
 */
export interface HistoryColumns {
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
}

/** The columns of a history given as points. */
export function historyColumns(points: readonly MetricPoint[]): HistoryColumns {
  const n = points.length;
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    steps[i] = p.step;
    values[i] = p.value;
    timestamps[i] = p.timestamp ?? Number.NaN;
  }
  return { steps, values, timestamps };
}

/** The head (format, flags) and the body of a history, before any compression. */
function prepare(columns: HistoryColumns): { head: Buffer; body: Buffer } {
  const all = prepareWhole(columns);
  return { head: all.subarray(0, 2), body: all.subarray(2) };
}

/**
 * The head and the body of a history in one buffer (the head its first two bytes): what is stored as it
 * is when not deflated, with no second buffer and copy (an import encodes hundreds of thousands of histories).
 */
function prepareWhole({ steps, values, timestamps }: HistoryColumns): Buffer {
  const n = steps.length;
  if (values.length !== n || timestamps.length !== n)
    throw new Error(`history columns of different lengths (${n}, ${values.length}, ${timestamps.length})`);
  let flags = 0;
  if (deltaSafe(steps)) flags |= STEPS_DELTA;
  if (deltaSafe(timestamps)) flags |= TIMESTAMPS_DELTA;
  const out = Buffer.allocUnsafe(2 + n * 24);
  let at = writeColumn(out, 2, steps, (flags & STEPS_DELTA) !== 0);
  at = writeColumn(out, at, values, false);
  at = writeColumn(out, at, timestamps, (flags & TIMESTAMPS_DELTA) !== 0);
  out[0] = FORMAT;
  out[1] = flags | (at - 2 >= DEFLATE_FROM ? DEFLATED : 0);
  return out.subarray(0, at);
}

/** Encodes a history on the calling thread. */
export function encodeHistory(points: readonly MetricPoint[]): Buffer {
  const { steps, values, timestamps } = historyColumns(points);
  return encodeHistoryColumns(steps, values, timestamps);
}

/** Encodes a history given as columns: the same bytes encodeHistory writes for the same points. */
export function encodeHistoryColumns(steps: Float64Array, values: Float64Array, timestamps: Float64Array): Buffer {
  const whole = prepareWhole({ steps, values, timestamps });
  if (!(whole[1]! & DEFLATED)) return whole;
  return Buffer.concat([whole.subarray(0, 2), deflateRawSync(whole.subarray(2), { level: 6 })]);
}

/** Encodes a history; a long one is compressed on libuv's thread pool (imports encode thousands at once). */
export async function encodeHistoryAsync(points: readonly MetricPoint[], level = 1): Promise<Buffer> {
  return encodeHistoryColumnsAsync(historyColumns(points), level);
}

/** encodeHistoryAsync of a history given as columns (the same bytes for the same points and level). */
export async function encodeHistoryColumnsAsync(columns: HistoryColumns, level = 1): Promise<Buffer> {
  const { head, body } = prepare(columns);
  return Buffer.concat([head, head[1]! & DEFLATED ? await deflateRawAsync(body, { level }) : body]);
}

/** Whether a stored history holds exactly these points (whatever compression level wrote it). */
export function sameHistory(data: Buffer, points: readonly MetricPoint[]): boolean {
  return sameHistoryColumns(data, historyColumns(points));
}

/** sameHistory of a history given as columns. */
export function sameHistoryColumns(data: Buffer, columns: HistoryColumns): boolean {
  const { head, body } = prepare(columns);
  if (data.length < 2 || data[0] !== head[0] || data[1] !== head[1]) return false;
  try {
    return (head[1]! & DEFLATED ? inflateRawSync(data.subarray(2)) : data.subarray(2)).equals(body);
  } catch {
    return false;
  }
}

/** Format 1's columns: deflated, byte-shuffled float64, differences as float64. */
function readFormat1(data: Buffer, points: number): Float64Array[] {
  const body = inflateRawSync(data.subarray(2));
  if (body.length !== points * 24) throw new Error(`${body.length} bytes for ${points} points`);
  const count = points * 3;
  const bytes = new Uint8Array(count * 8);
  for (let k = 0; k < 8; k++) for (let i = 0; i < count; i++) bytes[i * 8 + k] = body[k * count + i]!;
  const all = new Float64Array(bytes.buffer);
  const columns = [all.subarray(0, points), all.subarray(points, 2 * points), all.subarray(2 * points)];
  for (const [c, bit] of [
    [columns[0]!, STEPS_DELTA],
    [columns[2]!, TIMESTAMPS_DELTA],
  ] as const)
    if (data[1]! & bit) for (let i = 1; i < points; i++) c[i] = c[i]! + c[i - 1]!;
  return columns;
}

/** The three columns of a stored history (timestamps NaN where none was recorded), without building point objects. */
export function decodeHistoryColumns(data: Buffer, points: number, label: string): HistoryColumns {
  try {
    const flags = data[1]!;
    let columns: Float64Array[];
    if (data[0] === 1) columns = readFormat1(data, points);
    else if (data[0] === FORMAT) {
      const body = flags & DEFLATED ? inflateRawSync(data.subarray(2)) : data.subarray(2);
      const [steps, a] = readColumn(body, 0, points, (flags & STEPS_DELTA) !== 0);
      const [values, b] = readColumn(body, a, points, false);
      const [timestamps, c] = readColumn(body, b, points, (flags & TIMESTAMPS_DELTA) !== 0);
      if (c !== body.length) throw new Error(`${body.length - c} bytes left over`);
      columns = [steps, values, timestamps];
    } else throw new Error(`unknown history format ${data[0]}`);
    return { steps: columns[0]!, values: columns[1]!, timestamps: columns[2]! };
  } catch (e) {
    throw new ReproError(
      'STORE_CORRUPT',
      `the metric history of ${label} cannot be read: ${(e as Error).message}`,
      'The store may be damaged; restore it from the backup next to reproscope.db.',
    );
  }
}

/** Decodes a stored history back into the points it was made from. */
export function decodeHistory(data: Buffer, points: number, label: string): MetricPoint[] {
  const { steps, values, timestamps } = decodeHistoryColumns(data, points, label);
  const out = new Array<MetricPoint>(points);
  for (let i = 0; i < points; i++) {
    const t = timestamps[i]!;
    out[i] = { step: steps[i]!, value: values[i]!, timestamp: Number.isNaN(t) ? null : t };
  }
  return out;
}

/**
 * The snapshot without its histories (each set to null; the copy shares everything else) and the
 * histories taken out, by metric name: what is stored as JSON and what is stored in metric_histories.
 */
export function splitHistories(snapshot: Snapshot): {
  skeleton: Snapshot;
  histories: { name: string; points: MetricPoint[] }[];
} {
  const histories: { name: string; points: MetricPoint[] }[] = [];
  const metrics = emptyRecord<Metric>();
  for (const [name, m] of Object.entries(snapshot.outcome.metrics)) {
    if (m.history !== null) histories.push({ name, points: m.history });
    metrics[name] = m.history === null ? m : { ...m, history: null };
  }
  if (histories.length === 0) return { skeleton: snapshot, histories };
  return { skeleton: { ...snapshot, outcome: { ...snapshot.outcome, metrics } }, histories };
}
