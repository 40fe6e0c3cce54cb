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

/** A cache of file hashes keyed by (device, inode, size, mtime, ctime), so unchanged data is not read again. */
export class HashCacheRepository {
  private readonly db: Database.Database;
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;

  constructor(db: Database.Database) {
    this.db = db;
    this.select = db
      .prepare('SELECT sha256 FROM hash_cache WHERE dev = ? AND ino = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ?')
      .pluck();
    this.upsert =
      db.prepare(`INSERT INTO hash_cache (dev, ino, size, mtime_ns, ctime_ns, sha256) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (dev, ino) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,
      sha256 = excluded.sha256`);
  }

  /** The cached hash of a file whose identity is unchanged, or null. */
  lookup(id: FileIdentity): string | null {
    return (this.select.get(id.dev, id.ino, id.size, id.mtimeNs, id.ctimeNs) as string | undefined) ?? null;
  }

  /** Records many hashes in one transaction. */
  remember(entries: readonly { id: FileIdentity; sha256: string }[]): void {
    if (entries.length === 0) return;
    this.db.transaction(() => {
      for (const e of entries) this.upsert.run(e.id.dev, e.id.ino, e.id.size, e.id.mtimeNs, e.id.ctimeNs, e.sha256);
    })();
  }
}
