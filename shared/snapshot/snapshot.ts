import { z } from 'zod';

/**
 * The snapshot model: the record of one run, in DESIGN.md's six categories plus its outcome.
 * Every snapshot carries `schemaVersion`; a stored snapshot is parsed with `SnapshotSchema`
 * before use, so a newer or damaged record is refused instead of half-read.
 */

/** The snapshot format version written by this build. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** The six factor categories, in the fixed order every view and report uses. */
export const CATEGORIES = ['code', 'data', 'software', 'hardware', 'randomness', 'process'] as const;

/** One of the six factor categories. */
export type Category = (typeof CATEGORIES)[number];

/** Where a fact came from: seen on this machine, or only declared by a foreign record (an MLflow import). */
export const ProvenanceSchema = z.enum(['observed', 'declared']);

/** One file of a data manifest or of the untracked files: a relative path with its size and hash, or a symlink. */
export const FileEntrySchema = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
  linkTarget: z.string().optional(),
  /** For MLflow's own files (MLmodel, meta.yaml): the hash without their per-run fields (shared/audit/outputs.ts). */
  normalizedSha256: z.string().optional(),
});
/** One manifest entry. */
export type FileEntry = z.infer<typeof FileEntrySchema>;

/** The hashed state of one input or output path (a file or a folder). */
export const TreeStateSchema = z.object({
  path: z.string(),
  absPath: z.string(),
  kind: z.enum(['file', 'dir', 'missing']),
  rootHash: z.string().nullable(),
  fileCount: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
  files: z.array(FileEntrySchema),
});
/** One hashed data input or output. */
export type TreeState = z.infer<typeof TreeStateSchema>;

export const CodeStateSchema = z.object({
  vcs: z.enum(['git', 'none', 'unknown']),
  provenance: ProvenanceSchema,
  root: z.string().nullable(),
  commit: z.string().nullable(),
  branch: z.string().nullable(),
  remotes: z.array(z.object({ name: z.string(), url: z.string() })),
  dirty: z.boolean().nullable(),
  /** `git diff HEAD` of tracked files (binary-safe), null when clean or unknown. */
  patch: z.string().nullable(),
  untracked: z.array(FileEntrySchema),
  submodules: z.array(z.object({ path: z.string(), commit: z.string() })),
  /** For a folder outside git: a hash over its source files. */
  contentHash: z.string().nullable(),
  fileCount: z.number().int().nonnegative().nullable(),
  note: z.string().nullable(),
});
/** The code category. */
export type CodeState = z.infer<typeof CodeStateSchema>;

export const DvcEntrySchema = z.object({
  stage: z.string(),
  role: z.enum(['dep', 'out']),
  path: z.string(),
  /** DVC's recorded hash (md5 or etag) and its kind. */
  hash: z.string(),
  hashKind: z.string(),
  size: z.number().int().nonnegative().nullable(),
  /** Whether the file on disk still matches DVC's record; null when it was not checked. */
  matchesDisk: z.boolean().nullable(),
  note: z.string().nullable(),
});
/** One DVC-recorded dependency or output. */
export type DvcEntry = z.infer<typeof DvcEntrySchema>;

export const DeclaredDatasetSchema = z.object({
  name: z.string(),
  digest: z.string().nullable(),
  source: z.string().nullable(),
  sourceType: z.string().nullable(),
  schema: z.string().nullable(),
  context: z.string().nullable(),
});
/** A dataset an MLflow run declared as an input (not hashed by reproscope). */
export type DeclaredDataset = z.infer<typeof DeclaredDatasetSchema>;

export const DataStateSchema = z.object({
  inputs: z.array(TreeStateSchema),
  dvc: z.array(DvcEntrySchema),
  declared: z.array(DeclaredDatasetSchema),
});
/** The data category. */
export type DataState = z.infer<typeof DataStateSchema>;

export const PackageSchema = z.object({
  name: z.string(),
  version: z.string(),
  installer: z.string().nullable(),
  editable: z.boolean(),
});
/** One installed Python distribution. */
export type Package = z.infer<typeof PackageSchema>;

export const PythonInfoSchema = z.object({
  /** ok: the probe answered; missing: no such interpreter; failed: it ran but the probe broke. */
  status: z.enum(['ok', 'missing', 'failed', 'not-probed']),
  requested: z.string().nullable(),
  executable: z.string().nullable(),
  version: z.string().nullable(),
  implementation: z.string().nullable(),
  prefix: z.string().nullable(),
  basePrefix: z.string().nullable(),
  virtualenv: z.string().nullable(),
  conda: z.string().nullable(),
  error: z.string().nullable(),
});
/** The Python interpreter that ran (or would run) the experiment. */
export type PythonInfo = z.infer<typeof PythonInfoSchema>;

export const EnvSpecSchema = z.object({
  path: z.string(),
  kind: z.string(),
  sha256: z.string(),
  content: z.string(),
  provenance: ProvenanceSchema,
});
/** An environment specification file (requirements, python_env, conda, lock files). */
export type EnvSpec = z.infer<typeof EnvSpecSchema>;

export const SoftwareStateSchema = z.object({
  os: z
    .object({
      platform: z.string(),
      distro: z.string().nullable(),
      release: z.string().nullable(),
      kernel: z.string().nullable(),
      arch: z.string(),
    })
    .nullable(),
  python: PythonInfoSchema,
  packages: z.array(PackageSchema),
  packagesProvenance: ProvenanceSchema,
  /** Build facts of numerics libraries, by library: e.g. numpy → {version, blas, lapack}. */
  numerics: z.record(z.string(), z.record(z.string(), z.string())),
  envSpecs: z.array(EnvSpecSchema),
});
/** The software category. */
export type SoftwareState = z.infer<typeof SoftwareStateSchema>;

export const GpuSchema = z.object({
  vendor: z.string().nullable(),
  model: z.string(),
  memoryMB: z.number().nullable(),
  driver: z.string().nullable(),
  cudaVersion: z.string().nullable(),
});
/** One GPU. */
export type Gpu = z.infer<typeof GpuSchema>;

export const HardwareStateSchema = z.object({
  cpu: z
    .object({
      vendor: z.string().nullable(),
      model: z.string().nullable(),
      cores: z.number().int().nullable(),
      physicalCores: z.number().int().nullable(),
      /** The instruction-set flags that change floating-point results (sse4_2, avx, avx2, fma, avx512*…). */
      numericsFlags: z.array(z.string()),
    })
    .nullable(),
  memoryBytes: z.number().nullable(),
  gpus: z.array(GpuSchema),
  virtualization: z
    .object({
      virtual: z.boolean().nullable(),
      hypervisor: z.string().nullable(),
      container: z.string().nullable(),
    })
    .nullable(),
  provenance: ProvenanceSchema,
});
/** The hardware category. */
export type HardwareState = z.infer<typeof HardwareStateSchema>;

export const SeedSchema = z.object({
  source: z.enum(['argv', 'parameter', 'env']),
  name: z.string(),
  value: z.string(),
});
/** A seed value found in the command line, the parameters or the environment. */
export type Seed = z.infer<typeof SeedSchema>;

export const SeedFindingSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  /** 1-based column of the call; absent in snapshots recorded before columns were kept. */
  column: z.number().int().optional(),
  rule: z.string(),
  /** `seed`: sets a seed; `risk`: an uncontrolled random source; `note`: worth knowing, not a varying source by itself. */
  kind: z.enum(['seed', 'risk', 'note']),
  message: z.string(),
  /** The source line itself (trimmed), so a report shows it without the code. */
  code: z.string().optional(),
  /** How to control the source. */
  fix: z.string().optional(),
});
/** One seed-scan finding: a seed-setting call, a risk or a note, with file, line, column and the code line. */
export type SeedFinding = z.infer<typeof SeedFindingSchema>;

export const RandomnessStateSchema = z.object({
  seeds: z.array(SeedSchema),
  pythonHashSeed: z.string().nullable(),
  scan: z.object({
    status: z.enum(['ok', 'skipped', 'failed']),
    filesScanned: z.number().int().nonnegative(),
    error: z.string().nullable(),
    findings: z.array(SeedFindingSchema),
    /** Findings silenced by `# reproscope: ignore[rule]` comments or the project's `.reproscope.yaml`. */
    suppressed: z.number().int().nonnegative().optional(),
  }),
});
/** The randomness category. */
export type RandomnessState = z.infer<typeof RandomnessStateSchema>;

export const ProcessStateSchema = z.object({
  argv: z.array(z.string()),
  cwd: z.string().nullable(),
  entryPoint: z.string().nullable(),
  parameters: z.record(z.string(), z.string()),
  /** Recorded environment variables (allowlist only; secrets never). */
  env: z.record(z.string(), z.string()),
  /** Names of variables that were asked for but withheld because their value looked like a secret. */
  withheld: z.array(z.string()),
  user: z.string().nullable(),
  hostname: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  pid: z.number().int().nullable(),
});
/** The process category. */
export type ProcessState = z.infer<typeof ProcessStateSchema>;

/** Any number including NaN and ±Infinity (zod's z.number() refuses them, but metrics can be non-finite). */
export const AnyNumberSchema = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });

export const MetricPointSchema = z.object({
  step: z.number(),
  value: AnyNumberSchema,
  timestamp: z.number().nullable(),
});

export const MetricSchema = z.object({
  /** The last value (NaN and ±Infinity are kept as such in memory; JSON carries them as strings). */
  value: AnyNumberSchema,
  history: z.array(MetricPointSchema).nullable(),
  source: z.string(),
});
/** One metric: its last value, its history where known, and where it was read. */
export type Metric = z.infer<typeof MetricSchema>;

export const BlobRefSchema = z.object({
  /** SHA-256 of the stored (possibly truncated) bytes; the key in the store's blob table. */
  blob: z.string(),
  bytes: z.number().int().nonnegative(),
  storedBytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
  cap: z.number().int().nonnegative(),
});
/** A reference to a log kept in the store's blob table. */
export type BlobRef = z.infer<typeof BlobRefSchema>;

export const OutcomeSchema = z.object({
  status: z.enum(['finished', 'failed', 'interrupted', 'running', 'unknown']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  metrics: z.record(z.string(), MetricSchema),
  artifacts: z.array(TreeStateSchema),
  logs: z.object({ stdout: BlobRefSchema.nullable(), stderr: BlobRefSchema.nullable() }),
  error: z.string().nullable(),
});
/** What the run produced. */
export type Outcome = z.infer<typeof OutcomeSchema>;

export const SnapshotSourceSchema = z.object({
  type: z.enum(['mlflow-file', 'mlflow-sqlite', 'mlflow-server']),
  /** The store as the user named it (credentials removed). */
  location: z.string(),
  experimentId: z.string(),
  experimentName: z.string().nullable(),
  runId: z.string(),
  lifecycleStage: z.string().nullable(),
});
/** Where an imported snapshot came from. */
export type SnapshotSource = z.infer<typeof SnapshotSourceSchema>;

export const MlflowRunLinkSchema = z.object({
  /** The tracking store the command logged to, as reproscope read it (credentials removed). */
  trackingUri: z.string(),
  storeType: SnapshotSourceSchema.shape.type,
  experimentId: z.string(),
  /** The MLflow run this snapshot is (the first top-level run the command created). */
  runId: z.string(),
  runName: z.string().nullable(),
  /** MLflow's status of the run: FINISHED, FAILED, KILLED, RUNNING. */
  status: z.string().nullable(),
  /** Other runs the command created (nested runs, sweeps); their metrics carry `<run name>/` before the name. */
  otherRunIds: z.array(z.string()),
});
/** The MLflow run a captured command logged to. */
export type MlflowRunLink = z.infer<typeof MlflowRunLinkSchema>;

export const SnapshotSchema = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  id: z.string(),
  name: z.string().nullable(),
  kind: z.enum(['capture', 'rerun', 'import']),
  createdAt: z.string(),
  project: z.object({ root: z.string().nullable(), name: z.string().nullable() }),
  auditId: z.string().nullable(),
  source: SnapshotSourceSchema.nullable(),
  /** For a capture: the MLflow run the command logged to (absent in snapshots from before, or when it logged none). */
  mlflowRun: MlflowRunLinkSchema.nullable().optional(),
  code: CodeStateSchema,
  data: DataStateSchema,
  software: SoftwareStateSchema,
  hardware: HardwareStateSchema,
  randomness: RandomnessStateSchema,
  process: ProcessStateSchema,
  outcome: OutcomeSchema,
  tags: z.record(z.string(), z.string()),
  /** Things that could not be captured, each a sentence. */
  warnings: z.array(z.string()),
});
/** The record of one run. */
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** The summary row of a snapshot used by lists (Runs view, `reproscope runs`). */
export const RunSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  kind: SnapshotSchema.shape.kind,
  project: z.string().nullable(),
  createdAt: z.string(),
  status: OutcomeSchema.shape.status,
  exitCode: z.number().int().nullable(),
  commit: z.string().nullable(),
  command: z.string(),
  auditId: z.string().nullable(),
  metrics: z.record(z.string(), AnyNumberSchema),
  /** The run's parameters (process.parameters). */
  params: z.record(z.string(), z.string()).optional(),
  /** The run's tags (long values cut to 500 characters). */
  tags: z.record(z.string(), z.string()).optional(),
  /** In a list with reruns grouped: the number of this audit's reruns that matched, this row standing for them. */
  groupSize: z.number().int().optional(),
});
/** One row of the run list. */
export type RunSummary = z.infer<typeof RunSummarySchema>;

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
      python: {
        status: 'not-probed',
        requested: null,
        executable: null,
        version: null,
        implementation: null,
        prefix: null,
        basePrefix: null,
        virtualenv: null,
        conda: null,
        error: null,
      },
      packages: [],
      packagesProvenance: 'observed',
      numerics: {},
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
      parameters: {},
      env: {},
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
      metrics: {},
      artifacts: [],
      logs: { stdout: null, stderr: null },
      error: null,
    },
    tags: {},
    warnings: [],
  };
}
