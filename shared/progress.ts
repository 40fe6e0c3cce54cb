// The progress event every face shows, and the sink type operations publish to.
import { z } from 'zod';

/** One event of the progress stream that every face shows (a bar in the terminal, a live view in the app). */
export const ProgressEventSchema = z.object({
  /** Identifies one piece of long work (a capture, an audit, an import). */
  task: z.string(),
  phase: z.enum(['start', 'progress', 'log', 'end']),
  label: z.string(),
  done: z.number().optional(),
  total: z.number().optional(),
  unit: z.enum(['bytes', 'files', 'runs', 'reruns', 'items']).optional(),
  message: z.string().optional(),
  /** Free-form structured details (e.g. a rerun's state) for views that show more than a bar. */
  detail: z.record(z.string(), z.unknown()).optional(),
});
/** One progress event. */
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;

/** A sink for progress events. */
export type ProgressSink = (event: ProgressEvent) => void;

/** A sink that drops everything. */
export const silentProgress: ProgressSink = () => undefined;
