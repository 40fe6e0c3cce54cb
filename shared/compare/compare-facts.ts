// The facts of one snapshot, per section, as (key, label, value, kind): the rows a comparison lines up.
import type { CompareRow, CompareSection, DifferenceKind, RowStatus } from './compare-model';
import { formatCommand } from '../mlflow/shell-quote';
import type { SeedFinding, Snapshot, TreeState } from '../snapshot/snapshot';
import { formatBytes } from '../snapshot/snapshot-text';
import { normalizePackageName } from '../snapshot/versions';

/** Environment variables that change results; any other recorded variable is bookkeeping. */
const RESULT_ENV =
  /^(PYTHONHASHSEED|OMP_NUM_THREADS|MKL_NUM_THREADS|OPENBLAS_NUM_THREADS|NUMEXPR_NUM_THREADS|VECLIB_MAXIMUM_THREADS|OPENBLAS_CORETYPE|MKL_CBWR|KMP_DETERMINISTIC_REDUCTION|CUDA_VISIBLE_DEVICES|CUBLAS_WORKSPACE_CONFIG|TF_DETERMINISTIC_OPS|TF_CUDNN_DETERMINISTIC|NVIDIA_TF32_OVERRIDE|XLA_FLAGS)$/;

/** A fact of one snapshot: its compare value and, where different, how it is shown. */
export interface Fact {
  label: string;
  value: string;
  display?: string;
  kind: DifferenceKind;
}

/** The facts of one section of a snapshot, by key. */
export type Facts = Map<string, Fact>;

// eslint-disable-next-line max-params -- a fact is these six fields, written at some fifty call sites; positional keeps each on one line
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

/** The first 12 characters of a hash, or a dash. */
export function shortHash(h: string | null | undefined): string {
  return h ? h.slice(0, 12) : '—';
}

/** "3 files, 12 changed lines": what an uncommitted patch touches. */
export function patchSummary(patch: string): string {
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

/** The key of a seed-scan finding, line left out. */
export function findingKey(x: SeedFinding): string {
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
      `finding:${k.split('\u0000').join(':')}`,
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
  // Metrics are not facts here: the outcome's metric table lists each once, with its difference.
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

/** Each section's facts of a snapshot. */
export const FACTS: Record<CompareSection, (s: Snapshot) => Facts> = {
  code: codeFacts,
  data: dataFacts,
  software: softwareFacts,
  hardware: hardwareFacts,
  randomness: randomnessFacts,
  process: processFacts,
  outcome: outcomeFacts,
};

/** A row of a two-run comparison with the kind of difference it stands for. */
export interface KindedRow {
  row: CompareRow;
  kind: DifferenceKind;
}

/** Lines up the facts of two snapshots into rows. */
export function diffFacts(fa: Facts, fb: Facts): KindedRow[] {
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
