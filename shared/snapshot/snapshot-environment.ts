// A snapshot's software, hardware, randomness and process categories: packages, interpreter, specs, CPUs and GPUs, seeds and seed-scan findings, command and environment.
import { z } from 'zod';
import { nameRecordSchema } from '../records-schema';
import { ProvenanceSchema } from './snapshot-inputs';

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
  numerics: nameRecordSchema(nameRecordSchema(z.string())),
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
  parameters: nameRecordSchema(z.string()),
  /** Recorded environment variables (allowlist only; secrets never). */
  env: nameRecordSchema(z.string()),
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
