/** The tracking-server reader: experiments and runs page by page, each metric's full history, through MLflow's REST API. */
import type { z } from 'zod';
import { ReproError } from '../../../shared/errors';
import { emptyRecord, recordOf } from '../../../shared/records';
import {
  mlflowStatusName,
  parseMlflowValue,
  stripCredentialsInText,
  type MlflowMetricPoint,
} from '../../../shared/mlflow/mlflow-snapshot';
import { stripUrlCredentials } from '../../../shared/snapshot/secrets';
import {
  deletedExperimentSkip,
  experimentMatches,
  type MlflowExperimentInfo,
  type MlflowReadItem,
  type MlflowReadOptions,
  type MlflowStoreReader,
} from './import-mlflow-types';
import { MAX_RESPONSE_BYTES, PageTokens, readCapped } from './rest-bounds';
import { ExperimentsPage, HistoryPage, parseLenientJson, queryValue, RunJson, RunsPage } from './import-rest-schema';

/**
 * Reads a running MLflow tracking server through its REST API (`/api/2.0/mlflow/…`):
 * experiments/search and runs/search page by page, metrics/get-history for each metric's full
 * history. Each request has a timeout; an answer that is not MLflow's is an error saying so.
 */

/** A client for one tracking server. */
class MlflowRestClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    readonly display: string,
    url: URL,
    private readonly timeoutMs: number,
    private readonly maxBytes = MAX_RESPONSE_BYTES,
  ) {
    this.headers = { accept: 'application/json', 'content-type': 'application/json' };
    if (url.username || url.password) {
      this.headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    url.username = '';
    url.password = '';
    this.base = url.toString().replace(/\/+$/, '');
  }

  async call<T extends z.ZodType>(
    method: 'GET' | 'POST',
    endpoint: string,
    body: Record<string, unknown>,
    schema: T,
  ): Promise<z.output<T>> {
    const url = new URL(`${this.base}/api/2.0/mlflow/${endpoint}`);
    if (method === 'GET')
      for (const [k, v] of Object.entries(body)) {
        const q = queryValue(v);
        if (q !== null) url.searchParams.set(k, q);
      }
    let response: Response;
    // One deadline for the whole exchange, the last byte of the body included (a server that drips never ends).
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      response = await fetch(url, {
        method,
        headers: this.headers,
        body: method === 'POST' ? JSON.stringify(body) : undefined,
        signal,
        redirect: 'error',
      });
    } catch (e) {
      throw this.unreachable(e);
    }
    let text: string | null;
    try {
      text = await readCapped(response, this.maxBytes);
    } catch (e) {
      throw this.unreachable(signal.aborted ? signal.reason : e);
    }
    if (text === null) {
      throw new ReproError(
        'IMPORT_FAILED',
        `the MLflow tracking server ${this.display} answered ${endpoint} with more than ${Math.round(this.maxBytes / 1024 / 1024)} MiB; nothing was imported`,
        "MLflow's answers are a few MB at most: check that the URL is the tracking server itself.",
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new ReproError(
        'IMPORT_FAILED',
        `the MLflow tracking server ${this.display} refused access (HTTP ${response.status})`,
        'Put the user and password in the URL (http://user:password@host:port); reproscope does not store them.',
      );
    }
    let raw: unknown;
    try {
      raw = parseLenientJson(text);
    } catch {
      throw this.notMlflow(
        `${endpoint} answered HTTP ${response.status} with ${response.headers.get('content-type') ?? 'no content type'}, not JSON`,
      );
    }
    if (!response.ok) {
      const message = (raw as { message?: unknown } | null)?.message;
      throw new ReproError(
        'IMPORT_FAILED',
        `the MLflow tracking server ${this.display} answered ${endpoint} with HTTP ${response.status}${typeof message === 'string' ? `: ${message}` : ''}`,
        response.status === 404
          ? 'Check that the URL is the tracking server itself (http://host:port, without a path).'
          : "Check the server's log.",
      );
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.notMlflow(
        `its answer to ${endpoint} does not have MLflow's shape (${issue ? `${issue.path.join('.') || 'root'}: ${issue.message}` : 'invalid'})`,
      );
    }
    return parsed.data;
  }

  private unreachable(e: unknown): ReproError {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const name = (e as Error).name;
    const why =
      name === 'TimeoutError' || name === 'AbortError'
        ? `did not answer within ${(this.timeoutMs / 1000).toFixed(1)} s`
        : cause?.code === 'ECONNREFUSED'
          ? 'refused the connection'
          : cause?.code === 'ENOTFOUND'
            ? 'is not a known host name'
            : `could not be reached (${cause?.message ?? (e as Error).message})`;
    return new ReproError(
      'IMPORT_FAILED',
      `the MLflow tracking server ${this.display} ${why}; nothing was imported`,
      'Check that the server is running (mlflow server --host 127.0.0.1 --port 5000) and that host and port are right; --timeout gives a slow server longer.',
    );
  }

  private notMlflow(detail: string): ReproError {
    return new ReproError(
      'IMPORT_FAILED',
      `${this.display} does not answer as an MLflow tracking server: ${detail}`,
      'Check the URL: it should be the address the MLflow UI is served at (e.g. http://127.0.0.1:5000).',
    );
  }
}

/** Connects to a tracking server and lists its experiments (so a wrong URL fails before anything is written). */
export async function openRestStore(urlText: string, options: MlflowReadOptions): Promise<MlflowStoreReader> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new ReproError(
      'INVALID_INPUT',
      `"${stripUrlCredentials(urlText)}" is not a URL`,
      'Write the tracking server as http://host:port.',
    );
  }
  const display = stripUrlCredentials(url.toString()).replace(/\/+$/, '');
  const client = new MlflowRestClient(display, url, options.timeoutMs, options.maxResponseBytes);
  const all: MlflowExperimentInfo[] = [];
  let token: string | undefined;
  const experimentPages = new PageTokens(display, 'experiments/search');
  do {
    const page = await client.call(
      'POST',
      'experiments/search',
      { max_results: 1000, view_type: 'ALL', ...(token ? { page_token: token } : {}) },
      ExperimentsPage,
    );
    if (page.experiments === undefined && token === undefined && !('next_page_token' in page)) {
      // An empty MLflow answers {} — but so does many a server; a real one always has experiment 0.
      throw new ReproError(
        'IMPORT_FAILED',
        `${display} does not answer as an MLflow tracking server: experiments/search listed no experiments`,
        'Check the URL: it should be the address the MLflow UI is served at (e.g. http://127.0.0.1:5000).',
      );
    }
    for (const e of page.experiments ?? [])
      all.push({ id: e.experiment_id, name: e.name, lifecycleStage: e.lifecycle_stage ?? 'active', dir: null });
    token = experimentPages.next(page.next_page_token);
  } while (token);
  const skipsUpFront: MlflowReadItem[] = [];
  const experiments = all
    .filter((e) => experimentMatches(e, options.experiment))
    .filter((e) => {
      const deleted = deletedExperimentSkip(e, options);
      if (deleted) skipsUpFront.push({ kind: 'skip', skip: deleted });
      return !deleted;
    });
  if (options.experiment !== undefined && !all.some((e) => experimentMatches(e, options.experiment))) {
    throw new ReproError(
      'NOT_FOUND',
      `the MLflow tracking server ${display} has no experiment named or numbered "${options.experiment}"`,
      `Its experiments: ${all.map((e) => e.name ?? e.id).join(', ') || 'none'}. Drop --experiment to import them all.`,
    );
  }
  const byId = new Map(experiments.map((e) => [e.id, e]));

  async function history(runId: string, key: string): Promise<MlflowMetricPoint[]> {
    const points: MlflowMetricPoint[] = [];
    let page: string | undefined;
    const pages = new PageTokens(display, `metrics/get-history of ${key}`);
    do {
      const res = await client.call(
        'GET',
        'metrics/get-history',
        { run_id: runId, metric_key: key, max_results: 25000, page_token: page },
        HistoryPage,
      );
      for (const m of res.metrics ?? []) {
        const value = parseMlflowValue(m.value ?? null);
        if (value === null) throw new Error(`metric ${key} holds a value that is not a number`);
        points.push({ step: m.step ?? 0, value, timestamp: m.timestamp ?? null });
      }
      page = pages.next(res.next_page_token);
    } while (page);
    return points;
  }

  return {
    type: 'mlflow-server',
    location: display,
    boundary: null,
    experiments,
    expectedRuns: null,
    close: () => undefined,
    runs: async function* runs(): AsyncIterable<MlflowReadItem> {
      yield* skipsUpFront;
      if (experiments.length === 0) return;
      let pageToken: string | undefined;
      const runPages = new PageTokens(display, 'runs/search');
      do {
        const page = await client.call(
          'POST',
          'runs/search',
          {
            experiment_ids: experiments.map((e) => e.id),
            max_results: 1000,
            run_view_type: options.includeDeleted ? 'ALL' : 'ACTIVE_ONLY',
            ...(pageToken ? { page_token: pageToken } : {}),
          },
          RunsPage,
        );
        for (const raw of page.runs ?? []) {
          const parsed = RunJson.safeParse(raw);
          const rawId = (raw as { info?: { run_id?: unknown } } | null)?.info?.run_id;
          if (!parsed.success) {
            yield {
              kind: 'skip',
              skip: {
                experimentId: null,
                runId: typeof rawId === 'string' ? rawId : null,
                reason: `the server's record of the run is malformed (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`,
              },
            };
            continue;
          }
          const { info, data, inputs } = parsed.data;
          const runId = info.run_id ?? info.run_uuid;
          const exp = byId.get(info.experiment_id);
          if (!runId || !exp) continue;
          const lifecycleStage = info.lifecycle_stage ?? 'active';
          if (lifecycleStage === 'deleted' && !options.includeDeleted) {
            yield {
              kind: 'skip',
              skip: {
                experimentId: exp.id,
                runId,
                reason: 'deleted in MLflow (lifecycle_stage deleted); use --include-deleted to import it',
              },
            };
            continue;
          }
          const metrics = emptyRecord<MlflowMetricPoint[]>();
          try {
            const keys = [...new Set((data?.metrics ?? []).map((m) => m.key))];
            const histories = await Promise.all(keys.map((k) => history(runId, k)));
            keys.forEach((k, i) => {
              metrics[k] = histories[i]!;
            });
          } catch (e) {
            if (e instanceof ReproError) throw e;
            yield { kind: 'skip', skip: { experimentId: exp.id, runId, reason: (e as Error).message } };
            continue;
          }
          const kv = (list: { key: string; value?: string }[] | undefined): Record<string, string> =>
            recordOf((list ?? []).map((p) => [p.key, p.value ?? '']));
          yield {
            kind: 'run',
            run: {
              record: {
                runId,
                experimentId: exp.id,
                experimentName: exp.name,
                runName: info.run_name || null,
                status: mlflowStatusName(info.status ?? null),
                startTime: info.start_time ?? null,
                endTime: info.end_time ?? null,
                lifecycleStage,
                userId: info.user_id || null,
                artifactUri: info.artifact_uri ?? null,
                sourceType: null,
                sourceName: null,
                entryPointName: null,
                sourceVersion: null,
                params: kv(data?.params),
                tags: kv(data?.tags),
                metrics,
                datasets: (inputs?.dataset_inputs ?? []).map((d) => ({
                  name: d.dataset.name,
                  digest: d.dataset.digest ?? null,
                  source: d.dataset.source ? stripCredentialsInText(d.dataset.source) : null,
                  sourceType: d.dataset.source_type ?? null,
                  schema: d.dataset.schema ?? null,
                  context: (d.tags ?? []).find((t) => t.key === 'mlflow.data.context')?.value ?? null,
                })),
                models: [],
                artifacts: [],
                dvc: [],
                warnings: [],
              },
              artifactDir: null,
              modelDirs: [],
            },
          };
        }
        pageToken = runPages.next(page.next_page_token);
      } while (pageToken);
    },
  };
}
