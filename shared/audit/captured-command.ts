// A captured command line rerun as is: its interpreter replaced by the audit's, its seed flag found so the seeds group can vary it.
import type { MlprojectEntryPoint } from '../mlflow/mlproject';
import { shellQuote } from '../mlflow/shell-quote';
import { isSeedName } from '../snapshot/seeds';

/** A captured command as the audit reruns it (stored in the plan, so a resume rebuilds the same entry point). */
export interface CapturedCommand {
  argv: string[];
  /** The index of the argument that holds the seed's value, null without a seed flag. */
  seedIndex: number | null;
  /** What precedes the value in that argument (`seed=` in `seed=3`, `--seed=` in `--seed=3`, empty for `--seed 3`). */
  seedPrefix: string;
}

/** The name of the entry point a captured command runs as. */
export const CAPTURED_ENTRY_POINT = 'captured command';

/** The parameter that carries the captured command's seed. */
export const CAPTURED_SEED_PARAMETER = 'seed';

const PYTHON = /^python(\d+(\.\d+)?)?$/;

/** Whether an argv's program is a Python interpreter (`python`, `python3.11`, `/usr/bin/python3`, `.venv/bin/python`). */
export function isPythonProgram(program: string): boolean {
  return PYTHON.test(program.slice(program.lastIndexOf('/') + 1));
}

/** The captured argv with its interpreter replaced by `python` (which the audit resolves to its own) and its seed flag located. */
export function capturedCommandFrom(argv: readonly string[]): CapturedCommand {
  const out = [...argv];
  if (out.length > 0 && isPythonProgram(out[0]!)) out[0] = 'python';
  for (let i = 1; i < out.length; i++) {
    const arg = out[i]!;
    const withEq = /^((--?)?([A-Za-z][\w.-]*)=)(.*)$/s.exec(arg);
    if (withEq && isSeedName(withEq[3]!.split('.').pop()!) && /^-?\d+$/.test(withEq[4]!))
      return { argv: out, seedIndex: i, seedPrefix: withEq[1]! };
    const flag = /^--?([A-Za-z][\w.-]*)$/.exec(arg);
    const next = out[i + 1];
    if (flag && isSeedName(flag[1]!) && next !== undefined && /^-?\d+$/.test(next))
      return { argv: out, seedIndex: i + 1, seedPrefix: '' };
  }
  return { argv: out, seedIndex: null, seedPrefix: '' };
}

const escapeBraces = (s: string): string => s.replace(/[{}]/g, (c) => c + c);

/** The captured command as an entry point: the argv quoted for bash, the seed value a parameter defaulting to the original's. */
export function capturedEntryPoint(c: CapturedCommand): MlprojectEntryPoint {
  const words = c.argv.map((a, i) =>
    i === c.seedIndex
      ? `${escapeBraces(shellQuote(c.seedPrefix))}{${CAPTURED_SEED_PARAMETER}}`.replace(/^''/, '')
      : escapeBraces(shellQuote(a)),
  );
  const seed = c.seedIndex === null ? null : c.argv[c.seedIndex]!.slice(c.seedPrefix.length);
  return {
    name: CAPTURED_ENTRY_POINT,
    parameters: seed === null ? [] : [{ name: CAPTURED_SEED_PARAMETER, type: 'string', default: seed }],
    command: words.join(' '),
  };
}

/** Edit distance, for suggesting the parameter a typo meant. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/**
 * Warnings for -P names the entry point does not declare: MLflow appends them as `--name value`
 * without a word, so a typo'd `-P aplha=0.1` silently leaves alpha at its default.
 */
export function undeclaredParameterWarnings(entry: MlprojectEntryPoint, given: readonly string[]): string[] {
  const declared = entry.parameters.map((p) => p.name);
  if (declared.length === 0) return [];
  return given
    .filter((n) => !declared.includes(n))
    .map((n) => {
      const near = declared
        .map((d) => ({ d, k: distance(n.toLowerCase(), d.toLowerCase()) }))
        .filter((x) => x.k <= Math.max(1, Math.floor(x.d.length / 3)))
        .sort((a, b) => a.k - b.k)[0];
      return `-P ${n} is not a parameter of entry point ${entry.name} (it declares ${declared.join(', ')}); it is appended to the command as --${n}${near ? `: did you mean ${near.d}?` : ''}`;
    });
}
