// Prints HTML to PDF with a headless Chromium found on this machine (playwright-core).
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../shared/errors';

/** Where Chromium and Chrome usually live, in the order they are tried. */
const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
];
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** Flags for a headless print: no sandbox (containers, root), no GPU, nothing fetched in the background. */
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Chromium to print with: the one named, else the first found in the usual places or on PATH. */
export function findChromium(explicit?: string | null, envPath = process.env.PATH ?? ''): string {
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new ReproError(
        'REPORT_FAILED',
        `the Chromium ${explicit} does not exist or cannot be run`,
        'Name the Chromium or Chrome executable with --chromium PATH, or export as html and print it from a browser.',
      );
    }
    return explicit;
  }
  for (const c of CANDIDATES) if (isExecutable(c)) return c;
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    for (const name of PATH_NAMES) {
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  throw new ReproError(
    'REPORT_FAILED',
    'no Chromium or Chrome was found to print the PDF with',
    'Install one (apt-get install chromium), name it with --chromium PATH, or export --format html and print that from a browser.',
  );
}

function loadPlaywright(): typeof import('playwright-core') {
  try {
    // require, not import(): playwright-core stays outside the bundle, and `require` (the CLI's chunks make their own
    // from import.meta.url) finds it from the bundle's folder, whatever the working folder
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('playwright-core') as typeof import('playwright-core');
  } catch (e) {
    throw new ReproError(
      'REPORT_FAILED',
      'playwright-core, which drives Chromium to print PDFs, is not installed',
      'Reinstall reproscope, or export --format html and print it from a browser.',
      { cause: e },
    );
  }
}

function printFailed(e: unknown, executablePath: string): ReproError {
  if (e instanceof ReproError) return e;
  return new ReproError(
    'REPORT_FAILED',
    `Chromium (${executablePath}) could not print the report: ${(e as Error).message.split('\n')[0]}`,
    'Check that this Chromium starts (run it with --headless --version), name another with --chromium PATH, or export --format html.',
    { cause: e },
  );
}

/** A headless Chromium started for one print: `print` it an HTML document once, then `close` it (always). */
export interface PdfPrinter {
  /** Prints an HTML document to PDF (A4, backgrounds on). */
  print(html: string): Promise<Buffer>;
  /** Closes the browser; never throws. */
  close(): Promise<void>;
}

/**
 * Starts a headless Chromium and readies its page (JavaScript off, offline, every request refused, print media), so
 * that it starts while the caller builds the HTML: most of a PDF export is Chromium's start (issue 13).
 */
export function startPdfPrinter(executablePath: string): PdfPrinter {
  const playwright = loadPlaywright();
  let browser: import('playwright-core').Browser | null = null;
  const ready = (async () => {
    browser = await playwright.chromium.launch({ executablePath, args: LAUNCH_ARGS, timeout: 60_000 });
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true, colorScheme: 'light' });
    const page = await context.newPage();
    // A report needs nothing from anywhere; anything it asks for is refused.
    await page.route('**/*', (route) => route.abort());
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    return page;
  })();
  // a failure to start is reported by print(); until then it must not count as unhandled
  ready.catch(() => undefined);
  return {
    async print(html) {
      try {
        const page = await ready;
        await page.setContent(html, { waitUntil: 'load' });
        return await page.pdf({
          format: 'A4',
          printBackground: true,
          margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' },
        });
      } catch (e) {
        throw printFailed(e, executablePath);
      }
    },
    async close() {
      await ready.catch(() => undefined);
      await browser?.close().catch(() => undefined);
    },
  };
}

/** Prints an HTML document to PDF (A4, backgrounds on) with a headless Chromium through playwright-core; JavaScript stays off. */
export async function printHtmlToPdf(html: string, executablePath: string): Promise<Buffer> {
  const printer = startPdfPrinter(executablePath);
  try {
    return await printer.print(html);
  } finally {
    await printer.close();
  }
}
