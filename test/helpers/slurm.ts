// The local one-node Slurm cluster for tests: started through scripts/local-slurm.sh, or a clear reason why it cannot run here.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, SYSTEM_PYTHON } from './temp';

function tryStart(): string | null {
  try {
    execFileSync(path.join(REPO_ROOT, 'scripts', 'local-slurm.sh'), ['start'], { stdio: 'pipe', timeout: 60_000 });
    return null;
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return (err.stderr?.toString().trim() || err.message).split('\n').slice(-3).join(' ');
  }
}

/** Why the Slurm tests cannot run on this machine, or null when the local cluster is up. */
export const SLURM_UNAVAILABLE: string | null = tryStart();

if (SLURM_UNAVAILABLE && process.env.REPROSCOPE_TEST_SLURM === 'required')
  // CI started the cluster before the tests: failing to reach it now is a defect, not a machine without Slurm
  throw new Error(`the local Slurm cluster is required here but could not start: ${SLURM_UNAVAILABLE}`);
if (SLURM_UNAVAILABLE)
  console.warn(`Slurm tests SKIPPED: the local Slurm cluster could not start (${SLURM_UNAVAILABLE})`);

/** One job as squeue lists it (finished jobs stay listed for the cluster's MinJobAge). */
export interface ListedJob {
  id: string;
  name: string;
  state: string;
}

/** The jobs whose name starts with a prefix (an audit's jobs are named reproscope-<audit id prefix>-…), in any state. */
export function jobsNamed(prefix: string): ListedJob[] {
  const out = execFileSync('squeue', ['-h', '-r', '-t', 'all', '-o', '%i|%j|%T'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, name, state] = l.split('|');
      return { id: id!, name: name!, state: state! };
    })
    .filter((j) => j.name.startsWith(prefix));
}

/** The host name Slurm knows this machine's node by. */
export const NODE_NAME = execFileSync('hostname', ['-s'], { encoding: 'utf8' }).trim();

/** What a test audit asks: its store and project, how many reruns at once, and the flags that differ between tests. */
export interface SlurmAuditArgs {
  store: string;
  repo: string;
  repeats?: number;
  jobs?: number;
  /** Debian's Python unless given. */
  python?: string;
  /** `--runner slurm` unless false. */
  slurm?: boolean;
  /** Flags after the common ones. */
  extra?: string[];
}

/** The CLI argv of `audit` as the Slurm tests run it: store, project, Python, --repeats/--jobs, --yes, --runner slurm, extra. */
export function slurmAuditArgs(a: SlurmAuditArgs): string[] {
  return [
    '--store',
    a.store,
    'audit',
    a.repo,
    '--python',
    a.python ?? SYSTEM_PYTHON,
    ...(a.repeats === undefined ? [] : ['--repeats', String(a.repeats)]),
    ...(a.jobs === undefined ? [] : ['--jobs', String(a.jobs)]),
    '--yes',
    ...(a.slurm === false ? [] : ['--runner', 'slurm']),
    ...(a.extra ?? []),
  ];
}
