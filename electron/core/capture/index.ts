/** The capture feature's public face: run a command and record its snapshot, plus the pieces audits reuse. */
export { captureRun, currentUser, gatherEnvironment, hashPaths, readMetricsFiles, streamBlob } from './capture';
export { hasMetricSources, parseMetricSources, readMetricSources } from './capture-metrics';
export type { MetricSources } from './capture-metrics';
export type { CaptureDeps, CaptureRequest, CaptureResult, EnvironmentFacts } from './capture';
