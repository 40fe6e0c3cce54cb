// Private copies of a project for reruns: git worktrees at a commit with the patch applied, or folder copies, parked and reused.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';
import { stripUrlCredentials } from '../../shared/snapshot/secrets';
import { discardInBackground, sweepDiscarded } from './discard';

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

/** The folder name of a repository's clone: a hash of where it comes from. */
function cloneKey(source: string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 16);
}

/** Clones a repository (a local root or a URL) once into `cacheDir`; later calls fetch into the same clone. */
export async function cachedClone(source: string, cacheDir: string, local: boolean): Promise<string> {
  const dir = path.join(cacheDir, cloneKey(source));
  if (fs.existsSync(path.join(dir, 'HEAD')) || fs.existsSync(path.join(dir, '.git'))) {
    // A local clone borrows the repository's objects (--shared): every commit made there since is already
    // reachable by its hash, which is all a worktree is made from. A URL's clone fetches what is new.
    if (!local)
      await gitRun(dir, ['fetch', '-q', '--tags', '--', source, '+refs/heads/*:refs/remotes/origin/*']).catch(
        () => undefined,
      );
    return dir;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  // --shared borrows a local repository's objects (nothing copied; any commit in it is reachable)
  await gitRun(cacheDir, ['clone', '-q', '--no-checkout', ...(local ? ['--shared'] : []), '--', source, tmp]);
  // The clone lies in the store: its .git/config keeps the URL without a password (fetches name the source).
  if (stripUrlCredentials(source) !== source)
    await gitRun(tmp, ['remote', 'set-url', 'origin', stripUrlCredentials(source)]);
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // another audit of the same source cloned it first: use theirs
    if (!fs.existsSync(path.join(dir, 'HEAD')) && !fs.existsSync(path.join(dir, '.git'))) throw e;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
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

/** How long a parked clone and inspection worktree wait for the audit that follows a dry run. */
const PARKED_MS = 10 * 60_000;

/**
 * Keeps a local repository's clone and the inspection worktree of `workRoot` (a dry run's) beside it
 * for the next audit of the same repository, so the CLI's dry run and the run after the question
 * check the project out once; everything else in `workRoot` is removed.
 */
export function parkWorkspace(workRoot: string, clone: string): void {
  if (path.dirname(clone) !== workRoot) {
    fs.rmSync(workRoot, { recursive: true, force: true });
    return;
  }
  const dest = path.join(path.dirname(workRoot), `parked-${path.basename(clone)}`);
  // another audit of the same repository may be taking the folder parked before (a rename) right now
  discard(dest);
  for (const name of fs.readdirSync(workRoot))
    if (name !== path.basename(clone) && name !== 'inspect') fs.rmSync(path.join(workRoot, name), { recursive: true });
  const now = new Date();
  fs.utimesSync(workRoot, now, now);
  try {
    fs.renameSync(workRoot, dest);
  } catch {
    // another audit parked its own meanwhile: keep that one
    fs.rmSync(workRoot, { recursive: true, force: true });
  }
}

/**
 * Removes a folder that another process may rename away at the same moment (a parked workspace): the rename to
 * trash is what takes it, so the removal never runs inside a folder someone else just took.
 */
function discard(dir: string): void {
  discardInBackground(dir);
}

/**
 * Takes the clone and inspection worktree a dry run parked for the repository `top` as `workRoot`
 * (a rename, so only one audit gets them) and reconnects the two; parked folders older than ten
 * minutes are removed. False when there was nothing to take.
 */
export async function unparkWorkspace(workRoot: string, top: string): Promise<boolean> {
  const workDir = path.dirname(workRoot);
  sweepDiscarded(workDir);
  for (const name of fs.existsSync(workDir) ? fs.readdirSync(workDir) : []) {
    if (!name.startsWith('parked-')) continue;
    const abs = path.join(workDir, name);
    try {
      if (Date.now() - fs.statSync(abs).mtimeMs > PARKED_MS) discard(abs);
    } catch {
      // taken or removed by another audit meanwhile
    }
  }
  const key = cloneKey(top);
  try {
    fs.renameSync(path.join(workDir, `parked-${key}`), workRoot);
  } catch {
    return false;
  }
  const inspect = path.join(workRoot, 'inspect');
  await gitRun(path.join(workRoot, key), ['worktree', 'repair', inspect]).catch(() =>
    fs.rmSync(inspect, { recursive: true, force: true }),
  );
  return true;
}

/** The tail of each clone's queue of worktree add/remove/prune commands (see `inClone`). */
const cloneQueues = new Map<string, Promise<unknown>>();

/**
 * Runs git's worktree bookkeeping on a clone one command at a time. Two `git worktree add` at once race: one
 * reads the other's half-made `.git/worktrees/<name>` ("failed to read .git/worktrees/slot-0/commondir") and fails.
 */
function inClone<T>(clone: string, work: () => Promise<T>): Promise<T> {
  const next = (cloneQueues.get(clone) ?? Promise.resolve()).then(work, work);
  const tail = next.catch(() => undefined);
  cloneQueues.set(clone, tail);
  void tail.then(() => {
    if (cloneQueues.get(clone) === tail) cloneQueues.delete(clone);
  });
  return next;
}

/** Milliseconds the last fresh workspace of a clone (or a plain folder's copy) took, by clone or folder. */
const freshCost = new Map<string, number>();

/** How long the source's last fresh workspace took to make (ms), 0 before the first. */
export function freshWorkspaceCost(source: WorkspaceSource): number {
  return freshCost.get(source.kind === 'git' ? source.clone! : source.projectDir) ?? 0;
}

/** Makes a workspace at `dest`, or brings an earlier one there back to the source's state; returns the folder to run in. */
export async function createWorkspace(source: WorkspaceSource, dest: string): Promise<string> {
  const started = performance.now();
  if (source.kind === 'folder') {
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.cpSync(source.projectDir, dest, {
      recursive: true,
      dereference: false,
      preserveTimestamps: true,
      filter: (src) => !SKIP_DIRS.has(path.basename(src)) && !fs.existsSync(path.join(src, 'pyvenv.cfg')),
    });
    freshCost.set(source.projectDir, performance.now() - started);
    return dest;
  }
  const clone = source.clone!;
  // Resetting a worktree rewrites only what a rerun changed; a fresh checkout of a large repository
  // writes every file and costs seconds (issue 13).
  if (!(await resetWorktree(source, dest))) {
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    await inClone(clone, () => gitRun(clone, ['worktree', 'add', '-q', '--detach', '-f', dest, source.commit!]));
    freshCost.set(clone, performance.now() - started);
  }
  markClean(dest);
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

/** The worktree's own git folder (`.git/worktrees/<name>` in the clone), read from its `.git` file. */
function worktreeGitDir(dest: string): string | null {
  try {
    const gitdir = /^gitdir: (.+)$/m.exec(fs.readFileSync(path.join(dest, '.git'), 'utf8'))?.[1]?.trim();
    return gitdir ? path.resolve(dest, gitdir) : null;
  } catch {
    return null;
  }
}

/** Marker whose change time (the file system's own clock) says when the worktree was last exactly the commit. */
const CLEAN_MARK = 'reproscope-clean';

/** Records that the worktree is exactly the commit now; everything written later gets a later change time. */
function markClean(dest: string): void {
  const gitdir = worktreeGitDir(dest);
  if (gitdir) fs.writeFileSync(path.join(gitdir, CLEAN_MARK), `${process.pid}\n`);
}

/** Removes every file of the worktree whose inode changed at or after `since` (ns), not descending into `.git`. */
function removeChangedSince(dest: string, since: bigint): void {
  const stack = [dest];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (dir === dest && entry.name === '.git') continue;
      if (entry.isDirectory()) {
        stack.push(abs);
        continue;
      }
      if (fs.lstatSync(abs, { bigint: true }).ctimeNs >= since) fs.rmSync(abs, { force: true });
    }
  }
}

/**
 * Brings an existing worktree of the source's clone back to exactly the commit. git trusts a file
 * whose size, mtime and ctime match its index entry, but only to the second: a file a rerun rewrote
 * with the same size in the second of the last checkout would pass, and otherwise every file
 * written in that second is re-read by content (seconds for a large repository). So every file whose
 * inode changed since the worktree was last clean (nanoseconds, the kernel's own clock, which no
 * program can set) is deleted first, and the index is dated now: the files left are exactly those
 * git wrote and nobody touched since, and git restores the rest. `clean -ffdx` then removes every
 * untracked and ignored file and nested repository. False when `dest` is not such a worktree or a
 * step failed (a locked index, an unwritable folder): the caller makes a fresh one.
 */
async function resetWorktree(source: WorkspaceSource, dest: string): Promise<boolean> {
  const gitdir = worktreeGitDir(dest);
  if (!gitdir) return false;
  try {
    if (fs.realpathSync(path.dirname(path.dirname(gitdir))) !== fs.realpathSync(path.join(source.clone!, '.git')))
      return false;
    const since = fs.statSync(path.join(gitdir, CLEAN_MARK), { bigint: true }).ctimeNs;
    fs.rmSync(path.join(gitdir, CLEAN_MARK));
    removeChangedSince(dest, since);
    const now = new Date();
    fs.utimesSync(path.join(gitdir, 'index'), now, now);
    await gitRun(dest, ['reset', '-q', '--hard', source.commit!]);
    await gitRun(dest, ['clean', '-q', '-ffdx']);
    return true;
  } catch {
    return false;
  }
}

/** Removes a workspace (and its worktree registration in the clone). */
export async function removeWorkspace(source: WorkspaceSource, dest: string): Promise<void> {
  const clone = source.kind === 'git' ? source.clone : undefined;
  if (clone) await inClone(clone, () => gitRun(clone, ['worktree', 'remove', '--force', dest])).catch(() => undefined);
  fs.rmSync(dest, { recursive: true, force: true });
  if (clone) await inClone(clone, () => gitRun(clone, ['worktree', 'prune'])).catch(() => undefined);
}

/** Forgets a clone's worktrees whose folders are gone (after a work folder was discarded whole). */
export async function pruneWorktrees(clone: string): Promise<void> {
  await inClone(clone, () => gitRun(clone, ['worktree', 'prune'])).catch(() => undefined);
}
