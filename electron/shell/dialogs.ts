// The shell's native dialogs: pick a path, save a report (PDF printed first), open an allowed link.
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Dialog, OpenDialogOptions, SaveDialogOptions, Shell } from 'electron';
import type { PickPurpose, ReportFormat, SaveReportRequest } from '../../shared/api/desktop-bridge';
import { ReproError } from '../../shared/errors';
import type { ShellActions } from '../ipc/ipc-routes';
import { isAllowedExternal } from './navigation';

/** The native "open" dialog for each purpose: what it is titled and whether it picks a folder or a file. */
export function pickPathDialogOptions(purpose: PickPurpose): OpenDialogOptions {
  switch (purpose) {
    case 'project':
      return { title: 'Choose a project folder (with an MLproject file)', properties: ['openDirectory'] };
    case 'data':
      return { title: 'Choose a data folder', properties: ['openDirectory'] };
    case 'mlflow-folder':
      return { title: 'Choose an MLflow store (an mlruns folder)', properties: ['openDirectory'] };
    case 'mlflow-database':
      return {
        title: 'Choose an MLflow database',
        properties: ['openFile'],
        filters: [
          { name: 'MLflow SQLite database', extensions: ['db', 'sqlite', 'sqlite3'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
  }
}

const FILTERS: Record<ReportFormat, { name: string; extensions: string[] }> = {
  html: { name: 'HTML report', extensions: ['html'] },
  md: { name: 'Markdown report', extensions: ['md'] },
  json: { name: 'JSON report', extensions: ['json'] },
  pdf: { name: 'PDF report', extensions: ['pdf'] },
};

/** The "save as" dialog for a report: in the default folder, under the suggested name with the format's extension. */
export function saveReportDialogOptions(
  defaultDir: string,
  suggestedName: string,
  format: ReportFormat,
): SaveDialogOptions {
  const base = path.basename(suggestedName).replace(/\.(html|md|json|pdf)$/i, '');
  return {
    title: 'Save the report',
    defaultPath: path.join(defaultDir, `${base}.${format}`),
    filters: [FILTERS[format]],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/** Prints report HTML to PDF bytes (Electron's printToPDF in a hidden, script-less window). */
export type PdfPrinter = (html: string) => Promise<Buffer>;

/** The shell's actions over Electron's dialog and shell modules, for the window they belong to. */
export function createShellActions(deps: {
  dialog: Dialog;
  shell: Shell;
  window: () => BrowserWindow | null;
  defaultDir: string;
  printPdf?: PdfPrinter;
}): ShellActions {
  return {
    pickPath: async (purpose) => {
      const win = deps.window();
      const options = pickPathDialogOptions(purpose);
      const r = win ? await deps.dialog.showOpenDialog(win, options) : await deps.dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    saveReport: async (report: SaveReportRequest) => {
      const win = deps.window();
      const options = saveReportDialogOptions(deps.defaultDir, report.suggestedName, report.format);
      const r = win ? await deps.dialog.showSaveDialog(win, options) : await deps.dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return null;
      if (report.format === 'pdf') {
        if (!deps.printPdf)
          throw new ReproError(
            'REPORT_FAILED',
            'PDF printing is not available in this window',
            'Export HTML and print it from a browser.',
          );
        fs.writeFileSync(r.filePath, await deps.printPdf(report.content));
      } else {
        fs.writeFileSync(r.filePath, report.content, 'utf8');
      }
      return r.filePath;
    },
    openExternal: async (url) => {
      if (!isAllowedExternal(url))
        throw new ReproError(
          'FORBIDDEN',
          `links to ${url} are not opened`,
          'Only https links to the documentation sites on the allowlist open in the browser.',
        );
      await deps.shell.openExternal(url);
    },
  };
}
