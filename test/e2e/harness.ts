// The end-to-end harness: starts `reproscope serve` on a store and launches Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The repository root (found upwards, so this module also works when bundled elsewhere, as the UI bench does). */
export const ROOT = ((): string => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'bin', 'reproscope.cjs'))) return dir;
  }
  return path.resolve(__dirname, '..', '..');
})();

/** Debian's Chromium, driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots of each view go (gitignored). */
export const RESULTS_DIR = path.join(ROOT, 'test-results');

/** A running `reproscope serve`. */
export interface Served {
  url: string;
  origin: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built CLI's `serve` on a free loopback port over the given store; resolves once it prints its URL. */
export function startServe(home: string, extraArgs: string[] = []): Promise<Served> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'reproscope.cjs'), 'serve', '--port', '0', ...extraArgs],
    {
      env: { ...process.env, REPROSCOPE_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`serve did not start: ${out}`));
    }, 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /(http:\/\/\S+\?token=\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1]!;
      resolve({
        url,
        origin: new URL(url).origin,
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) done();
            else {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${out}`));
    });
  });
}

/** A fresh headless Chromium profile (its own --user-data-dir), with the flags that keep it quiet and offline. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
