// Prints HTML to PDF with a headless Chromium found on this machine (playwright-core).
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
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

/** Where playwright-core is, for the printing thread to load it; a clear error where it is not installed. */
function resolvePlaywright(): string {
  try {
    return require.resolve('playwright-core');
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
 * The printing thread: loads playwright-core (about a third of a second of compiling), starts Chromium and readies
 * its page (JavaScript off, offline, every request refused, print media), then prints the one document it is sent.
 * Plain JavaScript run with `eval`, so it needs no bundle of its own; it is told where playwright-core is.
 */
const PRINT_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const fail = (e) => parentPort.postMessage({ type: 'error', message: String((e && e.message) || e) });
const ready = (async () => {
  const playwright = require(workerData.playwright);
  const browser = await playwright.chromium.launch({ executablePath: workerData.executablePath, args: workerData.args, timeout: 60000 });
  const context = await browser.newContext({ javaScriptEnabled: false, offline: true, colorScheme: 'light' });
  const page = await context.newPage();
  await page.route('**/*', (route) => route.abort());
  await page.emulateMedia({ media: 'print', colorScheme: 'light' });
  return { browser, page };
})();
ready.catch(() => undefined);
parentPort.on('message', async (m) => {
  if (m.type === 'print') {
    try {
      const { page } = await ready;
      await page.setContent(m.html, { waitUntil: 'load' });
      const pdf = await page.pdf(m.options);
      parentPort.postMessage({ type: 'pdf', pdf: new Uint8Array(pdf) });
    } catch (e) {
      fail(e);
    }
  } else if (m.type === 'close') {
    try {
      await (await ready).browser.close();
    } catch {}
    parentPort.postMessage({ type: 'closed' });
  }
});
`;

/** How the page is printed: A4, backgrounds on, the report's margins. */
const PDF_OPTIONS = {
  format: 'A4',
  printBackground: true,
  margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' },
};

/**
 * Starts a headless Chromium in a thread of its own and readies its page, so that loading playwright-core and
 * Chromium's start run beside the caller's work (reading the runs, drawing the charts): most of a PDF export is
 * that start (issue 13).
 */
export function startPdfPrinter(executablePath: string): PdfPrinter {
  const worker = new Worker(PRINT_THREAD, {
    eval: true,
    workerData: { playwright: resolvePlaywright(), executablePath, args: LAUNCH_ARGS },
  });
  const answers: ((m: ThreadAnswer) => void)[] = [];
  let gone: Error | null = null;
  worker.on('message', (m: ThreadAnswer) => answers.shift()?.(m));
  // a thread that dies (an error thrown in it, or an exit) answers whatever is still asked, so no print waits forever
  const lost = (e: Error): void => {
    gone ??= e;
    for (const a of answers.splice(0)) a({ type: 'error', message: gone.message });
  };
  worker.on('error', lost);
  worker.on('exit', (code) => lost(new Error(`the printing thread ended (exit code ${code})`)));
  const ask = (message: { type: 'print'; html: string; options: typeof PDF_OPTIONS } | { type: 'close' }) =>
    new Promise<ThreadAnswer>((resolve) => {
      if (gone) return resolve({ type: 'error', message: gone.message });
      answers.push(resolve);
      worker.postMessage(message);
    });
  return {
    async print(html) {
      const answer = await ask({ type: 'print', html, options: PDF_OPTIONS });
      if (answer.type !== 'pdf')
        throw printFailed(new Error(answer.type === 'error' ? answer.message : 'no PDF came back'), executablePath);
      return Buffer.from(answer.pdf.buffer, answer.pdf.byteOffset, answer.pdf.byteLength);
    },
    async close() {
      await ask({ type: 'close' }).catch(() => undefined);
      await worker.terminate().catch(() => undefined);
    },
  };
}

/** What the printing thread answers. */
type ThreadAnswer = { type: 'pdf'; pdf: Uint8Array } | { type: 'error'; message: string } | { type: 'closed' };

/** Prints an HTML document to PDF (A4, backgrounds on) with a headless Chromium through playwright-core; JavaScript stays off. */
export async function printHtmlToPdf(html: string, executablePath: string): Promise<Buffer> {
  const printer = startPdfPrinter(executablePath);
  try {
    return await printer.print(html);
  } finally {
    await printer.close();
  }
}
