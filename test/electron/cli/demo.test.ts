// `reproscope demo`: audits the bundled example into a fresh store and writes its HTML report.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCore } from '../../../electron/core/core-context';
import { createHandlers } from '../../../electron/core/handlers';
import { cellsNarrowerThanAWord } from '../../helpers/report-browser';
import { REPO_ROOT, runCli, tempDir } from '../../helpers/temp';

describe('reproscope demo (npm run demo)', () => {
  it('audits the bundled example into a fresh store and writes its HTML report; its PDF fits in 6 pages', async () => {
    const home = tempDir();
    const out = path.join(tempDir(), 'demo.html');
    const r = await runCli(['demo', '-o', out, '--repeats', '2'], { env: { REPROSCOPE_HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/auditing the example .*seed-demo/);
    expect(r.stderr).not.toContain('NF'); // no "eta NFs"
    expect(r.stdout).toMatch(
      /^verdict: (reproduced-exact|reproduced-within-tolerance|statistically-consistent|not-reproduced)/m,
    );
    expect(r.stdout).toContain(`report: ${out}`);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toMatch(/<html/i);
    expect(html).toMatch(/seed-demo/);
    const audits = await runCli(['audits'], { env: { REPROSCOPE_HOME: home } });
    expect(audits.stdout).toMatch(/seed-demo/);

    // tables wrap by cell, never inside a word, at A4's width
    expect(await cellsNarrowerThanAWord(html)).toEqual([]);
    const id = /^audit: (\S+)$/m.exec(r.stdout)![1]!;
    const pdf = path.join(tempDir(), 'demo.pdf');
    // printed through the contract in this process (the CLI's own `report --format pdf` is tested in compare.test.ts)
    const ctx = openCore(home);
    try {
      const exported = await createHandlers(ctx).exportReport({ kind: 'audit', ids: [id], format: 'pdf' });
      expect(exported.ok, JSON.stringify(!exported.ok && exported.error)).toBe(true);
      fs.writeFileSync(pdf, Buffer.from(exported.ok ? exported.value.base64! : '', 'base64'));
    } finally {
      ctx.close();
    }
    const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
    // the pages as images, kept with the other artifacts to look at
    const shots = path.join(REPO_ROOT, 'test-results', 'pdf');
    fs.mkdirSync(shots, { recursive: true });
    execFileSync('pdftoppm', ['-r', '50', '-png', pdf, path.join(shots, 'demo-audit')]);
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(6);
    expect(fs.readdirSync(shots).filter((f) => f.startsWith('demo-audit')).length).toBe(pages);
  }, 180_000);
});
