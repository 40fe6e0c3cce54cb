// Test basics: temp folders, the repo root, Debian's Python, files, git repos, and running the built CLI.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = 'reproscope-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

const sharedFixtures = path.resolve(REPO_ROOT, '..', 'shared', 'fixtures');
/** The team's shared fixtures (../shared/fixtures beside the checkout), by their real path: a worktree may reach them through a link, and the CLI prints real paths. */
export const SHARED_FIXTURES = fs.existsSync(sharedFixtures) ? fs.realpathSync(sharedFixtures) : sharedFixtures;

/** Debian's Python, which has numpy, scikit-learn and scipy from Debian's packages. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Writes files (relative path → content) under a folder. */
export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

/** Runs git in a folder with a fixed identity. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
}

/** Makes a real git repository with the files committed. */
export function gitRepo(files: Record<string, string>): string {
  const dir = tempDir('reproscope-repo-');
  git(dir, 'init', '-q', '-b', 'main');
  writeFiles(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** What a CLI run printed and its exit code. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (bin/reproscope.cjs over dist/cli.cjs, made by `npm run build`) as a separate process. */
export function runCli(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    input?: string;
    onSpawn?: (pid: number) => void;
    /** Called with everything printed to stdout so far, after each chunk. */
    onStdout?: (soFar: string) => void;
    uid?: number;
    gid?: number;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'reproscope.cjs'), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (child.pid) options.onSpawn?.(child.pid);
    child.stdin.end(options.input ?? '');
  });
}
