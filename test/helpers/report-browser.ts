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
