/** Reading a file store's meta.yaml files and key files (params, tags, metrics) from unknown, without leaving the store. */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { MlflowMetricColumns } from '../../../shared/mlflow/mlflow-records';
import { parseMetricBytes } from './import-file-metrics';
import { z } from 'zod';
import {
  readStoreBytes,
  readStoreFile,
  storeEntryKind,
  storePathKind,
  type StoreBytesRead,
  type StoreEntryKind,
  type StoreFileRead,
} from './store-files';

// As store-files opens: never through a link, never blocking on a FIFO.
const LISTED_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/**
 * Reads a file its folder listing called a regular file: one call (open, read, close in C++) instead of
 * open, fstat, read and close from JS. The listing stands in for the fstat; a link cannot be opened
 * (O_NOFOLLOW) and any failure goes the careful way, which says why.
 */
function readListedFile(root: string, file: string): StoreFileRead {
  try {
    // Node takes numeric flags here (fs.readFileSync passes them to open as they are); @types/node says only strings.
    const flag = LISTED_FLAGS as unknown as string;
    return { ok: true, text: fs.readFileSync(file, { encoding: 'utf8', flag }) };
  } catch {
    return readStoreFile(root, file);
  }
}

/** readListedFile's bytes (a metric file is parsed from them without a string). */
function readListedBytes(root: string, file: string): StoreBytesRead {
  try {
    const flag = LISTED_FLAGS as unknown as string;
    return { ok: true, bytes: fs.readFileSync(file, { flag }) };
  } catch {
    return readStoreBytes(root, file);
  }
}

const idText = z.union([z.string(), z.number().int()]).transform(String);
const millis = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .nullable()
  .optional();

/** An experiment's meta.yaml. */
export const ExperimentMetaSchema = z
  .object({
    experiment_id: idText,
    name: z.string(),
    artifact_location: z.string().nullable().optional(),
    lifecycle_stage: z.string().nullable().optional(),
  })
  .passthrough();

/** A run's meta.yaml. */
export const RunMetaSchema = z
  .object({
    run_uuid: z.string().optional(),
    run_id: z.string().optional(),
    experiment_id: idText,
    status: z.union([z.number().int(), z.string()]).nullable().optional(),
    start_time: millis,
    end_time: millis,
    lifecycle_stage: z.string().nullable().optional(),
    user_id: z.string().nullable().optional(),
    artifact_uri: z.string().nullable().optional(),
    run_name: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    source_type: z.union([z.number().int(), z.string()]).nullable().optional(),
    source_name: z.string().nullable().optional(),
    entry_point_name: z.string().nullable().optional(),
    source_version: z.string().nullable().optional(),
  })
  .passthrough();

/** A dataset's meta.yaml (`<exp>/datasets/<id>/`). */
export const DatasetMetaSchema = z
  .object({
    name: z.string(),
    digest: z.string().nullable().optional(),
    source_type: z.string().nullable().optional(),
    source: z.string().nullable().optional(),
    schema: z.string().nullable().optional(),
  })
  .passthrough();

/** A run input's meta.yaml. */
export const InputMetaSchema = z
  .object({
    source_type: z.union([z.string(), z.number()]).optional(),
    source_id: z.string(),
    tags: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .nullable()
      .optional(),
  })
  .passthrough();

/** A run output's meta.yaml. */
export const OutputMetaSchema = z
  .object({
    destination_id: z.string().optional(),
    destination_type: z.union([z.string(), z.number()]).optional(),
  })
  .passthrough();

/** A logged model's meta.yaml (MLflow 3). */
export const LoggedModelMetaSchema = z
  .object({
    model_id: z.string().optional(),
    name: z.string().nullable().optional(),
    source_run_id: z.string().nullable().optional(),
  })
  .passthrough();

/** A meta.yaml scalar in MLflow's flat `key: value` form, or undefined when the line needs a full YAML parser. */
function flatScalar(text: string): unknown {
  if (text === '' || text === 'null' || text === '~') return null;
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (text === 'true') return true;
  if (text === 'false') return false;
  // A leading zero means an id, not a number (PyYAML quotes such ids, but hand-made files may not).
  if (/^-?\d+$/.test(text)) return /^-?0\d/.test(text) ? text : Number(text);
  if (/^-?\d+\.\d*(e[+-]?\d+)?$/i.test(text)) return Number(text);
  if (text.startsWith("'")) return /^'([^']|'')*'$/.test(text) ? text.slice(1, -1).replace(/''/g, "'") : undefined;
  if (/^[&*!|>%@`"{[#?:,\]}-]/.test(text) || text.includes(': ') || text.includes(' #') || /\s$/.test(text))
    return undefined;
  return text;
}

/** Parses a meta.yaml: MLflow writes flat mappings, read here without a YAML parser; anything else goes through one. */
export function parseMetaYaml(text: string): unknown {
  const out: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line === '\r') continue;
    const m = /^([A-Za-z_][\w]*): ?(.*?)\r?$/.exec(line);
    const value = m ? flatScalar(m[2]!) : undefined;
    if (!m || value === undefined) return YAML.parse(text);
    out[m[1]!] = value;
  }
  return out;
}

/** Reads and parses a meta.yaml of the store, or says why not. */
export function readMeta<T extends z.ZodType>(
  root: string,
  file: string,
  schema: T,
  listed?: fs.Dirent | { text: string },
): { ok: true; value: z.output<T> } | { ok: false; reason: string } {
  let text: string;
  if (listed !== undefined && 'text' in listed) text = listed.text;
  else {
    const read = listed?.isFile() ? readListedFile(root, file) : readStoreFile(root, file);
    if (!read.ok)
      return { ok: false, reason: `meta.yaml ${read.reason}${read.code === 'LINK_OUT' ? '; not followed' : ''}` };
    text = read.text;
  }
  let raw: unknown;
  try {
    raw = parseMetaYaml(text);
  } catch (e) {
    return { ok: false, reason: `meta.yaml is not valid YAML (${(e as Error).message.split('\n')[0]})` };
  }
  if (raw === null || raw === undefined) return { ok: false, reason: 'meta.yaml is empty' };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `meta.yaml is not in MLflow's format (${issue ? `${issue.path.join('.') || 'root'}: ${issue.message}` : 'invalid'})`,
    };
  }
  return { ok: true, value: parsed.data };
}

/** The real sub-folders of a folder, sorted (none when it cannot be listed). */
export function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** A file the stamp walk read (import-file-fingerprint.ts): its fstat, and what was taken of it (text, or a metric's columns or why they could not be read). */
export interface PreRead {
  stats: fs.Stats;
  value: string | MlflowMetricColumns | Error;
}

/** What readKeyFiles is given: where to note what it leaves out, the listings and files a stamp walk made, the entry of `sub`. */
export interface KeyFileOptions {
  notes: string[];
  listings?: Map<string, fs.Dirent[]>;
  entry?: fs.Dirent;
  /** Files already read (by the stamp walk), by path. */
  preread?: Map<string, PreRead>;
}

/**
 * Reads every file below a run's folder `sub` (params, tags, metrics) as name → text (names may contain
 * `/`, as MLflow allows in keys). MLflow never writes links: a link out of the store, a folder link (which
 * could loop) and anything that is not a regular file are left out, each named in `notes`.
 */
export function readKeyFiles(root: string, runDir: string, sub: string, options: KeyFileOptions): Map<string, string> {
  const reader: KeyReader<{ ok: true; text: string }, string> = {
    listed: readListedFile,
    careful: readStoreFile,
    value: (read) => read.text,
    preread: (value) => value as string,
  };
  return readKeys(root, runDir, sub, { ...options, reader });
}

/** readKeyFiles of metric files, each parsed from its bytes into columns (throws the first file's sentence that cannot be). */
export function readKeyColumns(
  root: string,
  runDir: string,
  sub: string,
  options: KeyFileOptions,
): Map<string, MlflowMetricColumns> {
  const reader: KeyReader<{ ok: true; bytes: Buffer }, MlflowMetricColumns> = {
    listed: readListedBytes,
    careful: readStoreBytes,
    value: (read, name) => parseMetricBytes(name, read.bytes),
    preread: (value) => {
      if (value instanceof Error) throw value;
      return value as MlflowMetricColumns;
    },
  };
  return readKeys(root, runDir, sub, { ...options, reader });
}

/** How readKeys reads a file and what it keeps of it: text or columns. */
interface KeyReader<R extends { ok: true }, T> {
  listed: (root: string, file: string) => R | { ok: false; code: string; reason: string };
  careful: (root: string, file: string) => R | { ok: false; code: string; reason: string };
  value: (read: R, name: string) => T;
  preread: (value: PreRead['value']) => T;
}

function readKeys<R extends { ok: true }, T>(
  root: string,
  runDir: string,
  sub: string,
  { notes, listings, entry, preread, reader }: KeyFileOptions & { reader: KeyReader<R, T> },
): Map<string, T> {
  const out = new Map<string, T>();
  const visit = (abs: string, prefix: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = listings?.get(abs) ?? fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      const name = prefix + e.name;
      // `abs` is normal and a listed name holds no separator: concatenation is path.join here, without its cost.
      const file = abs + path.sep + e.name;
      if (e.isDirectory()) {
        visit(file, `${name}/`);
        continue;
      }
      const kind = e.isFile() ? 'file' : storeEntryKind(root, file, e);
      if (kind === 'file') {
        const got = e.isFile() ? preread?.get(file) : undefined;
        if (got !== undefined) {
          out.set(name, reader.preread(got.value));
          continue;
        }
        const read = e.isFile() ? reader.listed(root, file) : reader.careful(root, file);
        if (read.ok) out.set(name, reader.value(read, name));
        else notes.push(`${sub}/${name} ${read.reason}; not read`);
      } else if (kind === 'link-out') notes.push(`${sub}/${name} links outside the MLflow store; not followed`);
      else if (kind === 'dir') notes.push(`${sub}/${name} is a folder link; not followed`);
      else notes.push(`${sub}/${name} is not a regular file; not read`);
    }
  };
  const top = path.join(runDir, sub);
  // The run folder's listing says what `sub` is (a real folder needs no lstat); a link is resolved as before.
  const kind: StoreEntryKind | null = entry?.isDirectory() ? 'dir' : storePathKind(root, top);
  if (kind === 'link-out') notes.push(`${sub} links outside the MLflow store; not followed`);
  else if (kind === 'dir') visit(top, '');
  else if (kind !== null) notes.push(`${sub} is not a folder; not read`);
  return out;
}

/** The sub-folders of a store folder, or none (with a note) when the folder itself links out of the store. */
export function listStoreDirs(root: string, dir: string, notes: string[], label: string): string[] {
  const kind = storePathKind(root, dir);
  if (kind === 'link-out') {
    notes.push(`${label} links outside the MLflow store; not followed`);
    return [];
  }
  return kind === 'dir' ? listDirs(dir) : [];
}
