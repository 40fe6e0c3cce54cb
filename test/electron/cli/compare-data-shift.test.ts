// `reproscope compare` on two checkouts of a project whose wine data differ: the compact per-column table, rows by --key, and a report rebuilt from the store.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shiftColumn, wineRows, writeCsv } from '../../helpers/data-shift-fixtures';
import { gitRepo, runCli, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

const TRAIN = 'import json\njson.dump({"rmse": 0.7}, open("metrics.json", "w"))\n';

describe('reproscope compare: data shift', () => {
  it('prints which columns of the changed CSV moved most and the first rows that differ', async () => {
    const { header, rows } = wineRows();
    const withId = rows.slice(0, 1000).map((r, i) => [String(i + 1), ...r]);
    const store = tempDir();
    const checkouts = [withId, [...shiftColumn(withId, 1 + header.indexOf('chlorides'), 0.05), ['1001', ...rows[0]!]]];
    const ids: string[] = [];
    for (const data of checkouts) {
      const repo = gitRepo({ 'train.py': TRAIN, '.gitignore': 'metrics.json\n' });
      writeCsv(path.join(repo, 'data', 'wine.csv'), ['id', ...header], data);
      const r = await runCli(
        ['--store', store, 'capture', '--data', 'data/wine.csv', '--', SYSTEM_PYTHON, 'train.py'],
        {
          cwd: repo,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      ids.push(/recorded run ([0-9a-f]{8})/.exec(r.stderr)![1]!);
    }
    const [a, b] = ids as [string, string];
    const out = await runCli(['--store', store, 'compare', a, b, '--key', 'id']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^Data and output files \(1\)$/m);
    // the hint on what is left out closes the text, after the data shift too
    expect(out.stdout).toMatch(
      /\n\nOnly differences are shown; --all shows every fact, --json everything as JSON\.\n$/,
    );
    expect(out.stdout.indexOf('Data and output files')).toBeLessThan(out.stdout.indexOf('Only differences are shown'));
    expect(out.stdout).toMatch(/~ data\/wine\.csv {2}csv, 1000 → 1001 rows/);
    // the shifted column heads the table, its KS test beside it
    expect(out.stdout).toMatch(/^ {6}column +type +A +B +missing +test +moved\n {6}chlorides +number .*KS D/m);
    expect(out.stdout).toMatch(/rows by id: 1001 differ/);
    expect(out.stdout).toMatch(/^ {8}id 1: chlorides 0\.045 → 0\.095$/m);

    const md = await runCli(['--store', store, 'report', '--compare', a, b, '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/### How the data changed[\s\S]*chlorides/);
    const json = await runCli(['--store', store, 'compare', a, b, '--no-data', '--json']);
    expect(JSON.parse(json.stdout)).not.toHaveProperty('dataShift');
    expect(fs.existsSync(store)).toBe(true);
  });
});
