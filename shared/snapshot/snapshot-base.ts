// The snapshot's format version, its six categories and an empty snapshot: no schema, so code that only makes snapshots
// (capture before its command starts, issue 13) loads no zod. snapshot.ts re-exports all of it.
import { emptyRecord } from '../records';
import type { PythonInfo, Snapshot } from './snapshot';

/** The snapshot format version written by this build. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** The six factor categories, in the fixed order every view and report uses. */
export const CATEGORIES = ['code', 'data', 'software', 'hardware', 'randomness', 'process'] as const;

/** One of the six factor categories. */
export type Category = (typeof CATEGORIES)[number];

/** An interpreter of which only what was asked for and its status are known (not probed, missing, or a failed probe). */
export function blankPython(requested: string | null, status: PythonInfo['status'], error: string | null): PythonInfo {
  return {
    status,
    requested,
    executable: null,
    version: null,
    implementation: null,
    prefix: null,
    basePrefix: null,
    virtualenv: null,
    conda: null,
    error,
  };
}

/** An empty snapshot with every category present and unknown; capture and import fill it in. */
export function emptySnapshot(id: string, kind: Snapshot['kind'], createdAt: string): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id,
    name: null,
    kind,
    createdAt,
    project: { root: null, name: null },
    auditId: null,
    source: null,
    code: {
      vcs: 'unknown',
      provenance: 'observed',
      root: null,
      commit: null,
      branch: null,
      remotes: [],
      dirty: null,
      patch: null,
      untracked: [],
      submodules: [],
      contentHash: null,
      fileCount: null,
      note: null,
    },
    data: { inputs: [], dvc: [], declared: [] },
    software: {
      os: null,
      python: blankPython(null, 'not-probed', null),
      packages: [],
      packagesProvenance: 'observed',
      numerics: emptyRecord(),
      envSpecs: [],
    },
    hardware: { cpu: null, memoryBytes: null, gpus: [], virtualization: null, provenance: 'observed' },
    randomness: {
      seeds: [],
      pythonHashSeed: null,
      scan: { status: 'skipped', filesScanned: 0, error: null, findings: [] },
    },
    process: {
      argv: [],
      cwd: null,
      entryPoint: null,
      parameters: emptyRecord(),
      env: emptyRecord(),
      withheld: [],
      user: null,
      hostname: null,
      startedAt: null,
      endedAt: null,
      durationMs: null,
      pid: null,
    },
    outcome: {
      status: 'unknown',
      exitCode: null,
      signal: null,
      metrics: emptyRecord(),
      artifacts: [],
      logs: { stdout: null, stderr: null },
      error: null,
    },
    tags: emptyRecord(),
    warnings: [],
  };
}
