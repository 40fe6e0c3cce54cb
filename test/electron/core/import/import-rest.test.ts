// Importing from a tracking server over its REST API: paging, metric histories, and servers that are not MLflow or not there.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../../electron/core/handlers';
import { tempCore } from '../../../helpers/store';
import { containing } from '../../../helpers/typed';

// Answers recorded in the shapes of MLflow's REST API reference (2.0/mlflow/...), as a tracking server sends them.
const EXPERIMENTS = {
  experiments: [
    {
      experiment_id: '0',
      name: 'Default',
      artifact_location: 'mlflow-artifacts:/0',
      lifecycle_stage: 'active',
      last_update_time: 1717300988890,
      creation_time: 1717300988890,
    },
    {
      experiment_id: '12',
      name: 'wine',
      artifact_location: 's3://bucket/12',
      lifecycle_stage: 'active',
      last_update_time: 1717300988890,
      creation_time: 1717300988890,
      tags: [{ key: 'team', value: 'ml' }],
    },
  ],
};

const run = (
  id: string,
  name: string,
  extra: { metrics?: { key: string; value: unknown; timestamp: number; step: number }[]; status?: string } = {},
): unknown => ({
  info: {
    run_id: id,
    run_uuid: id,
    run_name: name,
    experiment_id: '12',
    user_id: 'ana',
    status: extra.status ?? 'FINISHED',
    start_time: 1717345440961,
    end_time: '1717345443616',
    artifact_uri: `s3://bucket/12/${id}/artifacts`,
    lifecycle_stage: 'active',
  },
  data: {
    metrics: extra.metrics ?? [],
    params: [
      { key: 'alpha', value: '0.5' },
      { key: 'seed', value: '42' },
      { key: 'db_password', value: 'hunter2' },
    ],
    tags: [
      { key: 'mlflow.runName', value: name },
      { key: 'mlflow.user', value: 'ana' },
      { key: 'mlflow.source.git.commit', value: '0123456789abcdef0123456789abcdef01234567' },
      { key: 'mlflow.source.git.repoURL', value: 'https://ana:tok@github.com/acme/wine.git' },
      { key: 'mlflow.source.type', value: 'PROJECT' },
      { key: 'mlflow.project.entryPoint', value: 'main' },
    ],
  },
  inputs: {
    dataset_inputs: [
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: {
          name: 'wine-quality',
          digest: 'e4f1',
          source_type: 'http',
          source: '{"url": "https://x.example/wine.csv"}',
          schema: '{}',
          profile: '{}',
        },
      },
    ],
  },
});

const RUN_1 = '1'.repeat(32);
const RUN_2 = '2'.repeat(32);
const HISTORY: Record<string, unknown[][]> = {
  // Two pages for rmse, to check the page token is followed.
  [`${RUN_1}/rmse`]: [
    [
      { key: 'rmse', value: 0.9, timestamp: 1717345441000, step: 0 },
      { key: 'rmse', value: 0.8, timestamp: 1717345442000, step: 1 },
    ],
    [{ key: 'rmse', value: 0.7, timestamp: 1717345443000, step: 2 }],
  ],
  [`${RUN_2}/rmse`]: [
    [
      { key: 'rmse', value: 'NaN', timestamp: 1717345441000, step: 0 },
      { key: 'rmse', value: 'Infinity', timestamp: 1717345442000, step: '1' },
    ],
  ],
};

interface Seen {
  url: string;
  body: unknown;
  auth: string | undefined;
}

function mlflowServer(seen: Seen[]): http.RequestListener {
  return (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const parsed: Record<string, unknown> = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      seen.push({ url: url.pathname + url.search, body: parsed, auth: req.headers.authorization });
      const send = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/api/2.0/mlflow/experiments/search' && req.method === 'POST') return send(200, EXPERIMENTS);
      if (url.pathname === '/api/2.0/mlflow/runs/search' && req.method === 'POST') {
        if (!parsed.page_token)
          return send(200, {
            runs: [run(RUN_1, 'first', { metrics: [{ key: 'rmse', value: 0.7, timestamp: 1717345443000, step: 2 }] })],
            next_page_token: 'page-2',
          });
        return send(200, {
          runs: [
            run(RUN_2, 'second', {
              status: 'FAILED',
              metrics: [{ key: 'rmse', value: 'Infinity', timestamp: 1717345442000, step: 1 }],
            }),
          ],
        });
      }
      if (url.pathname === '/api/2.0/mlflow/metrics/get-history' && req.method === 'GET') {
        const pages = HISTORY[`${url.searchParams.get('run_id')}/${url.searchParams.get('metric_key')}`];
        if (!pages) return send(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such metric' });
        const i = Number(url.searchParams.get('page_token') ?? 0);
        return send(200, { metrics: pages[i], ...(i + 1 < pages.length ? { next_page_token: String(i + 1) } : {}) });
      }
      return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No API route' });
    });
  };
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((r) => {
          s.closeAllConnections();
          s.close(r);
        }),
    ),
  );
});

async function listen(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('importing from a tracking server over its REST API', () => {
  it('reads experiments, runs page by page and full metric histories; keeps no credentials', async () => {
    const seen: Seen[] = [];
    const port = await listen(mlflowServer(seen));
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const res = await h.importMlflow({ location: `http://ana:s3cret@127.0.0.1:${port}/`, experiment: 'wine' });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value).toMatchObject({
      source: { type: 'mlflow-server', location: `http://127.0.0.1:${port}` },
      added: 2,
      skipped: [],
    });
    expect(seen.every((s) => s.auth === `Basic ${Buffer.from('ana:s3cret').toString('base64')}`)).toBe(true);
    expect(
      seen
        .filter((s) => s.url.startsWith('/api/2.0/mlflow/runs/search'))
        .map((s) => (s.body as { page_token?: string }).page_token),
    ).toEqual([undefined, 'page-2']);
    expect(seen.find((s) => s.url.startsWith('/api/2.0/mlflow/runs/search'))!.body).toMatchObject({
      experiment_ids: ['12'],
    });

    const byRun = new Map(
      ctx.runs.list({}).map((r) => {
        const s = ctx.runs.get(r.id);
        return [s.source!.runId, s];
      }),
    );
    const first = byRun.get(RUN_1)!;
    expect(first.outcome.metrics.rmse!.history!.map((p) => [p.step, p.value])).toEqual([
      [0, 0.9],
      [1, 0.8],
      [2, 0.7],
    ]);
    expect(first.code).toMatchObject({
      commit: '0123456789abcdef0123456789abcdef01234567',
      remotes: [{ name: 'origin', url: 'https://github.com/acme/wine.git' }],
    });
    expect(first.process).toMatchObject({
      entryPoint: 'main',
      user: 'ana',
      parameters: { alpha: '0.5', seed: '42', db_password: '<redacted>' },
    });
    expect(first.process.durationMs).toBe(1717345443616 - 1717345440961);
    expect(first.data.declared).toEqual([
      {
        name: 'wine-quality',
        digest: 'e4f1',
        source: '{"url": "https://x.example/wine.csv"}',
        sourceType: 'http',
        schema: '{}',
        context: 'training',
      },
    ]);
    expect(first.outcome.artifacts[0]).toMatchObject({ kind: 'missing', absPath: `s3://bucket/12/${RUN_1}/artifacts` });
    const second = byRun.get(RUN_2)!;
    expect(second.outcome.status).toBe('failed');
    expect(second.outcome.metrics.rmse!.history!.map((p) => p.value)).toEqual([NaN, Infinity]);
    expect(JSON.stringify([...byRun.values()])).not.toMatch(/s3cret|hunter2|ana:tok/);

    const again = await h.importMlflow({ location: `http://127.0.0.1:${port}`, experiment: 'wine' });
    expect(again.ok && again.value).toMatchObject({ added: 0, unchanged: 2 });
  });

  it('says clearly when the server is not MLflow, is not there, or does not answer in time', async () => {
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const html = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>hello</html>');
    });
    const notMlflow = await h.importMlflow({ location: `http://127.0.0.1:${html}` });
    expect(notMlflow.ok ? null : notMlflow.error).toMatchObject({
      code: 'IMPORT_FAILED',
      message: containing('does not answer as an MLflow tracking server'),
    });

    const json = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status": "ok"}');
    });
    const other = await h.importMlflow({ location: `http://127.0.0.1:${json}` });
    expect(other.ok ? null : other.error.message).toContain('does not answer as an MLflow tracking server');

    const closed = await listen(() => undefined);
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 20));
    const refused = await h.importMlflow({ location: `http://127.0.0.1:${closed}` });
    expect(refused.ok ? null : refused.error).toMatchObject({
      code: 'IMPORT_FAILED',
      message: containing('refused the connection'),
      hint: containing('mlflow server'),
    });

    const silent = await listen(() => undefined);
    const slow = await h.importMlflow({ location: `http://127.0.0.1:${silent}`, timeoutMs: 300 });
    expect(slow.ok ? null : slow.error.message).toContain('did not answer within 0.3 s');
    expect(ctx.runs.count()).toBe(0);
  });
});
