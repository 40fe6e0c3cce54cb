// Writes MLflow stores as MLflow does (file-store folders, an mlflow.db with its schema) for import tests.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { writeFiles } from './temp';

/** Writes an experiment folder of an MLflow file store (meta.yaml as MLflow's yaml.safe_dump writes it). */
export function writeExperiment(
  root: string,
  id: string,
  name: string,
  options: { lifecycle?: string; trashed?: boolean; idAsInt?: boolean } = {},
): string {
  const dir = path.join(root, ...(options.trashed ? ['.trash', id] : [id]));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'meta.yaml'),
    [
      `artifact_location: file://${dir}`,
      'creation_time: 1717300988890',
      `experiment_id: ${options.idAsInt ? id : `'${id}'`}`,
      'last_update_time: 1717300988890',
      `lifecycle_stage: ${options.lifecycle ?? (options.trashed ? 'deleted' : 'active')}`,
      `name: ${name}`,
      '',
    ].join('\n'),
  );
  return dir;
}

/** What a test run holds. */
export interface FileRunSpec {
  expDir: string;
  runId: string;
  experimentId: string;
  status?: number;
  lifecycle?: string | null;
  artifactUri?: string;
  startTime?: number;
  endTime?: number | null;
  /** Extra meta.yaml lines (MLflow 1.x's `name:`, `source_type:` …). */
  extraMeta?: string[];
  params?: Record<string, string>;
  tags?: Record<string, string>;
  /** Metric files as MLflow writes them: lines of `timestamp value [step …]`. */
  metrics?: Record<string, string>;
  artifacts?: Record<string, string>;
}

/** Writes a run folder in MLflow's file store format. */
export function writeFileRun(spec: FileRunSpec): string {
  const dir = path.join(spec.expDir, spec.runId);
  const meta = [
    `artifact_uri: ${spec.artifactUri ?? `file://${dir}/artifacts`}`,
    `end_time: ${spec.endTime === undefined ? 1717300999000 : spec.endTime === null ? 'null' : spec.endTime}`,
    "entry_point_name: ''",
    `experiment_id: '${spec.experimentId}'`,
    ...(spec.lifecycle === null ? [] : [`lifecycle_stage: ${spec.lifecycle ?? 'active'}`]),
    `run_id: ${spec.runId}`,
    `run_name: run-${spec.runId.slice(0, 6)}`,
    `run_uuid: ${spec.runId}`,
    "source_name: ''",
    'source_type: 4',
    "source_version: ''",
    `start_time: ${spec.startTime ?? 1717300990000}`,
    `status: ${spec.status ?? 3}`,
    'tags: []',
    'user_id: tester',
    ...(spec.extraMeta ?? []),
    '',
  ];
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'meta.yaml'), meta.join('\n'));
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.params ?? {})) files[`params/${k}`] = v;
  for (const [k, v] of Object.entries(spec.tags ?? {})) files[`tags/${k}`] = v;
  for (const [k, v] of Object.entries(spec.metrics ?? {})) files[`metrics/${k}`] = v;
  for (const [k, v] of Object.entries(spec.artifacts ?? {})) files[`artifacts/${k}`] = v;
  writeFiles(dir, files);
  for (const sub of ['params', 'metrics', 'tags']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  return dir;
}

/** MLflow 2.x's tracking tables as SQLAlchemy creates them; options give older and newer variants. */
export function createMlflowDb(
  file: string,
  options: { legacyMetrics?: boolean; workspace?: boolean; noIndex?: boolean } = {},
): Database.Database {
  const db = new Database(file);
  const ws = options.workspace ? ", workspace VARCHAR(64) DEFAULT 'default'" : '';
  db.exec(`
CREATE TABLE experiments (experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT${ws}, CONSTRAINT experiment_pk PRIMARY KEY (experiment_id), UNIQUE (name));
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20), source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER, deleted_time BIGINT${ws}, CONSTRAINT run_pk PRIMARY KEY (run_uuid));
CREATE TABLE tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(5000), run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY ("key", run_uuid));
CREATE TABLE params ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY ("key", run_uuid));
${
  options.legacyMetrics
    ? 'CREATE TABLE metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY ("key", timestamp, run_uuid));'
    : `CREATE TABLE metrics ("key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL, PRIMARY KEY ("key", timestamp, step, run_uuid, value, is_nan));`
}
CREATE TABLE datasets (dataset_uuid VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, name VARCHAR(500) NOT NULL, digest VARCHAR(36) NOT NULL, dataset_source_type VARCHAR(36) NOT NULL, dataset_source TEXT NOT NULL, dataset_schema TEXT, dataset_profile TEXT, PRIMARY KEY (experiment_id, name, digest));
CREATE TABLE inputs (input_uuid VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT NULL, source_id VARCHAR(36) NOT NULL, destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) NOT NULL, PRIMARY KEY (source_type, source_id, destination_type, destination_id));
CREATE TABLE input_tags (input_uuid VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL, value VARCHAR(500) NOT NULL, PRIMARY KEY (input_uuid, name));
${options.noIndex ? '' : 'CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid);'}
`);
  return db;
}

/** Inserts a run row by column name (so variants with extra columns work). */
export function insertRun(
  db: Database.Database,
  row: {
    run_uuid: string;
    experiment_id: number;
    status?: string;
    name?: string;
    lifecycle_stage?: string;
    artifact_uri?: string;
    start_time?: number;
    end_time?: number | null;
  },
): void {
  db.prepare(
    `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id)
    VALUES (@run_uuid, @name, 'UNKNOWN', '', '', 'tester', @status, @start_time, @end_time, '', @lifecycle_stage, @artifact_uri, @experiment_id)`,
  ).run({
    name: `run-${row.run_uuid.slice(0, 6)}`,
    status: 'FINISHED',
    lifecycle_stage: 'active',
    artifact_uri: `s3://bucket/${row.run_uuid}/artifacts`,
    start_time: 1717300990000,
    end_time: 1717300999000,
    ...row,
  });
}
