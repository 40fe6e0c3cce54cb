// The app operations: the bundled examples list and run filters by audit.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExamplesDir, listExamples } from '../../../../electron/core/examples/example-operations';
import { createHandlers } from '../../../../electron/core/handlers';
import { emptySnapshot } from '../../../../shared/snapshot/snapshot';
import { tempCore } from '../../../helpers/store';
import { tempDir, writeFiles } from '../../../helpers/temp';

describe('the app operations', () => {
  it('lists example folders that hold an MLproject, with a sentence from their README', () => {
    const dir = tempDir();
    writeFiles(dir, {
      'seed-demo/MLproject': 'name: seed-demo\n',
      'seed-demo/README.md': '# Seed demo\n\nA tiny experiment with a seed.\n',
      'notes/readme.txt': 'x',
    });
    expect(listExamples(dir)).toEqual([
      { name: 'seed-demo', path: path.join(dir, 'seed-demo'), description: 'A tiny experiment with a seed.' },
    ]);
    expect(listExamples(null)).toEqual([]);
    const root = tempDir();
    writeFiles(root, { 'package.json': '{}', 'examples/x/MLproject': 'name: x\n', 'dist/electron/main.cjs': '' });
    expect(findExamplesDir(path.join(root, 'dist', 'electron'))).toBe(path.join(root, 'examples'));
  });

  it('filters runs by a set of audits (the verdict filter) and counts the full match', async () => {
    const ctx = tempCore();
    for (let i = 0; i < 5; i++) {
      const s = emptySnapshot(
        `00000000000000000000000${i}`,
        'rerun',
        new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
      );
      s.auditId = i < 3 ? 'audit-a' : i === 3 ? 'audit-b' : null;
      ctx.runs.save(s);
    }
    const h = createHandlers(ctx);
    const both = await h.listRuns({ auditIds: ['audit-a', 'audit-b'], limit: 2 });
    expect(both).toMatchObject({ ok: true, value: { total: 4 } });
    expect(both.ok && both.value.runs.map((r) => r.auditId)).toEqual(['audit-b', 'audit-a']);
    expect(await h.listRuns({ auditIds: [] })).toMatchObject({ ok: true, value: { total: 0, runs: [] } });
    expect(await h.listRuns({ auditIds: ["x' OR 1=1 --"] })).toMatchObject({ ok: true, value: { total: 0 } });
  });
});
