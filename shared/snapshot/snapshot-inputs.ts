// A snapshot's code and data categories: file manifests, tree states, the git state, DVC entries, declared datasets, and where a fact came from.
import { z } from 'zod';

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
