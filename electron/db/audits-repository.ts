// AuditsRepository: reads and writes audit records (each save replaces the whole record) and lists them.
import type Database from 'better-sqlite3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AUDIT_SCHEMA_VERSION, parseAudit, type Audit, type AuditSummary } from '../../shared/audit/audit';
import { ReproError } from '../../shared/errors';
import { nonFiniteReplacer, parseNonFiniteJson } from '../../shared/snapshot/nonfinite-json';
import { redactDeep } from '../../shared/snapshot/secrets';

interface AuditRow {
  id: string;
  project: string;
  entry_point: string;
  created_at: string;
  status: Audit['status'];
  verdict: Audit['verdict'];
  reruns: number;
  reruns_done: number;
}

function redactedCopy(audit: Audit): Audit {
  const copy = structuredClone(audit);
  redactDeep(copy);
  return copy;
}

/** Reads and writes audits; each save replaces the whole record in one statement (state after every rerun). */
export class AuditsRepository {
  private readonly upsert: Database.Statement;
  private readonly selectOne: Database.Statement;
  private readonly selectByPrefix: Database.Statement;
  private readonly selectList: Database.Statement;

  constructor(db: Database.Database) {
    this.upsert =
      db.prepare(`INSERT INTO audits (id, project, entry_point, created_at, updated_at, status, verdict, reruns, reruns_done, audit_version, audit)
      VALUES (@id, @project, @entryPoint, @createdAt, @updatedAt, @status, @verdict, @reruns, @rerunsDone, @version, @audit)
      ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status, verdict = excluded.verdict,
        reruns = excluded.reruns, reruns_done = excluded.reruns_done, audit_version = excluded.audit_version, audit = excluded.audit`);
    this.selectOne = db.prepare('SELECT audit FROM audits WHERE id = ?');
    this.selectByPrefix = db.prepare("SELECT id FROM audits WHERE id LIKE ? || '%' ESCAPE '\\' LIMIT 2");
    this.selectList =
      db.prepare(`SELECT id, project, entry_point, created_at, status, verdict, reruns, reruns_done FROM audits
      ORDER BY created_at DESC, id LIMIT ? OFFSET ?`);
  }

  /** Stores (or replaces) an audit. */
  save(audit: Audit): void {
    const reruns = audit.groups.flatMap((g) => g.reruns);
    this.upsert.run({
      id: audit.id,
      project: audit.project.name,
      entryPoint: audit.entryPoint,
      createdAt: audit.createdAt,
      updatedAt: audit.updatedAt,
      status: audit.status,
      verdict: audit.verdict,
      reruns: reruns.length,
      rerunsDone: reruns.filter((r) => r.status !== 'pending' && r.status !== 'running').length,
      version: AUDIT_SCHEMA_VERSION,
      // A copy goes through the secret filter: the campaign keeps using the real values in memory.
      audit: gzipSync(JSON.stringify(redactedCopy(audit), nonFiniteReplacer), { level: 6 }),
    });
  }

  /** One audit by full id, or NOT_FOUND. */
  get(id: string): Audit {
    const row = this.selectOne.get(id) as { audit: Buffer } | undefined;
    if (!row) throw new ReproError('NOT_FOUND', `no audit with id ${id}`, 'List audits with `reproscope audits`.');
    let raw: unknown;
    try {
      raw = parseNonFiniteJson(gunzipSync(row.audit).toString('utf8'));
    } catch (e) {
      throw new ReproError(
        'STORE_CORRUPT',
        `audit ${id} is not readable: ${(e as Error).message}`,
        'The store may be damaged; restore it from the backup next to reproscope.db.',
      );
    }
    return parseAudit(raw, `audit ${id}`);
  }

  /** Resolves a unique id prefix to a full id. */
  resolveId(prefix: string): string {
    const clean = prefix.trim().toLowerCase();
    if (!/^[0-9a-z_-]+$/.test(clean))
      throw new ReproError(
        'INVALID_INPUT',
        `"${prefix}" is not an audit id`,
        'Audit ids are hex digits; list them with `reproscope audits`.',
      );
    const rows = this.selectByPrefix.all(clean.replace(/[%_\\]/g, '\\$&')) as { id: string }[];
    if (rows.length === 0)
      throw new ReproError('NOT_FOUND', `no audit matches "${prefix}"`, 'List audits with `reproscope audits`.');
    if (rows.length > 1)
      throw new ReproError(
        'AMBIGUOUS_ID',
        `"${prefix}" matches more than one audit`,
        'Type more characters of the id.',
      );
    return rows[0]!.id;
  }

  /** Audit summaries, newest first. */
  list(limit = 1000, offset = 0): AuditSummary[] {
    return (this.selectList.all(limit, offset) as AuditRow[]).map((r) => ({
      id: r.id,
      project: r.project,
      entryPoint: r.entry_point,
      createdAt: r.created_at,
      status: r.status,
      verdict: r.verdict,
      reruns: r.reruns,
      rerunsDone: r.reruns_done,
    }));
  }
}
