/** The audit_leases table: who owns a running audit, and whether that owner is still alive. */
import type Database from 'better-sqlite3';

/** The holder of an audit's lease as stored. */
export interface AuditLeaseRow {
  auditId: string;
  pid: number;
  host: string;
  token: string;
  acquiredAt: number;
  heartbeatAt: number;
}

/** Who asks for a lease, and how old a heartbeat may be before its lease counts as abandoned. */
export interface LeaseClaim {
  pid: number;
  host: string;
  token: string;
  now: number;
  ttlMs: number;
}

/** On this host a live pid keeps a lease this many TTLs past its last heartbeat (after that the pid may be reused). */
const SAME_HOST_TTL_FACTOR = 20;

/** Whether a process of this host with that pid exists (a killed CLI's lease is stale at once). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads and writes audit leases; acquire is one immediate transaction, so two processes cannot both win. */
export class AuditLeaseRepository {
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly beat: Database.Statement;
  private readonly remove: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.select = db.prepare(
      'SELECT audit_id AS auditId, owner_pid AS pid, owner_host AS host, owner_token AS token, acquired_at AS acquiredAt, heartbeat_at AS heartbeatAt FROM audit_leases WHERE audit_id = ?',
    );
    this.upsert =
      db.prepare(`INSERT INTO audit_leases (audit_id, owner_pid, owner_host, owner_token, acquired_at, heartbeat_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (audit_id) DO UPDATE SET owner_pid = excluded.owner_pid, owner_host = excluded.owner_host,
      owner_token = excluded.owner_token, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`);
    this.beat = db.prepare('UPDATE audit_leases SET heartbeat_at = ? WHERE audit_id = ? AND owner_token = ?');
    this.remove = db.prepare('DELETE FROM audit_leases WHERE audit_id = ? AND owner_token = ?');
  }

  /** The lease of an audit, if one is stored. */
  get(auditId: string): AuditLeaseRow | null {
    return (this.select.get(auditId) as AuditLeaseRow | undefined) ?? null;
  }

  /**
   * Whether a stored lease still has a live owner. On another host: a heartbeat within the TTL. On this host the
   * pid decides (a killed CLI is gone at once; one whose event loop was busy past the TTL is not), unless the
   * heartbeat is so old that the pid may have been reused.
   */
  isLive(row: AuditLeaseRow, claim: Pick<LeaseClaim, 'host' | 'now' | 'ttlMs'>): boolean {
    const age = claim.now - row.heartbeatAt;
    if (row.host !== claim.host) return age <= claim.ttlMs;
    return age <= claim.ttlMs * SAME_HOST_TTL_FACTOR && processAlive(row.pid);
  }

  /** Takes the lease when it is free, stale or already ours; otherwise returns the live holder and takes nothing. */
  acquire(
    auditId: string,
    claim: LeaseClaim,
  ): { ok: true; previous: AuditLeaseRow | null } | { ok: false; holder: AuditLeaseRow } {
    return this.db
      .transaction(() => {
        const row = this.get(auditId);
        if (row && row.token !== claim.token && this.isLive(row, claim)) return { ok: false as const, holder: row };
        this.upsert.run(auditId, claim.pid, claim.host, claim.token, claim.now, claim.now);
        return { ok: true as const, previous: row && row.token !== claim.token ? row : null };
      })
      .immediate();
  }

  /** Renews a lease we hold; false when it was taken over meanwhile. */
  heartbeat(auditId: string, token: string, now: number): boolean {
    return this.beat.run(now, auditId, token).changes > 0;
  }

  /** Gives a lease back (only the holder can). */
  release(auditId: string, token: string): void {
    this.remove.run(auditId, token);
  }
}
