import { createTwoFilesPatch } from 'diff';
import {
  COMPARE_SECTIONS,
  type CompareRow,
  type CompareSection,
  type Comparison,
  type DataInputComparison,
  type DifferenceKind,
  type FileChange,
  type MetricComparison,
  type PackageChange,
  type RowStatus,
  type RunRef,
  type SectionComparison,
  type SummaryItem,
  type TextDiff,
} from './compare-model';
import { formatCommand } from '../mlflow/shell-quote';
import type { FileEntry, SeedFinding, Snapshot, TreeState } from '../snapshot/snapshot';
import { formatBytes, formatMetricValue } from '../snapshot/snapshot-text';
import { formatRelative, formatSignificant } from '../numbers';
import { diffVersions, normalizePackageName, type VersionStep } from '../snapshot/versions';

/**
 * Compares two snapshots: per section (the six categories, then the outcome) rows of
 * same / changed / only-a / only-b, with detail for packages, data manifests, text specs, seed-scan
 * findings and metrics, and a summary that ranks the differences most likely to explain a change
 * in outcome. Pure and linear in the size of the snapshots (Maps, no nested scans).
 */

/** Texts larger than this are not diffed line by line (their hashes already say they differ). */
const MAX_DIFF_TEXT = 256 * 1024;
/** The diff gives up beyond this many edits rather than spend seconds on unrelated texts. */
const MAX_EDIT_LENGTH = 4000;
/** File changes listed per data input; the counts stay complete. */
export const MAX_FILE_CHANGES = 2000;

/**
 * The ranking rule of the summary, strongest first: what the run read and ran (data, code,
 * parameters, seeds) before the software that ran it, a major version step before a minor one
 * before a patch, numerics builds and GPUs before CPU model and OS, and bookkeeping (paths, user,
 * host, branch names) last. Within a weight, packages known to change numerics come first, then
 * DESIGN.md's category order. docs/compare.md explains each line.
 */
export const RANKING_RULE: readonly { kind: DifferenceKind; weight: number; why: string }[] = [
  { kind: 'data-content', weight: 100, why: 'the data the run read has different content' },
  { kind: 'code-commit', weight: 95, why: 'the code is at a different commit' },
  { kind: 'code-patch', weight: 93, why: 'the uncommitted changes to the code differ' },
  { kind: 'process-parameters', weight: 90, why: 'the run was given different parameters' },
  { kind: 'randomness-seeds', weight: 88, why: 'the seeds differ' },
  { kind: 'software-python', weight: 80, why: 'the Python interpreter differs' },
  { kind: 'package-major', weight: 78, why: 'packages changed major version' },
  { kind: 'software-numerics-build', weight: 76, why: 'numerics libraries were built differently (BLAS, CUDA, cuDNN)' },
  { kind: 'hardware-gpu', weight: 72, why: 'the GPUs, driver or CUDA version differ' },
  { kind: 'package-minor', weight: 68, why: 'packages changed minor version' },
  {
    kind: 'hardware-cpu-flags',
    weight: 66,
    why: 'the CPUs differ in instruction sets that change floating-point results',
  },
  {
    kind: 'process-env',
    weight: 62,
    why: 'environment variables that change results differ (threads, determinism switches)',
  },
  {
    kind: 'randomness-scan',
    weight: 58,
    why: 'seed-setting calls or unseeded sources were added or removed in the code',
  },
  { kind: 'randomness-hashseed', weight: 56, why: 'PYTHONHASHSEED differs' },
  { kind: 'code-untracked', weight: 52, why: 'untracked files in the repository differ' },
  { kind: 'data-declared', weight: 50, why: 'DVC records or declared datasets differ' },
  { kind: 'package-patch', weight: 45, why: 'packages changed patch version' },
  { kind: 'package-added-removed', weight: 42, why: 'packages were installed on one side only' },
  {
    kind: 'package-other',
    weight: 40,
    why: 'package versions differ in a pre-release, post-release or local part, or do not parse',
  },
  { kind: 'software-env-spec', weight: 38, why: 'the environment spec files differ' },
  { kind: 'process-command', weight: 36, why: 'the command line or entry point differs' },
  { kind: 'hardware-cpu', weight: 32, why: 'the CPU model or core count differs' },
  { kind: 'software-os', weight: 25, why: 'the operating system differs' },
  { kind: 'hardware-other', weight: 20, why: 'memory or virtualization differ' },
  { kind: 'code-other', weight: 12, why: 'branch, remotes or repository location differ' },
  { kind: 'process-other', weight: 10, why: 'working directory, user or host differ' },
];

const WEIGHT = new Map(RANKING_RULE.map((r) => [r.kind, r]));

/** Packages whose version changes floating-point results directly; listed first within a weight. */
const NUMERICS_PACKAGES =
  /^(numpy|scipy|torch|torchvision|tensorflow|tensorflow-cpu|tensorflow-gpu|jax|jaxlib|scikit-learn|pandas|xgboost|lightgbm|catboost|cupy.*|mkl.*|intel-openmp|openblas.*|scipy-openblas.*|nvidia-.*|triton|numba|llvmlite|keras|transformers|accelerate|onnxruntime.*)$/;

/** Environment variables that change results; any other recorded variable is bookkeeping. */
const RESULT_ENV =
  /^(PYTHONHASHSEED|OMP_NUM_THREADS|MKL_NUM_THREADS|OPENBLAS_NUM_THREADS|NUMEXPR_NUM_THREADS|VECLIB_MAXIMUM_THREADS|OPENBLAS_CORETYPE|MKL_CBWR|KMP_DETERMINISTIC_REDUCTION|CUDA_VISIBLE_DEVICES|CUBLAS_WORKSPACE_CONFIG|TF_DETERMINISTIC_OPS|TF_CUDNN_DETERMINISTIC|NVIDIA_TF32_OVERRIDE|XLA_FLAGS)$/;

/** A fact of one snapshot: its compare value and, where different, how it is shown. */
interface Fact {
  label: string;
  value: string;
  display?: string;
  kind: DifferenceKind;
}

type Facts = Map<string, Fact>;

function put(
  facts: Facts,
  key: string,
  label: string,
  value: string | number | boolean | null | undefined,
  kind: DifferenceKind,
  display?: string,
): void {
  if (value === null || value === undefined || value === '') return;
  facts.set(key, { label, value: String(value), display, kind });
}

function shortHash(h: string | null | undefined): string {
  return h ? h.slice(0, 12) : '—';
}

function patchSummary(patch: string): string {
  let files = 0;
  let lines = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git')) files++;
    else if ((line.startsWith('+') || line.startsWith('-')) && !line.startsWith('+++') && !line.startsWith('---'))
      lines++;
  }
  return `${files} file${files === 1 ? '' : 's'}, ${lines} changed line${lines === 1 ? '' : 's'}`;
}

function treeDisplay(t: TreeState): string {
  if (t.kind === 'missing') return 'missing';
  return `${t.fileCount} file${t.fileCount === 1 ? '' : 's'}, ${formatBytes(t.totalBytes)}, root ${shortHash(t.rootHash)}`;
}

function codeFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const c = s.code;
  put(f, 'vcs', 'version control', c.vcs + (c.provenance === 'declared' ? ' (declared)' : ''), 'code-other');
  put(f, 'commit', 'commit', c.commit, 'code-commit');
  put(f, 'content-hash', 'content hash (outside git)', c.contentHash, 'code-commit', shortHash(c.contentHash));
  put(f, 'branch', 'branch', c.branch, 'code-other');
  put(f, 'root', 'repository', c.root, 'code-other');
  for (const r of c.remotes) put(f, `remote:${r.name}`, `remote ${r.name}`, r.url, 'code-other');
  put(f, 'dirty', 'uncommitted changes', c.dirty === null ? null : c.dirty ? 'yes' : 'no', 'code-patch');
  put(f, 'patch', 'uncommitted patch', c.patch, 'code-patch', c.patch ? patchSummary(c.patch) : undefined);
  for (const m of c.submodules) put(f, `submodule:${m.path}`, `submodule ${m.path}`, m.commit, 'code-commit');
  // Outside git the untracked list is the hashed source tree itself: its files are the code.
  const kind: DifferenceKind = c.vcs === 'none' ? 'code-patch' : 'code-untracked';
  for (const u of c.untracked)
    put(
      f,
      `untracked:${u.path}`,
      `${c.vcs === 'none' ? 'source' : 'untracked'} ${u.path}`,
      u.sha256 ?? `link:${u.linkTarget ?? ''}`,
      kind,
      `${formatBytes(u.size)} ${shortHash(u.sha256)}`,
    );
  return f;
}

function dataFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  for (const t of s.data.inputs)
    put(f, `input:${t.path}`, `input ${t.path}`, `${t.kind}:${t.rootHash ?? ''}`, 'data-content', treeDisplay(t));
  for (const d of s.data.dvc)
    put(
      f,
      `dvc:${d.stage}:${d.role}:${d.path}`,
      `dvc ${d.role} ${d.path} (${d.stage})`,
      `${d.hashKind}:${d.hash}`,
      'data-declared',
    );
  for (const d of s.data.declared)
    put(f, `dataset:${d.name}`, `dataset ${d.name}`, d.digest ?? d.source ?? 'declared', 'data-declared');
  return f;
}

function softwareFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const sw = s.software;
  if (sw.os) {
    put(f, 'os', 'operating system', `${sw.os.distro ?? sw.os.platform} ${sw.os.release ?? ''}`.trim(), 'software-os');
    put(f, 'kernel', 'kernel', sw.os.kernel, 'software-os');
    put(f, 'arch', 'architecture', sw.os.arch, 'software-os');
  }
  const py = sw.python;
  put(f, 'python', 'Python', py.status === 'ok' ? py.version : py.status, 'software-python');
  put(f, 'python-implementation', 'Python implementation', py.implementation, 'software-python');
  put(f, 'python-executable', 'Python executable', py.executable, 'process-other');
  put(f, 'virtualenv', 'virtualenv', py.virtualenv, 'process-other');
  put(f, 'conda', 'conda environment', py.conda, 'process-other');
  for (const p of sw.packages) put(f, `package:${normalizePackageName(p.name)}`, p.name, p.version, 'package-other');
  for (const [lib, facts] of Object.entries(sw.numerics)) {
    for (const [k, v] of Object.entries(facts))
      put(f, `numerics:${lib}:${k}`, `${lib} ${k}`, v, 'software-numerics-build');
  }
  for (const spec of sw.envSpecs)
    put(
      f,
      `spec:${spec.path}`,
      `${spec.kind} ${spec.path}`,
      spec.sha256,
      'software-env-spec',
      `sha256 ${shortHash(spec.sha256)}`,
    );
  return f;
}

function hardwareFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const hw = s.hardware;
  if (hw.cpu) {
    put(f, 'cpu-vendor', 'CPU vendor', hw.cpu.vendor, 'hardware-cpu');
    put(f, 'cpu-model', 'CPU model', hw.cpu.model, 'hardware-cpu');
    put(f, 'cpu-cores', 'CPU cores', hw.cpu.cores, 'hardware-cpu');
    put(f, 'cpu-physical-cores', 'physical cores', hw.cpu.physicalCores, 'hardware-cpu');
    for (const flag of hw.cpu.numericsFlags)
      put(f, `flag:${flag}`, `CPU flag ${flag}`, 'present', 'hardware-cpu-flags');
  }
  put(
    f,
    'memory',
    'memory',
    hw.memoryBytes,
    'hardware-other',
    hw.memoryBytes === null ? undefined : formatBytes(hw.memoryBytes),
  );
  put(f, 'gpu-count', 'GPUs', hw.gpus.length, 'hardware-gpu');
  hw.gpus.forEach((g, i) => {
    put(f, `gpu:${i}:model`, `GPU ${i} model`, g.model, 'hardware-gpu');
    put(f, `gpu:${i}:memory`, `GPU ${i} memory`, g.memoryMB === null ? null : `${g.memoryMB} MB`, 'hardware-gpu');
    put(f, `gpu:${i}:driver`, `GPU ${i} driver`, g.driver, 'hardware-gpu');
    put(f, `gpu:${i}:cuda`, `GPU ${i} CUDA`, g.cudaVersion, 'hardware-gpu');
  });
  const v = hw.virtualization;
  if (v) {
    put(
      f,
      'virtual',
      'virtual machine',
      v.virtual === null ? null : v.virtual ? `yes${v.hypervisor ? ` (${v.hypervisor})` : ''}` : 'no',
      'hardware-other',
    );
    put(f, 'container', 'container', v.container, 'hardware-other');
  }
  return f;
}

function findingKey(x: SeedFinding): string {
  // The line is left out so that code moving down a file is not taken for a new finding.
  return `${x.file}\u0000${x.rule}\u0000${x.kind}\u0000${x.message}`;
}

function randomnessFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const r = s.randomness;
  for (const seed of r.seeds)
    put(f, `seed:${seed.source}:${seed.name}`, `seed ${seed.name} (${seed.source})`, seed.value, 'randomness-seeds');
  put(
    f,
    'pythonhashseed',
    'PYTHONHASHSEED',
    r.pythonHashSeed ?? 'unset',
    'randomness-hashseed',
    r.pythonHashSeed ?? 'unset (random per process)',
  );
  put(
    f,
    'scan',
    'seed scan',
    r.scan.status === 'ok' ? `${r.scan.findings.length} findings` : r.scan.status,
    'randomness-scan',
    r.scan.status === 'ok' ? `${r.scan.filesScanned} files, ${r.scan.findings.length} findings` : r.scan.status,
  );
  const counts = new Map<string, { n: number; x: SeedFinding }>();
  for (const x of r.scan.findings) {
    const k = findingKey(x);
    const e = counts.get(k);
    if (e) e.n++;
    else counts.set(k, { n: 1, x });
  }
  for (const [k, { n, x }] of counts)
    put(
      f,
      `finding:${k.replace(/\u0000/g, ':')}`,
      `${x.kind} ${x.rule} in ${x.file}`,
      `${n}×`,
      'randomness-scan',
      `${n}× (line ${x.line})`,
    );
  return f;
}

function processFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const p = s.process;
  put(f, 'command', 'command', p.argv.length ? formatCommand(p.argv) : null, 'process-command');
  put(f, 'entry-point', 'entry point', p.entryPoint, 'process-command');
  for (const [k, v] of Object.entries(p.parameters)) put(f, `param:${k}`, `parameter ${k}`, v, 'process-parameters');
  for (const [k, v] of Object.entries(p.env))
    put(f, `env:${k}`, `env ${k}`, v, RESULT_ENV.test(k) ? 'process-env' : 'process-other');
  put(f, 'cwd', 'working directory', p.cwd, 'process-other');
  put(f, 'user', 'user', p.user, 'process-other');
  put(f, 'hostname', 'host', p.hostname, 'process-other');
  return f;
}

function outcomeFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const o = s.outcome;
  put(f, 'status', 'status', o.status, 'process-other');
  put(f, 'exit-code', 'exit code', o.exitCode, 'process-other');
  for (const [k, m] of Object.entries(o.metrics))
    put(f, `metric:${k}`, `metric ${k}`, formatMetricValue(m.value), 'process-other');
  for (const t of o.artifacts)
    put(
      f,
      `artifact:${t.path}`,
      `artifact ${t.path}`,
      `${t.kind}:${t.rootHash ?? ''}`,
      'process-other',
      treeDisplay(t),
    );
  return f;
}

const FACTS: Record<CompareSection, (s: Snapshot) => Facts> = {
  code: codeFacts,
  data: dataFacts,
  software: softwareFacts,
  hardware: hardwareFacts,
  randomness: randomnessFacts,
  process: processFacts,
  outcome: outcomeFacts,
};

interface KindedRow {
  row: CompareRow;
  kind: DifferenceKind;
}

function diffFacts(fa: Facts, fb: Facts): KindedRow[] {
  const out: KindedRow[] = [];
  for (const [key, x] of fa) {
    const y = fb.get(key);
    const status: RowStatus = y === undefined ? 'only-a' : x.value === y.value ? 'same' : 'changed';
    out.push({
      row: { key, label: x.label, status, a: x.display ?? x.value, b: y ? (y.display ?? y.value) : null },
      kind: x.kind,
    });
  }
  for (const [key, y] of fb) {
    if (!fa.has(key))
      out.push({ row: { key, label: y.label, status: 'only-b', a: null, b: y.display ?? y.value }, kind: y.kind });
  }
  return out;
}

function diffText(path: string, a: string | null, b: string | null, labelA: string, labelB: string): TextDiff {
  if (a === null || b === null) return { path, status: a === null ? 'only-b' : 'only-a', patch: null, note: null };
  if (a === b) return { path, status: 'same', patch: null, note: null };
  if (a.length > MAX_DIFF_TEXT || b.length > MAX_DIFF_TEXT) {
    return { path, status: 'changed', patch: null, note: `not diffed: larger than ${formatBytes(MAX_DIFF_TEXT)}` };
  }
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, a, b, labelA, labelB, {
    context: 3,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  return patch === undefined
    ? { path, status: 'changed', patch: null, note: `not diffed: more than ${MAX_EDIT_LENGTH} edits apart` }
    : { path, status: 'changed', patch, note: null };
}

function isSorted(files: readonly FileEntry[]): boolean {
  for (let i = 1; i < files.length; i++) if (!(files[i - 1]!.path < files[i]!.path)) return false;
  return true;
}

function sameFile(x: FileEntry, y: FileEntry): boolean {
  return x.sha256 === y.sha256 && x.size === y.size && x.linkTarget === y.linkTarget;
}

/** The file-level difference of two manifests: changed, added and removed files with sizes (lists capped, counts complete). */
export function diffManifests(
  a: readonly FileEntry[],
  b: readonly FileEntry[],
  cap = MAX_FILE_CHANGES,
): { files: FileChange[]; changed: number; added: number; removed: number; truncated: boolean } {
  const changed: FileChange[] = [];
  const added: FileChange[] = [];
  const removed: FileChange[] = [];
  let nChanged = 0;
  let nAdded = 0;
  let nRemoved = 0;
  const onChanged = (x: FileEntry, y: FileEntry): void => {
    nChanged++;
    if (changed.length < cap) changed.push({ path: y.path, change: 'changed', sizeA: x.size, sizeB: y.size });
  };
  const onAdded = (y: FileEntry): void => {
    nAdded++;
    if (added.length < cap) added.push({ path: y.path, change: 'added', sizeA: null, sizeB: y.size });
  };
  const onRemoved = (x: FileEntry): void => {
    nRemoved++;
    if (removed.length < cap) removed.push({ path: x.path, change: 'removed', sizeA: x.size, sizeB: null });
  };
  if (isSorted(a) && isSorted(b)) {
    // Manifests are written sorted by path: one merge walk, no hashing of 100,000 keys.
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!;
      const y = b[j]!;
      if (x.path === y.path) {
        if (!sameFile(x, y)) onChanged(x, y);
        i++;
        j++;
      } else if (x.path < y.path) {
        onRemoved(x);
        i++;
      } else {
        onAdded(y);
        j++;
      }
    }
    for (; i < a.length; i++) onRemoved(a[i]!);
    for (; j < b.length; j++) onAdded(b[j]!);
  } else {
    const byPath = new Map<string, FileEntry>();
    for (const e of a) byPath.set(e.path, e);
    const inB = new Set<string>();
    for (const y of b) {
      inB.add(y.path);
      const x = byPath.get(y.path);
      if (x === undefined) onAdded(y);
      else if (!sameFile(x, y)) onChanged(x, y);
    }
    for (const x of a) if (!inB.has(x.path)) onRemoved(x);
  }
  const files = [...changed, ...added, ...removed];
  return {
    files: files.slice(0, cap),
    changed: nChanged,
    added: nAdded,
    removed: nRemoved,
    truncated: nChanged + nAdded + nRemoved > Math.min(files.length, cap),
  };
}

function compareData(a: Snapshot, b: Snapshot): DataInputComparison[] {
  const byPath = new Map(a.data.inputs.map((t) => [t.path, t]));
  const out: DataInputComparison[] = [];
  const one = (path: string, x: TreeState | undefined, y: TreeState | undefined): DataInputComparison => {
    const status: RowStatus = !x
      ? 'only-b'
      : !y
        ? 'only-a'
        : x.kind === y.kind && x.rootHash === y.rootHash
          ? 'same'
          : 'changed';
    const base = {
      path,
      status,
      rootA: x?.rootHash ?? null,
      rootB: y?.rootHash ?? null,
      filesA: x?.fileCount ?? null,
      filesB: y?.fileCount ?? null,
      bytesA: x?.totalBytes ?? null,
      bytesB: y?.totalBytes ?? null,
    };
    if (status !== 'changed' || !x || !y)
      return { ...base, changed: 0, added: 0, removed: 0, files: [], truncated: false };
    return { ...base, ...diffManifests(x.files, y.files) };
  };
  for (const y of b.data.inputs) out.push(one(y.path, byPath.get(y.path), y));
  const inB = new Set(b.data.inputs.map((t) => t.path));
  for (const x of a.data.inputs) if (!inB.has(x.path)) out.push(one(x.path, x, undefined));
  return out;
}

function comparePackages(a: Snapshot, b: Snapshot): { packages: PackageChange[]; same: number } {
  const byName = new Map<string, { name: string; version: string }>();
  for (const p of a.software.packages) byName.set(normalizePackageName(p.name), p);
  const out: PackageChange[] = [];
  const seen = new Set<string>();
  let same = 0;
  for (const p of b.software.packages) {
    const key = normalizePackageName(p.name);
    const x = byName.get(key);
    if (!x) {
      out.push({ name: p.name, a: null, b: p.version, change: 'added', step: null });
      continue;
    }
    seen.add(key);
    if (x.version === p.version) {
      same++;
      continue;
    }
    const d = diffVersions(x.version, p.version);
    const change = d.direction === 'up' ? 'upgraded' : d.direction === 'down' ? 'downgraded' : 'changed';
    out.push({ name: p.name, a: x.version, b: p.version, change, step: d.step });
  }
  for (const [key, x] of byName)
    if (!seen.has(key)) out.push({ name: x.name, a: x.version, b: null, change: 'removed', step: null });
  out.sort((p, q) => (p.name < q.name ? -1 : p.name > q.name ? 1 : 0));
  return { packages: out, same };
}

function packageKind(p: PackageChange): DifferenceKind {
  if (p.change === 'added' || p.change === 'removed') return 'package-added-removed';
  return p.step === 'major'
    ? 'package-major'
    : p.step === 'minor'
      ? 'package-minor'
      : p.step === 'patch'
        ? 'package-patch'
        : 'package-other';
}

function compareFindings(a: Snapshot, b: Snapshot): { gained: SeedFinding[]; lost: SeedFinding[] } {
  // Multisets by key, so one more call of the same rule in the same file counts as gained.
  const left = new Map<string, SeedFinding[]>();
  for (const x of a.randomness.scan.findings) {
    const k = findingKey(x);
    const list = left.get(k);
    if (list) list.push(x);
    else left.set(k, [x]);
  }
  const gained: SeedFinding[] = [];
  for (const y of b.randomness.scan.findings) {
    const list = left.get(findingKey(y));
    if (list && list.length > 0) list.shift();
    else gained.push(y);
  }
  const lost = [...left.values()].flat();
  return { gained, lost };
}

function compareMetrics(a: Snapshot, b: Snapshot): MetricComparison[] {
  const names = [...new Set([...Object.keys(a.outcome.metrics), ...Object.keys(b.outcome.metrics)])].sort();
  return names.map((name) => {
    const x = a.outcome.metrics[name]?.value;
    const y = b.outcome.metrics[name]?.value;
    if (x === undefined || y === undefined)
      return { name, status: x === undefined ? 'only-b' : 'only-a', a: x ?? null, b: y ?? null, abs: null, rel: null };
    const same = Object.is(x, y) || x === y;
    const abs = same ? 0 : y - x;
    const rel = x === 0 || !Number.isFinite(x) ? null : abs / Math.abs(x);
    return { name, status: same ? 'same' : 'changed', a: x, b: y, abs, rel };
  });
}

function runRef(s: Snapshot): RunRef {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    createdAt: s.createdAt,
    project: s.project.name ?? s.project.root,
    commit: s.code.commit,
    command: s.process.argv.length ? formatCommand(s.process.argv) : (s.process.entryPoint ?? ''),
    status: s.outcome.status,
  };
}

function describeRow(r: CompareRow): string {
  if (r.status === 'only-a') return `${r.label}: ${r.a} (only in A)`;
  if (r.status === 'only-b') return `${r.label}: ${r.b} (only in B)`;
  return `${r.label}: ${r.a} → ${r.b}`;
}

function rankSummary(
  rows: { section: CompareSection; kinded: KindedRow[] }[],
  packages: PackageChange[],
  flags: { a: string[]; b: string[] },
  findings: { gained: SeedFinding[]; lost: SeedFinding[] },
  data: DataInputComparison[],
): SummaryItem[] {
  const groups = new Map<DifferenceKind, { section: CompareSection; details: { text: string; numerics: boolean }[] }>();
  const add = (kind: DifferenceKind, section: CompareSection, text: string, numerics = false): void => {
    const g = groups.get(kind) ?? { section, details: [] };
    g.details.push({ text, numerics });
    groups.set(kind, g);
  };
  for (const { section, kinded } of rows) {
    if (section === 'outcome') continue; // the outcome is what is explained, not an explanation
    for (const { row, kind } of kinded) {
      if (row.status === 'same') continue;
      if (
        row.key.startsWith('package:') ||
        row.key.startsWith('flag:') ||
        row.key.startsWith('finding:') ||
        row.key.startsWith('input:')
      )
        continue;
      if (row.key === 'patch' || row.key === 'dirty') {
        if (row.key === 'patch')
          add(kind, section, row.status === 'changed' ? 'the uncommitted patches differ' : describeRow(row));
        else if (!rows.some((r) => r.kinded.some((k) => k.row.key === 'patch' && k.row.status !== 'same')))
          add(kind, section, describeRow(row));
        continue;
      }
      add(kind, section, describeRow(row));
    }
  }
  for (const d of data) {
    if (d.status === 'same') continue;
    const what =
      d.status === 'changed'
        ? `${d.changed} changed, ${d.added} added, ${d.removed} removed file${d.changed + d.added + d.removed === 1 ? '' : 's'}`
        : d.status === 'only-a'
          ? 'only in A'
          : 'only in B';
    add('data-content', 'data', `input ${d.path}: ${what}`);
  }
  for (const p of packages) {
    const text =
      p.change === 'added'
        ? `${p.name} ${p.b} (only in B)`
        : p.change === 'removed'
          ? `${p.name} ${p.a} (only in A)`
          : `${p.name} ${p.a} → ${p.b}${p.change === 'downgraded' ? ' (downgrade)' : ''}`;
    add(packageKind(p), 'software', text, NUMERICS_PACKAGES.test(normalizePackageName(p.name)));
  }
  if (flags.a.length) add('hardware-cpu-flags', 'hardware', `only A's CPU has ${flags.a.join(', ')}`);
  if (flags.b.length) add('hardware-cpu-flags', 'hardware', `only B's CPU has ${flags.b.join(', ')}`);
  for (const x of findings.gained)
    add(
      'randomness-scan',
      'randomness',
      `B gains ${x.kind === 'seed' ? 'seed call' : 'risk'} ${x.rule} at ${x.file}:${x.line}`,
    );
  for (const x of findings.lost)
    add(
      'randomness-scan',
      'randomness',
      `B loses ${x.kind === 'seed' ? 'seed call' : 'risk'} ${x.rule} at ${x.file}:${x.line}`,
    );

  const order = new Map(COMPARE_SECTIONS.map((s, i) => [s, i]));
  const items: (SummaryItem & { numerics: boolean })[] = [];
  for (const [kind, g] of groups) {
    const rule = WEIGHT.get(kind)!;
    g.details.sort((x, y) => Number(y.numerics) - Number(x.numerics));
    items.push({
      kind,
      section: g.section,
      weight: rule.weight,
      count: g.details.length,
      title: `${rule.why[0]!.toUpperCase()}${rule.why.slice(1)}${g.details.length > 1 ? ` (${g.details.length})` : ''}`,
      details: g.details.slice(0, 10).map((d) => d.text),
      numerics: g.details.some((d) => d.numerics),
    });
  }
  items.sort(
    (x, y) =>
      y.weight - x.weight ||
      Number(y.numerics) - Number(x.numerics) ||
      order.get(x.section)! - order.get(y.section)! ||
      (x.kind < y.kind ? -1 : 1),
  );
  return items.map(({ numerics: _n, ...rest }) => rest);
}

function headline(
  metrics: MetricComparison[],
  ranked: SummaryItem[],
  differences: number,
  bySection: Record<string, number>,
): string {
  const changedMetrics = metrics.filter((m) => m.status !== 'same');
  const cats = COMPARE_SECTIONS.filter((s) => s !== 'outcome' && (bySection[s] ?? 0) > 0);
  const outcome =
    changedMetrics.length === 0
      ? metrics.length
        ? `The ${metrics.length === 1 ? 'metric is' : `${metrics.length} metrics are`} identical`
        : 'No metrics to compare'
      : changedMetrics
          .slice(0, 2)
          .map((m) =>
            m.a !== null && m.b !== null
              ? `${m.name} ${formatSignificant(m.a)} → ${formatSignificant(m.b)}${m.rel !== null && Number.isFinite(m.rel) ? ` (${formatRelative(m.rel)})` : ''}`
              : `${m.name} only in ${m.a === null ? 'B' : 'A'}`,
          )
          .join(', ') + (changedMetrics.length > 2 ? ` and ${changedMetrics.length - 2} more metrics changed` : '');
  if (cats.length === 0)
    return `${outcome}; the runs do not differ in code, data, software, hardware, randomness or process.`;
  const top = ranked[0];
  return `${outcome}; the runs differ in ${cats.join(', ')} (${differences} difference${differences === 1 ? '' : 's'})${top ? `, most likely because ${top.title[0]!.toLowerCase()}${top.title.slice(1)}` : ''}.`;
}

/** Compares two snapshots (A is the reference, B the other run): rows per section, details and a ranked summary. */
export function compareSnapshots(a: Snapshot, b: Snapshot): Comparison {
  const kindedBySection = COMPARE_SECTIONS.map((section) => ({
    section,
    kinded: diffFacts(FACTS[section](a), FACTS[section](b)),
  }));
  const sections: SectionComparison[] = kindedBySection.map(({ section, kinded }) => {
    const rows = kinded.map((k) => k.row);
    return { section, rows, differences: rows.reduce((n, r) => n + (r.status === 'same' ? 0 : 1), 0) };
  });

  const { packages, same } = comparePackages(a, b);
  const flagsA = new Set(a.hardware.cpu?.numericsFlags ?? []);
  const flagsB = new Set(b.hardware.cpu?.numericsFlags ?? []);
  const flags = {
    a: [...flagsA].filter((x) => !flagsB.has(x)).sort(),
    b: [...flagsB].filter((x) => !flagsA.has(x)).sort(),
  };
  const findings = compareFindings(a, b);
  const data = compareData(a, b);
  const metrics = compareMetrics(a, b);

  const specsA = new Map(a.software.envSpecs.map((s) => [s.path, s]));
  const specsB = new Map(b.software.envSpecs.map((s) => [s.path, s]));
  const specPaths = [...new Set([...specsA.keys(), ...specsB.keys()])].sort();
  const envSpecs = specPaths.map((p) => {
    const x = specsA.get(p);
    const y = specsB.get(p);
    // Equal hashes mean equal texts: skip the line diff.
    if (x && y && x.sha256 === y.sha256) return { path: p, status: 'same' as const, patch: null, note: null };
    return diffText(p, x?.content ?? null, y?.content ?? null, 'run A', 'run B');
  });

  const untrackedA = a.code.vcs === 'git' ? a.code.untracked : [];
  const untrackedB = b.code.vcs === 'git' ? b.code.untracked : [];
  const codePatch =
    a.code.patch === null && b.code.patch === null
      ? null
      : diffText('uncommitted.patch', a.code.patch, b.code.patch, 'run A', 'run B');

  const pyA = a.software.python.status === 'ok' ? a.software.python.version : null;
  const pyB = b.software.python.status === 'ok' ? b.software.python.version : null;
  const pyStep = pyA && pyB && pyA !== pyB ? diffVersions(pyA, pyB).step : null;
  // A Python patch release is ranked like a package patch, not like a new interpreter.
  const softwareRows = kindedBySection.find((s) => s.section === 'software')!;
  for (const k of softwareRows.kinded)
    if (k.row.key === 'python' && (pyStep === 'patch' || pyStep === 'other')) k.kind = 'package-patch';

  const bySection: Record<string, number> = {};
  let differences = 0;
  for (const s of sections) {
    bySection[s.section] = s.differences;
    if (s.section !== 'outcome') differences += s.differences;
  }
  const ranked = rankSummary(kindedBySection, packages, flags, findings, data);

  return {
    a: runRef(a),
    b: runRef(b),
    summary: { headline: headline(metrics, ranked, differences, bySection), differences, bySection, ranked },
    sections,
    code: { patch: codePatch, untracked: diffManifests(untrackedA, untrackedB).files, history: null },
    data: { inputs: data },
    software: { python: { a: pyA, b: pyB, step: pyStep }, packages, packagesSame: same, envSpecs },
    hardware: { flagsOnlyA: flags.a, flagsOnlyB: flags.b },
    randomness: { findingsGained: findings.gained, findingsLost: findings.lost },
    outcome: { metrics },
  };
}

/** The rows of a section that differ (or all of them). */
export function sectionRows(c: Comparison, section: CompareSection, all = false): CompareRow[] {
  const s = c.sections.find((x) => x.section === section);
  if (!s) return [];
  return all ? s.rows : s.rows.filter((r) => r.status !== 'same');
}

/** The version step of a package change as a word for people ("major upgrade"). */
export function describePackageChange(p: PackageChange): string {
  if (p.change === 'added' || p.change === 'removed') return p.change;
  const step: VersionStep | null = p.step;
  return step && step !== 'other'
    ? `${step} ${p.change === 'changed' ? 'change' : p.change.replace(/d$/, '')}`
    : p.change;
}
