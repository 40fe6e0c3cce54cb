// Escape sequences planted in an imported run, and echoed back in an error, print escaped on the terminal, never obeyed (issue 12, item 11).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeExperiment, writeFileRun } from '../helpers/mlflow-stores';
import { runCli, tempDir } from '../helpers/temp';

// retitles the window, writes the clipboard (OSC 52), clears the screen, rings the bell, moves to the top-left
const HOSTILE = 'fit\u001b]0;pwned\u0007\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b[H\u009b31m';
// eslint-disable-next-line no-control-regex -- the escape sequences are what the test looks for
const RAW = /\u001b\]|\u0007|\u001b\[2J|\u001b\[H|\u009b/;

describe('terminal output of hostile run strings', () => {
  it('import, runs, show and an error echo print control characters escaped', async () => {
    const store = tempDir();
    const mlruns = path.join(tempDir(), 'mlruns');
    const exp = writeExperiment(mlruns, '1', 'exp');
    writeFileRun({
      expDir: exp,
      runId: 'a'.repeat(32),
      experimentId: '1',
      params: { lr: HOSTILE },
      tags: { 'mlflow.runName': HOSTILE },
    });
    const outputs: string[] = [];
    const imported = await runCli(['--store', store, 'import', mlruns]);
    expect(imported.code, imported.stderr).toBe(0);
    outputs.push(imported.stdout, imported.stderr);
    const runs = await runCli(['--store', store, 'runs']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain('fit\\e]0;pwned\\x07');
    outputs.push(runs.stdout, runs.stderr);
    const id = /^([0-9a-f]{8})/m.exec(runs.stdout.split('\n')[1] ?? '')?.[1];
    expect(id).toBeDefined();
    const show = await runCli(['--store', store, 'show', id!]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('\\e[2J\\e[H\\x9b31m');
    outputs.push(show.stdout, show.stderr);
    const missing = await runCli(['--store', store, 'show', HOSTILE]);
    expect(missing.code).not.toBe(0);
    outputs.push(missing.stdout, missing.stderr);
    for (const out of outputs) expect(out).not.toMatch(RAW);
  });
});
