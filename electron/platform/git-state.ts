// The code state of a working folder: git commit, branch, remotes, patch and untracked files, or a content hash outside git.
import fs from 'node:fs';
import path from 'node:path';
import { stripUrlCredentials } from '../../shared/snapshot/secrets';
import type { CodeState, FileEntry } from '../../shared/snapshot/snapshot';
import { askGit, gitText, parseGitStatus, type GitAnswers } from './git-query';
import { hashFiles, hashTree, type HashCache } from './hash-tree';

export type { GitAnswers } from './git-query';

/** Untracked files beyond this count are listed without hashes (a stray dataset in the tree should not stall capture). */
const MAX_UNTRACKED_HASHED = 5000;
/** Patches larger than this are cut, with a note. */
const MAX_PATCH_BYTES = 8 * 1024 * 1024;

/** Folders that are never source code. */
const NON_SOURCE_DIRS = new Set([
  '.git',
  'node_modules',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  'mlruns',
  '.mypy_cache',
  '.pytest_cache',
  '.ipynb_checkpoints',
  'dist',
  'build',
]);
// `.txt` is data more often than code: only requirement and constraint files among them describe the code.
const SOURCE_EXT =
  /\.(py|pyx|pxd|ipynb|sh|bash|r|jl|c|cc|cpp|h|hpp|cu|rs|go|java|scala|js|ts|ya?ml|json|toml|cfg|ini|md|lock)$|^(MLproject|Makefile|Dockerfile|Pipfile)$|^(requirements|constraints)[\w.-]*\.txt$/i;
const MAX_SOURCE_FILE = 1024 * 1024;
/** Entries a folder outside git is scanned for at most (capture from `/` or a home folder must not walk it all). */
export const MAX_FOLDER_SCAN_ENTRIES = 50_000;
/** Source files hashed at most for a folder outside git. */
const MAX_FOLDER_SOURCE_FILES = 5000;

/** The code state of a folder outside git: a content hash over its source files, from a bounded scan. */
export async function folderCodeState(
  root: string,
  cache?: HashCache,
): Promise<{ code: CodeState; warnings: string[]; partial?: boolean }> {
  let entries = 0;
  let files = 0;
  let cut = false;
  const none = {
    vcs: 'none' as const,
    provenance: 'observed' as const,
    root,
    commit: null,
    branch: null,
    remotes: [],
    dirty: null,
    patch: null,
    submodules: [],
  };
  let tree;
  try {
    tree = await hashTree(root, {
      cache,
      // Only source and config files identify the code; data, environments and outputs do not.
      skip: (_rel, entry, abs) => {
        if (cut || ++entries > MAX_FOLDER_SCAN_ENTRIES) {
          cut = true;
          return true;
        }
        if (entry.isDirectory()) return NON_SOURCE_DIRS.has(entry.name) || fs.existsSync(path.join(abs, 'pyvenv.cfg'));
        if (!SOURCE_EXT.test(entry.name) || safeSize(abs) > MAX_SOURCE_FILE) return true;
        if (++files > MAX_FOLDER_SOURCE_FILES) {
          cut = true;
          return true;
        }
        return false;
      },
    });
  } catch (e) {
    // a folder it cannot read (e.g. part of /proc) leaves the code unidentified; the run is still captured
    const message = (e as Error).message;
    return {
      code: {
        ...none,
        untracked: [],
        contentHash: null,
        fileCount: null,
        note: `not under version control, and the folder could not be scanned: ${message}`,
      },
      warnings: [`code: ${root} is not under git and could not be scanned (${message}); no code hash was recorded`],
      partial: true,
    };
  }
  const warnings = cut
    ? [
        `code: ${root} is not under git and holds more than ${files > MAX_FOLDER_SOURCE_FILES ? `${MAX_FOLDER_SOURCE_FILES} source files` : `${MAX_FOLDER_SCAN_ENTRIES} entries`}; the scan stopped there, so its code hash covers part of the folder only (run from the project's own folder, or put it under git)`,
      ]
    : [];
  return {
    code: {
      ...none,
      untracked: tree.files,
      contentHash: tree.rootHash,
      fileCount: tree.fileCount,
      note: cut
        ? 'not under version control: the code is identified by a hash of the source files found before the scan stopped'
        : 'not under version control: the code is identified by a hash of its source files',
    },
    warnings,
    partial: cut,
  };
}

function safeSize(abs: string): number {
  try {
    return fs.lstatSync(abs).size;
  } catch {
    return Infinity;
  }
}

/** `git remote -v` as name → fetch URL (the push URL where a remote has no fetch URL). */
function parseRemotes(text: string | null): { name: string; url: string }[] {
  const urls = new Map<string, { fetch?: string; push?: string }>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\S+)\t(.*) \((fetch|push)\)$/.exec(line);
    if (!m) continue;
    const entry = urls.get(m[1]!) ?? {};
    entry[m[3] as 'fetch' | 'push'] = m[2]!;
    urls.set(m[1]!, entry);
  }
  return [...urls].map(([name, u]) => ({ name, url: u.fetch || u.push || '' }));
}

/** How captureCodeState asks git. */
export interface CodeStateOptions {
  /** git's answers about the folder, asked already (the CLI asks while it loads capture): see askGit. */
  asked?: Promise<GitAnswers> | null;
}

/**
 * Captures the code category of a folder: git state (commit, branch, remotes, patch, untracked, submodules) or a
 * content hash. It runs before a captured command starts, so it asks git once, in parallel (askGit: the root, the
 * remotes, and one status that names the commit, the branch, tracked changes and untracked files), and only what can
 * be there: no `git diff` when nothing tracked changed, no `git submodule` (a shell script, 80 ms) without
 * .gitmodules.
 */
export async function captureCodeState(
  folder: string,
  cache?: HashCache,
  options: CodeStateOptions = {},
): Promise<{ code: CodeState; warnings: string[]; partial?: boolean }> {
  const warnings: string[] = [];
  const { top, remotes: remotesRaw, status } = await (options.asked ?? askGit(folder));
  if (top === null) return folderCodeState(folder, cache);
  const root = top.trim();
  const { commit, branch, changed, untrackedPaths } = await readStatus(folder, status);
  const [diff, submoduleRaw] = await Promise.all([
    !changed
      ? Promise.resolve('')
      : commit
        ? gitText(root, ['diff', 'HEAD', '--binary', '--no-color', '--no-ext-diff'])
        : gitText(root, ['diff', '--cached', '--binary', '--no-color']),
    fs.existsSync(path.join(root, '.gitmodules'))
      ? gitText(root, ['submodule', 'status', '--recursive'])
      : Promise.resolve(''),
  ]);
  let patch = diff;
  if (patch !== null && Buffer.byteLength(patch) > MAX_PATCH_BYTES) {
    warnings.push(`code: the uncommitted patch is larger than ${MAX_PATCH_BYTES / 1024 / 1024} MiB and was cut`);
    patch = patch.slice(0, MAX_PATCH_BYTES);
  }
  const remotes = parseRemotes(remotesRaw);
  if (untrackedPaths.length > MAX_UNTRACKED_HASHED)
    warnings.push(`code: ${untrackedPaths.length} untracked files; only the first ${MAX_UNTRACKED_HASHED} were hashed`);
  // git lists a repository of its own inside the tree as one entry, `dir/`: it is no file to hash, and hashing it
  // failed the whole list before (no untracked file recorded, the tree called clean); it is listed without a hash
  const listed = untrackedPaths.slice(0, MAX_UNTRACKED_HASHED);
  const nested = listed.filter((p) => p.endsWith('/'));
  for (const dir of nested)
    warnings.push(`code: ${dir} is a git repository of its own inside ${root}; its files are not in the code state`);
  let untracked: FileEntry[] = [];
  try {
    const hashed = await hashFiles(
      root,
      listed.filter((p) => !p.endsWith('/')),
      { cache },
    );
    untracked = [...hashed, ...nested.map((dir) => ({ path: dir, size: 0, sha256: null }))].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
  } catch (e) {
    warnings.push(`code: untracked files could not all be read (${(e as Error).message})`);
  }
  const submodules = (submoduleRaw ?? '')
    .split('\n')
    .map((l) => /^[ +-U]?([0-9a-f]{40}) (\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: m[2]!, commit: m[1]! }));
  const cleanPatch = patch && patch.trim() !== '' ? patch : null;
  return {
    code: {
      vcs: 'git',
      provenance: 'observed',
      root,
      commit,
      branch,
      remotes: remotes.map((r) => ({ name: r.name, url: stripUrlCredentials(r.url) })),
      dirty: cleanPatch !== null || untracked.length > 0,
      patch: cleanPatch,
      untracked,
      submodules,
      contentHash: null,
      fileCount: null,
      note: commit ? null : 'the repository has no commits yet',
    },
    warnings,
  };
}

/**
 * The commit, branch, tracked change and untracked files of a status read. Where git wrote no status (it failed),
 * or a branch it cannot name as such (`(detached)`, or a HEAD that points outside refs/heads), the single-purpose
 * commands are asked instead, as before.
 */
async function readStatus(
  folder: string,
  status: string | null,
): Promise<{ commit: string | null; branch: string | null; changed: boolean; untrackedPaths: string[] }> {
  const symbolicBranch = async () => (await gitText(folder, ['symbolic-ref', '--short', '-q', 'HEAD']))?.trim() || null;
  if (status === null) {
    const [head, branch, untrackedRaw] = await Promise.all([
      gitText(folder, ['rev-parse', '--verify', '-q', 'HEAD']),
      symbolicBranch(),
      // from the root, so the paths are the root's (ls-files lists relative to where it runs)
      gitText(folder, ['ls-files', '--others', '--exclude-standard', '-z', '--full-name', ':/']),
    ]);
    // no status: the patch may hold anything, so it is asked for
    const untrackedPaths = (untrackedRaw ?? '').split('\0').filter(Boolean).sort();
    return { commit: head?.trim() || null, branch, changed: true, untrackedPaths };
  }
  const read = parseGitStatus(status);
  const named = read.branch !== null && !read.branch.startsWith('refs/');
  return {
    commit: read.commit,
    branch: named ? read.branch : await symbolicBranch(),
    changed: read.changed,
    untrackedPaths: read.untracked.sort(),
  };
}
