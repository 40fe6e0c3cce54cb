// `reproscope runs` as a user types it over a real store: MLflow filters, chosen columns, sort,
// CSV, run management, and what a mistake in an option is told.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/db/open-store';
import { RunsRepository } from '../../../electron/db/runs-repository';
import { ListRunsOutput } from '../../../shared/api/api';
import { emptySnapshot } from '../../../shared/snapshot/snapshot';
import { nonFiniteReviver, parseSnapshot } from '../../../shared/snapshot/snapshot-codec';
import { runCli, tempDir } from '../../helpers/temp';
import { parseJson } from '../../helpers/typed';

function store(): string {
  const dir = tempDir('reproscope-cli-runs-');
  const handle = openStore(dir);
  const runs = new RunsRepository(handle.db);
  for (let i = 0; i < 6; i++) {
    const s = emptySnapshot(`${i}bcdef0000000000000000000`, 'capture', `2026-02-0${i + 1}T10:00:00Z`);
    s.name = `model ${i}`;
    s.process.argv = ['python', 'train.py', '--C', String(i), ...Array.from({ length: 30 }, (_, k) => `--flag-${k}`)];
    s.process.parameters = { C: String(i) };
    s.outcome.status = 'finished';
    s.outcome.metrics = { accuracy: { value: 0.85 + i * 0.0212345678, history: null, source: 'test' } };
    if (i === 2) s.tags = { 'mlflow.user': 'ann' };
    runs.save(s);
  }
  handle.close();
  return dir;
}

describe('reproscope runs', () => {
  it('filters in MLflow syntax and shows the chosen columns, numbers to significant digits', async () => {
    const dir = store();
    const r = await runCli([
      '--store',
      dir,
      'runs',
      '--filter',
      'metrics.accuracy > 0.9',
      '--columns',
      'metrics.accuracy,params.C',
      '--sort',
      'metrics.accuracy DESC',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+CREATED\s+KIND\s+STATUS\s+NAME\s+metrics\.accuracy\s+params\.C\s+COMMAND$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[5])).toEqual(['0.956173', '0.934938', '0.913704']);
    expect(r.stdout).not.toContain('\u001b['); // not a terminal: no colour
    // a pipe gets the whole command, not 60 columns of it
    expect(r.stdout).toContain('--flag-29');
  });

  it('says a filter matched nothing on a store that has runs, and what a bad filter or option is', async () => {
    const dir = store();
    const none = await runCli(['--store', dir, 'runs', '--filter', 'metrics.accuracy > 5']);
    expect(none.stdout).toBe('No run matches (6 runs in the store).\n');
    const bad = await runCli(['--store', dir, 'runs', '--filter', 'val_accuracy>0.9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('metrics.val_accuracy');
    const limit = await runCli(['--store', dir, 'runs', '--limit', 'abc']);
    expect(limit.code).not.toBe(0);
    expect(limit.stderr).toContain(
      "option '--limit <n>' argument 'abc' is invalid. It takes a whole number from 1 to 100000.",
    );
  });

  it('exports CSV, finds an MLflow tag, renames, tags, notes and deletes', async () => {
    const dir = store();
    const csvFile = path.join(dir, 'runs.csv');
    const csv = await runCli(['--store', dir, 'runs', '--columns', 'metrics.accuracy', '--csv', csvFile]);
    expect(csv.code, csv.stderr).toBe(0);
    const text = fs.readFileSync(csvFile, 'utf8').split('\r\n');
    expect(text[0]).toBe('id,created,kind,status,name,metrics.accuracy,command');
    expect(text).toHaveLength(8);
    const byTag = await runCli(['--store', dir, 'runs', '--filter', "tags.mlflow.user = 'ann'", '--json']);
    expect(parseJson(byTag.stdout, ListRunsOutput).runs.map((x) => x.name)).toEqual(['model 2']);
    expect((await runCli(['--store', dir, 'rename', '3bcdef', 'best'])).stdout).toBe('3bcdef00  best\n');
    expect((await runCli(['--store', dir, 'tag', '3bcdef', 'stage=final'])).stdout).toBe('stage=final\n');
    await runCli(['--store', dir, 'note', '3bcdef', 'cited in the paper']);
    const shown = parseSnapshot(
      JSON.parse((await runCli(['--store', dir, 'show', '3bcdef', '--json'])).stdout, nonFiniteReviver),
    );
    expect(shown.name).toBe('best');
    expect(shown.tags).toEqual({ stage: 'final', 'mlflow.note.content': 'cited in the paper' });
    const del = await runCli(['--store', dir, 'delete', '3bcdef', '4bcdef']);
    expect(del.stdout).toBe('deleted 2 runs (0 log blobs freed)\n');
    expect(parseJson((await runCli(['--store', dir, 'runs', '--json'])).stdout, ListRunsOutput).total).toBe(4);
  });
});
