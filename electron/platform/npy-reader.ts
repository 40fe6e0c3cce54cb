// Reads numpy's .npy arrays and .npz archives (a zip of .npy members) into doubles, without Python; object arrays (pickled) are refused, never unpickled.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { ReproError } from '../../shared/errors';
import type { DecodedArray } from '../../shared/compare/data-shift-arrays';

/** Arrays larger than this are not loaded (the comparison says so). */
export const MAX_ARRAY_BYTES = 512 * 1024 * 1024;

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

function unreadable(file: string, why: string): ReproError {
  return new ReproError('FILE_UNREADABLE', `${file} is not a readable numpy file: ${why}`);
}

/** Parses one .npy image (header and data) into doubles. */
export function decodeNpy(bytes: Buffer, label: string): DecodedArray {
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC)) throw unreadable(label, 'no \\x93NUMPY magic');
  const major = bytes[6]!;
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw unreadable(label, 'the header is cut short');
  const header = bytes.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw unreadable(label, `a header numpy did not write: ${header.trim()}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw unreadable(label, `a bad shape (${shapeText})`);
  const count = shape.reduce((p, d) => p * d, 1);
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw unreadable(label, `dtype ${descr} (structured or object arrays hold Python objects and are not read)`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  if (kind === 'O') throw unreadable(label, 'an object array (pickled Python objects) is not read');
  const data = bytes.subarray(start + headerLen);
  if (data.length < count * size)
    throw unreadable(label, `the data is cut short (${data.length} of ${count * size} bytes)`);
  const little = order !== '>';
  const values = new Float64Array(count);
  const view = new DataView(data.buffer, data.byteOffset, count * size);
  const read = reader(kind!, size, little);
  if (!read) throw unreadable(label, `dtype ${descr} is not a numeric type`);
  for (let i = 0; i < count; i++) values[i] = read(view, i * size);
  return { dtype: descr, shape, values, fortranOrder: fortran === 'True' };
}

function reader(kind: string, size: number, le: boolean): ((v: DataView, at: number) => number) | null {
  switch (`${kind}${size}`) {
    case 'f8':
      return (v, at) => v.getFloat64(at, le);
    case 'f4':
      return (v, at) => v.getFloat32(at, le);
    case 'f2':
      return (v, at) => halfToFloat(v.getUint16(at, le));
    case 'i8':
      return (v, at) => Number(v.getBigInt64(at, le));
    case 'i4':
      return (v, at) => v.getInt32(at, le);
    case 'i2':
      return (v, at) => v.getInt16(at, le);
    case 'i1':
      return (v, at) => v.getInt8(at);
    case 'u8':
      return (v, at) => Number(v.getBigUint64(at, le));
    case 'u4':
      return (v, at) => v.getUint32(at, le);
    case 'u2':
      return (v, at) => v.getUint16(at, le);
    case 'u1':
    case 'b1':
      return (v, at) => v.getUint8(at);
    default:
      return null;
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Reads a .npy file. */
export function readNpy(file: string): DecodedArray {
  const size = fs.statSync(file).size;
  if (size > MAX_ARRAY_BYTES) throw unreadable(file, `it is larger than ${MAX_ARRAY_BYTES / 2 ** 20} MiB`);
  return decodeNpy(fs.readFileSync(file), file);
}

/** The .npy members of a .npz (zip) archive, by name without ".npy"; only stored and deflated members (what numpy writes). */
export function readNpz(file: string): Map<string, DecodedArray> {
  const size = fs.statSync(file).size;
  if (size > MAX_ARRAY_BYTES) throw unreadable(file, `it is larger than ${MAX_ARRAY_BYTES / 2 ** 20} MiB`);
  const zip = fs.readFileSync(file);
  // the end-of-central-directory record is in the last 64 KiB + 22 bytes
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unreadable(file, 'not a zip archive (no end of central directory; truncated?)');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  if (p === 0xffffffff) throw unreadable(file, 'a zip64 archive, which this reader does not handle');
  const out = new Map<string, DecodedArray>();
  for (let n = 0; n < entries; n++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50)
      throw unreadable(file, 'a damaged central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (!name.endsWith('.npy')) continue;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50)
      throw unreadable(file, `member ${name} is damaged`);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    if (compressed === 0xffffffff) throw unreadable(file, `member ${name} is zip64`);
    const raw = zip.subarray(dataStart, dataStart + compressed);
    let bytes: Buffer;
    try {
      bytes = method === 0 ? raw : method === 8 ? zlib.inflateRawSync(raw) : Buffer.alloc(0);
    } catch (e) {
      throw unreadable(file, `member ${name} does not inflate: ${(e as Error).message}`);
    }
    if (method !== 0 && method !== 8) throw unreadable(file, `member ${name} uses zip method ${method}`);
    out.set(name.slice(0, -4), decodeNpy(bytes, `${file}:${name}`));
  }
  return out;
}
