/** The examples feature's public face: the bundled example projects a first run can audit. */
export { exampleOperations, findExamplesDir, listExamples } from './example-operations';
