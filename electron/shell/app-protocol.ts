// The app:// scheme the renderer is served from, and how a request maps to a file of the built app.
import fs from 'node:fs';
import path from 'node:path';
import { RENDERER_SECURITY_HEADERS } from '../../shared/content-security-policy';

/** The custom scheme the renderer is served from (instead of file://, which would grant the page file access). */
export const APP_SCHEME = 'app';
/** The one host of the scheme; the page's origin is app://reproscope. */
export const APP_HOST = 'reproscope';
/** The origin of the app's page. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads. */
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** The answer to one app:// request: a file's bytes with headers, or a status. */
export interface AppProtocolResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | null;
}

/**
 * Maps an app:// URL to a file of the built renderer: only the app host, only GET, only files
 * inside `rendererDir`; every answer carries the CSP.
 */
export function resolveAppRequest(rendererDir: string, url: string, method = 'GET'): AppProtocolResponse {
  const refuse = (status: number): AppProtocolResponse => ({
    status,
    headers: { ...RENDERER_SECURITY_HEADERS, 'Content-Type': 'text/plain' },
    body: null,
  });
  if (method !== 'GET' && method !== 'HEAD') return refuse(405);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(400);
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return refuse(404);
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return refuse(400);
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0') || rel.includes('\\')) return refuse(400);
  const base = path.resolve(rendererDir);
  const file = path.resolve(base, `.${path.posix.normalize(rel)}`);
  if (!file.startsWith(base + path.sep)) return refuse(403);
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    return refuse(404);
  }
  return {
    status: 200,
    headers: {
      ...RENDERER_SECURITY_HEADERS,
      'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    },
    body: method === 'HEAD' ? null : body,
  };
}
