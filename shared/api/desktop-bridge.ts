// What crosses the desktop app's IPC bridge: a channel per operation, the shell channels, the progress stream.
import type { ApiInput, ApiName, ApiOutput } from './api';
import type { ErrorInfo, Result } from '../errors';
import type { ProgressEvent } from '../progress';

/**
 * The one map of what crosses the desktop app's IPC bridge, used by both sides (preload and
 * main): one channel per operation of the contract, a few shell channels, and the progress stream.
 */

/** The channel of one operation of the contract. */
export const apiChannel = (name: ApiName): string => `reproscope:api:${name}`;

/** Channels for what only the desktop shell can do (native dialogs, the system browser). */
export const SHELL_CHANNELS = {
  pickPath: 'reproscope:shell:pick-path',
  saveReport: 'reproscope:shell:save-report',
  openExternal: 'reproscope:shell:open-external',
} as const;

/** The channel main uses to push progress events to the window. */
export const PROGRESS_CHANNEL = 'reproscope:progress';

/** The name of the global the preload exposes in the page. */
export const BRIDGE_GLOBAL = 'reproscope';

/** What a native "choose" dialog is for; each gets its own title and selection kind. */
export type PickPurpose = 'project' | 'data' | 'mlflow-folder' | 'mlflow-database';

/** Every pick purpose, for parsing IPC input. */
export const PICK_PURPOSES: readonly PickPurpose[] = ['project', 'data', 'mlflow-folder', 'mlflow-database'];

/** The report formats. */
export const REPORT_FORMATS = ['html', 'md', 'json', 'pdf'] as const;
/** One report format. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A report to save: its suggested file name, its format and its text (HTML for a PDF, which the shell prints). */
export interface SaveReportRequest {
  suggestedName: string;
  format: ReportFormat;
  content: string;
}

/** One function per operation of the contract, as the page sees it. */
export type ApiFunctions = { [N in ApiName]: (input: ApiInput<N>) => Promise<Result<ApiOutput<N>>> };

/** What the preload exposes as `window.reproscope`: functions only, never IPC objects. */
export interface DesktopBridge {
  api: ApiFunctions;
  /** A native folder (or file) chooser; null when cancelled. */
  pickPath(purpose: PickPurpose): Promise<Result<string | null>>;
  /**
   * Asks where to save a report with a native "save as" dialog and writes it there (a PDF is printed
   * from the HTML by Electron); resolves to the saved path, null when cancelled. The page never
   * names a path itself, so it cannot write anywhere the user did not choose.
   */
  saveReport(report: SaveReportRequest): Promise<Result<string | null>>;
  /** Opens an allowlisted https link in the system browser. */
  openExternal(url: string): Promise<Result<null>>;
  /** Subscribes to the progress stream; returns the function that unsubscribes. */
  onProgress(listener: (event: ProgressEvent) => void): () => void;
}

/** A failed result for a bridge that could not be reached. */
export const bridgeError = (message: string): { ok: false; error: ErrorInfo } => ({
  ok: false,
  error: { code: 'INTERNAL', message },
});
