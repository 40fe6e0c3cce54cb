/** Metric histories as compact blobs (steps, values, timestamps as float64 columns, delta-coded, byte-shuffled, deflated). */
import os from 'node:os';
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ReproError } from '../../shared/errors';
import type { Metric, Snapshot } from '../../shared/snapshot/snapshot';

/** One point of a history, as the snapshot model has it. */
export type MetricPoint = NonNullable<Metric['history']>[number];

/**
 * Why this shape: a history is most of a snapshot's bytes, and as JSON every point costs ~60 characters
 * that must be parsed and validated on every read. As three float64 columns every number (NaN, ±Infinity,
 * ±1.797e308, 2^53) comes back bit for bit; steps and timestamps that are whole numbers are stored as
 * differences (a constant 1 for steps 0,1,2…), and shuffling the bytes by plane before deflate lets the
 * compressor see the runs of equal exponent bytes. A null timestamp is stored as NaN (a timestamp that
 * is a number is always finite: the snapshot schema refuses NaN there).
 *
 * Layout: byte 0 format (1), byte 1 flags (bit 0: steps delta-coded, bit 1: timestamps delta-coded),
 * then deflate-raw of the shuffled bytes of [steps…, values…, timestamps…] (little-endian float64).
 */
const FORMAT = 1;
const STEPS_DELTA = 1;
const TIMESTAMPS_DELTA = 2;
const deflateRawAsync = promisify(deflateRaw);

if (os.endianness() !== 'LE') throw new Error('reproscope stores metric histories little-endian only');

/** A history as stored: the metric's name, its number of points and the encoded bytes. */
export interface EncodedHistory {
  name: string;
  points: number;
  data: Buffer;
}

/** Whether every number is a whole number whose differences stay exact (|x| ≤ 2^52). */
function deltaSafe(column: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const x = column[i]!;
    if (!Number.isInteger(x) || Math.abs(x) > 2 ** 52) return false;
  }
  return true;
}

function toDeltas(column: Float64Array, from: number, to: number): void {
  for (let i = to - 1; i > from; i--) column[i] = column[i]! - column[i - 1]!;
}

function fromDeltas(column: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) column[i] = column[i]! + column[i - 1]!;
}

/** Byte plane k of every float64 together: out[k * count + i] = byte k of number i. */
function shuffle(bytes: Uint8Array, count: number): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  for (let k = 0; k < 8; k++) {
    const base = k * count;
    for (let i = 0; i < count; i++) out[base + i] = bytes[i * 8 + k]!;
  }
  return out;
}

function unshuffle(bytes: Uint8Array, count: number): Float64Array {
  const out = new Uint8Array(count * 8);
  for (let k = 0; k < 8; k++) {
    const base = k * count;
    for (let i = 0; i < count; i++) out[i * 8 + k] = bytes[base + i]!;
  }
  return new Float64Array(out.buffer);
}

/** The flags byte and shuffled columns of a history, before compression. */
function prepare(points: readonly MetricPoint[]): { head: Buffer; body: Buffer } {
  const n = points.length;
  const columns = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    columns[i] = p.step;
    columns[n + i] = p.value;
    columns[2 * n + i] = p.timestamp ?? Number.NaN;
  }
  let flags = 0;
  if (deltaSafe(columns, 0, n)) {
    toDeltas(columns, 0, n);
    flags |= STEPS_DELTA;
  }
  if (deltaSafe(columns, 2 * n, 3 * n)) {
    toDeltas(columns, 2 * n, 3 * n);
    flags |= TIMESTAMPS_DELTA;
  }
  return { head: Buffer.from([FORMAT, flags]), body: shuffle(new Uint8Array(columns.buffer), n * 3) };
}

/** Encodes a history on the calling thread. */
export function encodeHistory(points: readonly MetricPoint[]): Buffer {
  const { head, body } = prepare(points);
  return Buffer.concat([head, deflateRawSync(body, { level: 6 })]);
}

/** Encodes a history with the compression on libuv's thread pool (imports encode thousands at once). */
export async function encodeHistoryAsync(points: readonly MetricPoint[], level = 1): Promise<Buffer> {
  const { head, body } = prepare(points);
  return Buffer.concat([head, await deflateRawAsync(body, { level })]);
}

/** Whether a stored history holds exactly these points (whatever compression level wrote it). */
export function sameHistory(data: Buffer, points: readonly MetricPoint[]): boolean {
  const { head, body } = prepare(points);
  if (data.length < 2 || data[0] !== head[0] || data[1] !== head[1]) return false;
  try {
    return inflateRawSync(data.subarray(2)).equals(body);
  } catch {
    return false;
  }
}

/** The three columns of a stored history (timestamps NaN where none was recorded), without building point objects. */
export function decodeHistoryColumns(
  data: Buffer,
  points: number,
  label: string,
): { steps: Float64Array; values: Float64Array; timestamps: Float64Array } {
  let columns: Float64Array;
  try {
    if (data[0] !== FORMAT) throw new Error(`unknown history format ${data[0]}`);
    const body = inflateRawSync(data.subarray(2));
    if (body.length !== points * 24) throw new Error(`${body.length} bytes for ${points} points`);
    columns = unshuffle(body, points * 3);
  } catch (e) {
    throw new ReproError(
      'STORE_CORRUPT',
      `the metric history of ${label} cannot be read: ${(e as Error).message}`,
      'The store may be damaged; restore it from the backup next to reproscope.db.',
    );
  }
  const flags = data[1]!;
  if (flags & STEPS_DELTA) fromDeltas(columns, 0, points);
  if (flags & TIMESTAMPS_DELTA) fromDeltas(columns, 2 * points, 3 * points);
  return {
    steps: columns.subarray(0, points),
    values: columns.subarray(points, 2 * points),
    timestamps: columns.subarray(2 * points, 3 * points),
  };
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
  const metrics: Snapshot['outcome']['metrics'] = {};
  for (const [name, m] of Object.entries(snapshot.outcome.metrics)) {
    if (m.history !== null) histories.push({ name, points: m.history });
    metrics[name] = m.history === null ? m : { ...m, history: null };
  }
  if (histories.length === 0) return { skeleton: snapshot, histories };
  return { skeleton: { ...snapshot, outcome: { ...snapshot.outcome, metrics } }, histories };
}
