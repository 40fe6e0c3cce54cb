// The desktop shell without Electron's runtime: secure windows, the CSP, the app:// protocol, navigation and dialogs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Dialog, Shell } from 'electron';
import { APP_ORIGIN, resolveAppRequest } from '../../../electron/shell/app-protocol';
import { createShellActions, pickPathDialogOptions, saveReportDialogOptions } from '../../../electron/shell/dialogs';
import { pdfWindowOptions } from '../../../electron/shell/pdf-printer';
import { isAllowedExternal, isAllowedNavigation } from '../../../electron/shell/navigation';
import { mainWindowOptions, secureWebPreferences } from '../../../electron/shell/window-options';
import { RENDERER_CSP } from '../../../shared/content-security-policy';
import { tempDir } from '../../helpers/temp';

describe('the desktop shell', () => {
  it('opens windows with the secure web preferences', () => {
    const prefs = mainWindowOptions('/app/preload.cjs', false).webPreferences!;
    expect(prefs).toEqual(secureWebPreferences('/app/preload.cjs'));
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      preload: '/app/preload.cjs',
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    const pdf = pdfWindowOptions();
    expect(pdf.show).toBe(false);
    expect(pdf.webPreferences).toMatchObject({
      javascript: false,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(pdf.webPreferences).not.toHaveProperty('preload');
  });

  it('has a strict Content-Security-Policy: own scripts only, no eval, no plugins, no framing', () => {
    const directives = new Map(
      RENDERER_CSP.split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k!, v]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|\*|http:/);
  });

  it('serves app:// from the renderer folder only, always with the CSP', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<html>');
    const ok = resolveAppRequest(dir, `${APP_ORIGIN}/index.html`);
    expect(ok.status).toBe(200);
    expect(ok.headers['Content-Security-Policy']).toBe(RENDERER_CSP);
    expect(ok.body?.toString()).toBe('<html>');
    expect(resolveAppRequest(dir, `${APP_ORIGIN}/`).status).toBe(200);
    expect(resolveAppRequest(dir, `${APP_ORIGIN}/../../etc/passwd`).status).not.toBe(200);
    expect(resolveAppRequest(dir, `${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`).status).not.toBe(200);
    expect(resolveAppRequest(dir, 'app://other/index.html').status).toBe(404);
    expect(resolveAppRequest(dir, `${APP_ORIGIN}/index.html`, 'POST').status).toBe(405);
    expect(resolveAppRequest(dir, `${APP_ORIGIN}/missing.js`).status).toBe(404);
  });

  it('blocks navigation away from the app and opens only allowlisted https links outside', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html#/runs`)).toBe(true);
    for (const u of [
      'https://github.com/',
      'file:///etc/passwd',
      'app://evil/index.html',
      'http://127.0.0.1:8765/',
      'javascript:alert(1)',
      'nonsense',
    ]) {
      expect(isAllowedNavigation(u)).toBe(false);
    }
    expect(isAllowedExternal('https://mlflow.org/docs/latest/projects.html')).toBe(true);
    for (const u of [
      'http://mlflow.org/',
      'https://evil.example/',
      'https://user:pw@github.com/',
      'file:///etc/passwd',
      'https://github.com.evil.example/',
      'https://github.com:8443/',
    ]) {
      expect(isAllowedExternal(u)).toBe(false);
    }
  });

  it('offers native dialogs for a project, data, an MLflow store and a report, and refuses unlisted links', async () => {
    expect(pickPathDialogOptions('project').properties).toEqual(['openDirectory']);
    expect(pickPathDialogOptions('data').properties).toEqual(['openDirectory']);
    expect(pickPathDialogOptions('mlflow-folder').properties).toEqual(['openDirectory']);
    expect(pickPathDialogOptions('mlflow-database').properties).toEqual(['openFile']);
    const dir = tempDir();
    const saved = path.join(dir, 'chosen.html');
    const showOpenDialog = vi.fn(() => Promise.resolve({ canceled: false, filePaths: ['/home/u/project'] }));
    const showSaveDialog = vi.fn((_options: unknown) => Promise.resolve({ canceled: false, filePath: saved }));
    const dialog = { showOpenDialog, showSaveDialog } as unknown as Dialog;
    const openExternal = vi.fn(() => Promise.resolve(undefined));
    const shell = { openExternal } as unknown as Shell;
    const printPdf = vi.fn((html: string) => Promise.resolve(Buffer.from(`%PDF-${html.length}`)));
    const actions = createShellActions({ dialog, shell, window: () => null, defaultDir: dir, printPdf });
    expect(await actions.pickPath('project')).toBe('/home/u/project');
    expect(await actions.saveReport({ suggestedName: 'audit-1.html', format: 'html', content: '<h1>r</h1>' })).toBe(
      saved,
    );
    expect(fs.readFileSync(saved, 'utf8')).toBe('<h1>r</h1>');
    expect(showSaveDialog.mock.calls[0]![0]).toMatchObject({
      defaultPath: path.join(dir, 'audit-1.html'),
    });
    expect(saveReportDialogOptions('/d', '../../x.md', 'pdf').defaultPath).toBe('/d/x.pdf');
    await actions.saveReport({ suggestedName: 'a', format: 'pdf', content: '<h1>r</h1>' });
    expect(printPdf).toHaveBeenCalledWith('<h1>r</h1>');
    expect(fs.readFileSync(saved, 'utf8')).toBe('%PDF-10');
    showSaveDialog.mockResolvedValueOnce({
      canceled: true,
      filePath: '',
    });
    expect(await actions.saveReport({ suggestedName: 'a', format: 'md', content: 'x' })).toBeNull();
    await actions.openExternal('https://github.com/mlflow/mlflow');
    expect(openExternal).toHaveBeenCalledWith('https://github.com/mlflow/mlflow');
    await expect(actions.openExternal('https://evil.example/')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(openExternal).toHaveBeenCalledTimes(1);
  });
});
