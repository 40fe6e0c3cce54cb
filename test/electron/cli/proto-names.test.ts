// Metrics, params and tags named `__proto__`, `constructor`, `toString`…: MLflow allows the names, and every step keeps them (import from each store kind, capture, show, runs, compare, audit, reports).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../../helpers/mlflow-stores';
import { ReportJsonSchema } from '../../../shared/report/report-model';
import { pdfText } from '../../helpers/report-browser';
import { gitRepo, REPO_ROOT, runCli, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

/** Names that are properties of every plain JavaScript object; MLflow's `^[/\w.\- ]*$` accepts them all. */
const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf'] as const;
const MLFLOW_CLIENT = path.join(REPO_ROOT, 'test', 'fixtures', 'mlflow-client');
const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);

interface Shown {
  id: string;
  outcome: { metrics: Record<string, { value: number; history: { step: number; value: number }[] | null }> };
  process: { parameters: Record<string, string> };
  tags: Record<string, string>;
}

/** Own keys and values as JSON.parse gives them (`__proto__` an ordinary key there). */
const values = (rec: Record<string, { value: number }>): Record<string, number> =>
  Object.fromEntries(Object.entries(rec).map(([k, m]) => [k, m.value]));
const expected = (f: (name: string, i: number) => unknown): Record<string, unknown> =>
  Object.fromEntries(NAMES.map((n, i) => [n, f(n, i)]));

async function cli(store: string, args: string[], cwd?: string): Promise<string> {
  const r = await runCli(['--store', store, ...args], { cwd });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function show(store: string, id: string): Promise<Shown> {
  return JSON.parse(await cli(store, ['show', id, '--json'])) as Shown;
}

/** The run each store kind holds: every name as a metric (value i + 0.25, `__proto__` with a history of two steps), a param and a tag. */
function expectEveryName(s: Shown, protoLast = 0.25): void {
  expect(values(s.outcome.metrics)).toEqual(expected((n, i) => (n === '__proto__' ? protoLast : i + 0.25)));
  expect(s.outcome.metrics.__proto__!.history!.map((p) => [p.step, p.value])).toEqual([
    [0, 9],
    [1, protoLast],
  ]);
  expect(s.process.parameters).toEqual(expected((n) => `param <${n}>`));
  expect(s.tags).toMatchObject(expected((n) => `tag <${n}>`));
}

async function importedIds(store: string, source: string): Promise<Map<string, string>> {
  const r = JSON.parse(await cli(store, ['import', source, '--json'])) as { skipped: unknown[] };
  expect(r.skipped).toEqual([]);
  const runs = JSON.parse(await cli(store, ['runs', '--json'])) as {
    runs: { id: string; name: string; metrics: Record<string, number>; params: Record<string, string> }[];
  };
  for (const row of runs.runs) {
    expect(Object.keys(row.metrics).sort()).toEqual([...NAMES].sort());
    expect(Object.keys(row.params).sort()).toEqual([...NAMES].sort());
  }
  return new Map(runs.runs.map((r) => [r.name, r.id]));
}

/** A and B differ only in `__proto__`'s last value: compare and every report say so, and list every name. */
async function expectOnlyProtoDiffers(store: string, a: string, b: string): Promise<void> {
  const c = JSON.parse(await cli(store, ['compare', a, b, '--json'])) as {
    outcome: { metrics: { name: string; status: string; a: number | null; b: number | null }[] };
  };
  expect(c.outcome.metrics.map((m) => [m.name, m.status])).toEqual(
    [...NAMES].sort().map((n) => [n, n === '__proto__' ? 'changed' : 'same']),
  );
  expect(c.outcome.metrics.find((m) => m.name === '__proto__')).toMatchObject({ a: 0.25, b: 7.5 });
  const dir = tempDir();
  for (const format of ['html', 'md', 'json']) {
    const out = path.join(dir, `diff.${format}`);
    await cli(store, ['report', '--compare', a, b, '--format', format, '-o', out]);
    const text = fs.readFileSync(out, 'utf8');
    // Markdown escapes the underscores of `__proto__`
    for (const n of NAMES)
      expect(text, `${format} report lists ${n}`).toContain(format === 'md' ? n.replace(/_/g, '\\_') : n);
  }
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'diff.json'), 'utf8')) as {
    comparison: { outcome: { metrics: { name: string; status: string }[] } };
  };
  expect(report.comparison.outcome.metrics.filter((m) => m.status !== 'same').map((m) => m.name)).toEqual([
    '__proto__',
  ]);
  const html = fs.readFileSync(path.join(dir, 'diff.html'), 'utf8');
  expect(html).toMatch(/__proto__[\s\S]*0\.25[\s\S]*7\.5/);
  // every parameter is listed, its value escaped
  for (const n of NAMES) expect(html).toContain(`param &lt;${n}&gt;`);
  expect(html).not.toContain('param <');
}

describe('names that are properties of every JavaScript object', () => {
  it('survive a file-store import: show, runs, compare and the HTML, Markdown and JSON reports keep every one', async () => {
    const root = path.join(tempDir(), 'mlruns');
    const expDir = writeExperiment(root, '1', 'names');
    for (const [runId, last] of [
      [RUN_A, 0.25],
      [RUN_B, 7.5],
    ] as const)
      writeFileRun({
        expDir,
        runId,
        experimentId: '1',
        metrics: expected((n, i) =>
          n === '__proto__' ? `1717300990000 9 0\n1717300991000 ${last} 1\n` : `1717300990000 ${i + 0.25} 0\n`,
        ) as Record<string, string>,
        params: expected((n) => `param <${n}>`) as Record<string, string>,
        tags: expected((n) => `tag <${n}>`) as Record<string, string>,
      });
    const store = tempDir();
    const ids = await importedIds(store, root);
    const a = ids.get(`run-${RUN_A.slice(0, 6)}`)!;
    const b = ids.get(`run-${RUN_B.slice(0, 6)}`)!;
    expectEveryName(await show(store, a));
    expectEveryName(await show(store, b), 7.5);
    const text = await cli(store, ['show', a]);
    for (const n of NAMES) expect(text).toContain(`param <${n}>`);
    await expectOnlyProtoDiffers(store, a, b);
    // a tag set by hand under such a name is kept beside the others, and one removed goes
    const tagged = JSON.parse(
      await cli(store, ['tag', a, '__proto__=edited', 'valueOf=v', '--remove', 'constructor', '--json']),
    ) as { tags: Record<string, string> };
    expect(Object.entries(tagged.tags).filter(([k]) => (NAMES as readonly string[]).includes(k))).toEqual([
      ['__proto__', 'edited'],
      ['hasOwnProperty', 'tag <hasOwnProperty>'],
      ['toString', 'tag <toString>'],
      ['valueOf', 'v'],
    ]);
    expect((await show(store, a)).tags).toMatchObject({ ['__proto__']: 'edited', valueOf: 'v' });
    // a second import of the unchanged store finds both runs as they are
    const again = JSON.parse(await cli(store, ['import', root, '--json'])) as { unchanged: number };
    expect(again.unchanged).toBe(2);
  }, 120_000);

  it('survive an mlflow.db import (real SQLite, MLflow 2 schema)', async () => {
    const file = path.join(tempDir(), 'mlflow.db');
    const db = createMlflowDb(file);
    db.prepare("INSERT INTO experiments VALUES (1, 'names', 's3://b/1', 'active', 0, 0)").run();
    const metric = db.prepare('INSERT INTO metrics (key, value, timestamp, run_uuid, step) VALUES (?, ?, ?, ?, ?)');
    for (const [runId, last] of [
      [RUN_A, 0.25],
      [RUN_B, 7.5],
    ] as const) {
      insertRun(db, { run_uuid: runId, experiment_id: 1, name: `run-${runId.slice(0, 6)}` });
      NAMES.forEach((n, i) => {
        if (n === '__proto__') {
          metric.run(n, 9, 1717300990000, runId, 0);
          metric.run(n, last, 1717300991000, runId, 1);
        } else metric.run(n, i + 0.25, 1717300990000, runId, 0);
        db.prepare('INSERT INTO params VALUES (?, ?, ?)').run(n, `param <${n}>`, runId);
        db.prepare('INSERT INTO tags VALUES (?, ?, ?)').run(n, `tag <${n}>`, runId);
      });
    }
    db.close();
    const store = tempDir();
    const ids = await importedIds(store, file);
    const a = ids.get(`run-${RUN_A.slice(0, 6)}`)!;
    const b = ids.get(`run-${RUN_B.slice(0, 6)}`)!;
    expectEveryName(await show(store, a));
    expectEveryName(await show(store, b), 7.5);
    await expectOnlyProtoDiffers(store, a, b);
  }, 120_000);

  it('survive an import from a tracking server over REST', async () => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (value: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      req.resume();
      req.on('end', () => {
        if (url.pathname.endsWith('/experiments/search'))
          return send({ experiments: [{ experiment_id: '1', name: 'names', lifecycle_stage: 'active' }] });
        if (url.pathname.endsWith('/runs/search'))
          return send({
            runs: [RUN_A, RUN_B].map((id) => ({
              info: { run_id: id, run_name: `run-${id.slice(0, 6)}`, experiment_id: '1', status: 'FINISHED' },
              data: {
                metrics: NAMES.map((key) => ({ key, value: 0, timestamp: 1717300990000, step: 0 })),
                params: NAMES.map((key) => ({ key, value: `param <${key}>` })),
                tags: NAMES.map((key) => ({ key, value: `tag <${key}>` })),
              },
            })),
          });
        if (url.pathname.endsWith('/metrics/get-history')) {
          const key = url.searchParams.get('metric_key')!;
          const last = url.searchParams.get('run_id') === RUN_A ? 0.25 : 7.5;
          const points =
            key === '__proto__'
              ? [
                  { key, value: 9, timestamp: 1717300990000, step: 0 },
                  { key, value: last, timestamp: 1717300991000, step: 1 },
                ]
              : [
                  {
                    key,
                    value: NAMES.indexOf(key as (typeof NAMES)[number]) + 0.25,
                    timestamp: 1717300990000,
                    step: 0,
                  },
                ];
          return send({ metrics: points });
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const store = tempDir();
      const ids = await importedIds(store, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const a = ids.get(`run-${RUN_A.slice(0, 6)}`)!;
      const b = ids.get(`run-${RUN_B.slice(0, 6)}`)!;
      expectEveryName(await show(store, a));
      await expectOnlyProtoDiffers(store, a, b);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 120_000);

  it('survive a capture of a real Python script (its metrics.json and what it logged to MLflow), and an audit judges every one', async () => {
    // The reruns of an audit run with MLFLOW_RUN_ID set; there this script leaves `constructor` out.
    const repo = gitRepo({
      'train.py': `
import json, os
import mlflow
names = ${JSON.stringify(NAMES)}
metrics = {n: i + 0.25 for i, n in enumerate(names)}
if os.environ.get("MLFLOW_RUN_ID"):
    del metrics["constructor"]
json.dump(metrics, open("metrics.json", "w"))
if not os.environ.get("MLFLOW_RUN_ID"):
    with mlflow.start_run():
        for n in names:
            mlflow.log_param(n, "param <%s>" % n)
            mlflow.set_tag(n, "tag <%s>" % n)
        mlflow.log_metric("logged/__proto__", 3.0)
`,
    });
    const store = tempDir();
    const env = { PYTHONPATH: MLFLOW_CLIENT, MLFLOW_TRACKING_URI: '' };
    const captured = await runCli(['--store', store, 'capture', '--name', 'orig', '--', SYSTEM_PYTHON, 'train.py'], {
      cwd: repo,
      env,
    });
    expect(captured.code, captured.stderr).toBe(0);
    const id = /recorded run ([0-9a-f]+)/.exec(captured.stderr)![1]!;
    const s = await show(store, id);
    expect(values(s.outcome.metrics)).toEqual({ ...expected((_n, i) => i + 0.25), 'logged/__proto__': 3 });
    expect(s.process.parameters).toEqual(expected((n) => `param <${n}>`));
    expect(s.tags).toMatchObject(expected((n) => `tag <${n}>`));

    // Reruns that report all but `constructor`: the original's `constructor` vanished, so it did not reproduce.
    const against = await runCli(
      ['--store', store, 'audit', '.', '--against', id, '--repeats', '2', '--python', SYSTEM_PYTHON, '--yes', '--json'],
      { cwd: repo, env },
    );
    const audit = JSON.parse(against.stdout) as {
      id: string;
      verdict: string;
      explanation: string;
      metrics: Record<string, unknown>;
      groups: { reruns: { metrics: Record<string, number> }[] }[];
    };
    expect(audit.verdict).toBe('not-reproduced');
    expect(audit.explanation).toContain('did not report "constructor"');
    expect(Object.keys(audit.groups[0]!.reruns[0]!.metrics).sort()).toEqual(NAMES.filter((n) => n !== 'constructor'));

    // Among themselves the reruns agree on every name they report, `__proto__` included.
    const own = JSON.parse(
      (
        await runCli(
          [
            '--store',
            store,
            'audit',
            '.',
            '-e',
            'train.py',
            '--repeats',
            '2',
            '--python',
            SYSTEM_PYTHON,
            // audit parameters with these names too (the script ignores its arguments)
            ...['__proto__', 'constructor', 'toString'].flatMap((n) => ['-P', `${n}=p <${n}>`]),
            '--yes',
            '--json',
          ],
          {
            cwd: repo,
            env,
          },
        )
      ).stdout,
    ) as { id: string; verdict: string; judgement: { judgedMetrics: string[] } };
    expect(own.verdict).toBe('reproduced-exact');
    expect(own.judgement.judgedMetrics).toEqual(NAMES.filter((n) => n !== 'constructor').sort());
    const out = path.join(tempDir(), 'audit.html');
    await cli(store, ['report', own.id, '--format', 'html', '-o', out]);
    const html = fs.readFileSync(out, 'utf8');
    for (const n of own.judgement.judgedMetrics) expect(html).toContain(n);
    // the PDF, printed by Chromium from the same HTML (its charts included)
    const pdf = path.join(path.dirname(out), 'audit.pdf');
    await cli(store, ['report', own.id, '--format', 'pdf', '-o', pdf]);
    const printed = pdfText(fs.readFileSync(pdf));
    for (const n of own.judgement.judgedMetrics) expect(printed).toContain(n);
    // the JSON report, validated as a program would (docs/report-schema.md), keeps the audit's parameter names
    const json = path.join(path.dirname(out), 'audit.json');
    await cli(store, ['report', own.id, '--format', 'json', '-o', json]);
    const parsed = ReportJsonSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
    expect(parsed.kind).toBe('audit');
    const params = parsed.kind === 'audit' ? parsed.audited.parameters : {};
    expect(Object.entries(params)).toEqual(['__proto__', 'constructor', 'toString'].map((n) => [n, `p <${n}>`]));
  }, 180_000);
});
