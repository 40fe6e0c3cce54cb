// DiffView: a unified or split view of a patch or of two texts, with line numbers.
import { diffLines } from 'diff';
import { useMemo, useState, type ReactNode } from 'react';

/** How a diff is laid out. */
export type DiffLayout = 'unified' | 'split';

interface Row {
  kind: 'ctx' | 'add' | 'del' | 'hunk' | 'file';
  text: string;
  a: number | null;
  b: number | null;
}

/** Splits a unified patch (git diff) into typed lines with old/new line numbers. */
export function parsePatch(patch: string): Row[] {
  const rows: Row[] = [];
  let a = 0;
  let b = 0;
  for (const line of patch.split('\n')) {
    const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (m) {
      a = Number(m[1]);
      b = Number(m[2]);
      rows.push({ kind: 'hunk', text: line, a: null, b: null });
      continue;
    }
    if (
      /^(diff --git|index |--- |\+\+\+ |new file|deleted file|similarity|rename |old mode|new mode|Binary files)/.test(
        line,
      )
    ) {
      rows.push({ kind: 'file', text: line, a: null, b: null });
      continue;
    }
    if (line.startsWith('+')) rows.push({ kind: 'add', text: line.slice(1), a: null, b: b++ });
    else if (line.startsWith('-')) rows.push({ kind: 'del', text: line.slice(1), a: a++, b: null });
    else if (line.startsWith('\\')) rows.push({ kind: 'hunk', text: line, a: null, b: null });
    else rows.push({ kind: 'ctx', text: line.startsWith(' ') ? line.slice(1) : line, a: a++, b: b++ });
  }
  while (rows.length && rows[rows.length - 1]!.kind === 'ctx' && rows[rows.length - 1]!.text === '') rows.pop();
  return rows;
}

/** Diffs two texts line by line into typed rows with line numbers. */
export function diffTexts(before: string, after: string): Row[] {
  const rows: Row[] = [];
  let a = 1;
  let b = 1;
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (part.added) rows.push({ kind: 'add', text, a: null, b: b++ });
      else if (part.removed) rows.push({ kind: 'del', text, a: a++, b: null });
      else rows.push({ kind: 'ctx', text, a: a++, b: b++ });
    }
  }
  return rows;
}

const sign = { ctx: ' ', add: '+', del: '-', hunk: '', file: '' } as const;

/** Pairs deletions with the additions that follow them, so a split view shows them side by side. */
function toSplit(rows: Row[]): [Row | null, Row | null][] {
  const out: [Row | null, Row | null][] = [];
  for (let i = 0; i < rows.length;) {
    const r = rows[i]!;
    if (r.kind === 'del') {
      const dels: Row[] = [];
      const adds: Row[] = [];
      while (i < rows.length && rows[i]!.kind === 'del') dels.push(rows[i++]!);
      while (i < rows.length && rows[i]!.kind === 'add') adds.push(rows[i++]!);
      for (let k = 0; k < Math.max(dels.length, adds.length); k++) out.push([dels[k] ?? null, adds[k] ?? null]);
    } else if (r.kind === 'add') {
      out.push([null, r]);
      i++;
    } else {
      out.push([r, r]);
      i++;
    }
  }
  return out;
}

/** Hides long runs of unchanged lines, keeping `context` lines around each change. */
function foldContext(rows: Row[], context: number): (Row | { kind: 'fold'; count: number })[] {
  const keep = rows.map((r) => r.kind !== 'ctx');
  const near = keep.map((_, i) => keep.slice(Math.max(0, i - context), i + context + 1).some(Boolean));
  const out: (Row | { kind: 'fold'; count: number })[] = [];
  let skipped = 0;
  rows.forEach((r, i) => {
    if (near[i]) {
      if (skipped) {
        out.push({ kind: 'fold', count: skipped });
        skipped = 0;
      }
      out.push(r);
    } else skipped++;
  });
  if (skipped) out.push({ kind: 'fold', count: skipped });
  return out;
}

/** Lines drawn before "show all": a long diff should not hold up the rest of the view. */
const FIRST_LINES = 300;

/** A diff of a patch or of two texts, unified or split; long diffs show their first lines until asked for all. */
export function DiffView({
  patch,
  before,
  after,
  layout = 'unified',
  context = 3,
}: {
  patch?: string;
  before?: string;
  after?: string;
  layout?: DiffLayout;
  context?: number;
}): ReactNode {
  const allRows = useMemo(
    () =>
      patch !== undefined ? parsePatch(patch) : (foldContext(diffTexts(before ?? '', after ?? ''), context) as Row[]),
    [patch, before, after, context],
  );
  const [all, setAll] = useState(false);
  if (allRows.length === 0) return <div className="muted">No differences.</div>;
  const rows = all ? allRows : allRows.slice(0, FIRST_LINES);
  const more = allRows.length - rows.length;
  const showAll =
    more > 0 ? (
      <button type="button" className="more" onClick={() => setAll(true)}>
        Show all {allRows.length.toLocaleString()} lines ({more.toLocaleString()} more)
      </button>
    ) : null;
  const cell = (r: Row | null, side: 'a' | 'b' | 'both', key: string): ReactNode => {
    if (r === null)
      return (
        <div key={key} className="line">
          {' '}
        </div>
      );
    if ((r as unknown as { kind: string }).kind === 'fold')
      return (
        <div key={key} className="line hunk">
          ⋯ {(r as unknown as { count: number }).count} unchanged lines
        </div>
      );
    const n = side === 'a' ? r.a : side === 'b' ? r.b : null;
    return (
      <div key={key} className={`line ${r.kind}`}>
        {side === 'both' ? (
          <>
            <span className="ln">{r.a ?? ''}</span>
            <span className="ln">{r.b ?? ''}</span>
            {sign[r.kind]}
          </>
        ) : (
          <span className="ln">{n ?? ''}</span>
        )}
        {r.text}
      </div>
    );
  };
  if (layout === 'split') {
    const pairs = toSplit(rows);
    return (
      <>
        <div className="diff diff-split">
          <div>{pairs.map(([l], i) => cell(l, 'a', `a${i}`))}</div>
          <div>{pairs.map(([, r], i) => cell(r, 'b', `b${i}`))}</div>
        </div>
        {showAll}
      </>
    );
  }
  return (
    <>
      <div className="diff">{rows.map((r, i) => cell(r, 'both', String(i)))}</div>
      {showAll}
    </>
  );
}
