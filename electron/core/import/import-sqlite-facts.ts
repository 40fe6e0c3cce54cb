/** An mlflow.db's cheap facts, streamed: run rows in chunks with their params and tags, datasets and logged models by run, and a run's fingerprint. */
import type Database from 'better-sqlite3';
import crypto, { createHash } from 'node:crypto';
import { emptyRecord } from '../../../shared/records';
import { stripCredentialsInText } from '../../../shared/mlflow/mlflow-snapshot';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import { DatasetRowSchema, LoggedModelRowSchema, runIndexOf } from './import-sqlite-schema';
import { parseWatermark, watermarkText, type MetricWatermark } from './import-sqlite-metrics';

/** Runs read per chunk: memory stays bounded whatever the store's size, and each chunk is one query per table. */
export const RUN_CHUNK = 500;

/**
 * A run's row as the store has it, with its params and tags as SQLite packed them: two JSON arrays each
 * (keys, values, in the table's order). The fingerprint hashes that text; only a run that is read
 * unpacks it (keyValues).
 */
export interface RunFacts {
  raw: Record<string, unknown>;
  params: PackedKeyValues | null;
  tags: PackedKeyValues | null;
}

/** Keys and values as two JSON arrays. */
export type PackedKeyValues = [keys: string, values: string];

/** A logged model of a run (MLflow 3). */
export interface RunModel {
  modelId: string;
  experimentId: string;
  name: string | null;
}

const ROWID = '~rowid';

type KeyValuesOf = (runIds: readonly string[]) => Map<string, PackedKeyValues>;

/** Unpacks params or tags (a key that is not text is left out; a null value reads as empty, a number as its text). */
export function keyValues(packed: PackedKeyValues | null): Record<string, string> {
  const out = emptyRecord<string>();
  if (packed === null) return out;
  const keys = JSON.parse(packed[0]) as unknown[];
  const values = JSON.parse(packed[1]) as unknown[];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = values[i];
    if (typeof k !== 'string' || !(v === null || typeof v === 'string' || typeof v === 'number')) continue;
    out[k] = v === null ? '' : String(v);
  }
  return out;
}

/**
 * The params or tags of a chunk of runs, packed by SQLite (one row per run instead of one per key):
 * through MLflow's run_uuid index, whose order within a run is the table's; without the index (old
 * stores), in the table's order by rowid, per chunk when the store is small, else the whole table once.
 */
function keyValuesOf(db: Database.Database, table: string, scanPerChunk: boolean): KeyValuesOf {
  const indexed = runIndexOf(db, table) !== null;
  const order = indexed ? '' : ' ORDER BY rowid';
  // A run with a key that is not text or a value that is neither text nor null (hand-made stores) is read
  // row by row instead: JSON would spell a real number differently from JavaScript, and cannot hold a blob.
  const packed = (where: string): string =>
    `SELECT run_uuid, json_group_array(CASE WHEN typeof(key) = 'text' THEN key END${order}),
      json_group_array(CASE WHEN typeof(value) IN ('text', 'null') THEN value END${order}),
      sum(typeof(key) != 'text' OR typeof(value) NOT IN ('text', 'null'))
    FROM ${table} ${where} GROUP BY run_uuid`;
  const rowsOf = db.prepare(`SELECT key, value FROM ${table} WHERE run_uuid = ? ORDER BY rowid`).raw();
  const byRows = (runId: string): PackedKeyValues => {
    const keys: string[] = [];
    const values: string[] = [];
    for (const [k, v] of rowsOf.iterate(runId) as Iterable<[unknown, unknown]>) {
      if (typeof k !== 'string' || !(v === null || typeof v === 'string' || typeof v === 'number')) continue;
      keys.push(k);
      values.push(v === null ? '' : String(v));
    }
    return [JSON.stringify(keys), JSON.stringify(values)];
  };
  const collect = (rows: Iterable<unknown>): Map<string, PackedKeyValues> => {
    const out = new Map<string, PackedKeyValues>();
    const odd: string[] = [];
    for (const [runId, keys, values, others] of rows as Iterable<[unknown, unknown, unknown, unknown]>) {
      if (typeof runId !== 'string' || typeof keys !== 'string' || typeof values !== 'string') continue;
      if (others) odd.push(runId);
      else out.set(runId, [keys, values]);
    }
    for (const runId of odd) out.set(runId, byRows(runId)); // once the aggregate's rows are all read
    return out;
  };
  if (indexed || scanPerChunk) {
    const stmt = db.prepare(packed(`WHERE run_uuid IN (${new Array(RUN_CHUNK).fill('?').join(',')})`)).raw();
    return (runIds) => {
      const args: (string | null)[] = [...runIds];
      while (args.length < RUN_CHUNK) args.push(null);
      return collect(stmt.iterate(args));
    };
  }
  let all: Map<string, PackedKeyValues> | null = null;
  return () => (all ??= collect(db.prepare(packed('')).raw().iterate()));
}

/** The store's runs in its own order (rowid), a chunk at a time; their params and tags are read for the runs asked. */
export class RunChunks {
  private after = Number.MIN_SAFE_INTEGER;
  private done = false;
  private readonly page: Database.Statement | null;
  private peek: Database.Statement | null = null;
  private readonly params: KeyValuesOf;
  private readonly tags: KeyValuesOf;

  constructor(
    private readonly db: Database.Database,
    expectedRuns: number,
  ) {
    const small = expectedRuns <= RUN_CHUNK * 2;
    this.params = keyValuesOf(db, 'params', small);
    this.tags = keyValuesOf(db, 'tags', small);
    let page: Database.Statement | null;
    try {
      page = db.prepare(`SELECT rowid AS "${ROWID}", * FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ${RUN_CHUNK}`);
    } catch {
      page = null; // no rowid to page by: one chunk of every row
    }
    this.page = page;
  }

  /** The next chunk of run rows (at most RUN_CHUNK), or null after the last. */
  next(): Record<string, unknown>[] | null {
    if (this.done) return null;
    let rows: Record<string, unknown>[];
    if (this.page) {
      rows = this.page.all(this.after) as Record<string, unknown>[];
      if (rows.length < RUN_CHUNK) this.done = true;
      // The rowid stays in the row (deleting it would turn 500 objects into slow dictionaries): it is read by name.
      if (rows.length > 0) this.after = Number(rows[rows.length - 1]![ROWID]);
    } else {
      rows = this.db.prepare('SELECT * FROM runs').all() as Record<string, unknown>[];
      this.done = true;
    }
    return rows.length === 0 ? null : rows;
  }

  /** The run and experiment ids of the chunk after the one `next` gave last (empty after the last), without moving on. */
  peekIds(): { runId: string; experimentId: string }[] {
    if (this.done || !this.page) return [];
    this.peek ??= this.db
      .prepare(`SELECT run_uuid, experiment_id FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ${RUN_CHUNK}`)
      .raw();
    // an experiment id is an INTEGER column (a number, or a bigint past 2^53); anything else names no folder to list
    return (this.peek.all(this.after) as unknown[][]).flatMap(([runId, expId]) =>
      typeof runId === 'string' && (typeof expId === 'number' || typeof expId === 'bigint' || typeof expId === 'string')
        ? [{ runId, experimentId: String(expId) }]
        : [],
    );
  }

  /** The facts of these rows of one chunk: each with its params and tags (one query per table). */
  factsOf(rows: readonly Record<string, unknown>[]): RunFacts[] {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => (typeof r.run_uuid === 'string' ? r.run_uuid : ''));
    const params = this.params(ids);
    const tags = this.tags(ids);
    return rows.map((raw, i) => ({ raw, params: params.get(ids[i]!) ?? null, tags: tags.get(ids[i]!) ?? null }));
  }
}

/** The dataset inputs of every run (few per run; read once). */
export function datasetsByRun(
  db: Database.Database,
  columns: Map<string, Set<string>>,
): Map<string, DeclaredDataset[]> {
  const out = new Map<string, DeclaredDataset[]>();
  if (!columns.has('datasets') || !columns.has('inputs')) return out;
  const context = columns.has('input_tags')
    ? "(SELECT t.value FROM input_tags t WHERE t.input_uuid = i.input_uuid AND t.name = 'mlflow.data.context')"
    : 'NULL';
  const rows = db
    .prepare(
      `SELECT i.destination_id AS run_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, ${context} AS context
      FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN'`,
    )
    .iterate();
  for (const raw of rows) {
    const row = DatasetRowSchema.safeParse(raw);
    if (!row.success) continue;
    const d = row.data;
    const list = out.get(d.run_uuid) ?? [];
    list.push({
      name: d.name,
      digest: d.digest ?? null,
      source: d.dataset_source ? stripCredentialsInText(d.dataset_source) : null,
      sourceType: d.dataset_source_type ?? null,
      schema: d.dataset_schema ?? null,
      context: d.context ?? null,
    });
    out.set(d.run_uuid, list);
  }
  return out;
}

/** MLflow 3's logged models by the run that logged them. */
export function modelsByRun(db: Database.Database, columns: Map<string, Set<string>>): Map<string, RunModel[]> {
  const out = new Map<string, RunModel[]>();
  if (!columns.get('logged_models')?.has('source_run_id')) return out;
  for (const raw of db.prepare('SELECT model_id, experiment_id, name, source_run_id FROM logged_models').iterate()) {
    const row = LoggedModelRowSchema.safeParse(raw);
    if (!row.success || !row.data.source_run_id) continue;
    const list = out.get(row.data.source_run_id) ?? [];
    list.push({ modelId: row.data.model_id, experimentId: row.data.experiment_id, name: row.data.name ?? null });
    out.set(row.data.source_run_id, list);
  }
  return out;
}

/**
 * A run's fingerprint, `<files>/<facts>.<watermark>`:
 * - a hash of the stamps of the run's artifact and model folders (files may change while the rows stay), or,
 *   starting with '~', of their lstats where they were all found empty (RunFolders);
 * - a hash of what MLflow rewrites when the run changes (its row, params, tags, datasets, models, and its
 *   experiment's name and stage, which the record holds);
 * - the metrics table's watermark when it was read (MetricMoves tells from it whether the history moved since).
 * While the store's token is the one recorded with the source (import_sources), no row changed since
 * every stored fingerprint was last checked: only the files part is compared.
 */
export interface Fingerprint {
  files: string;
  facts: string;
  watermark: MetricWatermark;
}

/** The files part of a fingerprint: the stamps of the run's artifact and model folders ('none' for a run without). */
export function filesPart(files: readonly string[]): string {
  return shortHash('', files.join('\0'));
}

/** The facts part of a fingerprint. */
export function factsPart(
  salt: string,
  facts: RunFacts & { datasets: DeclaredDataset[] | null; models: RunModel[] | null; experiment: unknown[] },
): string {
  return createHash('sha256')
    .update(salt)
    .update(JSON.stringify([facts.raw, facts.params, facts.tags, facts.datasets, facts.models, facts.experiment]))
    .digest('base64url');
}

/** A fingerprint as stored. */
export function fingerprintText(f: Fingerprint): string {
  return `${f.files}/${f.facts}.${watermarkText(f.watermark)}`;
}

/** A stored fingerprint's parts, or null for one of another form (an older build's: the run is then checked by its facts). */
export function parseFingerprint(text: string): Fingerprint | null {
  const m = /^(~?[\w-]+)\/([\w-]+)\.(.*)$/s.exec(text);
  const watermark = m ? parseWatermark(m[3]!) : null;
  return m && watermark ? { files: m[1]!, facts: m[2]!, watermark } : null;
}

/** 128 bits of SHA-256, base64url: enough to tell two stamps apart, and short in every stored run. */
export function shortHash(salt: string, text: string): string {
  if (oneShot) return oneShot('sha256', salt + text, 'base64url').slice(0, 22);
  return createHash('sha256').update(salt).update(text).digest('base64url').slice(0, 22);
}

/** Node's one-shot hash (Node ≥ 20.12; Electron's Node has it), a third of createHash's cost for short texts. */
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;
