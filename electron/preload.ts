// The preload script: exposes the desktop bridge (functions only) to the page.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL } from '../shared/api/desktop-bridge';
import { buildDesktopBridge } from './ipc/bridge';

// The page gets functions only (one per operation), never ipcRenderer itself.
contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, buildDesktopBridge(ipcRenderer));
