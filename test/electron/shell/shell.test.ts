import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Dialog, Shell } from 'electron';
import { APP_ORIGIN, resolveAppRequest } from '../../../electron/shell/app-protocol';
import { createShellActions, pickPathDialogOptions } from '../../../electron/shell/dialogs';
import { isAllowedExternal, isAllowedNavigation } from '../../../electron/shell/navigation';
import { mainWindowOptions, secureWebPreferences } from '../../../electron/shell/window-options';
import { RENDERER_CSP } from '../../../shared/content-security-policy';
import { tempDir } from '../../helpers/temp';

describe('the desktop shell', () => {
  it('opens windows with the secure web preferences', () => {
    const prefs = mainWindowOptions('/app/preload.cjs', false).webPreferences!;
    expect(prefs).toEqual(secureWebPreferences('/app/preload.cjs'));
    expect(prefs).toMatchObject({
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false,
      webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false, webviewTag: false, preload: '/app/preload.cjs',
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('has a strict Content-Security-Policy: own scripts only, no eval, no plugins, no framing', () => {
    const directives = new Map(RENDERER_CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
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
    for (const u of ['https://github.com/', 'file:///etc/passwd', 'app://evil/index.html', 'http://127.0.0.1:8765/', 'javascript:alert(1)', 'nonsense']) {
      expect(isAllowedNavigation(u)).toBe(false);
    }
    expect(isAllowedExternal('https://mlflow.org/docs/latest/projects.html')).toBe(true);
    for (const u of ['http://mlflow.org/', 'https://evil.example/', 'https://user:pw@github.com/', 'file:///etc/passwd', 'https://github.com.evil.example/', 'https://github.com:8443/']) {
      expect(isAllowedExternal(u)).toBe(false);
    }
  });

  it('offers native dialogs for a project, data, an MLflow store and a report, and refuses unlisted links', async () => {
    expect(pickPathDialogOptions('project').properties).toEqual(['openDirectory']);
    expect(pickPathDialogOptions('data').properties).toEqual(['openDirectory']);
    expect(pickPathDialogOptions('mlflow-folder').properties).toEqual(['openDirectory']);
    expect(pickPathDialogOptions('mlflow-database').properties).toEqual(['openFile']);
    const dialog = {
      showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/home/u/project'] })),
      showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: '/home/u/report.html' })),
    } as unknown as Dialog;
    const shell = { openExternal: vi.fn(async () => undefined) } as unknown as Shell;
    const actions = createShellActions({ dialog, shell, window: () => null, defaultDir: '/home/u' });
    expect(await actions.pickPath('project')).toBe('/home/u/project');
    expect(await actions.pickSavePath('../../report.html')).toBe('/home/u/report.html');
    expect((dialog.showSaveDialog as unknown as ReturnType<typeof vi.fn>).mock.calls[0]![0]).toMatchObject({ defaultPath: '/home/u/report.html' });
    await actions.openExternal('https://github.com/mlflow/mlflow');
    expect(shell.openExternal).toHaveBeenCalledWith('https://github.com/mlflow/mlflow');
    await expect(actions.openExternal('https://evil.example/')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });
});
