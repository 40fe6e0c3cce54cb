// Whether an IPC message comes from the app's own main frame (app://), the only sender the routes trust.
import { APP_HOST, APP_SCHEME } from '../shell/app-protocol';

/** The parts of Electron's WebFrameMain the sender check reads (a test double needs only these). */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/**
 * Whether an IPC message comes from the app itself: the main frame (not an iframe such as a
 * report preview) of a page served from app://reproscope. Anything else is untrusted.
 */
export function isTrustedSender(frame: FrameLike | null | undefined): boolean {
  if (!frame || frame.parent !== null) return false;
  try {
    const u = new URL(frame.url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
