// Finds seed values in a command line and in parameters, by seed-like names.
import type { Seed } from './snapshot';

/** Parameter and flag names that carry a seed (compared with case, dashes and underscores folded). */
const SEED_NAMES = new Set([
  'seed',
  'randomseed',
  'randomstate',
  'rngseed',
  'globalseed',
  'manualseed',
  'npseed',
  'torchseed',
  'seedvalue',
  'rs',
]);

/** Whether a flag or parameter name is a seed (`seed`, `random-seed`, `random_state`, `rng_seed`, …). */
export function isSeedName(name: string): boolean {
  const folded = name.replace(/^-+/, '').toLowerCase().replace(/[-_.]/g, '');
  return SEED_NAMES.has(folded) || folded.endsWith('seed');
}

/** Finds seed values in a command line: `--seed 1`, `--seed=1`, `--random_state 7`, `seed=3` (Hydra style). */
export function findArgvSeeds(argv: readonly string[]): Seed[] {
  const seeds: Seed[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const withEq = /^(--?)?([A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
    if (withEq && isSeedName(withEq[2]!) && (withEq[1] || !arg.startsWith('-'))) {
      seeds.push({ source: 'argv', name: withEq[2]!, value: withEq[3]! });
      continue;
    }
    const flag = /^--?([A-Za-z][\w.-]*)$/.exec(arg);
    const next = argv[i + 1];
    if (flag && isSeedName(flag[1]!) && next !== undefined && !/^--?[A-Za-z]/.test(next)) {
      seeds.push({ source: 'argv', name: flag[1]!, value: next });
      i++;
    }
  }
  return seeds;
}

/** Finds seed-like parameters in a parameter map (MLproject or MLflow params). */
export function findParameterSeeds(parameters: Record<string, string>): Seed[] {
  return Object.entries(parameters)
    .filter(([name]) => isSeedName(name))
    .map(([name, value]) => ({ source: 'parameter' as const, name, value }));
}
