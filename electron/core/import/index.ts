/** The import feature's public face: importing an MLflow store (file, SQLite or REST) into the store. */
export { importOperations } from './import-operations';
