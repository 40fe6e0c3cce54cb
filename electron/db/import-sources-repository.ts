// ImportSourcesRepository: the whole-store token recorded with each import source (migration 10).
import type Database from 'better-sqlite3';

/** The token of each import source's last import that checked all of its runs. */
export class ImportSourcesRepository {
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT store_token FROM import_sources WHERE source = ?').pluck();
    this.upsert = db.prepare(
      'INSERT INTO import_sources (source, store_token) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET store_token = excluded.store_token',
    );
    this.remove = db.prepare('DELETE FROM import_sources WHERE source = ?');
  }

  /** The token recorded for a source, or null. */
  token(source: string): string | null {
    const t: unknown = this.select.get(source);
    return typeof t === 'string' ? t : null;
  }

  /** Records a source's token, or forgets it (null: the source could give none this time). */
  remember(source: string, token: string | null): void {
    if (token === null) this.remove.run(source);
    else this.upsert.run(source, token);
  }
}
