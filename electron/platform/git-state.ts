// The code state of a working folder: git commit, branch, remotes, patch and untracked files, or a content hash outside git.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripUrlCredentials } from '../../shared/snapshot/secrets';
import type { CodeState, FileEntry } from '../../shared/snapshot/snapshot';
import { hashFiles, hashTree, type HashCache } from './hash-tree';

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

/** Output of one git command in `cwd`, or null where it fails; git's optional locks are off, so it never writes the index. */
function gitText(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['--no-optional-locks', ...args],
      { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
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

/**
 * Captures the code category of a folder: git state (commit, branch, remotes, patch, untracked, submodules) or a
 * content hash. It runs before a captured command starts, so it asks git once, in parallel, and only what can be
 * there: no `git diff` when nothing tracked changed, no `git submodule` (a shell script, 80 ms) without .gitmodules.
 */
export async function captureCodeState(
  folder: string,
  cache?: HashCache,
): Promise<{ code: CodeState; warnings: string[]; partial?: boolean }> {
  const warnings: string[] = [];
  const [top, head, branch, remotesRaw, status, untrackedRaw] = await Promise.all([
    gitText(folder, ['rev-parse', '--show-toplevel']),
    gitText(folder, ['rev-parse', '--verify', '-q', 'HEAD']),
    gitText(folder, ['symbolic-ref', '--short', '-q', 'HEAD']),
    gitText(folder, ['remote', '-v']),
    gitText(folder, ['status', '--porcelain=v2', '-z', '--untracked-files=no', '--ignore-submodules=none']),
    // from the root, so the paths are the root's (ls-files lists relative to where it runs)
    gitText(folder, ['ls-files', '--others', '--exclude-standard', '-z', '--full-name', ':/']),
  ]);
  if (top === null) return folderCodeState(folder, cache);
  const root = top.trim();
  const commit = head?.trim() || null;
  // `status` lists every tracked change (staged or not, submodules included): none means the patch is empty
  const changed = status === null || status.length > 0;
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
  const untrackedPaths = (untrackedRaw ?? '').split('\0').filter(Boolean).sort();
  if (untrackedPaths.length > MAX_UNTRACKED_HASHED)
    warnings.push(`code: ${untrackedPaths.length} untracked files; only the first ${MAX_UNTRACKED_HASHED} were hashed`);
  let untracked: FileEntry[] = [];
  try {
    untracked = await hashFiles(root, untrackedPaths.slice(0, MAX_UNTRACKED_HASHED), { cache });
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
      branch: branch?.trim() || null,
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
