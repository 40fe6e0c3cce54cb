// The desktop bridge the preload exposes: one function per operation over IPC, never the IPC objects themselves.
import { api, type ApiName } from '../../shared/api/api';
import {
  apiChannel,
  bridgeError,
  PROGRESS_CHANNEL,
  SHELL_CHANNELS,
  type ApiFunctions,
  type DesktopBridge,
} from '../../shared/api/desktop-bridge';
import type { Result } from '../../shared/errors';
import type { ProgressEvent } from '../../shared/progress';

/** The parts of ipcRenderer the bridge uses; the page never gets these objects, only closures over them. */
export interface RendererIpcLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * Builds what the preload exposes: one function per operation of the contract (derived from the
 * `api` map, one channel each), the dialogs, and a progress subscription that hands the page the
 * event data only, never the IPC event (which would leak `sender`).
 */
export function buildDesktopBridge(ipc: RendererIpcLike): DesktopBridge {
  const invoke = (channel: string, arg: unknown): Promise<Result<never>> =>
    ipc.invoke(channel, arg).then(
      (r) => r as Result<never>,
      (e: unknown) => bridgeError(`IPC ${channel} failed: ${String(e)}`),
    );
  const fns: Record<string, (input: unknown) => Promise<Result<unknown>>> = {};
  for (const name of Object.keys(api) as ApiName[]) fns[name] = (input: unknown) => invoke(apiChannel(name), input);
  return {
    api: Object.freeze(fns) as unknown as ApiFunctions,
    pickPath: (purpose) => invoke(SHELL_CHANNELS.pickPath, purpose),
    saveReport: (report) => invoke(SHELL_CHANNELS.saveReport, report),
    openExternal: (url) => invoke(SHELL_CHANNELS.openExternal, url),
    onProgress: (listener: (e: ProgressEvent) => void) => {
      const handler = (_event: unknown, data: unknown): void => listener(data as ProgressEvent);
      ipc.on(PROGRESS_CHANNEL, handler);
      return () => {
        ipc.removeListener(PROGRESS_CHANNEL, handler);
      };
    },
  };
}
