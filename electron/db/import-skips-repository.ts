// ImportSkipsRepository: fingerprints of source runs an import skipped (deleted in MLflow), so the next import passes over them unread.
import type Database from 'better-sqlite3';

/** The fingerprints of skipped source runs, by source key (migration 11). */
export class ImportSkipsRepository {
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly select: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      'INSERT INTO import_skips (source_key, fingerprint) VALUES (?, ?) ON CONFLICT(source_key) DO UPDATE SET fingerprint = excluded.fingerprint',
    );
    this.remove = db.prepare('DELETE FROM import_skips WHERE source_key = ?');
    this.select = db.prepare(
      'SELECT source_key, fingerprint FROM import_skips WHERE source_key >= ? AND source_key < ? || char(1114111)',
    );
  }

  /** The fingerprints stored under a source prefix, by the rest of the key (the run id). */
  under(prefix: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, fingerprint] of this.select.raw().iterate(prefix, prefix) as Iterable<[string, string]>)
      out.set(key.slice(prefix.length), fingerprint);
    return out;
  }

  /** Remembers the fingerprint of a source run skipped this time. */
  remember(sourceKey: string, fingerprint: string): void {
    this.upsert.run(sourceKey, fingerprint);
  }

  /** Forgets a source run's skip (it was imported this time). */
  forget(sourceKey: string): void {
    this.remove.run(sourceKey);
  }
}
