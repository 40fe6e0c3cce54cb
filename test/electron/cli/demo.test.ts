import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../helpers/temp';

describe('reproscope demo (npm run demo)', () => {
  it('audits the bundled example into a fresh store and writes its HTML report', async () => {
    const home = tempDir();
    const out = path.join(tempDir(), 'demo.html');
    const r = await runCli(['demo', '-o', out, '--repeats', '2'], { env: { REPROSCOPE_HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/auditing the example .*seed-demo/);
    expect(r.stdout).toMatch(
      /^verdict: (reproduced-exact|reproduced-within-tolerance|statistically-consistent|not-reproduced)/m,
    );
    expect(r.stdout).toContain(`report: ${out}`);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toMatch(/<html/i);
    expect(html).toMatch(/seed-demo/);
    const audits = await runCli(['audits'], { env: { REPROSCOPE_HOME: home } });
    expect(audits.stdout).toMatch(/seed-demo/);
  }, 120_000);
});
