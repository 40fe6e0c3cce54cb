/** The runs feature's public face: list, show, read the logs of, rename, tag, delete and export stored runs. */
export { runOperations } from './run-operations';
export { runManagementOperations } from './run-management';
