// The IPC bridge: trusted senders only, one route per operation, malformed payloads answered as errors, no IPC objects exposed.
import { describe, expect, it, vi } from 'vitest';
import { createHandlers } from '../../../electron/core/handlers';
import { buildDesktopBridge, type RendererIpcLike } from '../../../electron/ipc/bridge';
import { createIpcRoutes, type ShellActions } from '../../../electron/ipc/ipc-routes';
import { isTrustedSender, type FrameLike } from '../../../electron/ipc/sender-check';
import { api } from '../../../shared/api/api';
import { apiChannel, PROGRESS_CHANNEL, SHELL_CHANNELS } from '../../../shared/api/desktop-bridge';
import { tempCore } from '../../helpers/store';

const mainFrame = (url: string): FrameLike => ({ url, parent: null });
const APP = mainFrame('app://reproscope/index.html');
// the mocks keep their own type (not ShellActions) so a test can ask what they were called with
const fakeShell = () =>
  ({
    pickPath: vi.fn(() => Promise.resolve('/p')),
    saveReport: vi.fn(() => Promise.resolve('/r.html')),
    openExternal: vi.fn(() => Promise.resolve(undefined)),
  }) satisfies ShellActions;

describe('IPC: the desktop bridge', () => {
  it('trusts only the main frame of the app:// page', () => {
    expect(isTrustedSender(APP)).toBe(true);
    expect(isTrustedSender(mainFrame('app://reproscope/index.html#/runs'))).toBe(true);
    expect(isTrustedSender({ url: 'app://reproscope/index.html', parent: APP })).toBe(false); // an iframe (e.g. a report preview)
    for (const u of [
      'https://evil.example/',
      'file:///home/u/x.html',
      'app://evil/index.html',
      'http://127.0.0.1:8765/',
      'about:blank',
      '',
    ]) {
      expect(isTrustedSender(mainFrame(u))).toBe(false);
    }
    expect(isTrustedSender(null)).toBe(false);
  });

  it('has one route per operation of the contract plus the shell channels', () => {
    const routes = createIpcRoutes(createHandlers(tempCore()), fakeShell());
    for (const name of Object.keys(api)) expect(routes.has(apiChannel(name as keyof typeof api))).toBe(true);
    expect([...routes.keys()].filter((c) => !c.startsWith('reproscope:api:')).sort()).toEqual(
      Object.values(SHELL_CHANNELS).sort(),
    );
  });

  it('answers a call from an untrusted frame with an error Result, never running it', async () => {
    const shell = fakeShell();
    const routes = createIpcRoutes(createHandlers(tempCore()), shell);
    for (const frame of [
      null,
      mainFrame('https://evil.example/'),
      { url: 'app://reproscope/index.html', parent: APP },
    ]) {
      expect(await routes.get(apiChannel('storeInfo'))!({ senderFrame: frame }, {})).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      expect(await routes.get(SHELL_CHANNELS.pickPath)!({ senderFrame: frame }, 'project')).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    }
    expect(shell.pickPath).not.toHaveBeenCalled();
  });

  it('answers a malformed payload with an error Result, and a good one with the value', async () => {
    const shell = fakeShell();
    const routes = createIpcRoutes(createHandlers(tempCore()), shell);
    const call = (channel: string, ...args: unknown[]) => routes.get(channel)!({ senderFrame: APP }, ...args);
    expect(await call(apiChannel('getRun'), { id: 42 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call(apiChannel('listRuns'), 'not an object')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await call(apiChannel('listRuns'), { limit: -1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await call(apiChannel('storeInfo'), {})).toMatchObject({ ok: true, value: { runs: 0 } });
    expect(await call(SHELL_CHANNELS.pickPath, 'everything')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(
      await call(SHELL_CHANNELS.saveReport, { suggestedName: '../etc/passwd', format: 'html', content: '' }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call(SHELL_CHANNELS.saveReport, { suggestedName: 'r', format: 'exe', content: '' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(
      await call(SHELL_CHANNELS.saveReport, { suggestedName: 'r', format: 'html', content: '', path: '/etc/passwd' }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call(SHELL_CHANNELS.openExternal, 'not a url')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await call(SHELL_CHANNELS.pickPath, 'project')).toEqual({ ok: true, value: '/p' });
    expect(
      await call(SHELL_CHANNELS.saveReport, { suggestedName: 'report', format: 'html', content: '<html>' }),
    ).toEqual({ ok: true, value: '/r.html' });
    const refused = createIpcRoutes(createHandlers(tempCore()), {
      ...shell,
      openExternal: () => Promise.reject(Object.assign(new Error('no'), { name: 'X' })),
    });
    expect(
      await refused.get(SHELL_CHANNELS.openExternal)!({ senderFrame: APP }, 'https://evil.example/'),
    ).toMatchObject({ ok: false });
  });

  it('exposes one function per operation and never the IPC objects', async () => {
    const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
    const ipc: RendererIpcLike = {
      invoke: vi.fn((channel: string, arg: unknown) => Promise.resolve({ ok: true, value: { channel, arg } })),
      on: (c, l) => listeners.set(c, l),
      removeListener: (c) => listeners.delete(c),
    };
    const bridge = buildDesktopBridge(ipc);
    expect(Object.keys(bridge.api).sort()).toEqual(Object.keys(api).sort());
    for (const fn of Object.values(bridge.api)) expect(typeof fn).toBe('function');
    for (const v of Object.values(bridge)) expect(['function', 'object']).toContain(typeof v);
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/ipc|invoke|send/i);
    expect(await bridge.api.getRun({ id: 'abc' })).toEqual({
      ok: true,
      value: { channel: apiChannel('getRun'), arg: { id: 'abc' } },
    });
    const seen: unknown[] = [];
    const stop = bridge.onProgress((e) => seen.push(e));
    listeners.get(PROGRESS_CHANNEL)!({ sender: 'the IPC event' }, { task: 't', phase: 'start', label: 'x' });
    expect(seen).toEqual([{ task: 't', phase: 'start', label: 'x' }]);
    stop();
    expect(listeners.has(PROGRESS_CHANNEL)).toBe(false);
    const failing = buildDesktopBridge({
      ...ipc,
      invoke: () => Promise.reject(new Error('gone')),
    });
    expect(await failing.api.storeInfo({})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
