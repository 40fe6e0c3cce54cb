// --json where a program reads what a command did: `serve` says where it listens, `report` what it wrote.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedSweep } from '../../helpers/run-set';
import { runCli, tempDir } from '../../helpers/temp';
import { matching } from '../../helpers/typed';

describe('--json on serve and report', () => {
  it('report --json prints the report as JSON without -o, and what it wrote with -o', async () => {
    const home = tempDir();
    const [a, b, c] = seedSweep(home, 3);
    const inline = await runCli(['--store', home, 'report', '--compare', a!, b!, '--format', 'md', '--json']);
    expect(inline.code, inline.stderr).toBe(0);
    const doc = JSON.parse(inline.stdout) as { format: string; fileName: string; text: string };
    expect(doc.format).toBe('md');
    expect(doc.text).toMatch(/^# Comparison of run/);
    const out = path.join(tempDir(), 'set.html');
    const written = await runCli(['--store', home, 'report', '--compare', a!, b!, c!, '-o', out, '--json']);
    expect(written.code, written.stderr).toBe(0);
    expect(JSON.parse(written.stdout)).toEqual({
      path: out,
      format: 'html',
      fileName: matching(/-and-2-more\.html$/),
      bytes: fs.statSync(out).size,
    });
    expect(written.stderr).not.toMatch(/wrote/);
  }, 60_000);

  it('serve --json prints one line with the URL, origin, port and store, and the URL answers', async () => {
    const home = tempDir();
    seedSweep(home, 1);
    let pid = 0;
    type Line = { url: string; origin: string; port: number; store: string };
    const seen: { line: Line | null } = { line: null };
    let answered = 0;
    const r = await runCli(['--store', home, 'serve', '--port', '0', '--json'], {
      onSpawn: (p) => (pid = p),
      onStdout: (soFar) => {
        if (seen.line || !soFar.includes('\n')) return;
        const line = JSON.parse(soFar.split('\n')[0]!) as Line;
        seen.line = line;
        // the token URL sets a cookie and redirects; the redirect is the answer here
        void fetch(line.url, { redirect: 'manual' })
          .then((r) => (answered = r.status))
          .finally(() => process.kill(pid, 'SIGTERM'));
      },
    });
    const line = seen.line;
    // when serve stopped before it printed its line, say what it printed instead
    expect(line, `serve exited ${r.code ?? r.signal}: ${r.stderr}${r.stdout}`).toMatchObject({
      origin: matching(/^http:\/\/127\.0\.0\.1:\d+$/),
      store: home,
    });
    expect(line!.url.startsWith(`${line!.origin}/`)).toBe(true);
    expect(line!.port).toBeGreaterThan(0);
    expect([200, 302, 303]).toContain(answered);
  }, 60_000);
});
