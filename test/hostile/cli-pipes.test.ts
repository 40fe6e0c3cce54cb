// The CLI under hostile plumbing and bad options: `capture … | head` (EPIPE) and --metrics/--outputs that name nothing (issue 12, items 7 and 8).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/core-context';
import { REPO_ROOT, SYSTEM_PYTHON, tempDir } from '../helpers/temp';

const CLI = path.join(REPO_ROOT, 'bin', 'reproscope.cjs');

describe('capture and its pipes', () => {
  it('`capture … | head -1` records the run and keeps the exit status, without a stack trace', () => {
    const store = tempDir();
    const script = `import sys\nfor i in range(200000): print('line', i)\nsys.exit(3)\n`;
    const res = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${CLI}" --store "${store}" capture -- "${SYSTEM_PYTHON}" -c "$SCRIPT" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`,
      ],
      { encoding: 'utf8', env: { ...process.env, SCRIPT: script }, cwd: tempDir() },
    );
    expect(res.stdout).toBe('line 0\n');
    expect(res.stderr).not.toMatch(/EPIPE|at .*\.js:\d+|internal error/);
    expect(res.stderr).toMatch(/status=3/);
    const ctx = openCore(store);
    const runs = ctx.runs.list({});
    ctx.close();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.exitCode).toBe(3);
  });
});
