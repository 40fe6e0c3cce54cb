// The stored data-shift analyses of file pairs (migration 5), read and written by content hashes.
import type Database from 'better-sqlite3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DATA_SHIFT_VERSION, StoredFileShiftSchema, type StoredFileShift } from '../../shared/compare/data-shift-model';
import { nonFiniteReplacer, parseNonFiniteJson } from '../../shared/snapshot/nonfinite-json';

/** Data-shift results by (sha A, sha B, options); a result of another analysis version reads as absent. */
export class DataShiftRepository {
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;

  constructor(db: Database.Database) {
    this.select = db.prepare(
      'SELECT analysis_version AS version, result FROM data_shifts WHERE sha_a = ? AND sha_b = ? AND options = ?',
    );
    this.upsert = db.prepare(`INSERT INTO data_shifts (sha_a, sha_b, options, analysis_version, created_at, result)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (sha_a, sha_b, options) DO UPDATE SET analysis_version = excluded.analysis_version,
        created_at = excluded.created_at, result = excluded.result`);
  }

  /** The stored analysis of a pair, or null (none, an older version, or a record that does not parse). */
  get(shaA: string, shaB: string, options: string): StoredFileShift | null {
    const row = this.select.get(shaA, shaB, options) as { version: number; result: Buffer } | undefined;
    if (!row || row.version !== DATA_SHIFT_VERSION) return null;
    try {
      const parsed = StoredFileShiftSchema.safeParse(parseNonFiniteJson(gunzipSync(row.result).toString('utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Stores a complete analysis in one statement (a failed analysis is never half-written). */
  put(shaA: string, shaB: string, options: string, result: StoredFileShift): void {
    const blob = gzipSync(Buffer.from(JSON.stringify(result, nonFiniteReplacer), 'utf8'), { level: 6 });
    this.upsert.run(shaA, shaB, options, DATA_SHIFT_VERSION, new Date().toISOString(), blob);
  }
}
