// The loopback API server: token and cookie, Host checks, input errors, the progress stream, loopback-only listening.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../electron/core/handlers';
import { startApiServer, type RunningServer } from '../../../electron/http/api-server';
import { isLoopbackHost } from '../../../electron/http/http-security';
import { nonFiniteReviver } from '../../../shared/snapshot/nonfinite-json';
import { emptySnapshot } from '../../../shared/snapshot/snapshot';
import { tempCore } from '../../helpers/store';
import { tempDir } from '../../helpers/temp';
import { request } from './http-client';
import { matching } from '../../helpers/typed';

const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(host = '127.0.0.1') {
  const ctx = tempCore();
  const rendererDir = tempDir('renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(path.dirname(rendererDir), `${path.basename(rendererDir)}-secret.txt`), 'secret');
  const server = await startApiServer({
    handlers: createHandlers(ctx),
    events: ctx.events,
    host,
    port: 0,
    rendererDir,
  });
  servers.push(server);
  const cookie = `reproscope_token_${server.port}=${server.token}`;
  const api = (op: string, body: unknown, headers: Record<string, string> = {}) =>
    request(`${server.origin}/api/${op}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers },
    });
  return { ctx, server, cookie, api };
}

describe('reproscope serve: the loopback API server', () => {
  it('swaps the token in the URL for an HttpOnly SameSite=Strict cookie, then serves the app with its CSP', async () => {
    const { server, cookie } = await serve();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect((await request(`${server.origin}/`)).status).toBe(401);
    expect((await request(`${server.origin}/?token=wrong`)).status).toBe(401);
    const swap = await request(server.url);
    expect(swap.status).toBe(303);
    expect(swap.headers.location).toBe('/');
    expect(swap.headers['set-cookie']?.[0]).toBe(`${cookie}; HttpOnly; SameSite=Strict; Path=/`);
    const page = await request(`${server.origin}/`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>app</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses API calls without the token (401) and answers with it', async () => {
    const { server, api } = await serve();
    const none = await request(`${server.origin}/api/storeInfo`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const wrong = await request(`${server.origin}/api/storeInfo`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    expect((await request(`${server.origin}/api/events`)).status).toBe(401);
    const good = await api('storeInfo', {});
    expect(good.status).toBe(200);
    expect(JSON.parse(good.body)).toMatchObject({ ok: true, value: { runs: 0 } });
    const bearer = await request(`${server.origin}/api/storeInfo`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    });
    expect(bearer.status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) or Origin (another site) with 403, and sends no CORS headers', async () => {
    const { server, api } = await serve();
    const host = await api('storeInfo', {}, { Host: `attacker.example:${server.port}` });
    expect(host.status).toBe(403);
    expect(JSON.parse(host.body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await request(`${server.origin}/`, { headers: { Host: 'evil.example' } })).status).toBe(403);
    const origin = await api('storeInfo', {}, { Origin: 'http://attacker.example' });
    expect(origin.status).toBe(403);
    expect((await api('storeInfo', {}, { Origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await api('storeInfo', {}, { Origin: 'null' })).status).toBe(403);
    const same = await api('storeInfo', {}, { Origin: server.origin });
    expect(same.status).toBe(200);
    expect(
      (await api('storeInfo', {}, { Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` }))
        .status,
    ).toBe(200);
    const preflight = await request(`${server.origin}/api/storeInfo`, {
      method: 'OPTIONS',
      headers: { Origin: server.origin, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    for (const r of [host, origin, same, preflight]) expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('parses input against the contract and maps errors to statuses', async () => {
    const { api, server, cookie } = await serve();
    expect((await api('nope', {})).status).toBe(404);
    const bad = await api('getRun', { id: 42 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect((await api('getRun', { id: 'abcdef' })).status).toBe(404);
    const notJson = await request(`${server.origin}/api/storeInfo`, {
      method: 'POST',
      body: '{oops',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
    });
    expect(notJson.status).toBe(400);
    const form = await request(`${server.origin}/api/storeInfo`, {
      method: 'POST',
      body: 'a=1',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
    });
    expect(form.status).toBe(415);
    expect((await request(`${server.origin}/api/storeInfo`, { headers: { Cookie: cookie } })).status).toBe(405);
  });

  it('keeps NaN and infinities across JSON', async () => {
    const { ctx, api } = await serve();
    const s = emptySnapshot('aa11bb22cc33dd44ee55ff66', 'capture', new Date().toISOString());
    s.outcome.metrics = {
      loss: { value: NaN, history: null, source: 'm' },
      gain: { value: Infinity, history: null, source: 'm' },
    };
    ctx.runs.save(s);
    const res = await api('getRun', { id: 'aa11bb22' });
    const body = JSON.parse(res.body, nonFiniteReviver) as { value: typeof s };
    expect(body.value.outcome.metrics.loss!.value).toBeNaN();
    expect(body.value.outcome.metrics.gain!.value).toBe(Infinity);
  });

  it('streams progress events as Server-Sent Events', async () => {
    const { ctx, server, cookie } = await serve();
    const got = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${server.origin}/api/events`, { headers: { Cookie: cookie } }, (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
          if (text.includes('"phase":"start"')) {
            req.destroy();
            resolve(text);
          }
        });
        setTimeout(() => ctx.events.publish({ task: 't1', phase: 'start', label: 'hashing', done: NaN }), 50);
      });
      req.on('error', (e) => {
        if (!(e as NodeJS.ErrnoException).code?.includes('RESET')) reject(e);
      });
    });
    const line = got.split('\n').find((l) => l.startsWith('data: '))!;
    expect(JSON.parse(line.slice(6), nonFiniteReviver)).toMatchObject({ task: 't1', label: 'hashing', done: NaN });
  });

  it('serves only files inside the renderer folder', async () => {
    const { server } = await serve();
    expect((await request(`${server.origin}/assets/app.js`)).status).toBe(200);
    for (const p of [
      '/../x-secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%00',
      '/..%5c..%5csecret.txt',
    ]) {
      expect((await request(`${server.origin}${p}`)).status).toBe(404);
    }
  });

  it("listens only on loopback: refuses other addresses, and is not reachable on this machine's network address", async () => {
    expect(
      isLoopbackHost('127.0.0.1') && isLoopbackHost('::1') && isLoopbackHost('localhost') && isLoopbackHost('[::1]'),
    ).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', ''])
      expect(isLoopbackHost(h)).toBe(false);
    const ctx = tempCore();
    await expect(
      startApiServer({
        handlers: createHandlers(ctx),
        events: ctx.events,
        host: '0.0.0.0',
        port: 0,
        rendererDir: '/nonexistent',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: matching(/only listens on loopback/) });
    const { server } = await serve();
    const own = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (!own) return; // no network address on this machine: nothing else to reach
    await expect(request(`http://${own.address}:${server.port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
