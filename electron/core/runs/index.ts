/** The runs feature's public face: list, show and read the logs of stored runs. */
export { runOperations } from './run-operations';
