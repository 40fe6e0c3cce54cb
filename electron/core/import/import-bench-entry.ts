// The entry scripts/bench/import.mjs bundles: the import and a core to run it against.
export { openCore } from '../core-context';
export { importMlflow } from './import-mlflow';
// and the per-run metrics read exactly as the import's prefetch worker does it, for the bench's floor
export { metricColumns, perRunMetricsSql } from './import-sqlite-metrics';
export { metricColumnsOf } from './import-sqlite-columns';
export { columnsOf } from './import-sqlite-schema';
