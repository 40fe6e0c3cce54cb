// A command's start (issue 13): the CPU time (user + system) of `reproscope --version`, `--help` and `runs` on a
// small store, against `node -e 0` measured in the same run, interleaved round by round so that a change of load
// hits both. Target: at most 2.4 × `node -e 0` (the issue's 0.12 s against Node's 0.05 s on this machine).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'bin', 'reproscope.cjs');
const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 5);
const PER_ROUND = 6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds per run of argv, over `times` runs, from the kernel's accounting of a shell's children. */
function cpuPerRun(argv, env, times = PER_ROUND) {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = execFileSync(
    'bash',
    ['-c', `for i in $(seq ${times}); do ${quoted} >/dev/null 2>&1 || exit 9; done; times`],
    { env, encoding: 'utf8' },
  );
  // `times` prints the shell's own user/sys, then its children's: "0m0.512s 0m0.101s"
  const [user, sys] = out
    .trim()
    .split('\n')
    .at(-1)
    .split(/\s+/)
    .map((t) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      return Number(m[1]) * 60 + Number(m[2]);
    });
  return (user + sys) / times;
}

/** Runs the bench. */
export async function bench(report) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-bench-start-'));
  const env = { ...process.env, REPROSCOPE_HOME: path.join(home, 'store'), XDG_CACHE_HOME: path.join(home, 'cache') };
  try {
    // a small store: three captured runs
    for (let i = 0; i < 3; i++)
      execFileSync(process.execPath, [cli, 'capture', '--name', `r${i}`, '--', 'true'], { env, stdio: 'ignore' });
    const node = [process.execPath, '-e', '0'];
    const commands = {
      '--version': [process.execPath, cli, '--version'],
      '--help': [process.execPath, cli, '--help'],
      runs: [process.execPath, cli, 'runs'],
      show: [
        process.execPath,
        cli,
        'show',
        JSON.parse(execFileSync(process.execPath, [cli, 'runs', '--json'], { env, encoding: 'utf8' })).runs[0].id,
      ],
    };
    // one warm-up of each (a compile cache, where Node has one, is filled here as a user's first command fills it)
    for (const argv of Object.values(commands)) cpuPerRun(argv, env, 1);
    const ref = [];
    const got = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++) {
      ref.push(cpuPerRun(node, env));
      for (const [k, argv] of Object.entries(commands)) got[k].push(cpuPerRun(argv, env));
    }
    console.log(
      `  load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${process.version}`,
    );
    for (const [k, xs] of Object.entries(got))
      report(`start: reproscope ${k} (CPU)`, median(xs), 's', 'node -e 0 (CPU)', median(ref), { ratioAtMost: 2.4 });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
