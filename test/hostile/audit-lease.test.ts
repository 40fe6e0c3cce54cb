// An audit has one owner at a time: a live lease refuses --resume, a dead owner's audit reads as interrupted and is taken over (issue 12, item 5).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/core/handlers';
import { AuditLeaseRepository } from '../../electron/db/audit-lease-repository';
import { AuditsRepository } from '../../electron/db/audits-repository';
import { syntheticAudit } from '../helpers/audit-fixture';
import { tempCore } from '../helpers/store';
import { gitRepo, REPO_ROOT, runCli, SYSTEM_PYTHON, tempDir } from '../helpers/temp';

/** The pid of a process that has ended (so no process has it, for now). */
function deadPid(): number {
  const r = spawnSync('/bin/sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

function runningAudit(ctx: ReturnType<typeof tempCore>) {
  const audit = syntheticAudit({ reruns: 2, referenceRunId: null });
  audit.status = 'running';
  audit.verdict = null;
  new AuditsRepository(ctx.store.db).save(audit);
  return audit;
}

describe('audit leases', () => {
  it('refuses --resume while another live process holds the lease, and says who', async () => {
    const ctx = tempCore();
    const audit = runningAudit(ctx);
    const leases = new AuditLeaseRepository(ctx.store.db);
    // Another owner: a live process (this one) with a token that is not ours, heartbeat now.
    leases.acquire(audit.id, { pid: process.pid, host: os.hostname(), token: 'other', now: Date.now(), ttlMs: 30_000 });
    const h = createHandlers(ctx);
    const res = await h.resumeAudit({ id: audit.id });
    expect(!res.ok && res.error.message).toMatch(
      new RegExp(`audit ${audit.id} is running in another process \\(pid ${process.pid} on `),
    );
    expect(leases.get(audit.id)?.token).toBe('other'); // nothing taken over
    const got = await h.getAudit({ id: audit.id });
    expect(got.ok && got.value.status).toBe('running');
  });

  it("shows a killed owner's audit as interrupted and lets --resume take the lease over", async () => {
    const ctx = tempCore();
    const audit = runningAudit(ctx);
    const leases = new AuditLeaseRepository(ctx.store.db);
    const pid = deadPid();
    leases.acquire(audit.id, { pid, host: os.hostname(), token: 'killed', now: Date.now(), ttlMs: 30_000 });
    const h = createHandlers(ctx);
    const got = await h.getAudit({ id: audit.id });
    expect(got.ok && got.value.status).toBe('interrupted');
    const list = await h.listAudits({});
    expect(list.ok && list.value.audits.find((a) => a.id === audit.id)?.status).toBe('interrupted');
    // The resume takes the lease (the synthetic audit then fails to prepare: it has no project on disk).
    const res = await h.resumeAudit({ id: audit.id });
    expect(!res.ok && res.error.message).not.toMatch(/running in another process/);
    expect(leases.get(audit.id)?.token ?? null).not.toBe('killed');
  });

  it('an owner on another host counts as gone once its heartbeat is older than the lease', async () => {
    const ctx = tempCore();
    const audit = runningAudit(ctx);
    const leases = new AuditLeaseRepository(ctx.store.db);
    leases.acquire(audit.id, { pid: 1, host: 'elsewhere', token: 'far', now: Date.now(), ttlMs: 30_000 });
    const h = createHandlers(ctx);
    expect((await h.getAudit({ id: audit.id })).ok && (await h.getAudit({ id: audit.id }))).toMatchObject({
      value: { status: 'running' },
    });
    ctx.store.db.prepare('UPDATE audit_leases SET heartbeat_at = heartbeat_at - 60000').run();
    const got = await h.getAudit({ id: audit.id });
    expect(got.ok && got.value.status).toBe('interrupted');
  });

  it('two processes: --resume of a running audit is refused, and after kill -9 the audit is interrupted and resumes', async () => {
    const store = tempDir();
    const repo = gitRepo({
      MLproject: 'entry_points:\n  main:\n    parameters:\n      gate: string\n    command: "python slow.py {gate}"\n',
      'slow.py':
        'import json, os, sys, time\nprint("started", os.getpid(), flush=True)\nwhile os.path.exists(sys.argv[1]):\n    time.sleep(0.05)\njson.dump({"x": 2.5}, open("metrics.json", "w"))\n',
    });
    const gate = path.join(tempDir(), 'gate');
    fs.writeFileSync(gate, '');
    const cli = path.join(REPO_ROOT, 'bin', 'reproscope.cjs');
    const args = ['--store', store, 'audit', repo, '-P', `gate=${gate}`, '--python', SYSTEM_PYTHON, '--repeats', '2'];
    // its own process group, so kill -9 takes the CLI and its rerun down together, as a crash or OOM kill would
    const owner = spawn(process.execPath, [cli, ...args, '--yes', '--verbose'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    const closed = new Promise<void>((resolve) => owner.on('close', () => resolve()));
    await new Promise<void>((resolve) =>
      owner.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/started \d+\n/.test(stderr)) resolve();
      }),
    );
    const audits = JSON.parse((await runCli(['--store', store, 'audits', '--json'])).stdout) as {
      audits: { id: string }[];
    };
    const id = audits.audits[0]!.id;
    const second = await runCli(['--store', store, 'audit', repo, '--resume', id.slice(0, 8), '--json']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`is running in another process (pid ${owner.pid} on ${os.hostname()}`);
    const show = async (): Promise<string> =>
      (JSON.parse((await runCli(['--store', store, 'show-audit', id, '--json'])).stdout) as { status: string }).status;
    expect(await show()).toBe('running');

    process.kill(-owner.pid!, 'SIGKILL');
    await closed;
    expect(await show()).toBe('interrupted');
    fs.rmSync(gate);
    const resumed = await runCli(['--store', store, 'audit', repo, '--resume', id.slice(0, 8), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'finished', verdict: 'reproduced-exact' });
  }, 120_000);
});
