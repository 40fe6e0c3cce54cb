// The commits between two commits of a local repository and `git diff A B`, for comparisons.
import fs from 'node:fs';
import { simpleGit } from 'simple-git';

/** `git diff A B` beyond this size is cut, with a note. */
const MAX_HISTORY_PATCH = 1024 * 1024;
/** Commits listed between two commits at most. */
const MAX_COMMITS = 500;

/** One commit between two others. */
export interface HistoryCommit {
  hash: string;
  author: string;
  date: string;
  subject: string;
  side: 'a-only' | 'b-only';
}

/** The history between two commits of a repository on this machine, or why it could not be read. */
export type GitHistory =
  { ok: true; commits: HistoryCommit[]; patch: string; truncated: boolean } | { ok: false; reason: string };

const SEP = '\u001f';

/**
 * Reads the commits reachable from one commit and not the other (both ways, newest first) and
 * `git diff A B`, from the repository at `root`. Never throws: a missing folder, a folder that is
 * no longer a repository or a commit it lacks (a shallow clone, a force-push) is a reason.
 */
export async function readGitHistory(root: string, a: string, b: string): Promise<GitHistory> {
  if (!fs.existsSync(root)) return { ok: false, reason: `the repository ${root} is not on this machine` };
  const git = simpleGit({ baseDir: root, maxConcurrentProcesses: 2 });
  try {
    for (const c of [a, b]) {
      const kind = (await git.raw(['cat-file', '-t', c]).catch(() => '')).trim();
      if (kind !== 'commit')
        return { ok: false, reason: `the repository ${root} does not have commit ${c.slice(0, 12)}` };
    }
    const [log, patch] = await Promise.all([
      git.raw([
        'log',
        '--left-right',
        `--max-count=${MAX_COMMITS}`,
        `--format=%m${SEP}%H${SEP}%an${SEP}%aI${SEP}%s`,
        `${a}...${b}`,
      ]),
      git.raw(['diff', '--no-color', '--no-ext-diff', a, b]),
    ]);
    const commits = log
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [mark, hash, author, date, subject] = line.split(SEP);
        return {
          hash: hash ?? '',
          author: author ?? '',
          date: date ?? '',
          subject: subject ?? '',
          side: mark === '<' ? ('a-only' as const) : ('b-only' as const),
        };
      });
    const truncated = Buffer.byteLength(patch) > MAX_HISTORY_PATCH;
    return { ok: true, commits, patch: truncated ? patch.slice(0, MAX_HISTORY_PATCH) : patch, truncated };
  } catch (e) {
    return { ok: false, reason: `git could not read the history in ${root}: ${(e as Error).message.split('\n')[0]}` };
  }
}
