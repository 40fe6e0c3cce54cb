// The renderer's pure logic: routes through the URL hash, git patches read into lines, texts diffed line by line.
import { describe, expect, it } from 'vitest';
import { diffTexts, parsePatch } from '../../renderer/components/diff-view';
import { parseRoute, routeHash, type Route } from '../../renderer/router';

describe('renderer logic', () => {
  it('round-trips every route through the URL hash', () => {
    const routes: Route[] = [
      { view: 'runs' },
      { view: 'run', id: 'abc123' },
      { view: 'compare', a: 'a1', b: 'b2' },
      { view: 'compare', a: null, b: null },
      { view: 'compare', a: 'a1', b: 'b2', rest: ['c3', 'd4'] },
      { view: 'report', kind: 'compare', a: 'a1', b: 'b2', rest: ['c3'] },
      { view: 'audit', id: null },
      { view: 'audit', id: 'x9' },
      { view: 'report', kind: 'audit', a: 'x9', b: null },
      { view: 'report', kind: 'compare', a: 'a1', b: 'b2' },
      { view: 'report', kind: null, a: null, b: null },
      { view: 'import' },
    ];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
    expect(parseRoute('')).toEqual({ view: 'runs' });
    expect(parseRoute('#/nonsense/1')).toEqual({ view: 'runs' });
    expect(parseRoute('#/run/%3Cimg%3E')).toEqual({ view: 'run', id: '<img>' });
  });

  it('reads a git patch into lines with old and new line numbers', () => {
    const rows = parsePatch(
      [
        'diff --git a/t.py b/t.py',
        '--- a/t.py',
        '+++ b/t.py',
        '@@ -3,3 +3,3 @@ def f():',
        ' a',
        '-b',
        '+c',
        ' d',
        '',
      ].join('\n'),
    );
    expect(rows.map((r) => [r.kind, r.text, r.a, r.b])).toEqual([
      ['file', 'diff --git a/t.py b/t.py', null, null],
      ['file', '--- a/t.py', null, null],
      ['file', '+++ b/t.py', null, null],
      ['hunk', '@@ -3,3 +3,3 @@ def f():', null, null],
      ['ctx', 'a', 3, 3],
      ['del', 'b', 4, null],
      ['add', 'c', null, 4],
      ['ctx', 'd', 5, 5],
    ]);
  });

  it('diffs two texts line by line', () => {
    expect(
      diffTexts('numpy==1.24\nscipy==1.10\n', 'numpy==1.26\nscipy==1.10\n').map((r) => `${r.kind}:${r.text}`),
    ).toEqual(['del:numpy==1.24', 'add:numpy==1.26', 'ctx:scipy==1.10']);
  });
});
