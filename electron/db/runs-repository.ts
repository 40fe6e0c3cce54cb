// RunsRepository: saves and reads snapshots with their list columns and metric histories, lists, edits and deletes runs.
import type Database from 'better-sqlite3';
import { gzipSync } from 'node:zlib';
import { ReproError } from '../../shared/errors';
import { copyRecord, emptyRecord, recordOf } from '../../shared/records';
import { decodeSnapshot, encodeSnapshot } from '../../shared/snapshot/snapshot-codec';
import { SNAPSHOT_SCHEMA_VERSION, type RunSummary, type Snapshot } from '../../shared/snapshot/snapshot';
import { formatCommand } from '../../shared/mlflow/shell-quote';
import { BlobRepository, type PendingBlob } from './blob-repository';
import { decodeHistory, encodeHistory, splitHistories, type EncodedHistory } from './metric-history-codec';
import { groupSizeSql, listSql, metricSortSql, type RunListFilter, type SqlPart } from './runs-query';
import { redactRecord } from '../../shared/snapshot/secrets';
import { snapshotCellText } from './snapshot-cell';

export type { RunListFilter } from './runs-query';
export type { EncodedHistory } from './metric-history-codec';

/** A run ready to write: the snapshot without histories (list columns), its stored JSON, its histories encoded. */
export interface EncodedRun {
  /** The snapshot (histories, if any, are ignored: `histories` holds them). */
  snapshot: Snapshot;
  /** `encodeSnapshot` of the snapshot with every history set to null, as a snapshot cell: gzip, or plain UTF-8 (snapshot-cell.ts). */
  storedJson: Buffer;
  histories: readonly EncodedHistory[];
  /** Identifies an imported run for idempotent re-import. */
  sourceKey: string | null;
  /** The digest of the source record an import built it from; any other write clears it. */
  importDigest?: string | null;
  /** The fingerprint of the source run's cheap facts (see migration 9), where the reader gives one. */
  importFingerprint?: string | null;
  /** The caller knows no run with this id is stored: its side rows need no clearing first (an import's new runs). */
  fresh?: boolean;
}

/** Filters, sort and page of the run list. */
export interface RunListQuery extends RunListFilter {
  limit?: number;
  offset?: number;
}

interface RunRow {
  id: string;
  name: string | null;
  kind: Snapshot['kind'];
  project: string | null;
  created_at: string;
  status: Snapshot['outcome']['status'];
  exit_code: number | null;
  commit_sha: string | null;
  command: string;
  audit_id: string | null;
}

/** Reads and writes snapshots; each write is one transaction with its blobs and metric rows. */
export class RunsRepository {
  private readonly db: Database.Database;
  readonly blobs: BlobRepository;
  private readonly insertRun: Database.Statement;
  private readonly updateImportDigest: Database.Statement;
  private readonly deleteMetrics: Database.Statement;
  private readonly insertMetric: Database.Statement;
  private readonly selectSnapshot: Database.Statement;
  private readonly selectCreatedAt: Database.Statement;
  private readonly selectByPrefix: Database.Statement;
  private readonly selectByPrefixRange: Database.Statement;
  private readonly selectBySourceKey: Database.Statement;
  private readonly countRuns: Database.Statement;
  private readonly selectMetricsFor: Database.Statement;
  private readonly selectParamsFor: Database.Statement;
  private readonly selectTagsFor: Database.Statement;
  private readonly deleteSide: Database.Statement[];
  private readonly insertParam: Database.Statement;
  private readonly insertTag: Database.Statement;
  private readonly insertBlobRef: Database.Statement;
  private readonly deleteHistories: Database.Statement;
  private readonly insertHistory: Database.Statement;
  private readonly selectHistories: Database.Statement;

  constructor(db: Database.Database) {
    this.db = db;
    this.blobs = new BlobRepository(db);
    // Positional parameters: an import binds ~10,000 of these rows, and an object per row costs a lookup per name.
    this.insertRun =
      db.prepare(`INSERT INTO runs (id, name, kind, project, created_at, status, exit_code, commit_sha, command, audit_id, source_key, snapshot_version, snapshot, import_digest, import_fingerprint)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status, exit_code = excluded.exit_code,
        commit_sha = excluded.commit_sha, command = excluded.command, audit_id = excluded.audit_id, source_key = excluded.source_key,
        snapshot_version = excluded.snapshot_version, snapshot = excluded.snapshot, project = excluded.project, import_digest = excluded.import_digest,
        import_fingerprint = excluded.import_fingerprint`);
    this.updateImportDigest = db.prepare('UPDATE runs SET import_digest = ?, import_fingerprint = ? WHERE id = ?');
    this.deleteMetrics = db.prepare('DELETE FROM run_metrics WHERE run_id = ?');
    this.insertMetric = db.prepare('INSERT INTO run_metrics (run_id, name, value) VALUES (?, ?, ?)');
    this.selectSnapshot = db.prepare('SELECT snapshot FROM runs WHERE id = ?');
    this.selectCreatedAt = db.prepare('SELECT created_at FROM runs WHERE id = ?');
    this.selectByPrefix = db.prepare("SELECT id FROM runs WHERE id LIKE ? || '%' ESCAPE '\\' LIMIT 2");
    this.selectByPrefixRange = db.prepare('SELECT id FROM runs WHERE id >= ? AND id < ? || char(1114111) LIMIT 2');
    this.selectBySourceKey = db.prepare('SELECT id, snapshot FROM runs WHERE source_key = ?');
    this.countRuns = db.prepare('SELECT count(*) AS n FROM runs');
    this.selectMetricsFor = db.prepare(
      'SELECT run_id, name, value FROM run_metrics WHERE run_id IN (SELECT value FROM json_each(?))',
    );
    this.selectParamsFor = db.prepare(
      'SELECT run_id, key, value FROM run_params WHERE run_id IN (SELECT value FROM json_each(?))',
    );
    this.selectTagsFor = db.prepare(
      'SELECT run_id, key, substr(value, 1, 500) AS value FROM run_tags WHERE run_id IN (SELECT value FROM json_each(?))',
    );
    this.deleteSide = ['run_params', 'run_tags', 'run_blobs'].map((t) =>
      db.prepare(`DELETE FROM ${t} WHERE run_id = ?`),
    );
    this.insertParam = db.prepare('INSERT OR REPLACE INTO run_params (run_id, key, value) VALUES (?, ?, ?)');
    this.insertTag = db.prepare('INSERT OR REPLACE INTO run_tags (run_id, key, value) VALUES (?, ?, ?)');
    this.insertBlobRef = db.prepare('INSERT OR IGNORE INTO run_blobs (run_id, sha256) VALUES (?, ?)');
    this.deleteHistories = db.prepare('DELETE FROM metric_histories WHERE run_id = ?');
    this.insertHistory = db.prepare('INSERT INTO metric_histories (run_id, name, points, data) VALUES (?, ?, ?, ?)');
    this.selectHistories = db.prepare('SELECT name, points, data FROM metric_histories WHERE run_id = ?');
  }

  /** Stores a snapshot with its blobs in one transaction; `sourceKey` identifies an imported run for idempotent re-import. */
  save(snapshot: Snapshot, blobs: readonly PendingBlob[] = [], sourceKey: string | null = null): void {
    this.db.transaction(() => this.saveInTransaction(snapshot, blobs, sourceKey))();
  }

  /** The body of `save`, for callers that batch many snapshots in their own transaction. */
  saveInTransaction(snapshot: Snapshot, blobs: readonly PendingBlob[], sourceKey: string | null): void {
    for (const blob of blobs) this.blobs.put(blob);
    // The one redaction pass: no string of a stored snapshot keeps a secret (argv, params, tags, patch, URLs…).
    redactRecord(snapshot);
    const { skeleton, histories } = splitHistories(snapshot);
    this.saveEncodedInTransaction({
      snapshot: skeleton,
      storedJson: gzipSync(encodeSnapshot(skeleton), { level: 6 }),
      histories: histories.map((h) => ({ name: h.name, points: h.points.length, data: encodeHistory(h.points) })),
      sourceKey,
    });
  }

  /**
   * Writes a run the caller encoded (imports compress thousands off the main thread); `snapshot`
   * gives only the list columns and metric values, `storedJson` and `histories` what is stored.
   */
  saveEncodedInTransaction(run: EncodedRun): void {
    const { snapshot, storedJson, sourceKey } = run;
    this.insertRun.run(
      snapshot.id,
      snapshot.name,
      snapshot.kind,
      snapshot.project.name,
      snapshot.createdAt,
      snapshot.outcome.status,
      snapshot.outcome.exitCode,
      snapshot.code.commit,
      formatCommand(snapshot.process.argv),
      snapshot.auditId,
      sourceKey,
      SNAPSHOT_SCHEMA_VERSION,
      storedJson,
      run.importDigest ?? null,
      run.importFingerprint ?? null,
    );
    if (!run.fresh) this.deleteHistories.run(snapshot.id);
    for (const h of run.histories) this.insertHistory.run(snapshot.id, h.name, h.points, h.data);
    if (!run.fresh) this.deleteMetrics.run(snapshot.id);
    for (const [name, metric] of Object.entries(snapshot.outcome.metrics)) {
      this.insertMetric.run(snapshot.id, name, Number.isNaN(metric.value) ? null : metric.value);
    }
    this.saveColumnRows(snapshot, run.fresh ?? false);
  }

  /** The parameter, tag and blob rows of a snapshot (what the list filters and sorts by, what a delete frees). */
  private saveColumnRows(snapshot: Snapshot, fresh = false): void {
    if (!fresh) for (const del of this.deleteSide) del.run(snapshot.id);
    for (const [k, v] of Object.entries(snapshot.process.parameters)) this.insertParam.run(snapshot.id, k, v);
    for (const [k, v] of Object.entries(snapshot.tags)) this.insertTag.run(snapshot.id, k, v);
    for (const ref of [snapshot.outcome.logs.stdout, snapshot.outcome.logs.stderr])
      if (ref) this.insertBlobRef.run(snapshot.id, ref.blob);
  }

  /** The snapshot of a run by full id (without its stored histories, `history: null`, if asked), or throws NOT_FOUND. */
  get(id: string, options: { histories?: boolean } = {}): Snapshot {
    const row = this.selectSnapshot.get(id) as { snapshot: Buffer } | undefined;
    if (!row) throw new ReproError('NOT_FOUND', `no run with id ${id}`, 'List runs with `reproscope runs`.');
    const snapshot = decodeSnapshot(snapshotCellText(row.snapshot), `run ${id}`);
    return options.histories === false ? snapshot : this.withHistories(snapshot);
  }

  /** Puts the stored histories back into a snapshot read from its JSON. */
  private withHistories(snapshot: Snapshot): Snapshot {
    for (const h of this.selectHistories.all(snapshot.id) as EncodedHistory[]) {
      const m = snapshot.outcome.metrics[h.name];
      // A history whose metric the snapshot lacks cannot be shown anywhere; it is left where it is.
      if (m) m.history = decodeHistory(h.data, h.points, `run ${snapshot.id} metric ${h.name}`);
    }
    return snapshot;
  }

  /** The stored histories of a run, encoded (what an import compares a rebuilt run with). */
  encodedHistories(id: string): EncodedHistory[] {
    return this.selectHistories.all(id) as EncodedHistory[];
  }

  /** The id and snapshot stored for an imported run's source key, if any. */
  findBySourceKey(sourceKey: string): Snapshot | null {
    const row = this.selectBySourceKey.get(sourceKey) as { id: string; snapshot: Buffer } | undefined;
    return row ? this.withHistories(decodeSnapshot(snapshotCellText(row.snapshot), `run ${row.id}`)) : null;
  }

  /**
   * Imported runs whose source key starts with `prefix`, by source key (one query for a whole re-import):
   * id, the digest of the record they were built from (null if unknown), and readers of the creation time and
   * of the gzipped snapshot text without histories (only runs whose digest does not settle the question need it;
   * their histories come from `encodedHistories`).
   */
  importedUnder(prefix: string): ImportedRuns {
    const rows = new Map<string, string>();
    const query = this.db.prepare(
      'SELECT source_key, id, import_digest, import_fingerprint FROM runs WHERE source_key >= ? AND source_key < ? || char(1114111)',
    );
    for (const [key, id, digest, fingerprint] of query.raw().iterate(prefix, prefix) as Iterable<
      [string, string, string | null, string | null]
    >)
      rows.set(key.slice(prefix.length), packImported(id, digest, fingerprint));
    return new ImportedRuns(prefix, rows, {
      snapshot: (id) => (this.selectSnapshot.get(id) as { snapshot: Buffer }).snapshot,
      createdAt: (id) => (this.selectCreatedAt.get(id) as { created_at: string }).created_at,
    });
  }

  /** Records the digest of the source record an imported run (already stored, found unchanged) was built from. */
  rememberImportDigest(id: string, importDigest: string, importFingerprint: string | null = null): void {
    this.updateImportDigest.run(importDigest, importFingerprint, id);
  }

  /** Resolves a unique id prefix to a full id: NOT_FOUND or AMBIGUOUS_ID otherwise. */
  resolveId(prefix: string): string {
    const clean = prefix.trim().toLowerCase();
    if (!/^[0-9a-z_-]+$/.test(clean))
      throw new ReproError(
        'INVALID_INPUT',
        `"${prefix}" is not a run id`,
        'Run ids are hex digits; list them with `reproscope runs`.',
      );
    // ids are written in lower case: a range of the primary key finds them without reading every row; the
    // case-blind LIKE (a scan) only when that finds none, so an id written otherwise is still found
    let rows = this.selectByPrefixRange.all(clean, clean) as { id: string }[];
    if (rows.length === 0) rows = this.selectByPrefix.all(clean.replace(/[%_\\]/g, '\\$&')) as { id: string }[];
    if (rows.length === 0)
      throw new ReproError('NOT_FOUND', `no run matches "${prefix}"`, 'List runs with `reproscope runs`.');
    if (rows.length > 1)
      throw new ReproError('AMBIGUOUS_ID', `"${prefix}" matches more than one run`, 'Type more characters of the id.');
    return rows[0]!.id;
  }

  /** The number of stored runs. */
  count(): number {
    return (this.countRuns.get() as { n: number }).n;
  }

  /** The number of rows a list would hold without its limit (pages need the full count; a group of reruns is one row). */
  countMatching(query: RunListQuery = {}): number {
    const { count } = listSql(query, { limit: 1, offset: 0 });
    return (this.db.prepare(count.sql).get(count.params) as { n: number }).n;
  }

  /** Run summaries, newest first unless sorted, filtered; each with its metrics, parameters and tags. */
  list(query: RunListQuery = {}): RunSummary[] {
    const rows = this.pageRows(query, query.limit ?? 1000, query.offset ?? 0);
    // One query per kind of value for the whole page, not one per row.
    const ids = JSON.stringify(rows.map((r) => r.id));
    const metricsByRun = new Map<string, Record<string, number>>();
    for (const m of this.selectMetricsFor.all(ids) as { run_id: string; name: string; value: number | null }[]) {
      let rec = metricsByRun.get(m.run_id);
      if (!rec) metricsByRun.set(m.run_id, (rec = emptyRecord()));
      rec[m.name] = m.value ?? NaN;
    }
    const byRun = (stmt: Database.Statement): Map<string, Record<string, string>> => {
      const out = new Map<string, Record<string, string>>();
      for (const m of stmt.all(ids) as { run_id: string; key: string; value: string }[]) {
        let rec = out.get(m.run_id);
        if (!rec) out.set(m.run_id, (rec = emptyRecord()));
        rec[m.key] = m.value;
      }
      return out;
    };
    const params = byRun(this.selectParamsFor);
    const tags = byRun(this.selectTagsFor);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      project: r.project,
      createdAt: r.created_at,
      status: r.status,
      exitCode: r.exit_code,
      commit: r.commit_sha,
      command: r.command,
      auditId: r.audit_id,
      metrics: metricsByRun.get(r.id) ?? emptyRecord(),
      params: params.get(r.id) ?? emptyRecord(),
      tags: tags.get(r.id) ?? emptyRecord(),
      ...(query.groupReruns && r.kind === 'rerun' && r.audit_id
        ? { groupSize: this.groupSize(query, r.audit_id) }
        : {}),
    }));
  }

  /**
   * Renames a run and sets or removes its tags, in its snapshot and in the list's rows. The import
   * digest is kept, so re-importing an unchanged MLflow run does not undo the user's edits.
   */
  edit(id: string, change: RunEdit): Snapshot {
    return this.db.transaction(() => {
      const snapshot = this.get(id);
      if (change.name !== undefined) snapshot.name = change.name;
      const tags = copyRecord(snapshot.tags);
      for (const k of change.removeTags ?? []) delete tags[k];
      Object.assign(tags, change.setTags ?? {}); // a null-prototype target: `__proto__` is a key like the others
      snapshot.tags = recordOf(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      redactRecord(snapshot); // a note or tag typed by the user goes through the same filter
      // The histories did not change: only the JSON without them is written again.
      this.db
        .prepare('UPDATE runs SET name = ?, snapshot = ? WHERE id = ?')
        .run(snapshot.name, gzipSync(encodeSnapshot(splitHistories(snapshot).skeleton), { level: 6 }), id);
      this.saveColumnRows(snapshot);
      return snapshot;
    })();
  }

  /** Deletes runs with their metric, parameter and tag rows, and the blobs (logs) no remaining run uses. */
  deleteRuns(ids: readonly string[]): { deleted: number; blobsFreed: number } {
    return this.db.transaction(() => {
      const json = JSON.stringify(ids);
      const candidates = this.db
        .prepare('SELECT DISTINCT sha256 FROM run_blobs WHERE run_id IN (SELECT value FROM json_each(?))')
        .all(json) as { sha256: string }[];
      const deleted = this.db
        .prepare('DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))')
        .run(json).changes;
      const free = this.db.prepare(
        'DELETE FROM blobs WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM run_blobs WHERE sha256 = ?)',
      );
      let blobsFreed = 0;
      for (const { sha256 } of candidates) blobsFreed += free.run(sha256, sha256).changes;
      return { deleted, blobsFreed };
    })();
  }

  private pageRows(query: RunListQuery, limit: number, offset: number): RunRow[] {
    const all = (q: SqlPart): RunRow[] => this.db.prepare(q.sql).all(q.params) as RunRow[];
    if (query.sort?.key.type !== 'metric') return all(listSql(query, { limit, offset }).list);
    const m = metricSortSql(query);
    const first = all(m.withValue(limit, offset));
    if (first.length === limit) return first;
    // the page reaches past the runs with a value: where they end, then the runs without one
    const withValue =
      first.length > 0
        ? offset + first.length
        : (this.db.prepare(m.countWithValue().sql).get(m.countWithValue().params) as { n: number }).n;
    return [...first, ...all(m.withoutValue(limit - first.length, Math.max(0, offset - withValue)))];
  }

  private groupSize(query: RunListQuery, auditId: string): number {
    const { sql, params } = groupSizeSql(query, auditId);
    return (this.db.prepare(sql).get(params) as { n: number }).n;
  }

  /** Every metric, parameter and tag name in the store, with how many runs have it: the columns a table can show. */
  columnNames(): { metrics: NameCount[]; params: NameCount[]; tags: NameCount[] } {
    const names = (table: string, col: string): NameCount[] =>
      this.db
        .prepare(`SELECT ${col} AS name, count(*) AS runs FROM ${table} GROUP BY ${col} ORDER BY ${col}`)
        .all() as NameCount[];
    return {
      metrics: names('run_metrics', 'name'),
      params: names('run_params', 'key'),
      tags: names('run_tags', 'key'),
    };
  }
}

/** An imported run as a re-import first sees it: ids, the digest and fingerprint it was stored with, its JSON on demand. */
export interface ImportedRun {
  id: string;
  createdAt: string;
  importDigest: string | null;
  importFingerprint: string | null;
  storedJson: () => Buffer;
}

/** How a packed entry reads what it does not hold: the run's stored snapshot text and creation time. */
type StoredRunReads = { snapshot: (id: string) => Buffer; createdAt: (id: string) => string };

/** A null digest or fingerprint in a packed entry (a digest is never this character). */
const NONE = '\u0001';

/** One stored run as one string: id, digest and fingerprint, NUL-separated. */
function packImported(id: string, digest: string | null, fingerprint: string | null): string {
  return `${id}\0${digest ?? NONE}\0${fingerprint ?? NONE}`;
}

/**
 * The runs earlier imports stored under one source, by source key. Why not a Map of objects: a re-import
 * of 100k runs holds all of them for the whole import, and an object, a closure and five strings per run
 * were most of its heap (and V8 grows the heap in proportion to what stays alive). Each run is one key
 * without the shared prefix and one packed string; what is rarely needed is read from the store on demand.
 */
export class ImportedRuns {
  constructor(
    private readonly prefix: string,
    private readonly rows: Map<string, string>,
    private readonly read: StoredRunReads,
  ) {}

  /** How many runs are stored under the prefix. */
  get size(): number {
    return this.rows.size;
  }

  /** The stored run with this source key, if any. */
  get(sourceKey: string): ImportedRun | undefined {
    if (!sourceKey.startsWith(this.prefix)) return undefined;
    const packed = this.rows.get(sourceKey.slice(this.prefix.length));
    return packed === undefined ? undefined : new PackedRun(packed, this.read);
  }

  /** The stored run whose source key is the prefix and then `rest` (a source's run id): no key built, per run of a re-import. */
  under(rest: string): ImportedRun | undefined {
    const packed = this.rows.get(rest);
    return packed === undefined ? undefined : new PackedRun(packed, this.read);
  }
}

/** One packed entry read as an ImportedRun: fields cut out of the string when asked for (most runs need one or two). */
class PackedRun implements ImportedRun {
  constructor(
    private readonly packed: string,
    private readonly read: StoredRunReads,
  ) {}

  get id(): string {
    return this.packed.slice(0, this.packed.indexOf('\0'));
  }

  get createdAt(): string {
    return this.read.createdAt(this.id);
  }

  get importDigest(): string | null {
    const d = this.packed.slice(this.packed.indexOf('\0') + 1, this.packed.lastIndexOf('\0'));
    return d === NONE ? null : d;
  }

  get importFingerprint(): string | null {
    const f = this.packed.slice(this.packed.lastIndexOf('\0') + 1);
    return f === NONE ? null : f;
  }

  storedJson(): Buffer {
    return this.read.snapshot(this.id);
  }
}

/** A change to a run: its name (null clears it) and tags to set or remove. */
export interface RunEdit {
  name?: string | null;
  setTags?: Record<string, string>;
  removeTags?: readonly string[];
}

/** A column name and the number of runs that have a value for it. */
export interface NameCount {
  name: string;
  runs: number;
}
