// The audit's progress as a terminal and a log file see it: done/total that never goes backwards,
// the group, elapsed and time left; the reruns' output only with --verbose; no "undefined".
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { auditProgress, auditProgressLine, formatClock } from '../../../electron/cli/audit-progress';

function stream(tty: boolean): NodeJS.WriteStream & { text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text: () => string };
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  Object.assign(s, { isTTY: tty, columns: 120, text: () => out });
  return s;
}

const ev = (phase: 'start' | 'progress' | 'log' | 'end', extra: Record<string, unknown> = {}) => ({
  task: 'audit-1',
  phase,
  label: 'baseline #1 finished',
  ...extra,
});

describe('auditProgressLine', () => {
  it('says done/total, the group, elapsed and the time left', () => {
    expect(auditProgressLine({ done: 3, total: 12, group: 'seeds', elapsedMs: 30_000, perRerunMs: 10_000 })).toBe(
      'audit [######------------------] 3/12 reruns · seeds · 30 s elapsed · about 1 min 30 s left',
    );
    expect(auditProgressLine({ done: 0, total: 12, group: null, elapsedMs: 4000, perRerunMs: null })).toBe(
      'audit [------------------------] 0/12 reruns · 4 s elapsed · time left: after the first rerun',
    );
    expect(formatClock(3_725_000)).toBe('1 h 02 min');
  });
});

describe('auditProgress', () => {
  it('writes one line per finished rerun to a log, and rerun output only when verbose', async () => {
    const quiet = stream(false);
    const p = auditProgress({ stream: quiet, verbose: false });
    p.sink(ev('start', { label: 'audit demo:main', done: 0, total: 2, unit: 'reruns' }));
    p.sink(ev('progress', { label: 'baseline #1 running', detail: { group: 'baseline', state: 'running' } }));
    p.sink(ev('log', { label: 'baseline #1', message: 'epoch 1\nepoch 2\n' }));
    p.sink(ev('log', { label: 'audit', message: 'building the virtualenv\n' }));
    p.sink(ev('progress', { done: 1, total: 2, detail: { group: 'baseline', state: 'finished', elapsedMs: 2500 } }));
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(quiet.text()).toBe(
      [
        'reproscope: audit demo:main: 2 reruns planned',
        'reproscope: building the virtualenv',
        'reproscope: baseline #1 finished in 3 s  [1/2]',
        '',
      ].join('\n'),
    );
    const loud = stream(false);
    const v = auditProgress({ stream: loud, verbose: true });
    v.sink(ev('log', { label: 'baseline #1', message: 'epoch 1\n' }));
    v.stop();
    await new Promise((r) => setImmediate(r));
    expect(loud.text()).toBe('[baseline #1] epoch 1\n');
  });

  it('redraws one bar in place on a terminal, and never goes backwards', async () => {
    const tty = stream(true);
    const p = auditProgress({ stream: tty, verbose: false });
    p.sink(ev('start', { label: 'audit demo:main', done: 0, total: 4, unit: 'reruns' }));
    p.sink(ev('progress', { done: 2, total: 4, detail: { group: 'seeds', state: 'finished' } }));
    p.sink(ev('progress', { done: 1, total: 4, detail: { group: 'seeds', state: 'finished' } }));
    p.stop();
    await new Promise((r) => setImmediate(r));
    const bars = tty
      .text()
      .split('\r')
      .filter((l) => l.includes('reruns ·'));
    expect(bars.at(-1)).toContain('2/4 reruns · seeds');
    expect(tty.text()).not.toContain('1/4');
    expect(tty.text()).not.toContain('undefined');
  });
});
