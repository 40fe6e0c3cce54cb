// `reproscope compare` and `report` on two captured runs: terminal text, JSON, and exported reports.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nonFiniteReviver } from '../../../shared/snapshot/nonfinite-json';
import { ComparisonSchema } from '../../../shared/compare/compare-model';
import { git, gitRepo, runCli, SYSTEM_PYTHON, tempDir, writeFiles } from '../../helpers/temp';

const TRAIN = 'import json, sys\njson.dump({"accuracy": float(sys.argv[1])}, open("metrics.json", "w"))\n';

describe('reproscope compare and report', () => {
  it('compares two captured runs in the terminal, as JSON, and exports reports to files', async () => {
    const repo = gitRepo({ 'train.py': TRAIN, '.gitignore': 'metrics.json\n' });
    writeFiles(repo, { 'data/a.csv': '1\n' });
    const store = tempDir();
    const capture = async (acc: string) => {
      const r = await runCli(['--store', store, 'capture', '--data', 'data', '--', SYSTEM_PYTHON, 'train.py', acc], {
        cwd: repo,
      });
      expect(r.code).toBe(0);
      return /recorded run ([0-9a-f]{8})/.exec(r.stderr)![1]!;
    };
    const a = await capture('0.9');
    writeFiles(repo, { 'data/a.csv': '1\n2\n', 'train.py': `${TRAIN}# v2\n` });
    git(repo, 'commit', '-q', '-am', 'v2');
    const b = await capture('0.8');

    const text = await runCli(['--store', store, 'compare', a, b]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^accuracy 0\.9 → 0\.8 \(-11\.1 %\)/m);
    expect(text.stdout).toMatch(/1\. The data the run read has different content {2}\[data\]/);
    expect(text.stdout).toMatch(/~ a\.csv {2}2 B → 4 B/);
    expect(text.stdout).toMatch(/> [0-9a-f]{10} v2/); // the commit between them, from the repository
    expect(text.stdout).not.toMatch(/^Hardware/m); // same machine: nothing to show

    const all = await runCli(['--store', store, 'compare', a, b, '--all']);
    expect(all.stdout).toMatch(/^Hardware \(no differences\)/m);

    const json = await runCli(['--store', store, 'compare', a, b, '--json']);
    const c = ComparisonSchema.parse(JSON.parse(json.stdout, nonFiniteReviver));
    expect(c.code.history?.status).toBe('ok');

    const out = tempDir();
    const md = await runCli([
      '--store',
      store,
      'report',
      '--compare',
      a,
      b,
      '--format',
      'md',
      '-o',
      path.join(out, 'diff.md'),
    ]);
    expect(md.code).toBe(0);
    expect(md.stderr).toMatch(/wrote md report to .*diff\.md/);
    expect(fs.readFileSync(path.join(out, 'diff.md'), 'utf8')).toMatch(/^# Comparison of run/);
    const html = await runCli([
      '--store',
      store,
      'report',
      '--compare',
      a,
      b,
      '--format',
      'html',
      '-o',
      path.join(out, 'diff.html'),
    ]);
    expect(html.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'diff.html'), 'utf8')).toMatch(/<figure class="chart"[^>]*><svg/); // vega rendered in the bundle

    // through the real launcher (bin/reproscope.cjs runs the bundle's ES module chunks), from a folder
    // with no node_modules: playwright-core must still be found from the bundle
    const pdf = await runCli(
      ['--store', store, 'report', '--compare', a, b, '--format', 'pdf', '-o', path.join(out, 'diff.pdf')],
      { cwd: out },
    );
    expect(pdf.stderr).toMatch(/wrote pdf report to .*diff\.pdf/);
    expect(pdf.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'diff.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const noChromium = await runCli([
      '--store',
      store,
      'report',
      '--compare',
      a,
      b,
      '--format',
      'pdf',
      '--chromium',
      '/nonexistent/chromium',
      '-o',
      path.join(out, 'x.pdf'),
    ]);
    expect(noChromium.code).toBe(1);
    expect(noChromium.stderr).toMatch(
      /error: the Chromium \/nonexistent\/chromium does not exist[\s\S]*--chromium PATH/,
    );

    const bad = await runCli(['--store', store, 'report', '--compare', a, '--format', 'md']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--compare takes 2 to 20 run ids, got 1/);
    const unknown = await runCli(['--store', store, 'compare', a, 'ffffffff']);
    expect(unknown.code).toBe(3);
  }, 90_000);
});
