/** Reads scalar metrics from TensorBoard event files: TFRecord framing with masked CRC32C checks, Event/Summary protobufs. */
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { ReproError } from '../../shared/errors';
import { emptyRecord } from '../../shared/records';
import type { Metric } from '../../shared/snapshot/snapshot';

/**
 * The parts of TensorBoard's `event.proto`, `summary.proto`, `tensor.proto` and `tensor_shape.proto`
 * (tensorboard/compat/proto) that scalars use; the field numbers are TensorBoard's, and fields left
 * out (images, histograms, graphs) are skipped by the decoder as unknown fields.
 */
const EVENT_PROTO = `
syntax = "proto3";
package tensorboard;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
  }
}
message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}
message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  int32 data_class = 4;
}
message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}
message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated int64 int64_val = 10 [packed = true];
  repeated bool bool_val = 11 [packed = true];
}
`;

const EventType = protobuf.parse(EVENT_PROTO, { keepCase: true }).root.lookupType('tensorboard.Event');

/** TensorFlow's DataType numbers of the numeric dtypes a scalar can have. */
const DT = { FLOAT: 1, DOUBLE: 2, INT32: 3, UINT8: 4, INT16: 5, INT8: 6, INT64: 9, BOOL: 10, HALF: 19 } as const;

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum TFRecord uses. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant, so a CRC of CRCs is not trivially zero. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function corrupt(file: string, why: string): ReproError {
  return new ReproError(
    'METRICS_INVALID',
    `TensorBoard event file ${file} is not readable: ${why}; none of its values were taken`,
    'A file cut short (the run was killed while writing) or damaged cannot be trusted; rerun, or point --metrics-from tensorboard: at another folder.',
  );
}

/** Splits a TFRecord file into its records, checking both CRCs of each; a short or damaged file is an error. */
export function readTfRecords(bytes: Buffer, file: string): Buffer[] {
  const records: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 12) throw corrupt(file, `it ends inside a record header at byte ${at}`);
    const header = bytes.subarray(at, at + 8);
    if (bytes.readUInt32LE(at + 8) !== maskedCrc32c(header))
      throw corrupt(file, `the length of the record at byte ${at} fails its CRC check`);
    const length = Number(bytes.readBigUInt64LE(at));
    const end = at + 12 + length + 4;
    if (end > bytes.length) throw corrupt(file, `the record at byte ${at} is cut short (${length} bytes announced)`);
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (bytes.readUInt32LE(at + 12 + length) !== maskedCrc32c(data))
      throw corrupt(file, `the data of the record at byte ${at} fails its CRC check`);
    records.push(data);
    at = end;
  }
  return records;
}

/** The shortest decimal that reads back as the same float32, as TensorBoard and numpy print it. */
function float32Value(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 1; p <= 9; p++) {
    const v = Number(x.toPrecision(p));
    if (Math.fround(v) === x) return v;
  }
  return x;
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v));
}

interface TensorMessage {
  dtype?: number;
  tensor_shape?: { dim?: { size?: unknown }[]; unknown_rank?: boolean };
  tensor_content?: Uint8Array;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  int64_val?: unknown[];
  bool_val?: boolean[];
}

function halfToNumber(h: number): number {
  const bits = h & 0xffff;
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** The value of a rank-0 numeric tensor (TF2's `tf.summary.scalar`), or null for anything else. */
function scalarOfTensor(t: TensorMessage): number | null {
  const dims = t.tensor_shape?.dim ?? [];
  if (t.tensor_shape?.unknown_rank || dims.some((d) => toNumber(d.size ?? 0) !== 1)) return null;
  const content = t.tensor_content && t.tensor_content.length > 0 ? Buffer.from(t.tensor_content) : null;
  switch (t.dtype) {
    case DT.FLOAT:
      if (content?.length === 4) return float32Value(content.readFloatLE(0));
      return t.float_val?.length === 1 ? float32Value(t.float_val[0]!) : null;
    case DT.DOUBLE:
      if (content?.length === 8) return content.readDoubleLE(0);
      return t.double_val?.length === 1 ? t.double_val[0]! : null;
    case DT.HALF:
      if (content?.length === 2) return halfToNumber(content.readUInt16LE(0));
      return t.half_val?.length === 1 ? halfToNumber(t.half_val[0]!) : null;
    case DT.INT32:
    case DT.INT16:
    case DT.INT8:
      if (content?.length === 4) return content.readInt32LE(0);
      if (content?.length === 2) return content.readInt16LE(0);
      if (content?.length === 1) return content.readInt8(0);
      return t.int_val?.length === 1 ? t.int_val[0]! : null;
    case DT.UINT8:
      if (content?.length === 1) return content.readUInt8(0);
      return t.int_val?.length === 1 ? t.int_val[0]! : null;
    case DT.INT64:
      if (content?.length === 8) return Number(content.readBigInt64LE(0));
      return t.int64_val?.length === 1 ? toNumber(t.int64_val[0]) : null;
    case DT.BOOL:
      if (content?.length === 1) return content[0] ? 1 : 0;
      return t.bool_val?.length === 1 ? (t.bool_val[0] ? 1 : 0) : null;
    default:
      return null;
  }
}

/** What a TensorBoard folder gave: scalar metrics by tag, and the files read and left out. */
export interface TensorboardMetrics {
  metrics: Record<string, Metric>;
  files: string[];
  notes: string[];
}

/** Options of readTensorboardMetrics. */
export interface TensorboardReadOptions {
  /** The metric source recorded on each metric, e.g. `tensorboard:runs`. */
  source: string;
  /** Only files modified at or after this time (ms) are read: older ones are earlier runs' logs. */
  modifiedSince?: number;
}

function listEventFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 8) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.isFile() && e.name.includes('tfevents')) out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * Reads every scalar of the event files under a folder. A file in a subfolder names its tags
 * `<subfolder>/<tag>` (Keras writes `train/` and `validation/`, SummaryWriter.add_scalars one folder
 * per series); a file that is cut short or fails a CRC is an error, never half-read.
 */
export function readTensorboardMetrics(dir: string, options: TensorboardReadOptions): TensorboardMetrics {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new ReproError(
      'METRICS_INVALID',
      `the TensorBoard folder ${dir} was not written by the run`,
      'Check the log_dir the script gives its SummaryWriter / TensorBoard callback.',
    );
  }
  if (!stat.isDirectory())
    throw new ReproError(
      'METRICS_INVALID',
      `${dir} is not a folder`,
      'tensorboard: takes the log folder, not one file.',
    );
  const all = listEventFiles(dir);
  const files = all.filter(
    (f) => options.modifiedSince === undefined || fs.statSync(f).mtimeMs >= options.modifiedSince,
  );
  const notes: string[] = [];
  if (files.length < all.length)
    notes.push(
      `outcome: ${all.length - files.length} TensorBoard event file(s) under ${dir} predate the run and were not read`,
    );
  if (files.length === 0) notes.push(`outcome: no TensorBoard event file written by the run was found under ${dir}`);
  const points = new Map<string, { step: number; value: number; timestamp: number | null }[]>();
  for (const file of files) {
    const rel = path.relative(dir, path.dirname(file)).split(path.sep).join('/');
    const prefix = rel === '' ? '' : `${rel}/`;
    const plugins = new Map<string, string>();
    for (const [i, record] of readTfRecords(fs.readFileSync(file), file).entries()) {
      let event: {
        wall_time?: number;
        step?: unknown;
        summary?: { value?: { tag?: string; simple_value?: number; tensor?: TensorMessage; metadata?: unknown }[] };
      };
      try {
        event = EventType.toObject(EventType.decode(record), { oneofs: false });
      } catch (e) {
        throw corrupt(file, `record ${i} is not a TensorBoard Event (${(e as Error).message})`);
      }
      for (const v of event.summary?.value ?? []) {
        const tag = v.tag ?? '';
        const plugin = (v.metadata as { plugin_data?: { plugin_name?: string } } | undefined)?.plugin_data?.plugin_name;
        if (plugin) plugins.set(tag, plugin);
        let value: number | null = null;
        if (v.simple_value !== undefined) value = float32Value(v.simple_value);
        else if (v.tensor && (plugins.get(tag) ?? 'scalars') === 'scalars') value = scalarOfTensor(v.tensor);
        if (tag === '' || value === null) continue;
        const name = prefix + tag;
        let list = points.get(name);
        if (!list) points.set(name, (list = []));
        list.push({
          step: toNumber(event.step ?? 0),
          value,
          timestamp: event.wall_time ? Math.round(event.wall_time * 1000) : null,
        });
      }
    }
  }
  const metrics = emptyRecord<Metric>();
  for (const [name, history] of points) {
    const last = history[history.length - 1]!;
    metrics[name] = { value: last.value, history: history.length > 1 ? history : null, source: options.source };
  }
  if (files.length > 0 && points.size === 0)
    notes.push(`outcome: the TensorBoard event files under ${dir} hold no scalar values`);
  return { metrics, files, notes };
}
