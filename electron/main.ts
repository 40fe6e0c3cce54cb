// The Electron main process: the app:// protocol, the secure main window, IPC routes, and the core they call.
import { app, BrowserWindow, dialog, ipcMain, nativeTheme, protocol, session, shell, type WebContents } from 'electron';
import path from 'node:path';
import { PROGRESS_CHANNEL } from '../shared/api/desktop-bridge';
import { formatError, toErrorInfo } from '../shared/errors';
import { openCore, type CoreContext } from './core/core-context';
import { expectManySnapshotParses } from '../shared/snapshot/snapshot-codec';
import { createHandlers } from './core/handlers';
import { createIpcRoutes } from './ipc/ipc-routes';
import { APP_SCHEME, APP_START_URL, resolveAppRequest } from './shell/app-protocol';
import { createShellActions } from './shell/dialogs';
import { createPdfPrinter } from './shell/pdf-printer';
import { isAllowedExternal, isAllowedNavigation } from './shell/navigation';
import { mainWindowOptions } from './shell/window-options';

// The desktop shell: one window over the same core as the CLI and `reproscope serve`.
const rendererDir = path.join(__dirname, '..', 'renderer');
const preloadPath = path.join(__dirname, 'preload.cjs');

// Sandbox every renderer, including any created before a window sets its own preferences.
app.enableSandbox();
// app:// behaves like https for the page (secure context, fetch, CSP) without granting file:// powers.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let mainWindow: BrowserWindow | null = null;
let core: CoreContext | null = null;

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath, nativeTheme.shouldUseDarkColors));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(APP_START_URL);
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  const ses = session.defaultSession;
  // No camera, microphone, notifications, geolocation…: the app needs none of them.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // The page needs nothing from the network (everything is app://); a link or a compromised page cannot phone home.
  ses.webRequest.onBeforeRequest(
    { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] },
    (_details, callback) => callback({ cancel: true }),
  );
  protocol.handle(APP_SCHEME, (request) => {
    const r = resolveAppRequest(rendererDir, request.url, request.method);
    return new Response(r.body ? new Uint8Array(r.body) : null, { status: r.status, headers: r.headers });
  });
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));

  try {
    core = openCore();
  } catch (e) {
    dialog.showErrorBox('reproscope cannot open its store', formatError(toErrorInfo(e)));
    app.exit(1);
    return;
  }
  // the app reads snapshots for as long as it runs
  expectManySnapshotParses();
  const handlers = createHandlers(core);
  const routes = createIpcRoutes(
    handlers,
    createShellActions({
      dialog,
      shell,
      window: () => mainWindow,
      defaultDir: app.getPath('documents'),
      printPdf: createPdfPrinter(BrowserWindow),
    }),
  );
  for (const [channel, route] of routes) ipcMain.handle(channel, (event, ...args: unknown[]) => route(event, ...args));
  core.events.subscribe((event) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(PROGRESS_CHANNEL, event);
  });

  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => {
  core?.close();
  core = null;
});
if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  start().catch((e: unknown) => {
    dialog.showErrorBox('reproscope failed to start', String((e as Error).stack ?? e));
    app.exit(1);
  });
}
