/** The capture feature's public face: run a command and record its snapshot, plus the pieces audits reuse. */
export { captureRun, currentUser, gatherEnvironment, hashPaths, readMetricsFiles, streamBlob } from './capture';
export type { CaptureDeps, CaptureRequest, CaptureResult, EnvironmentFacts } from './capture';
