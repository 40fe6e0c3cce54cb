// The loopback HTTP server of `reproscope serve`: the API behind a token, the progress stream as SSE, and the built app.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { api, type ApiName } from '../../shared/api/api';
import { RENDERER_SECURITY_HEADERS } from '../../shared/content-security-policy';
import { ReproError, type ErrorCode, type ErrorInfo, type Result } from '../../shared/errors';
import { nonFiniteReplacer, parseNonFiniteJson } from '../../shared/snapshot/nonfinite-json';
import type { EventHub } from '../core/event-hub';
import type { Handlers } from '../core/handlers';
import {
  allowedHosts,
  createToken,
  hostAllowed,
  isLoopbackHost,
  originAllowed,
  parseCookies,
  tokenCookie,
  tokenCookieName,
  tokensEqual,
} from './http-security';
import { contentTypeFor, resolveStaticFile } from './static-files';
import { parseOffThread, setParsesOffThread } from '../core/parse-off-thread';

/** What the loopback server needs: the handlers, the progress hub, where to listen and what to serve. */
export interface ApiServerOptions {
  handlers: Handlers;
  events: EventHub;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (dist/renderer with index.html). */
  rendererDir: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

/** A listening server. */
export interface RunningServer {
  host: string;
  port: number;
  /** http://host:port */
  origin: string;
  /** The URL to open: carries the token once; the page then keeps it in a cookie. */
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Bodies longer than this are parsed off the event loop. */
const LARGE_BODY_CHARS = 256 * 1024;

/** Largest accepted request body; operation inputs are small (ids, paths, options). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const STATUS_FOR: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  AMBIGUOUS_ID: 409,
  CANCELLED: 409,
  INTERNAL: 500,
  STORE_UNREADABLE: 500,
  STORE_CORRUPT: 500,
  STORE_TOO_NEW: 500,
};

/** The HTTP status for a failed operation: the caller's fault is 4xx, the server's 5xx. */
export function statusForError(code: ErrorCode): number {
  return STATUS_FOR[code] ?? 422;
}

const isApiName = (name: string): name is ApiName => Object.prototype.hasOwnProperty.call(api, name);

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, nonFiniteReplacer);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, error: ErrorInfo): void {
  sendJson(res, statusForError(error.code), { ok: false, error } satisfies Result<never>);
}

function sendText(res: http.ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...RENDERER_SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(text);
}

/** A body over the limit: answered 413 once the client has sent it (a reset would lose the answer). */
class BodyTooLarge extends Error {}

/** How much of an oversized body is read and thrown away so the client sees the 413; past it the connection is cut. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_DISCARDED_BYTES) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > MAX_BODY_BYTES;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0; // read on and drop the rest, so the answer reaches a client still sending
        if (size > MAX_DISCARDED_BYTES) {
          reject(new BodyTooLarge());
          req.destroy();
        }
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

const NO_TOKEN_PAGE = `<!doctype html><meta charset="utf-8"><title>reproscope</title>
<style>body{font:15px system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;line-height:1.5}code{background:#8882;padding:.1em .3em;border-radius:3px}</style>
<h1>reproscope</h1><p>This page needs the access token. Open the full URL that <code>reproscope serve</code> printed
(it ends in <code>?token=…</code>); the browser then remembers it for this session.</p>`;

/**
 * Starts the loopback server: the renderer bundle, `POST /api/<operation>` for the contract and
 * `GET /api/events` (Server-Sent Events) for progress. Refuses non-loopback addresses; every API
 * call needs the token (cookie or `Authorization: Bearer`); foreign Host or Origin headers get 403;
 * there are no CORS headers, so other sites' pages cannot read anything.
 */
export async function startApiServer(options: ApiServerOptions): Promise<RunningServer> {
  if (!isLoopbackHost(options.host)) {
    throw new ReproError(
      'INVALID_INPUT',
      `refusing to listen on ${options.host}: reproscope serve only listens on loopback (127.0.0.1, ::1, localhost)`,
      'The API can run experiments on this machine, so it is never exposed to the network. From another machine, tunnel: ssh -L 8765:127.0.0.1:8765 THIS_HOST, then open the printed URL locally.',
    );
  }
  const token = options.token ?? createToken();
  // MLprojects and large bodies are parsed in worker threads from now on (item 9 of issue 12)
  setParsesOffThread(true);
  let port = options.port;
  let allowed = new Set<string>();
  const streams = new Set<http.ServerResponse>();

  const authorized = (req: http.IncomingMessage): boolean => {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ') && tokensEqual(auth.slice(7), token)) return true;
    return tokensEqual(parseCookies(req.headers.cookie).get(tokenCookieName(port)), token);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host, allowed))
      return sendError(res, {
        code: 'FORBIDDEN',
        message: `foreign Host header ${JSON.stringify(req.headers.host ?? '')}`,
      });
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (!originAllowed(origin, allowed))
      return sendError(res, { code: 'FORBIDDEN', message: `foreign Origin ${JSON.stringify(origin)}` });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = url.pathname;

    if (route.startsWith('/api/')) {
      if (!authorized(req)) {
        return sendError(res, {
          code: 'UNAUTHORIZED',
          message: 'missing or wrong access token',
          hint: 'Open the URL that `reproscope serve` printed; it carries the token.',
        });
      }
      if (route === '/api/events') {
        if (req.method !== 'GET') return sendError(res, { code: 'INVALID_INPUT', message: 'use GET for /api/events' });
        return openEventStream(req, res);
      }
      const name = route.slice('/api/'.length);
      if (!isApiName(name))
        return sendError(res, { code: 'NOT_FOUND', message: `no operation ${JSON.stringify(name)}` });
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return sendJson(res, 405, {
          ok: false,
          error: { code: 'INVALID_INPUT', message: `use POST for /api/${name}` },
        });
      }
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        // a cross-site <form> can only send form encodings; requiring JSON closes that door too
        return sendJson(res, 415, {
          ok: false,
          error: { code: 'INVALID_INPUT', message: 'send the input as application/json' },
        });
      }
      let input: unknown;
      try {
        const text = (await readBody(req)).toString('utf8');
        // a large body is parsed in a worker thread: the other clients' requests are answered meanwhile
        input =
          text.trim() === ''
            ? {}
            : text.length > LARGE_BODY_CHARS
              ? await parseOffThread({ kind: 'json', text }, 'the request body')
              : parseNonFiniteJson(text);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          res.setHeader('Connection', 'close');
          return sendJson(res, 413, {
            ok: false,
            error: {
              code: 'INVALID_INPUT',
              message: `the request body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB`,
              hint: 'Operation inputs are ids, paths and options; send large data as a file path instead.',
            },
          });
        }
        return sendError(res, {
          code: 'INVALID_INPUT',
          message: `the request body is not JSON: ${(e as Error).message}`,
        });
      }
      const result = await options.handlers[name](input);
      return result.ok ? sendJson(res, 200, result) : sendError(res, result.error);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed');
    }
    if (route === '/' || route === '/index.html') {
      const given = url.searchParams.get('token');
      if (given !== null) {
        if (!tokensEqual(given, token)) return sendText(res, 401, NO_TOKEN_PAGE, 'text/html; charset=utf-8');
        // keep the token in a cookie and drop it from the address bar (and so from history and screenshots)
        res.writeHead(303, {
          'Set-Cookie': tokenCookie(port, token),
          Location: '/',
          'Cache-Control': 'no-store',
          'Referrer-Policy': 'no-referrer',
        });
        return void res.end();
      }
      if (!authorized(req)) return sendText(res, 401, NO_TOKEN_PAGE, 'text/html; charset=utf-8');
      return serveFile(res, 'index.html', req.method === 'HEAD');
    }
    return serveFile(res, route, req.method === 'HEAD');
  };

  const serveFile = (res: http.ServerResponse, urlPath: string, headOnly: boolean): void => {
    const file = resolveStaticFile(options.rendererDir, urlPath);
    if (!file) {
      if (urlPath === 'index.html')
        return sendText(
          res,
          500,
          `The renderer is not built (${options.rendererDir}/index.html is missing): run \`npm run build\`.`,
        );
      return sendText(res, 404, 'not found');
    }
    const body = fs.readFileSync(file);
    res.writeHead(200, {
      ...RENDERER_SECURITY_HEADERS,
      'Content-Type': contentTypeFor(file),
      'Content-Length': String(body.length),
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'no-cache',
    });
    res.end(headOnly ? undefined : body);
  };

  const openEventStream = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write(': reproscope progress\nretry: 2000\n\n');
    streams.add(res);
    const unsubscribe = options.events.subscribe((event) => {
      res.write(`data: ${JSON.stringify(event, nonFiniteReplacer)}\n\n`);
    });
    // a comment now and then keeps proxies and idle timers from closing a quiet stream
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const stop = (): void => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', stop);
    res.on('error', stop);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, { code: 'INTERNAL', message: (e as Error).message ?? String(e) });
      else res.destroy();
    });
  });
  server.requestTimeout = 0; // audits answer when they finish; the default would cut long calls at 5 minutes
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new ReproError(
              'INVALID_INPUT',
              `port ${options.port} on ${options.host} is already in use`,
              'Choose another with --port N, or --port 0 for any free port.',
            )
          : e,
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(options.host, port);
  const hostForUrl = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const origin = `http://${hostForUrl}:${port}`;
  return {
    host: options.host,
    port,
    origin,
    url: `${origin}/?token=${token}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
