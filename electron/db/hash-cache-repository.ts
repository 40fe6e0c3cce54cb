// HashCacheRepository: file hashes remembered by path and file identity, so an unchanged file is not read again.
import type Database from 'better-sqlite3';

/** The identity of a file's content as the file system sees it: if none of these changed, neither did the bytes. */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: number;
  mtimeNs: string;
  /** The inode's change time: a rewrite that puts back size and mtime still changes it. */
  ctimeNs: string;
}

/** The identity of a file from its (bigint) stat. */
export function fileIdentityOf(stat: {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}): FileIdentity {
  return {
    dev: String(stat.dev),
    ino: String(stat.ino),
    size: Number(stat.size),
    mtimeNs: String(stat.mtimeNs),
    ctimeNs: String(stat.ctimeNs),
  };
}

/** Rows per multi-row upsert (6 parameters each, far below SQLite's limit of 32,766). */
const ROWS_PER_INSERT = 64;

/** A cache of file hashes keyed by (device, inode, size, mtime, ctime), so unchanged data is not read again. */
export class HashCacheRepository {
  private readonly db: Database.Database;
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly upsertMany: Database.Statement;
  private readonly anyOnDevice: Database.Statement;

  constructor(db: Database.Database) {
    this.db = db;
    this.select = db
      .prepare('SELECT sha256 FROM hash_cache WHERE dev = ? AND ino = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ?')
      .pluck();
    const upsert = (rows: number): string =>
      `INSERT INTO hash_cache (dev, ino, size, mtime_ns, ctime_ns, sha256) VALUES ${Array<string>(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ')}
      ON CONFLICT (dev, ino) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,
      sha256 = excluded.sha256`;
    this.upsert = db.prepare(upsert(1));
    this.upsertMany = db.prepare(upsert(ROWS_PER_INSERT));
    // the primary key starts with dev, so this is one index probe
    this.anyOnDevice = db.prepare('SELECT EXISTS (SELECT 1 FROM hash_cache WHERE dev = ?)').pluck();
  }

  /** Whether any file on this device has a remembered hash: where none has, every lookup would miss. */
  holdsDevice(dev: string): boolean {
    return this.anyOnDevice.get(dev) === 1;
  }

  /** The cached hash of a file whose identity is unchanged, or null. */
  lookup(id: FileIdentity): string | null {
    return (this.select.get(id.dev, id.ino, id.size, id.mtimeNs, id.ctimeNs) as string | undefined) ?? null;
  }

  /**
   * Records many hashes in one transaction, ROWS_PER_INSERT rows a statement (a first capture adds a row per file,
   * and a statement per row cost a fifth more). A file listed twice (hard links) is one row, as before.
   */
  remember(entries: readonly { id: FileIdentity; sha256: string }[]): void {
    if (entries.length === 0) return;
    this.db.transaction(() => {
      const params: (string | number)[] = new Array<string | number>(6 * ROWS_PER_INSERT);
      let i = 0;
      for (; i + ROWS_PER_INSERT <= entries.length; i += ROWS_PER_INSERT) {
        for (let k = 0; k < ROWS_PER_INSERT; k++) {
          const e = entries[i + k]!;
          params[6 * k] = e.id.dev;
          params[6 * k + 1] = e.id.ino;
          params[6 * k + 2] = e.id.size;
          params[6 * k + 3] = e.id.mtimeNs;
          params[6 * k + 4] = e.id.ctimeNs;
          params[6 * k + 5] = e.sha256;
        }
        this.upsertMany.run(params);
      }
      for (const e of entries.slice(i))
        this.upsert.run(e.id.dev, e.id.ino, e.id.size, e.id.mtimeNs, e.id.ctimeNs, e.sha256);
    })();
  }
}
