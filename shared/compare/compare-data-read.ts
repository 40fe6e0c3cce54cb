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

/** Whether a word of the command names this file of the input (by its path under the input, or below the working folder). */
function names(word: string, input: string, file: string): boolean {
  const full = `${input.replace(/\/+$/, '')}/${file}`;
  return (
    word === full || word === file || word.endsWith(`/${full}`) || (file.includes('/') && word.endsWith(`/${file}`))
  );
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
  const words = [...new Set([...namedPaths(a), ...namedPaths(b)])];
  const manifest = new Set<string>();
  for (const s of [a, b])
    for (const t of s.data.inputs) if (t.path === d.path) for (const f of t.files) manifest.add(f.path);
  const named = [...manifest].filter((f) => words.some((w) => names(w, d.path, f)));
  const changedNamed = d.files.filter((f) => named.includes(f.path)).map((f) => f.path);
  if (changedNamed.length)
    return { kind: 'data-content', note: `the command names ${changedNamed.slice(0, 3).join(', ')}, which changed` };
  if (named.length && !d.truncated)
    return {
      kind: 'data-unread',
      note: `the files the command names (${named.slice(0, 3).join(', ')}) are unchanged`,
    };
  if (d.changed === 0 && d.removed === 0)
    return { kind: 'data-unread', note: "only added files, which A's run cannot have read and no command names" };
  return { kind: 'data-content', note: 'which of its files the run read is not recorded' };
}
