// The facts of one snapshot, per section, as (key, label, value, kind): the rows a comparison lines up.
import type { CompareRow, CompareSection, DifferenceKind, RowStatus } from './compare-model';
import { formatCommand } from '../mlflow/shell-quote';
import type { SeedFinding, Snapshot, TreeState } from '../snapshot/snapshot';
import { formatBytes } from '../snapshot/snapshot-text';
import { normalizePackageName } from '../snapshot/versions';
import { NOTE_TAG } from '../runs/run-columns';

/** Environment variables that change results; any other recorded variable is bookkeeping. */
const RESULT_ENV =
  /^(PYTHONHASHSEED|OMP_NUM_THREADS|MKL_NUM_THREADS|OPENBLAS_NUM_THREADS|NUMEXPR_NUM_THREADS|VECLIB_MAXIMUM_THREADS|OPENBLAS_CORETYPE|MKL_CBWR|KMP_DETERMINISTIC_REDUCTION|CUDA_VISIBLE_DEVICES|CUBLAS_WORKSPACE_CONFIG|TF_DETERMINISTIC_OPS|TF_CUDNN_DETERMINISTIC|NVIDIA_TF32_OVERRIDE|XLA_FLAGS)$/;

/**
 * MLflow's own tags (`mlflow.*`): those that say something about the run (commit, branch, user, entry point, source)
 * are facts of their sections already; the rest name the run itself (its parent's id, its Databricks job run, its
 * colour in MLflow's UI) and differ between any two runs. Only the tags a person or the training code set are
 * compared, and the run's note (`mlflow.note.content`, which a person writes).
 */
const SYSTEM_TAG_PREFIX = 'mlflow.';
/** The tags reproscope gives a rerun's MLflow run (its audit and group): bookkeeping of ours, as MLflow's are of MLflow. */
const OWN_TAG_PREFIX = 'reproscope.';

/** A fact of one snapshot: its compare value and, where different, how it is shown. */
export interface Fact {
  label: string;
  value: string;
  display?: string;
  kind: DifferenceKind;
}

/** The facts of one section of a snapshot, by key. */
export type Facts = Map<string, Fact>;

/** How an empty value that was set is shown (an empty parameter or environment variable is not an absent one). */
export const EMPTY_VALUE = '""';

/**
 * A writer of one kind of fact into a section: `(key, label, value, display?)`; absent values are left out, and so
 * are empty ones unless `keepEmpty` (for values a run set, such as `CUDA_VISIBLE_DEVICES=`, which hides every GPU).
 */
function putter(
  facts: Facts,
  kind: DifferenceKind,
  keepEmpty = false,
): (key: string, label: string, value: string | number | boolean | null | undefined, display?: string) => void {
  return (key, label, value, display) => {
    if (value === null || value === undefined || (value === '' && !keepEmpty)) return;
    facts.set(key, { label, value: String(value), display: value === '' ? (display ?? EMPTY_VALUE) : display, kind });
  };
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

/**
 * What a tree holds with MLflow's own files (MLmodel, meta.yaml) by their hash without the per-run fields (run id,
 * creation time): two runs that logged the same model compare the same, as the audit's output comparison has them.
 */
function normalisedContent(t: TreeState): string {
  return t.files
    .map((x) => `${x.path}\u0000${x.normalizedSha256 ?? x.sha256 ?? ''}\u0000${x.linkTarget ?? ''}`)
    .sort()
    .join('\n');
}

function codeFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const codeOther = putter(f, 'code-other');
  const codeCommit = putter(f, 'code-commit');
  const codePatch = putter(f, 'code-patch');
  const c = s.code;
  codeOther('vcs', 'version control', c.vcs + (c.provenance === 'declared' ? ' (declared)' : ''));
  codeCommit('commit', 'commit', c.commit);
  codeCommit('content-hash', 'content hash (outside git)', c.contentHash, shortHash(c.contentHash));
  codeOther('branch', 'branch', c.branch);
  codeOther('root', 'repository', c.root);
  for (const r of c.remotes) codeOther(`remote:${r.name}`, `remote ${r.name}`, r.url);
  codePatch('dirty', 'uncommitted changes', c.dirty === null ? null : c.dirty ? 'yes' : 'no');
  codePatch('patch', 'uncommitted patch', c.patch, c.patch ? patchSummary(c.patch) : undefined);
  for (const m of c.submodules) codeCommit(`submodule:${m.path}`, `submodule ${m.path}`, m.commit);
  // Outside git the untracked list is the hashed source tree itself: its files are the code.
  const kind: DifferenceKind = c.vcs === 'none' ? 'code-patch' : 'code-untracked';
  const untrackedFile = putter(f, kind);
  for (const u of c.untracked)
    untrackedFile(
      `untracked:${u.path}`,
      `${c.vcs === 'none' ? 'source' : 'untracked'} ${u.path}`,
      u.sha256 ?? `link:${u.linkTarget ?? ''}`,
      `${formatBytes(u.size)} ${shortHash(u.sha256)}`,
    );
  return f;
}

function dataFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const dataContent = putter(f, 'data-content');
  const dataDeclared = putter(f, 'data-declared');
  for (const t of s.data.inputs)
    dataContent(`input:${t.path}`, `input ${t.path}`, `${t.kind}:${t.rootHash ?? ''}`, treeDisplay(t));
  for (const d of s.data.dvc)
    dataDeclared(
      `dvc:${d.stage}:${d.role}:${d.path}`,
      `dvc ${d.role} ${d.path} (${d.stage})`,
      `${d.hashKind}:${d.hash}`,
    );
  for (const d of s.data.declared)
    dataDeclared(`dataset:${d.name}`, `dataset ${d.name}`, d.digest ?? d.source ?? 'declared');
  return f;
}

function softwareFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const softwareOs = putter(f, 'software-os');
  const softwarePython = putter(f, 'software-python');
  const processOther = putter(f, 'process-other');
  const packageOther = putter(f, 'package-other');
  const softwareNumericsBuild = putter(f, 'software-numerics-build');
  const softwareEnvSpec = putter(f, 'software-env-spec');
  const sw = s.software;
  if (sw.os) {
    softwareOs('os', 'operating system', `${sw.os.distro ?? sw.os.platform} ${sw.os.release ?? ''}`.trim());
    softwareOs('kernel', 'kernel', sw.os.kernel);
    softwareOs('arch', 'architecture', sw.os.arch);
  }
  const py = sw.python;
  softwarePython('python', 'Python', py.status === 'ok' ? py.version : py.status);
  softwarePython('python-implementation', 'Python implementation', py.implementation);
  processOther('python-executable', 'Python executable', py.executable);
  processOther('virtualenv', 'virtualenv', py.virtualenv);
  processOther('conda', 'conda environment', py.conda);
  for (const p of sw.packages) packageOther(`package:${normalizePackageName(p.name)}`, p.name, p.version);
  for (const [lib, facts] of Object.entries(sw.numerics)) {
    for (const [k, v] of Object.entries(facts)) softwareNumericsBuild(`numerics:${lib}:${k}`, `${lib} ${k}`, v);
  }
  for (const spec of sw.envSpecs)
    softwareEnvSpec(`spec:${spec.path}`, `${spec.kind} ${spec.path}`, spec.sha256, `sha256 ${shortHash(spec.sha256)}`);
  return f;
}

function hardwareFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const hardwareCpu = putter(f, 'hardware-cpu');
  const hardwareCpuFlags = putter(f, 'hardware-cpu-flags');
  const hardwareOther = putter(f, 'hardware-other');
  const hardwareGpu = putter(f, 'hardware-gpu');
  const hw = s.hardware;
  if (hw.cpu) {
    hardwareCpu('cpu-vendor', 'CPU vendor', hw.cpu.vendor);
    hardwareCpu('cpu-model', 'CPU model', hw.cpu.model);
    hardwareCpu('cpu-cores', 'CPU cores', hw.cpu.cores);
    hardwareCpu('cpu-physical-cores', 'physical cores', hw.cpu.physicalCores);
    for (const flag of hw.cpu.numericsFlags) hardwareCpuFlags(`flag:${flag}`, `CPU flag ${flag}`, 'present');
  }
  hardwareOther('memory', 'memory', hw.memoryBytes, hw.memoryBytes === null ? undefined : formatBytes(hw.memoryBytes));
  hardwareGpu('gpu-count', 'GPUs', hw.gpus.length);
  hw.gpus.forEach((g, i) => {
    hardwareGpu(`gpu:${i}:model`, `GPU ${i} model`, g.model);
    hardwareGpu(`gpu:${i}:memory`, `GPU ${i} memory`, g.memoryMB === null ? null : `${g.memoryMB} MB`);
    hardwareGpu(`gpu:${i}:driver`, `GPU ${i} driver`, g.driver);
    hardwareGpu(`gpu:${i}:cuda`, `GPU ${i} CUDA`, g.cudaVersion);
  });
  const v = hw.virtualization;
  if (v) {
    hardwareOther(
      'virtual',
      'virtual machine',
      v.virtual === null ? null : v.virtual ? `yes${v.hypervisor ? ` (${v.hypervisor})` : ''}` : 'no',
    );
    hardwareOther('container', 'container', v.container);
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
  const randomnessSeeds = putter(f, 'randomness-seeds');
  const randomnessHashseed = putter(f, 'randomness-hashseed');
  const randomnessScan = putter(f, 'randomness-scan');
  const r = s.randomness;
  for (const seed of r.seeds)
    randomnessSeeds(`seed:${seed.source}:${seed.name}`, `seed ${seed.name} (${seed.source})`, seed.value);
  randomnessHashseed(
    'pythonhashseed',
    'PYTHONHASHSEED',
    r.pythonHashSeed ?? 'unset',
    r.pythonHashSeed ?? 'unset (random per process)',
  );
  randomnessScan(
    'scan',
    'seed scan',
    r.scan.status === 'ok' ? `${r.scan.findings.length} findings` : r.scan.status,
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
    randomnessScan(
      `finding:${k.split('\u0000').join(':')}`,
      `${x.kind} ${x.rule} in ${x.file}`,
      `${n}×`,
      `${n}× (line ${x.line})`,
    );
  return f;
}

function processFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const processCommand = putter(f, 'process-command');
  // a parameter or variable set to "" was set: kept, unlike an unknown working directory or user
  const processParameters = putter(f, 'process-parameters', true);
  const processEnv = putter(f, 'process-env', true);
  const processOtherEnv = putter(f, 'process-other', true);
  const processOther = putter(f, 'process-other');
  const p = s.process;
  processCommand('command', 'command', p.argv.length ? formatCommand(p.argv) : null);
  processCommand('entry-point', 'entry point', p.entryPoint);
  for (const [k, v] of Object.entries(p.parameters)) processParameters(`param:${k}`, `parameter ${k}`, v);
  for (const [k, v] of Object.entries(p.env))
    (RESULT_ENV.test(k) ? processEnv : processOtherEnv)(`env:${k}`, `env ${k}`, v);
  processOther('cwd', 'working directory', p.cwd);
  processOther('user', 'user', p.user);
  processOther('hostname', 'host', p.hostname);
  const processTag = putter(f, 'process-tags', true);
  for (const [k, v] of Object.entries(s.tags))
    if (k === NOTE_TAG) processTag(`tag:${k}`, 'note', v);
    else if (!k.startsWith(SYSTEM_TAG_PREFIX) && !k.startsWith(OWN_TAG_PREFIX)) processTag(`tag:${k}`, `tag ${k}`, v);
  return f;
}

function outcomeFacts(s: Snapshot): Facts {
  const f: Facts = new Map();
  const processOther = putter(f, 'process-other');
  const o = s.outcome;
  processOther('status', 'status', o.status);
  processOther('exit-code', 'exit code', o.exitCode);
  // Metrics are not facts here: the outcome's metric table lists each once, with its difference.
  for (const t of o.artifacts) {
    const normalised = t.files.some((x) => x.normalizedSha256 !== undefined);
    processOther(
      `artifact:${t.path}`,
      `artifact ${t.path}`,
      normalised ? `${t.kind}:${normalisedContent(t)}` : `${t.kind}:${t.rootHash ?? ''}`,
      normalised ? `${treeDisplay(t)} (MLflow's per-run fields normalised)` : treeDisplay(t),
    );
  }
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
