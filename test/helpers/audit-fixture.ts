// Synthetic audits and hostile snapshots built from numbers, for report tests and the report bench.
import {
  AuditSchema,
  type Audit,
  type AuditGroup,
  type GroupName,
  type OutputFile,
  type Rerun,
} from '../../shared/audit/audit';
import { summarize } from '../../shared/audit/statistics';
import { emptySnapshot, type Snapshot } from '../../shared/snapshot/snapshot';

/**
 * A finished audit built from numbers, for report tests and the report bench: groups `baseline`
 * and `seeds` (and `pin:hashseed` when asked) with deterministic metric values, statistics from
 * shared/statistics.ts, a verdict and sources. It is parsed with AuditSchema, so it is a valid record.
 */
export function syntheticAudit(options: {
  reruns: number;
  referenceRunId: string | null;
  /** The run id of the i-th rerun of a group (null: not stored). */
  runId?: (group: string, i: number) => string | null;
  projectName?: string;
  metricName?: string;
  reference?: number;
}): Audit {
  const metric = options.metricName ?? 'accuracy';
  const reference = options.reference ?? 0.9123;
  const perGroup = Math.max(1, Math.floor(options.reruns / 2));
  const groupDefs = [
    { name: 'baseline' as const, description: 'the original command, rerun as is', spread: 0.002 },
    { name: 'seeds' as const, description: 'distinct values of the seed parameter seed', spread: 0.008 },
  ];
  const groups = groupDefs.map((g, gi) => ({
    name: g.name,
    description: g.description,
    reruns: Array.from({ length: gi === 0 ? perGroup : options.reruns - perGroup }, (_, i) => {
      const v = reference + g.spread * Math.sin(i * 1.7 + gi);
      return {
        runId: options.runId?.(g.name, i) ?? null,
        index: i,
        status: 'finished' as const,
        env: g.name === 'baseline' ? {} : { PYTHONHASHSEED: String(i) },
        seed: g.name === 'seeds' ? String(100 + i) : '1',
        parameters: g.name === 'seeds' ? { seed: String(100 + i) } : {},
        exitCode: 0,
        error: null,
        durationMs: 1000 + i,
        metrics: { [metric]: v, loss: 0.3 - (v - reference) },
        artifactsHash: null,
      };
    }),
  }));
  const tolerance = { metric, kind: 'abs' as const, value: 0.01 };
  const metrics = Object.fromEntries(
    [metric, 'loss'].map((name) => {
      const ref = name === metric ? reference : 0.3;
      const base = groups[0]!.reruns.map((r) => r.metrics[name]!);
      const stats = Object.fromEntries(
        groups.map((g) => {
          const s = summarize(g.reruns.map((r) => r.metrics[name]!));
          return [
            g.name,
            {
              ...s,
              ksVsBaseline: g.name === 'baseline' ? null : { statistic: 0.4, pValue: 0.2, df: null },
              welchVsBaseline: null,
            },
          ];
        }),
      );
      const maxAbsDiff = Math.max(...base.map((v) => Math.abs(v - ref)));
      const pi = stats.baseline!.pi95;
      return [
        name,
        {
          reference: ref,
          groups: stats,
          tolerance: name === metric ? tolerance : null,
          maxAbsDiff,
          withinTolerance: name === metric ? maxAbsDiff <= tolerance.value : null,
          referenceInPi95: pi ? ref >= pi[0] && ref <= pi[1] : null,
        },
      ];
    }),
  );
  const raw = {
    schemaVersion: 1,
    id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    project: { location: '/work/projects/iris', kind: 'folder', name: options.projectName ?? 'iris-classifier' },
    entryPoint: 'main',
    commit: 'f'.repeat(40),
    parameters: { seed: '1', max_iter: '200' },
    envManager: 'local',
    command: 'python train.py --seed 1 --max-iter 200',
    createdAt: '2024-06-01T10:00:00.000Z',
    updatedAt: '2024-06-01T10:20:00.000Z',
    finishedAt: '2024-06-01T10:20:00.000Z',
    status: 'finished',
    referenceRunId: options.referenceRunId,
    referenceKind: 'original',
    plan: {
      repeats: perGroup,
      vary: ['seed'],
      tolerances: [tolerance],
      jobs: 2,
      timeoutS: null,
      seedParam: 'seed',
      metricsFiles: [],
      dataPaths: ['data'],
      strictData: false,
      python: null,
      pipOptions: [],
    },
    groups,
    metrics,
    verdict: 'reproduced-within-tolerance',
    explanation: `every baseline rerun of ${metric} is within ±0.01 of the reference ${reference}`,
    sources: [
      {
        category: 'randomness',
        factor: 'param:seed',
        kind: 'varied',
        rank: 1,
        effect: `the seed moves ${metric} by up to 0.008 (4× the baseline spread)`,
        effects: [{ metric, absolute: 0.006, relativeToSeedSpread: 1, before: 0.0014, after: 0.0057 }],
        evidence: ['sd of the seeds group 0.0057 against 0.0014 in the baseline', 'KS p = 0.2'],
      },
    ],
    dataChecks: [{ path: 'data', originalHash: 'ab'.repeat(32), currentHash: 'ab'.repeat(32), same: true }],
    workspace: { kind: 'folder', repoRoot: null, subdir: null, patchBlob: null, cwd: '/work/projects/iris' },
    loggedParameters: { seed: '1', max_iter: '200' },
    warnings: [],
    error: null,
  };
  return AuditSchema.parse(raw);
}

/** A rerun snapshot derived from a reference: same machine and code, its own id, a PYTHONHASHSEED and other metric values. */
export function rerunSnapshotOf(reference: Snapshot, id: string, auditId: string, hashSeed: string | null): Snapshot {
  const s: Snapshot = structuredClone(reference);
  s.id = id;
  s.kind = 'rerun';
  s.auditId = auditId;
  s.name = null;
  if (hashSeed !== null) {
    s.process.env = { ...s.process.env, PYTHONHASHSEED: hashSeed };
    s.randomness.pythonHashSeed = hashSeed;
  }
  s.process.cwd = `/tmp/reproscope-rerun-${id.slice(0, 8)}`;
  return s;
}

/** A small snapshot with every category filled, for escaping tests: every string a run can carry is `evil`. */
export function hostileSnapshot(id: string, evil: string): Snapshot {
  const s = emptySnapshot(id, 'capture', '2024-06-01T00:00:00.000Z');
  s.name = evil;
  s.project = { root: `/p/${evil}`, name: evil };
  s.code = {
    ...s.code,
    vcs: 'git',
    commit: 'c'.repeat(40),
    branch: evil,
    dirty: true,
    patch: `diff --git a/x b/x\n+${evil}\n`,
    untracked: [{ path: evil, size: 1, sha256: 'd'.repeat(64) }],
  };
  s.data.inputs = [
    {
      path: evil,
      absPath: `/d/${evil}`,
      kind: 'dir',
      rootHash: id.repeat(8).slice(0, 64),
      fileCount: 1,
      totalBytes: 1,
      files: [{ path: `${evil}.csv`, size: 1, sha256: id.repeat(8).slice(0, 64) }],
    },
  ];
  s.software.packages = [
    { name: evil, version: `1.0${id === 'a'.repeat(32) ? '' : '.1'}`, installer: 'pip', editable: false },
  ];
  s.software.envSpecs = [
    {
      path: 'requirements.txt',
      kind: 'requirements',
      sha256: id,
      content: `${evil}==${id.slice(0, 1)}\n`,
      provenance: 'observed',
    },
  ];
  s.randomness.scan = {
    status: 'ok',
    filesScanned: 1,
    error: null,
    findings: [{ file: evil, line: 3, rule: evil, kind: 'risk', message: evil }],
  };
  s.randomness.seeds = [{ source: 'parameter', name: evil, value: id.slice(0, 1) }];
  s.process = {
    ...s.process,
    argv: ['python', evil],
    parameters: { [evil]: `${evil}${id.slice(0, 1)}` },
    env: { LANG: evil },
  };
  s.outcome.metrics = { [evil]: { value: id.startsWith('a') ? 1 : 2, history: null, source: evil } };
  return s;
}

/** A finished rerun with these metrics (and output files), for the verdict's and the sources' rules. */
export function finishedRerun(index: number, metrics: Record<string, number>, outputs: OutputFile[] = []): Rerun {
  return {
    runId: `r${index}`,
    index,
    status: 'finished',
    env: {},
    seed: null,
    parameters: {},
    exitCode: 0,
    error: null,
    durationMs: 10,
    metrics,
    artifactsHash: null,
    outputs,
  };
}

/** A group of finished reruns, one per row of metrics. */
export function rerunGroup(name: GroupName, rows: Record<string, number>[]): AuditGroup {
  return { name, description: '', reruns: rows.map((m, i) => finishedRerun(i, m)) };
}

/** One metric's values as rows for rerunGroup. */
export function metricColumn(metric: string, values: number[]): Record<string, number>[] {
  return values.map((v) => ({ [metric]: v }));
}
