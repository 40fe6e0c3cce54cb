// The secure web preferences and options of every window (Electron's security checklist).
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * The web preferences of every window (Electron's security checklist): the page is isolated from
 * the preload, sandboxed, has no Node, keeps web security, runs no insecure content, and cannot
 * open devtools-like escape hatches such as <webview> or remote modules.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** The main window's options. */
export function mainWindowOptions(preloadPath: string, dark: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    title: 'reproscope',
    show: false, // shown on ready-to-show, so the first paint is the app and not a white flash
    backgroundColor: dark ? '#16181d' : '#ffffff',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}
