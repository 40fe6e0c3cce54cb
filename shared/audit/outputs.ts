// Output files compared one by one: MLflow's per-run fields normalised away, --ignore-output globs, what differs by name.
import type { OutputComparison, OutputFile } from './audit';
import type { TreeState } from '../snapshot/snapshot';
import { shortList } from './verdict-format';

/**
 * Top-level keys MLflow writes into a logged model's `MLmodel` that change on every run although the
 * model does not: 2.x `run_id`, `model_uuid`, `utc_time_created`, `artifact_path`; 3.x adds `model_id`
 * (and names the model's artifact path per logged model).
 */
export const MLMODEL_VOLATILE_KEYS = ['run_id', 'model_uuid', 'utc_time_created', 'artifact_path', 'model_id'] as const;

/** Keys of a file store's `meta.yaml` (run, experiment) that are times or ids of this run. */
export const META_YAML_VOLATILE_KEYS = [
  'run_id',
  'run_uuid',
  'start_time',
  'end_time',
  'last_update_time',
  'creation_time',
  'artifact_uri',
  'artifact_location',
  'experiment_id',
] as const;

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Whether a file is one of MLflow's own files with per-run fields (`MLmodel`, `meta.yaml`). */
export function isVolatileMlflowFile(relPath: string): boolean {
  const b = baseName(relPath);
  return b === 'MLmodel' || b === 'meta.yaml';
}

/**
 * The text of an MLflow file without its per-run fields: top-level `key: value` lines (and the
 * indented continuation lines of a folded value) of the volatile keys are removed; everything else,
 * flavors included, stays. Null for a file that is not one of MLflow's.
 */
export function normalizeMlflowText(relPath: string, text: string): string | null {
  const b = baseName(relPath);
  const keys: readonly string[] =
    b === 'MLmodel' ? MLMODEL_VOLATILE_KEYS : b === 'meta.yaml' ? META_YAML_VOLATILE_KEYS : [];
  if (keys.length === 0) return null;
  const out: string[] = [];
  let dropping = false;
  for (const line of text.split('\n')) {
    const top = /^([A-Za-z_][\w-]*)\s*:/.exec(line);
    if (top) dropping = keys.includes(top[1]!);
    else if (!/^\s/.test(line)) dropping = false;
    if (!dropping) out.push(line);
  }
  return out.join('\n');
}

/** A glob as a regular expression: `**` any folders, `*` and `?` within one name; a glob without `/` matches the name anywhere. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(glob.includes('/') ? `^${re}$` : `(^|/)${re}$`);
}

/** Whether a path matches one of the globs. */
export function matchesAnyGlob(relPath: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(relPath));
}

/** The files of hashed trees as output files, named `<tree path>/<file>` (the tree's path alone for a single file); MLflow's files by their normalised hash where it was taken. */
export function treesToOutputFiles(trees: readonly TreeState[]): OutputFile[] {
  const out: OutputFile[] = [];
  for (const t of trees) {
    if (t.kind === 'missing') continue;
    for (const f of t.files) {
      const p = t.kind === 'file' ? t.path : `${t.path}/${f.path}`;
      out.push(
        f.normalizedSha256
          ? { path: p, size: f.size, sha256: f.normalizedSha256, rawSha256: f.sha256, normalised: true }
          : { path: p, size: f.size, sha256: f.sha256, rawSha256: f.sha256, normalised: false },
      );
    }
  }
  return out;
}

/**
 * Whether an output file is a log: a `.log` file, or a TensorBoard event file. Their lines and events carry the
 * times they were written, so two runs of the most deterministic experiment never write the same bytes; what they
 * record that is a result (a metric) is read as a metric (`--metrics-from stdout|tensorboard:DIR`).
 */
export function isRunLog(relPath: string): boolean {
  const b = baseName(relPath);
  return /\.log$/i.test(b) || b.startsWith('events.out.tfevents.');
}

/** What compareOutputs compares. */
export interface OutputComparisonInput {
  /** The reference's files; null when the reference recorded no outputs (nothing is compared). */
  reference: readonly OutputFile[] | null;
  /** Each finished baseline rerun's files. */
  reruns: readonly (readonly OutputFile[])[];
  ignore: readonly string[];
  /** Whether the reference's listing is complete (a rerun's): only then is a file only the reruns wrote a difference. */
  referenceComplete: boolean;
  /** Files named exactly (an `--outputs` file): compared even when they are logs. */
  named?: readonly string[];
}

type DifferingKind = OutputComparison['differing'][number]['kind'];

/** A calendar date (1900–2099) or a clock time in a path: `2026-12-02`, `20261202_081530`, `2026-12-02T08:15:30.123`. */
const DATE_TIME =
  /(?:19|20)\d\d-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])(?:[T_ -]?(?:[01]\d|2[0-3])[-:]?[0-5]\d[-:]?[0-5]\d(?:[.,]\d+)?)?/g;
/** A folder named by a clock time alone, as Hydra names its run folders (`outputs/2026-12-02/08-15-30/`). */
const CLOCK_FOLDER = /(^|\/)(?:[01]\d|2[0-3])-[0-5]\d-[0-5]\d(?=\/)/g;

/**
 * The path an output file is paired by across runs: its dates and times masked. Why: a run that names its folder or
 * file by when it ran (Hydra's `outputs/<date>/<time>/`, `model_20261202_081530.pkl`) writes the same model under a
 * new name every time; paired by name, every rerun would "lack" the original's file and "add" its own.
 */
export function pairingPath(relPath: string): string {
  return relPath.replace(DATE_TIME, '<date>').replace(CLOCK_FOLDER, '$1<time>');
}

/** Compares outputs file by file; null when nothing could be compared (no reference files, no reruns). */
export function compareOutputs(input: OutputComparisonInput): OutputComparison | null {
  if (!input.reference || input.reruns.length === 0) return null;
  const ignored = new Set<string>();
  const logs = new Set<string>();
  const named = new Set((input.named ?? []).map((p) => p.replace(/^\.\//, '').replace(/\/+$/, '')));
  const keep = (f: OutputFile): boolean => {
    if (matchesAnyGlob(f.path, input.ignore)) {
      ignored.add(f.path);
      return false;
    }
    if (isRunLog(f.path) && !named.has(f.path)) {
      logs.add(f.path);
      return false;
    }
    return true;
  };
  const refFiles = input.reference.filter(keep);
  const rerunFiles = input.reruns.map((files) => files.filter(keep));
  // Files are paired by their paths with dates and times masked, unless that pairs two files of one run (then by path).
  const byMasked = [refFiles, ...rerunFiles].every((l) => new Set(l.map((f) => pairingPath(f.path))).size === l.length);
  const keyOf = byMasked ? pairingPath : (p: string): string => p;
  const listing = (files: readonly OutputFile[]): Map<string, OutputFile> =>
    new Map(files.map((f) => [keyOf(f.path), f]));
  const ref = listing(refFiles);
  const uncomparable: string[] = [];
  const uncomparableKeys = new Set<string>();
  const normalised = new Set<string>();
  const compared: OutputFile[] = [];
  for (const f of ref.values()) {
    // a recorded raw hash of MLmodel says nothing about the model: unknown, so not compared
    if (isVolatileMlflowFile(f.path) && !f.normalised) {
      uncomparable.push(f.path);
      uncomparableKeys.add(keyOf(f.path));
    } else compared.push(f);
  }
  const differing = new Map<string, { path: string; kind: DifferingKind; reruns: number }>();
  const bump = (path: string, kind: DifferingKind): void => {
    const d = differing.get(path) ?? { path, kind, reruns: 0 };
    d.reruns++;
    differing.set(path, d);
  };
  const kept = rerunFiles.map(listing);
  for (const mine of kept) {
    for (const f of compared) {
      const r = mine.get(keyOf(f.path));
      if (!r) bump(f.path, 'missing');
      else {
        if (r.normalised) normalised.add(f.path);
        if (r.sha256 !== f.sha256) bump(f.path, 'content');
      }
    }
    if (input.referenceComplete)
      for (const [k, r] of mine) if (!ref.has(k) && !uncomparableKeys.has(k)) bump(r.path, 'extra');
  }
  // A file the (incomplete) reference knows nothing of is still compared among the reruns: identical reruns that
  // write it differently (an unseeded model under --outputs, say) do not reproduce it, whatever the original wrote.
  if (!input.referenceComplete) {
    const unknown = new Set(kept.flatMap((m) => [...m.keys()]).filter((k) => !ref.has(k)));
    for (const k of unknown) {
      const first = kept[0]!.get(k);
      const off = kept.slice(1).filter((m) => m.get(k)?.sha256 !== first?.sha256).length;
      const path = (first ?? kept.find((m) => m.has(k))!.get(k)!).path;
      if (off > 0) differing.set(path, { path, kind: 'varies', reruns: off });
    }
  }
  return {
    compared: compared.length,
    differing: [...differing.values()].sort((a, b) => a.path.localeCompare(b.path)),
    normalised: [...normalised].sort(),
    ignored: [...ignored].sort(),
    uncomparable: uncomparable.sort(),
    ...(logs.size ? { logs: [...logs].sort() } : {}),
  };
}

/** The differing files in a phrase: up to three names, then how many more. */
export function differingFilesText(c: OutputComparison): string {
  return filesText(c.differing.filter((d) => d.kind !== 'varies'));
}

/** differingFilesText of the files the reference knows nothing of that the reruns wrote differently (kind `varies`). */
export function varyingFilesText(c: OutputComparison): string {
  return filesText(c.differing.filter((d) => d.kind === 'varies'));
}

function filesText(differing: OutputComparison['differing']): string {
  return shortList(
    differing.map((d) => (d.kind === 'content' || d.kind === 'varies' ? d.path : `${d.path} (${d.kind})`)),
    3,
  );
}
