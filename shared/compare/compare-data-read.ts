// How a changed data input relates to what the run read, as far as the record knows: the files its command names.
import type { DataInputComparison, DifferenceKind } from './compare-model';
import type { Snapshot } from '../snapshot/snapshot';

/** A data change weighed against what the run is known to have read. */
export interface DataReadRelation {
  /** data-content when the run read (or may have read) the changed files; data-unread when it is known not to have. */
  kind: Extract<DifferenceKind, 'data-content' | 'data-unread'>;
  /** A few words for the summary; null when nothing more is known than the change itself. */
  note: string | null;
}

/** The words of the command line and the parameter values: where a run names the files it reads. */
function namedPaths(s: Snapshot): string[] {
  const out: string[] = [];
  const add = (t: string): void => {
    // `--train=data/a.csv` names data/a.csv; plain words are kept whole.
    const v = t.includes('=') ? t.slice(t.indexOf('=') + 1) : t;
    const clean = v.replace(/^\.\//, '').replace(/\/+$/, '');
    if (clean) out.push(clean);
  };
  for (const t of s.process.argv) add(t);
  for (const v of Object.values(s.process.parameters)) add(v);
  return out;
}

/**
 * The paths under an input that a word of the command names: the word itself (a file named as it is
 * listed), the word less the input's folder (`data/a.csv` names `a.csv` of input `data`), and the same
 * for each tail of the word after a slash (`/abs/path/data/a.csv`), where a tail of more than one part
 * names a file by its own path (`…/shard-1/a.csv` names `shard-1/a.csv`). Why candidates, not a test per
 * file: a folder of 100,000 files against a dozen words was 100,000 × 12 string tests per changed input.
 */
function namedCandidates(words: readonly string[], input: string): Set<string> {
  const prefix = `${input.replace(/\/+$/, '')}/`;
  const out = new Set<string>();
  for (const word of words) {
    out.add(word);
    if (word.startsWith(prefix)) out.add(word.slice(prefix.length));
    for (let at = word.indexOf('/'); at >= 0;) {
      const next = word.indexOf('/', at + 1);
      if (word.startsWith(prefix, at + 1)) out.add(word.slice(at + 1 + prefix.length));
      if (next >= 0) out.add(word.slice(at + 1));
      at = next;
    }
  }
  return out;
}

/** The files of input `input` that are among `candidates`, in manifest order (A's, then those only B lists), each once. */
function namedFiles(runs: readonly Snapshot[], input: string, candidates: ReadonlySet<string>): Set<string> {
  const named = new Set<string>();
  if (candidates.size === 0) return named;
  for (const s of runs)
    for (const t of s.data.inputs)
      if (t.path === input) for (const f of t.files) if (candidates.has(f.path)) named.add(f.path);
  return named;
}

/**
 * Weighs one data input's change: a single-file input the run was given is read; in a folder, the
 * files the command names are the ones known to be read; a folder that only gained files the
 * commands do not name cannot explain A's outcome (A's run could not read them). Anything else is
 * taken as read, and says that which files were read is not recorded.
 */
export function dataChangeRelation(d: DataInputComparison, a: Snapshot, b: Snapshot): DataReadRelation {
  if (d.status !== 'changed') return { kind: 'data-content', note: null };
  const isFile = [a, b].some((s) => s.data.inputs.some((t) => t.path === d.path && t.kind === 'file'));
  if (isFile) return { kind: 'data-content', note: 'the run was given this file' };
  const named = namedFiles([a, b], d.path, namedCandidates([...namedPaths(a), ...namedPaths(b)], d.path));
  const changedNamed = d.files.filter((f) => named.has(f.path)).map((f) => f.path);
  if (changedNamed.length)
    return { kind: 'data-content', note: `the command names ${changedNamed.slice(0, 3).join(', ')}, which changed` };
  if (named.size && !d.truncated)
    return {
      kind: 'data-unread',
      note: `the files the command names (${[...named].slice(0, 3).join(', ')}) are unchanged`,
    };
  if (d.changed === 0 && d.removed === 0)
    return { kind: 'data-unread', note: "only added files, which A's run cannot have read and no command names" };
  return { kind: 'data-content', note: 'which of its files the run read is not recorded' };
}
