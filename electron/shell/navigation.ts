// Which navigations the app allows and which https links may open in the system browser.
import { APP_ORIGIN } from './app-protocol';

/** Hosts whose https links may open in the system browser (documentation and the project's own pages). */
export const EXTERNAL_LINK_ALLOWLIST: readonly string[] = [
  'github.com',
  'mlflow.org',
  'www.mlflow.org',
  'docs.python.org',
  'pypi.org',
  'www.electronjs.org',
];

/** Whether the window may navigate to a URL: only within the app's own origin. */
export function isAllowedNavigation(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/** Whether a link may be handed to the system browser: https, no credentials, an allowlisted host. */
export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'https:' &&
      u.username === '' &&
      u.password === '' &&
      EXTERNAL_LINK_ALLOWLIST.includes(u.hostname.toLowerCase()) &&
      (u.port === '' || u.port === '443')
    );
  } catch {
    return false;
  }
}
