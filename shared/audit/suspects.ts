/**
 * Ranks seed-scan findings as suspects for a baseline that varies although nothing was varied: how
 * likely each source is to move a metric between reruns of the same code with the same parameters.
 * A pure hook called by findSources (verdict.ts); the weights are documented in docs/seed-scan.md.
 */
import type { SeedFinding } from '../snapshot/snapshot';

/** How likely a finding explains the varying metric. */
export type SuspectLikelihood = 'likely' | 'possible' | 'unlikely';

/** A finding with its score (0–1) and likelihood. */
export interface Suspect {
  finding: SeedFinding;
  score: number;
  likelihood: SuspectLikelihood;
}

/** What is known about the reruns that changes the weights. */
export interface SuspectContext {
  /** Whether the reruns had a GPU (null: unknown). */
  gpu?: boolean | null;
  /** Whether a group pinned PYTHONHASHSEED and the variance stayed (hash- and set-order suspects then weigh less). */
  hashSeedPinned?: boolean;
}

// A new seed each run varies everything; a data split or an estimator's own randomness moves every metric;
// initial weights and shuffles too; hash/set order only where results depend on the order; GPU kernels only on GPUs.
const WEIGHTS: Record<string, number> = {
  'seed-from-entropy': 0.95,
  'lightning-seed-unset': 0.9,
  'random-state-missing': 0.85,
  'random-state-none': 0.85,
  'unseeded-global-torch': 0.8,
  'unseeded-global-numpy': 0.8,
  'unseeded-global-random': 0.75,
  'unseeded-global-tf': 0.8,
  'torch-init-unseeded': 0.8,
  'keras-init-unseeded': 0.8,
  'hf-head-init-unseeded': 0.8,
  'unseeded-default-rng': 0.8,
  'unseeded-random-state': 0.8,
  'unseeded-random-instance': 0.75,
  'system-random': 0.7,
  'dataloader-shuffle-unseeded': 0.75,
  'tf-shuffle-unseeded': 0.75,
  'torch-dropout-unseeded': 0.7,
  'optuna-sampler-unseeded': 0.7,
  'dataloader-workers-unseeded': 0.4,
  'set-iteration': 0.35,
  'builtin-hash': 0.35,
  uuid4: 0.15,
  unparsable: 0.1,
  'gbdt-default-seed': 0.02,
  'hf-default-seed': 0.02,
};
const GPU_RULES: Record<string, { gpu: number; cpu: number; unknown: number }> = {
  'cudnn-benchmark': { gpu: 0.6, cpu: 0.03, unknown: 0.3 },
  'torch-nondeterministic': { gpu: 0.5, cpu: 0.02, unknown: 0.2 },
};
// code that the training run most likely does not execute
const UNLIKELY_PATH =
  /(^|\/)(tests?|docs?|examples?|benchmarks?|scripts\/legacy)\/|(^|\/)(test_[^/]*|[^/]*_test|setup|conftest)\.py$/;

function weigh(f: SeedFinding, ctx: SuspectContext): number {
  const gpuRule = GPU_RULES[f.rule];
  let w = gpuRule
    ? ctx.gpu === true
      ? gpuRule.gpu
      : ctx.gpu === false
        ? gpuRule.cpu
        : gpuRule.unknown
    : (WEIGHTS[f.rule] ?? (f.kind === 'risk' ? 0.5 : 0.05));
  // a note in place of a risk: the global generator is seeded, so the source repeats within one process
  if (f.kind === 'note' && WEIGHTS[f.rule] !== undefined && WEIGHTS[f.rule]! >= 0.5) w *= 0.2;
  if (ctx.hashSeedPinned && (f.rule === 'builtin-hash' || f.rule === 'set-iteration')) w *= 0.2;
  if (UNLIKELY_PATH.test(f.file)) w *= 0.3;
  return Math.round(w * 100) / 100;
}

/** Risks and notes ranked by how likely they explain the variance, most likely first (seed calls are not suspects). */
export function rankSuspects(findings: readonly SeedFinding[], ctx: SuspectContext = {}): Suspect[] {
  return findings
    .filter((f) => f.kind !== 'seed')
    .map((finding) => {
      const score = weigh(finding, ctx);
      const likelihood: SuspectLikelihood = score >= 0.6 ? 'likely' : score >= 0.25 ? 'possible' : 'unlikely';
      return { finding, score, likelihood };
    })
    .sort(
      (a, b) => b.score - a.score || a.finding.file.localeCompare(b.finding.file) || a.finding.line - b.finding.line,
    );
}

/** One evidence line of a suspect: likelihood, place, rule, message, the code and the fix. */
export function suspectEvidence(s: Suspect): string {
  const f = s.finding;
  return [
    `${s.likelihood} (${s.score.toFixed(2)}): ${f.file}:${f.line}${f.column ? `:${f.column}` : ''} ${f.rule}: ${f.message}`,
    f.code ? ` | ${f.code.trim()}` : '',
    f.fix ? ` | fix: ${f.fix}` : '',
  ].join('');
}
