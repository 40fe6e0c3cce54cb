// Running commands: reproscope's signals reach every command in flight through one listener per signal.
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../electron/platform/run-command';
import { tempDir } from '../../helpers/temp';

describe('runCommand', () => {
  it('passes a signal to every command in flight, with one listener per signal however many run', async () => {
    const before = process.listenerCount('SIGHUP');
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    process.on('warning', onWarning);
    const cwd = tempDir();
    const started: Promise<void>[] = [];
    const runs = Array.from({ length: 20 }, () => {
      let ready!: () => void;
      started.push(new Promise<void>((r) => (ready = r)));
      return runCommand({
        argv: ['bash', '-c', 'echo up; sleep 30'],
        cwd,
        env: process.env,
        stdin: 'ignore',
        ownProcessGroup: true,
        onOutput: () => ready(),
      });
    });
    await Promise.all(started);
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    process.kill(process.pid, 'SIGHUP');
    const results = await Promise.all(runs);
    expect(results.map((r) => [r.interrupted, r.signal])).toEqual(results.map(() => [true, 'SIGHUP']));
    // none left behind: reproscope's own handling of the signal is back once no command runs
    expect(process.listenerCount('SIGHUP')).toBe(before);
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
