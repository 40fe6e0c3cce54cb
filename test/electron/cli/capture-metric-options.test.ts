/** The CLI's metric-source and --python options of capture and audit, through the built reproscope. */
import { describe, expect, it } from 'vitest';
import { nonFiniteReviver, parseSnapshot } from '../../../shared/snapshot/snapshot-codec';
import { runCli, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

describe('reproscope capture --metrics-from / --metric-pattern', () => {
  it('records printed metrics, and refuses a bad source with exit 2 before running', async () => {
    const store = tempDir();
    const cwd = tempDir();
    const script = 'print("epoch 1: loss=0.5"); print("epoch 2: loss=0.25"); print("val -> 0.9")';
    const res = await runCli(
      [
        '--store',
        store,
        'capture',
        '--metrics-from',
        'stdout',
        '--metric-pattern',
        'val -> (?<val>[0-9.]+)',
        '--',
        SYSTEM_PYTHON,
        '-c',
        script,
      ],
      { cwd },
    );
    expect(res.code).toBe(0);
    const id = /recorded run (\w+)/.exec(res.stderr)![1]!;
    const shown = await runCli(['--store', store, 'show', id, '--json']);
    const s = parseSnapshot(JSON.parse(shown.stdout, nonFiniteReviver));
    expect(s.outcome.metrics.loss!.value).toBe(0.25);
    expect(s.outcome.metrics.val!.value).toBe(0.9);
    const bad = await runCli(
      ['--store', store, 'capture', '--metrics-from', 'logs', '--', SYSTEM_PYTHON, '-c', 'print(1)'],
      { cwd },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a metrics source');
    expect(bad.stdout).toBe('');
  }, 60_000);

  it('lists the options in help, for capture and audit', async () => {
    for (const cmd of ['capture', 'audit']) {
      const help = await runCli([cmd, '--help']);
      expect(help.stdout).toContain('--metrics-from');
      expect(help.stdout).toContain('--metric-pattern');
    }
  });
});
