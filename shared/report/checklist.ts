// The reproducibility checklist, each item marked only from what was captured.
import type { Audit } from '../audit/audit';
import type { EnvSpec, Snapshot } from '../snapshot/snapshot';
import type { ChecklistItem } from './report-model';

/**
 * The reproducibility checklist, in the spirit of the NeurIPS and ML Reproducibility Challenge
 * checklists: each item is marked only from what was captured (the reference snapshot and the
 * audit), never from what the user says, and carries the evidence that decided the mark.
 */

/** Lock files pin every dependency by construction. */
const LOCK_FILE =
  /(^|\/)(poetry\.lock|Pipfile\.lock|uv\.lock|pdm\.lock|conda-lock\.ya?ml|.*\.lock|requirements.*\.lock|pixi\.lock)$/i;

/** Variables and scan rules that make numerics deterministic. */
const DETERMINISM_ENV = [
  'PYTHONHASHSEED',
  'CUBLAS_WORKSPACE_CONFIG',
  'TF_DETERMINISTIC_OPS',
  'TF_CUDNN_DETERMINISTIC',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'MKL_CBWR',
  'KMP_DETERMINISTIC_REDUCTION',
  'NVIDIA_TF32_OVERRIDE',
];

/** Spec kinds whose lines are requirements (env-specs.ts names them). */
const REQUIREMENT_KINDS = new Set(['requirements', 'python_env', 'conda']);

/** Requirement lines of a spec (pip requirements, python_env/conda dependency lists), with whether each is pinned to one version. */
function requirementPins(spec: EnvSpec): { total: number; pinned: number } {
  let total = 0;
  let pinned = 0;
  const isYaml = /\.ya?ml$/i.test(spec.path) || /conda|python_env/i.test(spec.kind);
  let inDeps = !isYaml;
  for (const raw of spec.content.split('\n')) {
    const line = raw.replace(/#.*$/, '').trimEnd();
    if (!line.trim()) continue;
    if (isYaml) {
      if (/^\S/.test(line)) {
        inDeps = /^(dependencies|build_dependencies)\s*:/.test(line);
        continue;
      }
      if (!inDeps) continue;
      const m = /^\s*-\s*(.+)$/.exec(line);
      if (!m || /^\s*-\s*pip\s*:?\s*$/.test(line)) continue;
      const req = m[1]!.trim();
      if (/^python([=<>~! ]|$)/i.test(req)) continue;
      total++;
      if (/(===?|(?<![<>!~])=)\s*[\w.*+!-]+\s*$/.test(req) && !/[<>~]/.test(req)) pinned++;
      continue;
    }
    const req = line.trim();
    if (req.startsWith('-') || req.startsWith('[')) continue; // options (-r, -e, --index-url) and sections
    if (/^[A-Za-z0-9]/.test(req)) {
      total++;
      if (/===?\s*[\w.*+!-]+/.test(req) || /@\s*\S+#sha256=|--hash=/.test(req)) pinned++;
    }
  }
  return { total, pinned };
}

/** Marks the checklist from a reference snapshot and, for an audit, the audit record. */
export function reproducibilityChecklist(ref: Snapshot | null, audit: Audit | null): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  const add = (id: ChecklistItem['id'], label: string, mark: ChecklistItem['mark'], evidence: string): void => {
    items.push({ id, label, mark, evidence });
  };

  // Code version pinned.
  const commit = ref?.code.commit ?? audit?.commit ?? null;
  if (commit)
    add(
      'code-pinned',
      'Code version pinned',
      'yes',
      `git commit ${commit.slice(0, 12)}${ref?.code.branch ? ` on ${ref.code.branch}` : ''}${ref?.code.remotes[0] ? ` (${ref.code.remotes[0].url})` : ''}`,
    );
  else if (ref?.code.contentHash)
    add(
      'code-pinned',
      'Code version pinned',
      'partial',
      `not under version control; a content hash of ${ref.code.fileCount ?? '?'} source files identifies it (${ref.code.contentHash.slice(0, 12)})`,
    );
  else
    add(
      'code-pinned',
      'Code version pinned',
      ref ? 'no' : 'unknown',
      ref ? 'no commit and no content hash was recorded' : 'no reference run was recorded',
    );

  // Uncommitted changes.
  if (!ref || ref.code.vcs !== 'git' || ref.code.dirty === null)
    add(
      'no-uncommitted-changes',
      'No uncommitted changes',
      'unknown',
      ref?.code.vcs === 'none'
        ? 'the code is not in git: changes cannot be told from commits'
        : 'the working tree state was not recorded',
    );
  else if (!ref.code.dirty)
    add('no-uncommitted-changes', 'No uncommitted changes', 'yes', 'the working tree was clean when the run started');
  else {
    const files = ref.code.patch ? (ref.code.patch.match(/^diff --git /gm) ?? []).length : 0;
    add(
      'no-uncommitted-changes',
      'No uncommitted changes',
      'no',
      `${files ? `${files} tracked file${files === 1 ? '' : 's'} changed (the patch is stored)` : 'no tracked file changed'}${ref.code.untracked.length ? `; ${ref.code.untracked.length} untracked file${ref.code.untracked.length === 1 ? '' : 's'} (hashed)` : ''}`,
    );
  }

  // Dependencies pinned.
  const specs = ref?.software.envSpecs ?? [];
  const locks = specs.filter((s) => LOCK_FILE.test(s.path));
  // only files that list requirements count: an MLproject, a setup.py or a pyproject is not a requirements list line by line
  const pins = specs
    .filter((s) => !LOCK_FILE.test(s.path) && REQUIREMENT_KINDS.has(s.kind))
    .map((s) => ({ s, ...requirementPins(s) }))
    .filter((p) => p.total > 0);
  const total = pins.reduce((n, p) => n + p.total, 0);
  const pinned = pins.reduce((n, p) => n + p.pinned, 0);
  const installed = ref?.software.packages.length ?? 0;
  if (locks.length)
    add(
      'dependencies-pinned',
      'Dependencies pinned',
      'yes',
      `lock file${locks.length === 1 ? '' : 's'} ${locks.map((l) => l.path).join(', ')}; ${installed} installed packages recorded`,
    );
  else if (total > 0 && pinned === total)
    add(
      'dependencies-pinned',
      'Dependencies pinned',
      'yes',
      `all ${total} requirements in ${pins.map((p) => p.s.path).join(', ')} name one version; ${installed} installed packages recorded`,
    );
  else if (total > 0)
    add(
      'dependencies-pinned',
      'Dependencies pinned',
      'partial',
      `${pinned} of ${total} requirements in ${pins.map((p) => p.s.path).join(', ')} name one version; ${installed} installed packages recorded`,
    );
  else if (installed > 0)
    add(
      'dependencies-pinned',
      'Dependencies pinned',
      'partial',
      `no environment spec pins them, but the ${installed} installed packages and their versions were recorded`,
    );
  else
    add(
      'dependencies-pinned',
      'Dependencies pinned',
      ref ? 'no' : 'unknown',
      ref ? 'no environment spec and no installed packages were recorded' : 'no reference run was recorded',
    );

  // Seeds set.
  const seeds = ref?.randomness.seeds ?? [];
  const findings = ref?.randomness.scan.findings ?? [];
  const seedCalls = findings.filter((f) => f.kind === 'seed');
  const risks = findings.filter(
    (f) =>
      f.kind === 'risk' &&
      f.rule !== 'builtin-hash' &&
      f.rule !== 'torch-nondeterministic' &&
      f.rule !== 'cudnn-benchmark',
  );
  const seedParam = audit?.plan.seedParam ?? null;
  const seedText = [
    ...seeds.map((s) => `${s.name}=${s.value} (${s.source})`),
    ...(seedParam ? [`seed parameter ${seedParam}`] : []),
    ...seedCalls.slice(0, 3).map((f) => `${f.rule} at ${f.file}:${f.line}`),
  ];
  if ((seeds.length || seedCalls.length || seedParam) && risks.length === 0)
    add('seeds-set', 'Seeds set', 'yes', seedText.join('; '));
  else if (seeds.length || seedCalls.length || seedParam)
    add(
      'seeds-set',
      'Seeds set',
      'partial',
      `${seedText.join('; ')}; but ${risks.length} unseeded source${risks.length === 1 ? '' : 's'}: ${risks
        .slice(0, 3)
        .map((f) => `${f.file}:${f.line} ${f.rule}`)
        .join(', ')}`,
    );
  else if (ref && ref.randomness.scan.status === 'ok')
    add(
      'seeds-set',
      'Seeds set',
      'no',
      `no seed in the command line, parameters or environment, and no seed-setting call in ${ref.randomness.scan.filesScanned} scanned files`,
    );
  else
    add(
      'seeds-set',
      'Seeds set',
      ref ? 'no' : 'unknown',
      ref ? `no seed found; the seed scan was ${ref.randomness.scan.status}` : 'no reference run was recorded',
    );

  // Data hashed.
  const inputs = ref?.data.inputs ?? [];
  const hashed = inputs.filter((t) => t.rootHash !== null);
  const dvc = ref?.data.dvc ?? [];
  const declared = ref?.data.declared ?? [];
  const checks = audit?.dataChecks ?? [];
  if (hashed.length || dvc.length) {
    add(
      'data-hashed',
      'Data hashed',
      'yes',
      [
        ...hashed.slice(0, 4).map((t) => `${t.path}: ${t.fileCount} files, root ${t.rootHash!.slice(0, 12)}`),
        ...(dvc.length ? [`${dvc.length} DVC-recorded hash${dvc.length === 1 ? '' : 'es'}`] : []),
        ...(checks.length
          ? [`${checks.filter((d) => d.same).length} of ${checks.length} inputs unchanged before the reruns`]
          : []),
      ].join('; '),
    );
  } else if (checks.some((d) => d.currentHash))
    add(
      'data-hashed',
      'Data hashed',
      'partial',
      `hashed before the reruns (${checks.length} input${checks.length === 1 ? '' : 's'}) but not recorded by the original run`,
    );
  else if (declared.length)
    add(
      'data-hashed',
      'Data hashed',
      declared.some((d) => d.digest) ? 'partial' : 'no',
      `${declared.length} dataset${declared.length === 1 ? '' : 's'} declared by MLflow${declared.some((d) => d.digest) ? ' with digests (not checked against the files)' : ' without digests'}`,
    );
  else
    add(
      'data-hashed',
      'Data hashed',
      ref ? 'no' : 'unknown',
      ref ? 'no data input was recorded' : 'no reference run was recorded',
    );

  // Hardware recorded.
  const hw = ref?.hardware;
  if (hw?.cpu && hw.provenance === 'observed')
    add(
      'hardware-recorded',
      'Hardware recorded',
      'yes',
      `${hw.cpu.model ?? 'CPU'} (${hw.cpu.cores ?? '?'} cores, flags ${hw.cpu.numericsFlags.join(' ') || 'none'}); ${hw.gpus.length ? hw.gpus.map((g) => `${g.model}${g.driver ? ` driver ${g.driver}` : ''}`).join(', ') : 'no GPU'}`,
    );
  else if (hw?.cpu || hw?.gpus.length)
    add('hardware-recorded', 'Hardware recorded', 'partial', 'declared by an imported record, not observed');
  else
    add(
      'hardware-recorded',
      'Hardware recorded',
      ref ? 'no' : 'unknown',
      ref ? 'no hardware facts were recorded' : 'no reference run was recorded',
    );

  // Determinism switches.
  const env = ref?.process.env ?? {};
  const set = DETERMINISM_ENV.filter((k) => env[k] !== undefined).map((k) => `${k}=${env[k]}`);
  const detCalls = findings.filter((f) => f.rule === 'torch-deterministic');
  const detRisks = findings.filter(
    (f) => f.rule === 'torch-nondeterministic' || f.rule === 'cudnn-benchmark' || f.rule === 'builtin-hash',
  );
  // the audit's own pin groups are the auditor's experiment, not switches the project sets: they are not credited
  const detEvidence = [...set, ...detCalls.map((f) => `torch.use_deterministic_algorithms at ${f.file}:${f.line}`)];
  if (detEvidence.length && detRisks.length === 0)
    add('determinism-switches', 'Determinism switches', 'yes', detEvidence.join('; '));
  else if (detEvidence.length)
    add(
      'determinism-switches',
      'Determinism switches',
      'partial',
      `${detEvidence.join('; ')}; but ${detRisks
        .map((f) => `${f.rule} at ${f.file}:${f.line}`)
        .slice(0, 3)
        .join(', ')}`,
    );
  else
    add(
      'determinism-switches',
      'Determinism switches',
      ref ? 'no' : 'unknown',
      detRisks.length
        ? `none set; ${detRisks
            .map((f) => `${f.rule} at ${f.file}:${f.line}`)
            .slice(0, 3)
            .join(', ')}`
        : 'no thread counts, PYTHONHASHSEED or deterministic-algorithm switches were recorded',
    );

  // Repeated runs with variance reported.
  if (!audit)
    add(
      'repeated-runs',
      'Repeated runs with variance reported',
      'no',
      'a single run; audit it to rerun it and measure the spread',
    );
  else {
    const finished = audit.groups.map((g) => ({ g, n: g.reruns.filter((r) => r.status === 'finished').length }));
    const best = finished.reduce((m, x) => Math.max(m, x.n), 0);
    const total = finished.reduce((m, x) => m + x.n, 0);
    const sdReported = Object.values(audit.metrics).some((m) => Object.values(m.groups).some((s) => s.sd !== null));
    if (best >= 2 && sdReported)
      add(
        'repeated-runs',
        'Repeated runs with variance reported',
        'yes',
        `${total} finished reruns in ${finished.filter((x) => x.n > 0).length} group${finished.length === 1 ? '' : 's'}; mean ± sd and 95 % intervals per metric below`,
      );
    else
      add(
        'repeated-runs',
        'Repeated runs with variance reported',
        total ? 'partial' : 'no',
        total
          ? `${total} finished rerun${total === 1 ? '' : 's'}, too few in any group to estimate a spread`
          : 'no rerun finished',
      );
  }
  return items;
}
