// Prints a report to PDF in a hidden, script-free window.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow as BrowserWindowType, BrowserWindowConstructorOptions } from 'electron';
import type { PdfPrinter } from './dialogs';
import { secureWebPreferences } from './window-options';

/** The hidden window a report is printed in: the secure preferences, no preload, and no JavaScript at all. */
export function pdfWindowOptions(): BrowserWindowConstructorOptions {
  const { preload: _preload, ...prefs } = secureWebPreferences('');
  return { show: false, webPreferences: { ...prefs, javascript: false, offscreen: true } };
}

/** A printer that loads the report's HTML from a private temp file into a hidden window and prints it with Chromium. */
export function createPdfPrinter(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindowType,
): PdfPrinter {
  return async (html) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-pdf-'));
    const file = path.join(dir, 'report.html');
    fs.writeFileSync(file, html, { mode: 0o600 });
    const win = new BrowserWindow(pdfWindowOptions());
    try {
      await win.loadFile(file);
      return await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    } finally {
      win.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}
