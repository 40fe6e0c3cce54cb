// The shapes every MLflow store reader produces (experiments, raw runs, skips) and the reader interface the import pipeline consumes.
import { createHash } from 'node:crypto';
import type { ImportSkip } from '../../../shared/api/api-import';
import type { MlflowRunRecord } from '../../../shared/mlflow/mlflow-snapshot';
import type { SnapshotSource } from '../../../shared/snapshot/snapshot';

/** An experiment as a store lists it. */
export interface MlflowExperimentInfo {
  id: string;
  name: string | null;
  lifecycleStage: string | null;
  /** The folder holding its runs (file stores), for artifact and model lookups. */
  dir: string | null;
}

/** A folder of a logged model inside the store (MLflow 3's `models/<id>/artifacts`). */
export interface LocalModelDir {
  artifactPath: string;
  modelId: string | null;
  dir: string;
}

/** A run as a reader yields it: the record (without artifacts, models and DVC), and where its files lie on this machine, if anywhere. */
export interface RawMlflowRun {
  record: MlflowRunRecord;
  /** The run's artifact folder inside the store; null when its artifacts are elsewhere (another machine, s3://…). */
  artifactDir: string | null;
  modelDirs: LocalModelDir[];
  /** The reader listed artifactDir (a real folder) and found nothing in it: it needs no hashing. */
  artifactsEmpty?: boolean;
  /** A fingerprint of the run's cheap facts (MlflowReadOptions.storedFingerprint), where the reader makes one. */
  fingerprint?: string | null;
}

/** One item of a reader's stream: a run, or a run left out with the reason. */
export type MlflowReadItem =
  | { kind: 'run'; run: RawMlflowRun }
  /** `fingerprint`: what the skip was decided from (a run deleted in MLflow), to be stored for the next import. */
  | { kind: 'skip'; skip: ImportSkip; fingerprint?: string }
  /** A run whose fingerprint matched the stored one: not read further; `fingerprint`, when given, is to be stored instead. */
  | { kind: 'unchanged'; runId: string; experimentId: string; fingerprint?: string };

/** A readable MLflow store of any kind. */
export interface MlflowStoreReader {
  type: SnapshotSource['type'];
  /** The store as shown and keyed (credentials removed, absolute). */
  location: string;
  /** The folder nothing may be read outside of; null for a server. */
  boundary: string | null;
  experiments: MlflowExperimentInfo[];
  /** Runs the reader expects to yield (for progress), if known. */
  expectedRuns: number | null;
  runs(): AsyncIterable<MlflowReadItem>;
  close(): void;
  /**
   * What proves, when it is the same at a later import, that none of the store's rows changed (an
   * mlflow.db's header and stat, read before anything else); null when the store cannot prove it now;
   * absent for readers that make none.
   */
  storeToken?: string | null;
}

/** What a reader is asked for. */
export interface MlflowReadOptions {
  experiment?: string;
  includeDeleted: boolean;
  timeoutMs: number;
  /** The largest answer a tracking server may give (tests lower it); MAX_RESPONSE_BYTES by default. */
  maxResponseBytes?: number;
  /** Stores of at least this many runs are read with the help of worker threads where a reader can (tests lower it). */
  workersFrom?: number;
  /**
   * The fingerprint stored with a run by an earlier import (salted by the caller), if any: a reader that
   * can fingerprint a run from what MLflow changes with it compares before reading the run's metrics.
   */
  storedFingerprint?: (runId: string) => string | null | undefined;
  /** The fingerprint stored with a run an earlier import skipped (deleted in MLflow), if any (a skip item's). */
  storedSkipFingerprint?: (runId: string) => string | undefined;
  /** Mixed into every fingerprint (the import's digest salt: versions, store). */
  fingerprintSalt?: string;
  /** The source's token recorded by its last import that checked every run (storedSourceToken), if any. */
  storedStoreToken?: string | null;
}

/**
 * A source's token as recorded (salted with the import's digest salt, so another build or store trusts none),
 * marked with whether that import read the runs deleted in MLflow too (D) or left them out (A).
 */
export function storedSourceToken(salt: string, includeDeleted: boolean, token: string): string {
  return `${includeDeleted ? 'D' : 'A'}:${createHash('sha256').update(salt).update(token).digest('base64url')}`;
}

/** Whether an experiment matches the user's --experiment (by id or name). */
export function experimentMatches(exp: { id: string; name: string | null }, wanted: string | undefined): boolean {
  return wanted === undefined || exp.id === wanted || exp.name === wanted;
}

/** The skip of a deleted experiment's runs, unless the user asked for them with --include-deleted; null to import it. */
export function deletedExperimentSkip(
  exp: MlflowExperimentInfo,
  options: Pick<MlflowReadOptions, 'includeDeleted'>,
): ImportSkip | null {
  if (exp.lifecycleStage !== 'deleted' || options.includeDeleted) return null;
  return {
    experimentId: exp.id,
    runId: null,
    reason: `experiment ${exp.name} was deleted in MLflow; use --include-deleted to import its runs`,
  };
}
