// Opens reports in Debian's Chromium for tests: screenshots, PDF text, cells narrower than a word.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT, tempDir } from './temp';

/** Debian's Chromium, which the report tests read reports in. */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** A report opened in Chromium with JavaScript off, every request it makes recorded (and refused). */
export interface OpenedReport {
  page: Page;
  requests: string[];
  close(): Promise<void>;
}

/** Opens an HTML report as a reader would, in the given colour scheme. */
export async function openReport(html: string, colorScheme: 'light' | 'dark' = 'light'): Promise<OpenedReport> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const context = await browser.newContext({
    javaScriptEnabled: false,
    colorScheme,
    viewport: { width: 1100, height: 1400 },
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const file = path.join(tempDir('reproscope-report-'), 'report.html');
  fs.writeFileSync(file, html);
  page.on('request', (r) => {
    requests.push(r.url());
  });
  await page.route('**/*', (route) => (route.request().url() === `file://${file}` ? route.continue() : route.abort()));
  await page.goto(`file://${file}`);
  // the page's own file load is the one request allowed
  await page.waitForLoadState('load');
  const others = requests.filter((u) => u !== `file://${file}` && !u.startsWith('data:'));
  requests.splice(0, requests.length, ...others);
  return { page, requests, close: () => browser.close() };
}

/** Saves a screenshot under test-results/ (kept for a person to look at). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  const dir = path.join(REPO_ROOT, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** The text of a PDF, read back with poppler's pdftotext. */
export function pdfText(pdf: Buffer): string {
  const file = path.join(tempDir('reproscope-pdf-'), 'report.pdf');
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Cells narrower than their longest word (a word broken across lines), in the report laid out for print at A4's width. */
export async function cellsNarrowerThanAWord(html: string): Promise<string[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  try {
    // A4 less the print margins (210 mm − 2 × 12 mm) at 96 px per inch; Letter is wider, so A4 is the test
    const page = await browser.newPage({ viewport: { width: 703, height: 1000 } });
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    // a word the layout broke across lines has rectangles on more than one line
    return await page.evaluate(() => {
      const bad: string[] = [];
      for (const td of document.querySelectorAll('td, th')) {
        if (td.classList.contains('mono') || td.querySelector('code, pre')) continue; // hashes and paths may break
        const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const text = n.textContent ?? '';
          // a line may end after a hyphen or a slash (jsonschema-specifications): the pieces are the words
          for (const m of text.matchAll(/[^\s\-/]+[-/]?/g)) {
            const range = document.createRange();
            range.setStart(n, m.index);
            range.setEnd(n, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (tops.size > 1) bad.push(`${m[0]} in a ${Math.round(td.getBoundingClientRect().width)} px cell`);
          }
        }
      }
      return bad;
    });
  } finally {
    await browser.close();
  }
}
