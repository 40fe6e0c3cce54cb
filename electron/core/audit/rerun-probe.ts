/** The probe of a rerun's interpreter (packages, numerics builds): here, once per environment, or where the job runs when the backend runs jobs on other machines (a cluster node). */
import { probeCommand, probePython, type ProbeResult } from '../../platform/python-probe';
import type { Shared } from './campaign-types';
import { softwareFingerprint } from './environment';
import type { Runner, RunnerJob, RunnerResult } from './runner';

/** A started probe: what to hand the runner, and the facts once the job has ended. */
export interface RerunProbe {
  /** The probe command for a backend that runs it beside the job; absent for the local runner. */
  command: RunnerJob['probe'];
  /** The software facts, and a warning when they could not be read where the job ran. */
  facts(result: RunnerResult): Promise<{ facts: ProbeResult; warning: string | null }>;
}

/** What startProbe needs. */
export interface ProbeStart {
  runner: Runner;
  python: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether this rerun runs the audit's one seed scan of the code (the first rerun). */
  scanNow: boolean;
  shared: Shared;
}

/** Starts the probe of one rerun's interpreter while its command runs; the seed scan of the (shared) code runs here, once. */
export function startProbe(p: ProbeStart): RerunProbe {
  const { runner, python, env, cwd, scanNow, shared } = p;
  // one probe per environment: reused while the interpreter and its package folders are unchanged (a package installed mid-audit is seen)
  const fingerprint = softwareFingerprint(python, env);
  const here = (): Promise<ProbeResult> => {
    let probe = scanNow ? undefined : shared.probes.get(fingerprint);
    if (!probe) {
      probe = probePython(python, { env, scanRoot: scanNow ? cwd : null });
      shared.probes.set(fingerprint, probe);
    }
    probe.catch(() => undefined);
    return probe;
  };
  if (!runner.probesWhereJobsRun) {
    const probe = here();
    return { command: undefined, facts: async () => ({ facts: await probe, warning: null }) };
  }
  // the node's interpreter may differ from this machine's (another image, module, local install): read it there
  const scan = scanNow ? probePython(python, { env, scanRoot: cwd }) : null;
  scan?.catch(() => undefined);
  return {
    command: probeCommand(python),
    async facts(result) {
      const scanned = scan ? await scan : null;
      const output = result.probe;
      const onNode = output && output.stdout.trim() ? await probePython(python, { env, output }) : null;
      if (onNode) return { facts: { ...onNode, scan: scanned?.scan ?? onNode.scan }, warning: null };
      const local = scanned ?? (await here());
      const why = output ? output.stderr.trim().split('\n').slice(-1)[0] || 'no output' : 'the job left no answer';
      return {
        facts: local,
        warning: `software: the probe of ${python} did not answer on the node (${why}); the packages recorded are this machine's`,
      };
    },
  };
}
