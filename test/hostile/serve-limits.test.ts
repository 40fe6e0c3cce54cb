// `serve` under hostile requests: an API body over 4 MiB gets a 413 it can read, not a reset (item 11), and a slow parse does not hold up other clients (item 9).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/core/handlers';
import { startApiServer, type RunningServer } from '../../electron/http/api-server';
import { setParsesOffThread } from '../../electron/core/parse-off-thread';
import { tempCore } from '../helpers/store';
import { tempDir } from '../helpers/temp';
import { matching } from '../helpers/typed';

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve() {
  const ctx = tempCore();
  const rendererDir = tempDir('renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
  const server = await startApiServer({
    handlers: createHandlers(ctx),
    events: ctx.events,
    host: '127.0.0.1',
    port: 0,
    rendererDir,
  });
  servers.push(server);
  return server;
}

/** POSTs a body to an operation, as one piece with its length or in chunks without one. */
function post(
  server: RunningServer,
  op: string,
  body: string,
  chunked = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.origin}/api/${op}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${server.token}`,
        ...(chunked ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 256 * 1024) req.write(body.slice(i, i + 256 * 1024));
      req.end();
    } else req.end(body);
  });
}

describe('serve: request bodies', () => {
  const big = JSON.stringify({ id: 'x'.repeat(5 * 1024 * 1024) });
  for (const chunked of [false, true]) {
    it(`answers a body over 4 MiB with a 413 and a clear error (${chunked ? 'chunked' : 'with Content-Length'}), then serves on`, async () => {
      const server = await serve();
      const res = await post(server, 'getRun', big, chunked);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'the request body is over 4 MiB' },
      });
      const next = await post(server, 'listRuns', '{}');
      expect(next.status).toBe(200);
    });
  }
});

describe('serve: slow parses run off the event loop (item 9)', () => {
  it('answers another request while a huge MLproject is being parsed, then refuses the MLproject clearly', async () => {
    expect(setParsesOffThread(true)).toBe(true); // the built worker (npm test builds first)
    const server = await serve();
    const project = tempDir();
    let text = 'name: big\nentry_points:\n  main:\n    command: "python x.py"\n    parameters:\n';
    for (let i = 0; i < 60000; i++) text += `      p${i}: {type: string, default: "v${i}"}\n`;
    fs.writeFileSync(path.join(project, 'MLproject'), text); // ~2.9 MB: about 2 s of YAML parsing on an idle core
    const started = performance.now();
    let slowDone = false;
    const slow = post(server, 'readProject', JSON.stringify({ project })).finally(() => (slowDone = true));
    // quick requests, one after another, for as long as the slow one runs: parsed inline, the parse would hold this
    // process's event loop (server and client alike) for its whole length, and one gap between answers would be that
    // long; off the thread, the answers keep coming
    const answeredAt: number[] = [started];
    while (!slowDone) {
      const quick = await post(server, 'listRuns', '{}');
      expect(quick.status).toBe(200);
      answeredAt.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await slow;
    const total = performance.now() - started;
    const longestGap = Math.max(...answeredAt.slice(1).map((t, k) => t - answeredAt[k]!));
    expect(answeredAt.length).toBeGreaterThan(3);
    expect(longestGap).toBeLessThan(total / 2);
    expect(res.status).toBe(422);
    expect(JSON.parse(res.body)).toMatchObject({
      ok: false,
      error: { code: 'PROJECT_INVALID', message: matching(/expands to more than 20000 values/) },
    });
  }, 120_000);
});
