// One owner per audit: a lease in the store (pid, host, heartbeat) held while a campaign runs, so a second process cannot resume it at the same time.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { ReproError } from '../../../shared/errors';
import { AuditLeaseRepository } from '../../db/audit-lease-repository';
import type { CoreContext } from '../core-context';

/** How often a running campaign renews its lease. */
const HEARTBEAT_MS = 5_000;
/** How old a heartbeat may be before the lease counts as abandoned (a hung or killed process on another host). */
export const LEASE_TTL_MS = 30_000;

/** A held lease: stop() ends the heartbeat and gives it back. */
export interface AuditLease {
  token: string;
  release(): void;
}

const repos = new WeakMap<CoreContext, AuditLeaseRepository>();
function leasesOf(ctx: CoreContext): AuditLeaseRepository {
  let repo = repos.get(ctx);
  if (!repo) {
    repo = new AuditLeaseRepository(ctx.store.db);
    repos.set(ctx, repo);
  }
  return repo;
}

/** Takes the lease of an audit for this process, or throws a clear error naming the live owner. */
export function acquireAuditLease(ctx: CoreContext, auditId: string): AuditLease {
  const repo = leasesOf(ctx);
  const token = randomUUID();
  const host = os.hostname();
  const res = repo.acquire(auditId, { pid: process.pid, host, token, now: Date.now(), ttlMs: LEASE_TTL_MS });
  if (!res.ok) {
    const ago = Math.max(0, Math.round((Date.now() - res.holder.heartbeatAt) / 1000));
    throw new ReproError(
      'INVALID_INPUT',
      `audit ${auditId} is running in another process (pid ${res.holder.pid} on ${res.holder.host}, last heartbeat ${ago} s ago); it was not resumed`,
      `Wait for it to end, or stop that process; once it is gone (or silent for ${LEASE_TTL_MS / 1000} s) --resume takes over.`,
    );
  }
  const timer = setInterval(() => {
    try {
      repo.heartbeat(auditId, token, Date.now());
    } catch {
      // a closed store ends the campaign anyway
    }
  }, HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    token,
    release: () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        repo.release(auditId, token);
      } catch {
        // the store may already be closed
      }
    },
  };
}

/** The status readers should see: a `running` audit whose owner is gone (killed, hung past the lease) is `interrupted`. */
export function liveAuditStatus<S extends string>(ctx: CoreContext, auditId: string, status: S): S | 'interrupted' {
  if (status !== 'running') return status;
  const repo = leasesOf(ctx);
  const row = repo.get(auditId);
  return row !== null && repo.isLive(row, { host: os.hostname(), now: Date.now(), ttlMs: LEASE_TTL_MS })
    ? status
    : 'interrupted';
}
