import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';

/**
 * Private copies of a project for reruns: a git worktree at a commit with an uncommitted patch
 * applied, or a copy of a folder outside git. Worktrees come from a shared clone (`--shared`, so
 * no objects are copied) kept in the store, so the user's checkout and its .git are never touched.
 */

/** Runs git; rejects with PROJECT_INVALID naming the command. */
export function gitRun(cwd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo' },
      },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new ReproError(
              'PROJECT_INVALID',
              `git ${args.slice(0, 2).join(' ')} failed in ${cwd}: ${(stderr || error.message).trim().split('\n').slice(-1)[0]}`,
              'Check the repository and the commit.',
            ),
          );
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Folders never copied into a rerun's workspace. */
const SKIP_DIRS = new Set([
  '.git',
  '.venv',
  'venv',
  'mlruns',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ipynb_checkpoints',
  'node_modules',
]);

/** A source of workspaces for one audit. */
export interface WorkspaceSource {
  kind: 'git' | 'folder';
  /** The user's folder (the project inside a repository may be a subfolder). */
  projectDir: string;
  /** For git: the clone worktrees are made from, the commit, the patch, the project's path inside the repository. */
  clone?: string;
  commit?: string;
  patch?: string | null;
  subdir?: string;
  /** Files the user's checkout has beside the committed ones (untracked, ignored), copied into each worktree. */
  extraFiles?: { rel: string; abs: string }[];
}

/** Clones a repository (a local root or a URL) once into `cacheDir`; later calls fetch into the same clone. */
export async function cachedClone(source: string, cacheDir: string, local: boolean): Promise<string> {
  const key = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir, key);
  if (fs.existsSync(path.join(dir, 'HEAD')) || fs.existsSync(path.join(dir, '.git'))) {
    await gitRun(dir, ['fetch', '-q', '--tags', 'origin', '+refs/heads/*:refs/remotes/origin/*']).catch(
      () => undefined,
    );
    return dir;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  // --shared borrows a local repository's objects (nothing copied; any commit in it is reachable)
  await gitRun(cacheDir, ['clone', '-q', '--no-checkout', ...(local ? ['--shared'] : []), '--', source, tmp]);
  fs.renameSync(tmp, dir);
  return dir;
}

/**
 * Lists files under the project folder that git does not track (untracked and ignored, e.g. local
 * data), except caches, stores and environments; paths relative to the repository root.
 */
export async function listExtraFiles(root: string, subdir = ''): Promise<{ rel: string; abs: string }[]> {
  const out = await gitRun(path.join(root, subdir), ['ls-files', '--others', '--full-name', '-z', '--', '.']).catch(
    () => '',
  );
  return out
    .split('\0')
    .filter(Boolean)
    .filter((rel) => !rel.split('/').some((part) => SKIP_DIRS.has(part)))
    .map((rel) => ({ rel, abs: path.join(root, rel) }));
}

/** Makes a workspace at `dest`; returns the folder to run in (the project folder inside it). */
export async function createWorkspace(source: WorkspaceSource, dest: string): Promise<string> {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (source.kind === 'folder') {
    fs.cpSync(source.projectDir, dest, {
      recursive: true,
      dereference: false,
      preserveTimestamps: true,
      filter: (src) => !SKIP_DIRS.has(path.basename(src)) && !fs.existsSync(path.join(src, 'pyvenv.cfg')),
    });
    return dest;
  }
  const clone = source.clone!;
  await gitRun(clone, ['worktree', 'add', '-q', '--detach', '-f', dest, source.commit!]);
  if (source.patch) {
    await gitRun(
      dest,
      ['apply', '--binary', '--whitespace=nowarn', '-'],
      source.patch.endsWith('\n') ? source.patch : `${source.patch}\n`,
    ).catch((e: ReproError) => {
      throw new ReproError(
        'PROJECT_INVALID',
        `the original's uncommitted patch does not apply to commit ${source.commit!.slice(0, 12)}: ${e.message}`,
        'The commit may have been rewritten; rerun from a clean checkout.',
      );
    });
  }
  for (const f of source.extraFiles ?? []) {
    const target = path.join(dest, f.rel);
    if (fs.existsSync(target)) continue;
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(f.abs, target, fs.constants.COPYFILE_FICLONE);
    } catch {
      // vanished or unreadable: the rerun will say what it missed
    }
  }
  return source.subdir ? path.join(dest, source.subdir) : dest;
}

/** Removes a workspace (and its worktree registration in the clone). */
export async function removeWorkspace(source: WorkspaceSource, dest: string): Promise<void> {
  if (source.kind === 'git' && source.clone)
    await gitRun(source.clone, ['worktree', 'remove', '--force', dest]).catch(() => undefined);
  fs.rmSync(dest, { recursive: true, force: true });
  if (source.kind === 'git' && source.clone) await gitRun(source.clone, ['worktree', 'prune']).catch(() => undefined);
}
