// Snapshots and run lists as terminal text: sizes, durations, metric values, tables.
import { formatCommand } from '../mlflow/shell-quote';
import type { RunSummary, Snapshot } from './snapshot';

/** Human-readable byte size (1.5 MiB). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A metric value as text: full precision, NaN and infinities spelled out. */
export function formatMetricValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return String(v);
}

/** A duration in ms as "1.23 s" or "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '?';
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A table of text columns padded to their widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The run list as a table, newest first. */
export function formatRunList(runs: readonly RunSummary[]): string {
  if (runs.length === 0)
    return 'No runs yet. Capture one with `reproscope capture -- python train.py`, audit a project with `reproscope audit DIR`, or import MLflow runs with `reproscope import ./mlruns`.';
  return formatTable(
    ['ID', 'CREATED', 'KIND', 'STATUS', 'NAME', 'COMMAND'],
    runs.map((r) => [
      r.id.slice(0, 8),
      r.createdAt.replace('T', ' ').slice(0, 19),
      r.kind,
      r.exitCode !== null && r.status !== 'finished' ? `${r.status} (${r.exitCode})` : r.status,
      r.name ?? '',
      r.command.length > 60 ? `${r.command.slice(0, 57)}...` : r.command,
    ]),
  );
}

/** A snapshot as readable text, by category in DESIGN.md's order. */
export function formatSnapshotText(s: Snapshot): string {
  const out: string[] = [];
  const kv = (k: string, v: string | number | boolean | null | undefined): void => {
    out.push(`  ${k.padEnd(16)} ${v === null || v === undefined || v === '' ? '—' : String(v)}`);
  };
  out.push(`Run ${s.id}${s.name ? `  "${s.name}"` : ''}`);
  kv('kind', s.kind);
  kv('created', s.createdAt);
  kv('project', s.project.root);
  if (s.source) kv('source', `${s.source.type} ${s.source.location} (run ${s.source.runId})`);
  if (s.mlflowRun)
    kv(
      'mlflow run',
      `${s.mlflowRun.runId} in experiment ${s.mlflowRun.experimentId} at ${s.mlflowRun.trackingUri}${s.mlflowRun.otherRunIds.length > 0 ? ` (+${s.mlflowRun.otherRunIds.length} more)` : ''}`,
    );

  out.push('', 'Code');
  kv('vcs', s.code.vcs + (s.code.provenance === 'declared' ? ' (declared)' : ''));
  if (s.code.vcs === 'git' || s.code.commit) {
    kv('commit', s.code.commit);
    kv('branch', s.code.branch);
    for (const r of s.code.remotes) kv(`remote ${r.name}`, r.url);
    kv('dirty', s.code.dirty === null ? null : s.code.dirty ? 'yes' : 'no');
    if (s.code.patch) kv('patch', `${s.code.patch.split('\n').length} lines uncommitted`);
    kv('untracked', s.code.untracked.length);
    for (const m of s.code.submodules) kv(`submodule`, `${m.path} @ ${m.commit.slice(0, 12)}`);
  } else if (s.code.vcs === 'none') {
    kv('content hash', s.code.contentHash);
    kv('source files', s.code.fileCount);
  }
  if (s.code.note) kv('note', s.code.note);

  out.push('', 'Data');
  if (s.data.inputs.length === 0 && s.data.dvc.length === 0 && s.data.declared.length === 0)
    out.push('  (no data inputs recorded)');
  for (const d of s.data.inputs)
    kv(
      d.path,
      `${d.kind}, ${d.fileCount} files, ${formatBytes(d.totalBytes)}, root ${d.rootHash?.slice(0, 16) ?? '—'}`,
    );
  for (const d of s.data.dvc)
    kv(`dvc ${d.role}`, `${d.path} ${d.hashKind}:${d.hash}${d.matchesDisk === false ? '  (differs on disk)' : ''}`);
  for (const d of s.data.declared)
    kv('dataset', `${d.name}${d.digest ? ` digest ${d.digest}` : ''}${d.source ? ` from ${d.source}` : ''}`);

  out.push('', 'Software');
  const os = s.software.os;
  if (os)
    kv('os', `${os.distro ?? os.platform} ${os.release ?? ''} (${os.kernel ?? '?'}, ${os.arch})`.replace(/ +/g, ' '));
  const py = s.software.python;
  kv(
    'python',
    py.status === 'ok'
      ? `${py.implementation ?? ''} ${py.version} at ${py.executable}`
      : `${py.status}${py.error ? `: ${py.error}` : ''}`,
  );
  if (py.virtualenv) kv('virtualenv', py.virtualenv);
  if (py.conda) kv('conda', py.conda);
  kv('packages', `${s.software.packages.length}${s.software.packagesProvenance === 'declared' ? ' (declared)' : ''}`);
  for (const [lib, facts] of Object.entries(s.software.numerics))
    kv(
      lib,
      Object.entries(facts)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    );
  for (const spec of s.software.envSpecs)
    kv(
      spec.kind,
      `${spec.path} sha256 ${spec.sha256.slice(0, 16)}${spec.provenance === 'declared' ? ' (declared)' : ''}`,
    );

  out.push('', 'Hardware');
  const cpu = s.hardware.cpu;
  if (cpu) {
    kv('cpu', `${cpu.model ?? '?'} (${cpu.cores ?? '?'} cores, ${cpu.physicalCores ?? '?'} physical)`);
    kv('numerics flags', cpu.numericsFlags.join(' '));
  }
  kv('memory', s.hardware.memoryBytes === null ? null : formatBytes(s.hardware.memoryBytes));
  if (s.hardware.gpus.length === 0) kv('gpus', 'none');
  for (const g of s.hardware.gpus)
    kv(
      'gpu',
      `${g.model}${g.memoryMB ? `, ${g.memoryMB} MB` : ''}${g.driver ? `, driver ${g.driver}` : ''}${g.cudaVersion ? `, CUDA ${g.cudaVersion}` : ''}`,
    );
  const virt = s.hardware.virtualization;
  if (virt)
    kv(
      'virtualization',
      [
        virt.virtual
          ? `virtual${virt.hypervisor ? ` (${virt.hypervisor})` : ''}`
          : virt.virtual === false
            ? 'bare metal'
            : null,
        virt.container ? `container ${virt.container}` : null,
      ]
        .filter(Boolean)
        .join(', ') || null,
    );

  out.push('', 'Randomness');
  if (s.randomness.seeds.length === 0) kv('seeds', 'none found');
  for (const seed of s.randomness.seeds) kv(`seed (${seed.source})`, `${seed.name} = ${seed.value}`);
  kv('PYTHONHASHSEED', s.randomness.pythonHashSeed ?? 'unset (random per process)');
  kv(
    'seed scan',
    s.randomness.scan.status === 'ok'
      ? `${s.randomness.scan.filesScanned} files, ${s.randomness.scan.findings.length} findings`
      : `${s.randomness.scan.status}${s.randomness.scan.error ? `: ${s.randomness.scan.error}` : ''}`,
  );
  if (s.randomness.scan.suppressed)
    kv('suppressed', `${s.randomness.scan.suppressed} findings (comments or .reproscope.yaml)`);
  for (const f of s.randomness.scan.findings) {
    const mark = f.kind === 'risk' ? '!' : f.kind === 'note' ? '~' : '·';
    out.push(`    ${mark} ${f.file}:${f.line}${f.column ? `:${f.column}` : ''}  ${f.rule}  ${f.message}`);
    if (f.code) out.push(`        | ${f.code.trim()}`);
    if (f.fix && f.kind !== 'seed') out.push(`        fix: ${f.fix}`);
  }

  out.push('', 'Process');
  kv('command', formatCommand(s.process.argv));
  kv('cwd', s.process.cwd);
  if (s.process.entryPoint) kv('entry point', s.process.entryPoint);
  for (const [k, v] of Object.entries(s.process.parameters)) kv(`param ${k}`, v);
  for (const [k, v] of Object.entries(s.process.env)) kv(`env ${k}`, v);
  if (s.process.withheld.length) kv('withheld', `${s.process.withheld.join(', ')} (looked like secrets)`);
  kv('user@host', `${s.process.user ?? '?'}@${s.process.hostname ?? '?'}`);
  kv('started', s.process.startedAt);
  kv('duration', formatDuration(s.process.durationMs));

  out.push('', 'Outcome');
  kv(
    'status',
    `${s.outcome.status}${s.outcome.exitCode !== null ? ` (exit ${s.outcome.exitCode})` : ''}${s.outcome.signal ? ` (signal ${s.outcome.signal})` : ''}`,
  );
  if (s.outcome.error) kv('error', s.outcome.error);
  for (const [k, m] of Object.entries(s.outcome.metrics))
    kv(k, `${formatMetricValue(m.value)}${m.history ? `  (${m.history.length} steps)` : ''}`);
  for (const a of s.outcome.artifacts)
    kv(`artifact`, `${a.path} ${a.fileCount} files, root ${a.rootHash?.slice(0, 16) ?? '—'}`);
  const { stdout, stderr } = s.outcome.logs;
  if (stdout || stderr)
    kv(
      'logs',
      `stdout ${formatBytes(stdout?.bytes ?? 0)}${stdout?.truncated ? ' (cut)' : ''}, stderr ${formatBytes(stderr?.bytes ?? 0)}${stderr?.truncated ? ' (cut)' : ''}`,
    );

  if (s.warnings.length) {
    out.push('', 'Warnings');
    for (const w of s.warnings) out.push(`  ${w}`);
  }
  return out.join('\n');
}
