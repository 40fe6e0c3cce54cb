// The import operation of the contract: brings an MLflow store's runs in as snapshots, with progress.
import { importMlflow } from './import-mlflow';
import type { Impl } from '../operation-types';

/** The import operations: bring an MLflow store's runs in as snapshots, with progress on the event stream. */
export const importOperations: { importMlflow: Impl<'importMlflow'> } = {
  importMlflow: (input, ctx) => importMlflow(ctx, input),
};
