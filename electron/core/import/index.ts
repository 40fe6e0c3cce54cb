/** The import feature's public face: importing an MLflow store (file, SQLite or REST) into the store. */
export { importOperations } from './import-operations';
/** Opens an MLflow store of any kind for reading (capture reads the runs a command logged through it). */
export { openMlflowStore } from './import-mlflow';
export type { MlflowStoreReader, RawMlflowRun } from './import-mlflow-types';
