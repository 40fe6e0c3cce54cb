// `reproscope serve` from the built CLI: a loopback URL with a token, the app and the API, refusing other hosts.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { request } from '../http/http-client';
import { REPO_ROOT, runCli, tempDir } from '../../helpers/temp';
import { startServe } from '../../e2e/harness';

describe('reproscope serve (the built CLI)', () => {
  it('prints a loopback URL with a token and serves the app and the API', async () => {
    const served = await startServe(tempDir());
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
      const swap = await request(served.url);
      expect(swap.status).toBe(303);
      const cookie = swap.headers['set-cookie']![0]!.split(';')[0]!;
      const page = await request(`${served.origin}/`, { headers: { Cookie: cookie } });
      expect(page.status).toBe(200);
      expect(page.body).toContain('assets/app.js');
      const info = await request(`${served.origin}/api/storeInfo`, {
        method: 'POST',
        body: '{}',
        headers: { Cookie: cookie, 'Content-Type': 'application/json' },
      });
      expect(JSON.parse(info.body)).toMatchObject({ ok: true, value: { runs: 0 } });
      expect(
        (
          await request(`${served.origin}/api/storeInfo`, {
            method: 'POST',
            body: '{}',
            headers: { 'Content-Type': 'application/json' },
          })
        ).status,
      ).toBe(401);
    } finally {
      await served.stop();
    }
  });

  it('refuses a non-loopback --host with a clear error', async () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      const r = await runCli(['serve', '--host', host, '--port', '0'], { env: { REPROSCOPE_HOME: tempDir() } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refusing to listen on .*only listens on loopback/);
      expect(r.stderr).toMatch(/ssh -L/);
    }
  });

  it('npm start without the Electron runtime says so in one line and serves the app instead', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.mjs'), '--port', '0'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        REPROSCOPE_HOME: tempDir(),
        REPROSCOPE_NO_ELECTRON_DOWNLOAD: '1',
        BROWSER: 'false',
        DISPLAY: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000);
        const check = (): void => {
          if (/token=/.test(out)) {
            clearTimeout(t);
            resolve();
          }
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
      });
      const lines = out.split('\n').filter((l) => /Electron/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/Electron runtime is not installed.*reproscope serve --open/);
      const url = /(http:\/\/\S+)/.exec(out)![1]!;
      expect((await request(url)).status).toBe(303);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
