/** The shapes the audit phases pass each other: the request, what a campaign prepared, the per-audit shared facts and the campaign options. */
import type { z } from 'zod';
import type { StartAuditInput } from '../../../shared/api/api-audit';
import { type Mlproject, type MlprojectEntryPoint } from '../../../shared/mlflow/mlproject';
import { type Snapshot, type TreeState } from '../../../shared/snapshot/snapshot';
import type { HashPool } from '../../platform/hash-pool';
import type { probePython } from '../../platform/python-probe';
import { type PreparedEnvironment } from '../../platform/python-env';
import { type WorkspaceSource } from '../../platform/workspace';
import { type WorkspaceSlots } from '../../platform/workspace-slots';
import { type Runner } from './runner';

/** What startAudit accepts, after defaults. */
export type AuditRequest = z.output<typeof StartAuditInput>;

/** Everything a campaign needs that is not stored in the audit record itself. */
export interface Prepared {
  source: WorkspaceSource;
  entry: MlprojectEntryPoint;
  project: Mlproject;
  environment: PreparedEnvironment;
  reference: Snapshot | null;
  workRoot: string;
  inspectDir: string | null;
  /** The inspection worktree was brought to the source's state by this preparation and only read since. */
  inspectReady?: boolean;
  /** The data inputs hashed where the reruns read them (empty after a resume: not hashed again). */
  dataInputs?: TreeState[];
}

/** Options of a campaign run. */
export interface CampaignOptions {
  signal?: AbortSignal;
  runner?: Runner;
}

/** Per-audit facts gathered once: the machine (hardware, OS) and the seed scan of the rerun code. */
export interface Shared {
  machine: Promise<{ os: Snapshot['software']['os']; hardware: Snapshot['hardware']; warnings: string[] }>;
  scan: Snapshot['randomness']['scan'] | null;
  hashPool: HashPool;
  probes: Map<string, ReturnType<typeof probePython>>;
  /** Rerun folders reused from one rerun to the next (one per rerun running at once). */
  slots: WorkspaceSlots;
}
