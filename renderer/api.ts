// The renderer's only way to the core: the desktop bridge in the app, HTTP and EventSource in a browser.
import type { ApiInput, ApiName, ApiOutput } from '../shared/api/api';
import {
  BRIDGE_GLOBAL,
  type DesktopBridge,
  type PickPurpose,
  type SaveReportRequest,
} from '../shared/api/desktop-bridge';
import type { ErrorInfo, Result } from '../shared/errors';
import type { ProgressEvent } from '../shared/progress';
import { nonFiniteReplacer, parseNonFiniteJson } from '../shared/snapshot/nonfinite-json';

/**
 * The renderer's only way to the core: the preload's bridge in the desktop app, or
 * `POST /api/<operation>` and an EventSource in a browser (`reproscope serve`).
 */

const bridge: DesktopBridge | null =
  ((globalThis as Record<string, unknown>)[BRIDGE_GLOBAL] as DesktopBridge | undefined) ?? null;

/** Whether the page runs inside the desktop app (native dialogs available). */
export const isDesktop = bridge !== null;

const unreachable = (message: string): ErrorInfo => ({
  code: 'INTERNAL',
  message,
  hint: 'Is `reproscope serve` still running? Restart it and open the URL it prints.',
});

async function callHttp<N extends ApiName>(name: N, input: ApiInput<N>): Promise<Result<ApiOutput<N>>> {
  let res: Response;
  try {
    res = await fetch(`api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}, nonFiniteReplacer),
      credentials: 'same-origin',
    });
  } catch (e) {
    return { ok: false, error: unreachable(`cannot reach the reproscope server: ${(e as Error).message}`) };
  }
  const text = await res.text();
  try {
    const body = parseNonFiniteJson(text) as Result<ApiOutput<N>>;
    if (typeof body === 'object' && body !== null && 'ok' in body) return body;
  } catch {
    // fall through: not a Result (a proxy's error page, a crash)
  }
  return { ok: false, error: unreachable(`the server answered ${res.status} ${res.statusText}`) };
}

/** Calls one operation of the contract; never throws. */
export function call<N extends ApiName>(name: N, input: ApiInput<N>): Promise<Result<ApiOutput<N>>> {
  if (bridge) {
    const fn = bridge.api[name] as ((i: ApiInput<N>) => Promise<Result<ApiOutput<N>>>) | undefined;
    if (!fn)
      return Promise.resolve({
        ok: false,
        error: { code: 'INTERNAL', message: `the desktop bridge has no operation ${name}` },
      });
    return fn(input).catch((e: unknown) => ({ ok: false, error: { code: 'INTERNAL', message: String(e) } }));
  }
  return callHttp(name, input);
}

const listeners = new Set<(e: ProgressEvent) => void>();
let source: EventSource | null = null;
let unsubscribeBridge: (() => void) | null = null;

const fanOut = (e: ProgressEvent): void => {
  for (const l of listeners) l(e);
};

/** Subscribes to the progress stream (one connection shared by all subscribers); returns the unsubscribe function. */
export function onProgress(listener: (e: ProgressEvent) => void): () => void {
  listeners.add(listener);
  if (bridge && !unsubscribeBridge) unsubscribeBridge = bridge.onProgress(fanOut);
  if (!bridge && !source && typeof EventSource !== 'undefined') {
    source = new EventSource('api/events');
    source.onmessage = (m: MessageEvent<string>) => {
      try {
        fanOut(parseNonFiniteJson(m.data) as ProgressEvent);
      } catch {
        // a malformed event is dropped; the next one will do
      }
    };
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    source?.close();
    source = null;
    unsubscribeBridge?.();
    unsubscribeBridge = null;
  };
}

/** A native chooser in the desktop app; null in a browser (where the user types a path). */
export const pickPath: ((purpose: PickPurpose) => Promise<Result<string | null>>) | null = bridge
  ? (p) => bridge.pickPath(p)
  : null;

/** Saves a report through the desktop app's native dialog; null in a browser (which downloads instead). */
export const saveReportNatively: ((report: SaveReportRequest) => Promise<Result<string | null>>) | null = bridge
  ? (r) => bridge.saveReport(r)
  : null;

/** Opens an external https link (allowlisted by the shell in the app; a new tab in a browser). */
export function openExternal(url: string): void {
  if (bridge) void bridge.openExternal(url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}

/**
 * Calls an operation by a name that may not be in this build's contract yet (a view written ahead
 * of its feature); the answer is typed by the caller and an absent operation is a NOT_FOUND error.
 */
export function callByName<T>(name: string, input: unknown): Promise<Result<T>> {
  return (call as unknown as (n: string, i: unknown) => Promise<Result<T>>)(name, input);
}
