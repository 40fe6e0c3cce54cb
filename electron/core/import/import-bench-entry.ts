// The entry scripts/bench/import.mjs bundles: the import and a core to run it against.
export { openCore } from '../core-context';
export { importMlflow } from './import-mlflow';
