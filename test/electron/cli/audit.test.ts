// `reproscope audit` as a user runs it: the trust prompt, --json output, audits and show-audit, Ctrl-C and --resume.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitRepo, REPO_ROOT, runCli, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

const PROJECTS = path.join(REPO_ROOT, 'test', 'fixtures', 'projects');
const files = (name: string): Record<string, string> =>
  Object.fromEntries(
    fs.readdirSync(path.join(PROJECTS, name)).map((f) => [f, fs.readFileSync(path.join(PROJECTS, name, f), 'utf8')]),
  );

describe('reproscope audit (CLI)', () => {
  it('shows the command and refuses to run untrusted code without a terminal or --yes', async () => {
    const store = tempDir();
    const repo = gitRepo(files('deterministic'));
    const r = await runCli(['--store', store, 'audit', repo, '--python', SYSTEM_PYTHON]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('python train.py --seed 42 --C 1.0');
    expect(r.stderr).toMatch(/no terminal to confirm[\s\S]*--yes/);
    const list = await runCli(['--store', store, 'audits', '--json']);
    expect(JSON.parse(list.stdout)).toEqual({ audits: [] });
  }, 60_000);

  it('a script given as the project is its entry point, run from the folder it was named from', async () => {
    const store = tempDir();
    const repo = gitRepo({ 'src/train.py': 'print("ran")\n', 'notes.txt': 'not a script\n' });
    // no --yes and no terminal: the plan is shown and nothing runs
    const plan = (args: string[]) =>
      runCli(['--store', store, 'audit', ...args, '--python', SYSTEM_PYTHON], { cwd: repo });
    const nested = await plan(['src/train.py']);
    expect(nested.stderr).toMatch(new RegExp(`of ${repo} @ [0-9a-f]{12}, each running:\\n  python src/train\\.py\\n`));
    const inside = await runCli(['--store', store, 'audit', 'train.py', '--python', SYSTEM_PYTHON], {
      cwd: path.join(repo, 'src'),
    });
    expect(inside.stderr).toMatch(/each running:\n {2}python train\.py\n/);
    const notScript = await plan(['notes.txt']);
    expect(notScript.stderr).toContain(`error: ${path.join(repo, 'notes.txt')} is a file, not a project folder`);
    const both = await plan(['src/train.py', '-e', 'main']);
    expect(both.stderr).toContain('error: the project src/train.py is a script, and -e main names another entry point');
  }, 60_000);

  it('--json prints only the audit on stdout, rerun output on stderr; audits and show-audit read it back', async () => {
    const store = tempDir();
    const repo = gitRepo(files('deterministic'));
    const r = await runCli([
      '--store',
      store,
      'audit',
      repo,
      '--python',
      SYSTEM_PYTHON,
      '--repeats',
      '2',
      '-P',
      'C=0.5',
      '--tolerance',
      'accuracy=1%',
      '--yes',
      '--json',
      '--jobs',
      '2',
      '--verbose',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const audit = JSON.parse(r.stdout) as {
      id: string;
      verdict: string;
      metrics: Record<string, unknown>;
      sources: unknown[];
      command: string;
      plan: { tolerances: unknown[] };
    };
    expect(audit).toMatchObject({
      verdict: 'reproduced-exact',
      sources: [],
      command: 'python train.py --seed 42 --C 0.5',
    });
    expect(audit.plan.tolerances).toEqual([{ metric: 'accuracy', kind: 'rel', value: 1 }]);
    expect(Object.keys(audit.metrics).sort()).toEqual(['accuracy', 'log_loss']);
    expect(r.stderr).toContain('[baseline #1] trained with seed 42'); // --verbose: the reruns' output
    expect(r.stderr).toMatch(/\[\d+\/\d+\]/);
    expect(r.stderr).not.toContain('undefined');
    const list = await runCli(['--store', store, 'audits']);
    expect(list.stdout).toContain(audit.id.slice(0, 8));
    expect(list.stdout).toContain('reproduced-exact');
    const shown = await runCli(['--store', store, 'show-audit', audit.id.slice(0, 8), '--json']);
    expect(JSON.parse(shown.stdout)).toEqual(audit);
    const text = await runCli(['--store', store, 'show-audit', audit.id.slice(0, 8)]);
    expect(text.stdout).toMatch(/verdict: reproduced-exact[\s\S]*sources: none/);
    // no original to take them from: the baseline is not said to run the original's parameters
    expect(text.stdout).toMatch(/baseline +2 reruns \(2 finished\) — the parameters and seed as given/);
    // the audit's work folder (clone, inspection worktree, rerun slots) is gone under its name when the audit has
    // ended, and its files are deleted in the background soon after
    const work = path.join(store, 'audit-work');
    expect(fs.existsSync(path.join(work, audit.id))).toBe(false);
    await expect.poll(() => fs.readdirSync(work), { timeout: 20_000, interval: 100 }).toEqual([]);
  }, 120_000);

  it('Ctrl-C kills the rerun and leaves an audit that --resume completes', async () => {
    const store = tempDir();
    const repo = gitRepo({
      MLproject: 'entry_points:\n  main:\n    parameters:\n      gate: string\n    command: "python slow.py {gate}"\n',
      'slow.py':
        'import json, os, sys, time\nprint("started", os.getpid(), flush=True)\nwhile os.path.exists(sys.argv[1]):\n    time.sleep(0.05)\njson.dump({"x": 2.5}, open("metrics.json", "w"))\n',
    });
    const gate = path.join(tempDir(), 'gate');
    fs.writeFileSync(gate, '');
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'reproscope.cjs'),
        '--store',
        store,
        'audit',
        repo,
        '-P',
        `gate=${gate}`,
        '--python',
        SYSTEM_PYTHON,
        '--repeats',
        '2',
        '--yes',
        '--verbose', // the rerun's output (its pid) on stderr
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let pid = 0;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /started (\d+)/.exec(stderr);
      if (m && !pid) {
        pid = Number(m[1]);
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(() => process.kill(pid, 0)).toThrow();
    const id = /--resume ([0-9a-f]{8})/.exec(stderr)![1]!;
    fs.rmSync(gate);
    const resumed = await runCli(['--store', store, 'audit', repo, '--resume', id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'finished', verdict: 'reproduced-exact' });
  }, 120_000);
});
