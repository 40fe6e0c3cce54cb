// A tracking server that misbehaves (endless body, repeated page token, slow drip) ends an import with a clear error and an unchanged store (issue 12, item 4).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/core/handlers';
import { tempCore } from '../helpers/store';
import { matching } from '../helpers/typed';

const EXPERIMENTS = { experiments: [{ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' }] };
const servers: http.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: (endpoint: string, res: http.ServerResponse, body: string) => void): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler((req.url ?? '').replace(/^\/api\/2\.0\/mlflow\//, '').split('?')[0]!, res, body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: http.ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function importFrom(location: string, extra: Record<string, unknown> = {}) {
  const ctx = tempCore();
  const res = await createHandlers(ctx).importMlflow({ location, ...extra });
  return { res, stored: ctx.runs.list({}).length };
}

describe('REST import against a misbehaving server', () => {
  it('stops reading an endless body at the size limit', async () => {
    const url = await serve((endpoint, res) => {
      if (endpoint === 'experiments/search') return json(res, EXPERIMENTS);
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      res.write('{"runs": [');
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const { res, stored } = await importFrom(url, { timeoutMs: 120_000 });
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error).toMatchObject({
      code: 'IMPORT_FAILED',
      message: matching(/more than 64 MiB/),
    });
    expect(stored).toBe(0);
  });

  it('detects a repeated next_page_token instead of looping forever', async () => {
    let pages = 0;
    const url = await serve((endpoint, res) => {
      if (endpoint === 'experiments/search') return json(res, EXPERIMENTS);
      pages++;
      json(res, { runs: [], next_page_token: 'same-token' });
    });
    const { res, stored } = await importFrom(url);
    expect(!res.ok && res.error.message).toMatch(/same next_page_token twice for runs\/search/);
    expect(pages).toBe(2);
    expect(stored).toBe(0);
  });

  it('detects a repeated token in experiments and metric histories too', async () => {
    const url = await serve((endpoint, res) => {
      if (endpoint === 'experiments/search') return json(res, { ...EXPERIMENTS, next_page_token: 'again' });
      json(res, {});
    });
    const { res } = await importFrom(url);
    expect(!res.ok && res.error.message).toMatch(/same next_page_token twice for experiments\/search/);

    const url2 = await serve((endpoint, res) => {
      if (endpoint === 'experiments/search') return json(res, EXPERIMENTS);
      if (endpoint === 'runs/search')
        return json(res, {
          runs: [
            {
              info: { run_id: 'r1', experiment_id: '0', status: 'FINISHED' },
              data: { metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }] },
            },
          ],
        });
      json(res, { metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 0 }], next_page_token: 'loop' });
    });
    const second = await importFrom(url2);
    expect(!second.res.ok && second.res.error.message).toMatch(/same next_page_token twice for metrics\/get-history/);
    expect(second.stored).toBe(0);
  });

  it('gives up on a server that drips its answer slower than --timeout allows', async () => {
    const url = await serve((endpoint, res) => {
      if (endpoint === 'experiments/search') return json(res, EXPERIMENTS);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"runs": [');
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 50);
      res.on('close', () => clearInterval(timer));
    });
    const { res, stored } = await importFrom(url, { timeoutMs: 1000 });
    expect(!res.ok && res.error).toMatchObject({
      code: 'IMPORT_FAILED',
      message: matching(/did not answer within 1\.0 s/),
    });
    expect(stored).toBe(0);
  });
});
