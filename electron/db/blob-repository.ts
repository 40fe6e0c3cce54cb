// BlobRepository: content-addressed, gzip-compressed blobs (logs, large texts), their text passed through the secret filter first.
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ReproError } from '../../shared/errors';
import { redactSecrets } from '../../shared/snapshot/secrets';

/** A blob ready to be written: its hash and its bytes (uncompressed). */
export interface PendingBlob {
  sha256: string;
  data: Buffer;
}

/** Hashes bytes into a pending blob; text (logs, patches) goes through the secret filter first, so the hash is of what is kept. */
export function toPendingBlob(data: Buffer): PendingBlob {
  if (!data.includes(0)) {
    const text = data.toString('utf8');
    const redacted = redactSecrets(text);
    if (redacted.rules.length > 0) data = Buffer.from(redacted.text);
  }
  return { sha256: createHash('sha256').update(data).digest('hex'), data };
}

/** Content-addressed, gzip-compressed blobs (logs, large texts) kept in the store's blob table. */
export class BlobRepository {
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO blobs (sha256, encoding, size, data) VALUES (?, ?, ?, ?)');
    this.select = db.prepare('SELECT encoding, data FROM blobs WHERE sha256 = ?');
  }

  /** Writes a blob (no-op if present); call inside the caller's transaction. */
  put(blob: PendingBlob): void {
    this.insert.run(blob.sha256, 'gzip', blob.data.length, gzipSync(blob.data, { level: 6 }));
  }

  /** Reads a blob's bytes, or throws NOT_FOUND. */
  get(sha256: string): Buffer {
    const row = this.select.get(sha256) as { encoding: string; data: Buffer } | undefined;
    if (!row) throw new ReproError('NOT_FOUND', `blob ${sha256} is not in the store`);
    return row.encoding === 'gzip' ? gunzipSync(row.data) : row.data;
  }
}
