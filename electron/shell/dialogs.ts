import path from 'node:path';
import type { BrowserWindow, Dialog, OpenDialogOptions, Shell } from 'electron';
import type { PickPurpose } from '../../shared/desktop-bridge';
import { ReproError } from '../../shared/errors';
import type { ShellActions } from '../ipc/ipc-routes';
import { isAllowedExternal } from './navigation';

/** The native "open" dialog for each purpose: what it is titled and whether it picks a folder or a file. */
export function pickPathDialogOptions(purpose: PickPurpose): OpenDialogOptions {
  switch (purpose) {
    case 'project': return { title: 'Choose a project folder (with an MLproject file)', properties: ['openDirectory'] };
    case 'data': return { title: 'Choose a data folder', properties: ['openDirectory'] };
    case 'mlflow-folder': return { title: 'Choose an MLflow store (an mlruns folder)', properties: ['openDirectory'] };
    case 'mlflow-database': return { title: 'Choose an MLflow database', properties: ['openFile'], filters: [{ name: 'MLflow SQLite database', extensions: ['db', 'sqlite', 'sqlite3'] }, { name: 'All files', extensions: ['*'] }] };
  }
}

/** The shell's actions over Electron's dialog and shell modules, for the window they belong to. */
export function createShellActions(deps: { dialog: Dialog; shell: Shell; window: () => BrowserWindow | null; defaultDir: string }): ShellActions {
  return {
    pickPath: async (purpose) => {
      const win = deps.window();
      const options = pickPathDialogOptions(purpose);
      const r = win ? await deps.dialog.showOpenDialog(win, options) : await deps.dialog.showOpenDialog(options);
      return r.canceled ? null : r.filePaths[0] ?? null;
    },
    pickSavePath: async (suggestedName) => {
      const win = deps.window();
      const options = { title: 'Save the report', defaultPath: path.join(deps.defaultDir, path.basename(suggestedName)), properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[] };
      const r = win ? await deps.dialog.showSaveDialog(win, options) : await deps.dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    openExternal: async (url) => {
      if (!isAllowedExternal(url)) throw new ReproError('FORBIDDEN', `links to ${url} are not opened`, 'Only https links to the documentation sites on the allowlist open in the browser.');
      await deps.shell.openExternal(url);
    },
  };
}
