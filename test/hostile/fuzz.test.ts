// Seeded, time-bounded fuzzing of everything reproscope reads from others (MLprojects, meta.yaml, metric lines, mlflow.db rows, REST answers): a clear error or a correct result, never a hang, a stack trace, a changed store on a failed import or a secret in the store.
import fc from 'fast-check';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/core/handlers';
import { parseMetaYaml, parseMetricLines } from '../../electron/core/import/import-mlflow-file';
import { ReproError } from '../../shared/errors';
import { parseMlproject } from '../../shared/mlflow/mlproject';
import { redactSecrets } from '../../shared/snapshot/secrets';
import { createMlflowDb, insertRun, writeExperiment, writeFileRun } from '../helpers/mlflow-stores';
import { tempCore } from '../helpers/store';
import { tempDir } from '../helpers/temp';
import { expectSameAsMlflow, mlflowRender, ourRender, type RenderCase } from './helpers/mlflow-render';
import { plantedSecrets } from './helpers/secret-shapes';
import { storeText } from './store-text';

/** Total time for the whole fuzz file (npm test runs a short budget; `npm run fuzz` sets FUZZ_BUDGET_MS). */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const PROPERTIES = 7;
const perProperty = Math.max(1000, Math.floor(BUDGET_MS / PROPERTIES));
const tried: Record<string, number> = {};

afterAll(() => {
  // The note reports these: how many cases each property tried in this run.
  console.log(`fuzz seed ${SEED}, budget ${BUDGET_MS} ms: ${JSON.stringify(tried)}`);
});

/** Runs a property for this property's share of the budget; a failure reports its seed and counterexample. */
async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => Promise<void> | void): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(arb, async (v) => {
      await check(v);
    }),
    { seed: SEED, numRuns: 1_000_000, interruptAfterTimeLimit: perProperty, markInterruptAsFailure: false },
  );
  tried[name] = details.numRuns;
  if (details.failed) {
    throw new Error(
      `${name}: seed ${details.seed}, path ${details.counterexamplePath}, counterexample ${JSON.stringify(details.counterexample)?.slice(0, 2000)}: ${String(details.errorInstance)}`,
    );
  }
  expect(details.numRuns).toBeGreaterThan(0);
}

/** A thrown value must be our error with a sentence, not a crash with a stack trace. */
function expectClearError(e: unknown): void {
  if (!(e instanceof ReproError) && !(e instanceof Error && /^metric |meta\.yaml/.test(e.message))) throw e;
  expect(e.message).not.toMatch(/\n\s+at /);
}

// Pieces that hostile MLprojects and values are built from.
const nasty = fc.constantFrom(
  "'",
  '"',
  '\\',
  '\n',
  ';',
  '$(id)',
  '`id`',
  '{',
  '}',
  '{{',
  '}}',
  '!r',
  ':',
  '&a',
  '*a',
  '<<',
  '- ',
  '#',
  '\t',
  'é',
  '😀',
  '\u0000',
  '\u2028',
);
const word = fc.oneof(fc.string({ maxLength: 8 }), nasty);
const text = fc.array(word, { maxLength: 12 }).map((ws) => ws.join(''));

const VALID_MLPROJECT = `name: fuzz
entry_points:
  main:
    parameters:
      x: {type: string, default: "a"}
      n: {type: float, default: 0.5}
    command: "echo {x} {n}"
`;

describe('fuzz (seeded, bounded in time)', () => {
  it('MLproject command rendering matches MLflow for random templates and values', () => {
    const field = fc.tuple(
      fc.constantFrom('x', 'y', 'z', '0', '', 'x.a', 'x[0]'),
      fc.constantFrom('', '!r', '!s', '!a', '!x'),
      fc.constantFrom('', ':>9', ':<4', ':^7', ':.3', ':*^11', ':05', ':=5', ':+3', ':s', ':d', ':.0'),
    );
    const template = fc
      .array(
        fc.oneof(
          field.map(([k, c, s]) => `{${k}${c}${s}}`),
          fc.constantFrom('echo ', ' ', '{{', '}}', '-', '{', '}'),
        ),
        {
          minLength: 1,
          maxLength: 6,
        },
      )
      .map((parts) => parts.join(''));
    const value = fc.oneof(text, fc.string({ unit: 'grapheme-ascii', maxLength: 20 }));
    // Python runs once for a whole batch: sample the cases with the seed, then compare each.
    const cases: RenderCase[] = fc
      .sample(fc.tuple(template, value, value), { seed: SEED, numRuns: Math.min(3000, perProperty) })
      .map(([t, x, y]) => ({ template: t, declared: { x: null, y: 'd' }, user: { x, y } }));
    const theirs = mlflowRender(cases);
    cases.forEach((c, i) => expectSameAsMlflow(c, ourRender(c), theirs[i]!));
    tried['mlproject-render'] = cases.length;
  });

  it('mutated MLproject files parse or fail with a clear error, quickly (alias bombs included)', async () => {
    const mutated = fc.tuple(fc.nat(VALID_MLPROJECT.length), fc.nat(20), text).map(([at, cut, ins]) => {
      return VALID_MLPROJECT.slice(0, at) + ins + VALID_MLPROJECT.slice(Math.min(VALID_MLPROJECT.length, at + cut));
    });
    const bomb = fc.integer({ min: 2, max: 12 }).map((levels) => {
      const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i <= levels; i++)
        lines.push(
          `a${i}: &a${i} [${Array(9)
            .fill(`*a${i - 1}`)
            .join(', ')}]`,
        );
      return `${lines.join('\n')}\nentry_points: {main: {command: "echo"}}\n`;
    });
    await fuzz('mlproject-parse', fc.oneof(mutated, bomb), (yaml) => {
      try {
        parseMlproject(yaml, 'MLproject', () => false);
      } catch (e) {
        expectClearError(e);
      }
    });
  });

  it('metric lines and meta.yaml text parse or fail with a sentence', async () => {
    const metricLine = fc
      .array(fc.oneof(fc.integer().map(String), fc.double().map(String), nasty, fc.string({ maxLength: 6 })), {
        maxLength: 5,
      })
      .map((f) => f.join(' '));
    await fuzz('metric-lines', fc.array(metricLine, { maxLength: 8 }), (lines) => {
      try {
        const points = parseMetricLines('m', lines.join('\n'));
        for (const p of points) expect(Number.isInteger(p.step) && typeof p.value === 'number').toBe(true);
      } catch (e) {
        expectClearError(e);
      }
    });
    await fuzz('meta-yaml', text, (t) => {
      try {
        parseMetaYaml(`run_id: x\n${t}\n`);
      } catch (e) {
        // the YAML parser's own errors are reported as "meta.yaml is not valid YAML" by the reader
        expect(e).toBeInstanceOf(Error);
      }
    });
  });

  it('file stores with mutated meta.yaml, params and metrics import or skip, and never store a planted secret', async () => {
    const secrets = plantedSecrets();
    const secret = fc.constantFrom(...secrets);
    await fuzz(
      'file-store-import',
      fc.record({ meta: text, param: text, metric: text, planted: secret, where: fc.constantFrom('param', 'tag') }),
      async ({ meta, param, metric, planted, where }) => {
        const root = tempDir();
        const exp = writeExperiment(root, '0', 'Default');
        writeFileRun({
          expDir: exp,
          runId: 'a'.repeat(32),
          experimentId: '0',
          extraMeta: [`run_name: ${meta}`],
          params: { p: param, ...(where === 'param' ? { s: planted.text } : {}) },
          tags: where === 'tag' ? { note: planted.text } : {},
          metrics: { loss: metric },
        });
        const ctx = tempCore();
        const res = await createHandlers(ctx).importMlflow({ location: root });
        const after = storeText(ctx.store.dir);
        if (!res.ok) {
          expect(res.error.message).not.toMatch(/\n\s+at /);
          expect(ctx.runs.list({})).toHaveLength(0);
        }
        expect(after.includes(planted.secret), `${planted.name} reached the store`).toBe(false);
      },
    );
  });

  it('mlflow.db rows with hostile values import or fail cleanly; a failed import leaves the store as it was', async () => {
    await fuzz(
      'sqlite-import',
      fc.record({
        status: fc.oneof(fc.constantFrom('FINISHED', 'FAILED', 'RUNNING'), text),
        start: fc.oneof(fc.integer(), fc.constant(null)),
        key: text,
        value: text,
        metric: fc.oneof(fc.double(), fc.constant(Number.NaN)),
      }),
      async ({ status, start, key, value, metric }) => {
        const file = path.join(tempDir(), 'mlflow.db');
        const db = createMlflowDb(file);
        db.prepare(
          "INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (0, 'Default', 'active')",
        ).run();
        insertRun(db, { run_uuid: 'b'.repeat(32), experiment_id: 0, status, start_time: start as number });
        db.prepare('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)').run(key || 'k', value, 'b'.repeat(32));
        db.prepare('INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, 1, ?, 0, ?)').run(
          'loss',
          Number.isNaN(metric) ? 0 : metric,
          'b'.repeat(32),
          Number.isNaN(metric) ? 1 : 0,
        );
        db.close();
        const ctx = tempCore();
        const before = ctx.runs.list({}).length;
        const res = await createHandlers(ctx).importMlflow({ location: file });
        if (!res.ok) {
          expect(res.error.message).not.toMatch(/\n\s+at /);
          expect(ctx.runs.list({}).length).toBe(before);
        }
      },
    );
  });

  it('a tracking server answering mutated JSON ends in a result or a clear error, within its timeout', async () => {
    let answer = '{}';
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const endpoint = (req.url ?? '').split('?')[0]!;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          endpoint.endsWith('experiments/search')
            ? JSON.stringify({ experiments: [{ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' }] })
            : answer,
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = {
      info: { run_id: 'r1', experiment_id: '0', status: 'FINISHED', start_time: 1, end_time: 2 },
      data: { params: [{ key: 'a', value: '1' }], metrics: [], tags: [] },
    };
    const json = fc.jsonValue({ maxDepth: 3 });
    const mutatedAnswer = fc.oneof(
      json.map((v) => JSON.stringify({ runs: [v] })),
      json.map((v) => JSON.stringify({ runs: [{ ...run, info: v }] })),
      json.map((v) => JSON.stringify({ runs: [run], next_page_token: v })),
      text.map((t) => `{"runs": [${t}]}`),
    );
    try {
      await fuzz('rest-import', mutatedAnswer, async (body) => {
        answer = body;
        const ctx = tempCore();
        const res = await createHandlers(ctx).importMlflow({ location: url, timeoutMs: 5000 });
        if (!res.ok) {
          expect(res.error.message).not.toMatch(/\n\s+at /);
          expect(ctx.runs.list({})).toHaveLength(0);
        }
      });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('a secret hidden anywhere in random text is withheld', async () => {
    const secrets = plantedSecrets();
    await fuzz('redaction', fc.tuple(text, fc.constantFrom(...secrets), text), ([before, planted, after]) => {
      const out = redactSecrets(`${before} ${planted.text} ${after}`).text;
      expect(out.includes(planted.secret), planted.name).toBe(false);
    });
  });
});
