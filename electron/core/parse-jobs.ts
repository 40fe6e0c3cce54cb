/** The parses that can be slow on hostile input (MLproject YAML, large JSON), as plain jobs a worker thread can run. */
import fs from 'node:fs';
import path from 'node:path';
import { parseMlproject, type Mlproject } from '../../shared/mlflow/mlproject';
import { parseNonFiniteJson } from '../../shared/snapshot/nonfinite-json';

/** A parse to run: JSON text (NaN/Infinity kept as the API encodes them), or an MLproject with where its files are. */
export type ParseJob =
  | { kind: 'json'; text: string }
  | {
      kind: 'mlproject';
      text: string | null;
      fileName: string | null;
      /** The project folder (a file exists there), or the file names of the project at a commit. */
      files: { dir: string } | { names: string[] };
    };

/** What each kind of job gives back. */
export type ParseResult<J extends ParseJob> = J extends { kind: 'json' } ? unknown : Mlproject;

/** Runs a parse job here and now (the worker runs exactly this). */
export function runParseJob(job: ParseJob): unknown {
  if (job.kind === 'json') return parseNonFiniteJson(job.text);
  const files = job.files;
  const hasFile =
    'dir' in files
      ? (rel: string) => fs.existsSync(path.resolve(files.dir, rel))
      : (rel: string) => files.names.includes(rel);
  return parseMlproject(job.text, job.fileName, hasFile);
}
