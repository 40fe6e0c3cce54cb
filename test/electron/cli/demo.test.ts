import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../../helpers/temp';

const CHROMIUM = '/usr/bin/chromium';

/** Cells narrower than their longest word (a word broken across lines), in the report laid out for print at A4's width. */
async function cellsNarrowerThanAWord(html: string): Promise<string[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  try {
    // A4 less the print margins (210 mm − 2 × 12 mm) at 96 px per inch; Letter is wider, so A4 is the test
    const page = await browser.newPage({ viewport: { width: 703, height: 1000 } });
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    return await page.evaluate(() => {
      const bad: string[] = [];
      const probe = document.createElement('span');
      probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
      document.body.appendChild(probe);
      for (const td of document.querySelectorAll('td, th')) {
        if (td.classList.contains('mono') || td.querySelector('code, pre')) continue; // hashes and paths may break
        const words = (td.textContent ?? '').split(/\s+/).filter(Boolean);
        if (words.length === 0) continue;
        const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
        const style = getComputedStyle(td);
        probe.style.font = style.font;
        probe.textContent = longest;
        const inner = td.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        if (probe.getBoundingClientRect().width > inner + 1) bad.push(`${longest} (${Math.round(inner)} px)`);
      }
      return bad;
    });
  } finally {
    await browser.close();
  }
}

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
    const p = await runCli(['report', id, '--format', 'pdf', '-o', pdf], { env: { REPROSCOPE_HOME: home } });
    expect(p.code, p.stderr).toBe(0);
    const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(6);
    // the pages as images, kept with the other artifacts to look at
    const shots = path.join(REPO_ROOT, 'test-results', 'pdf');
    fs.mkdirSync(shots, { recursive: true });
    execFileSync('pdftoppm', ['-r', '50', '-png', pdf, path.join(shots, 'demo-audit')]);
    expect(fs.readdirSync(shots).filter((f) => f.startsWith('demo-audit')).length).toBe(pages);
  }, 180_000);
});
