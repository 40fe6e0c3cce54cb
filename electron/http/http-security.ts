// The HTTP server's guards: loopback-only listening, the session token and cookie, allowed Host headers.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

/** Whether an address to listen on is a loopback one (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** A fresh access token: 32 random bytes, URL-safe. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two tokens in constant time. */
export function tokensEqual(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The cookie that keeps the token; named per port because cookies are shared by every port of a host. */
export function tokenCookieName(port: number): string {
  return `reproscope_token_${port}`;
}

/** The Set-Cookie value that keeps the token: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export function tokenCookie(port: number, token: string): string {
  return `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * The Host header values this server answers to. Anything else is refused, so a web page that
 * rebinds its own DNS name to 127.0.0.1 cannot talk to the server.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  names.add(h.toLowerCase());
  return new Set([...names].map((n) => `${n}:${port}`));
}

/** Whether a request's Host header names this server. */
export function hostAllowed(hostHeader: string | undefined, allowed: Set<string>): boolean {
  return typeof hostHeader === 'string' && allowed.has(hostHeader.toLowerCase());
}

/** Whether a request's Origin header (when a browser sent one) is this server's own origin. */
export function originAllowed(origin: string | undefined, allowed: Set<string>): boolean {
  if (origin === undefined) return true; // same-origin GETs and non-browser clients send none; the token still guards them
  const m = /^http:\/\/([^/]+)$/i.exec(origin);
  return m !== null && allowed.has(m[1]!.toLowerCase());
}
