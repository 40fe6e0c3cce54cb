// What git says of a folder before a captured command starts: its root, remotes and status, asked in one parallel round.
import { execFile } from 'node:child_process';

/** git's answers about a folder (null where a command failed, e.g. outside a repository). */
export interface GitAnswers {
  /** `git rev-parse --show-toplevel`. */
  top: string | null;
  /** `git remote -v`. */
  remotes: string | null;
  /** `git status --porcelain=v2 --branch -z --untracked-files=all --ignore-submodules=none`. */
  status: string | null;
}

/** Output of one git command in `cwd`, or null where it fails; git's optional locks are off, so it never writes the index. */
export function gitText(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['--no-optional-locks', ...args],
      { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout) => resolve(error ? null : stdout),
    );
  });
}

/**
 * Asks git about a folder: three processes, started at once. The status names the commit (`# branch.oid`), the
 * branch (`# branch.head`), every tracked change and every untracked file (paths from the root, as `ls-files
 * --others --exclude-standard --full-name` gives them). This module loads nothing else, so the CLI can ask before
 * it loads the rest of capture, and git runs while it does.
 */
export function askGit(folder: string): Promise<GitAnswers> {
  return Promise.all([
    gitText(folder, ['rev-parse', '--show-toplevel']),
    gitText(folder, ['remote', '-v']),
    gitText(folder, [
      'status',
      '--porcelain=v2',
      '--branch',
      '-z',
      '--untracked-files=all',
      '--ignore-submodules=none',
    ]),
  ]).then(([top, remotes, status]) => ({ top, remotes, status }));
}

/** A `git status --porcelain=v2 --branch -z` read: the commit and branch it names, tracked changes, untracked paths. */
export interface GitStatus {
  /** `# branch.oid`: null for a repository without commits. */
  commit: string | null;
  /** `# branch.head`: null when HEAD is detached (git writes `(detached)`). */
  branch: string | null;
  /** Whether git wrote `(detached)` as the branch (a branch of that very name reads the same, so callers ask again). */
  detached: boolean;
  /** Whether any tracked file (or submodule) differs from HEAD, staged or not. */
  changed: boolean;
  /** Untracked files, from the root. */
  untracked: string[];
}

/** Reads `git status --porcelain=v2 --branch -z` output. */
export function parseGitStatus(text: string): GitStatus {
  const out: GitStatus = { commit: null, branch: null, detached: false, changed: false, untracked: [] };
  const fields = text.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.startsWith('# branch.oid ')) {
      const oid = f.slice('# branch.oid '.length);
      out.commit = oid === '(initial)' ? null : oid;
    } else if (f.startsWith('# branch.head ')) {
      const head = f.slice('# branch.head '.length);
      out.detached = head === '(detached)';
      out.branch = out.detached ? null : head;
    } else if (f.startsWith('? ')) out.untracked.push(f.slice(2));
    else if (/^[12u] /.test(f)) {
      out.changed = true;
      // a rename or copy is followed by the path it came from, a field of its own
      if (f.startsWith('2 ')) i++;
    }
  }
  return out;
}
