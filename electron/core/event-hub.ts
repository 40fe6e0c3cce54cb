// The progress hub: operations publish progress events, faces (terminal bar, SSE, IPC) subscribe.
import type { ProgressEvent, ProgressSink } from '../../shared/progress';

/** The one progress stream: operations publish, faces (terminal bar, SSE, IPC) subscribe. */
export class EventHub {
  private readonly listeners = new Set<ProgressSink>();

  /** Publishes an event to every subscriber; a failing subscriber does not stop the others. */
  readonly publish: ProgressSink = (event: ProgressEvent) => {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken view must not break the work it watches
      }
    }
  };

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: ProgressSink): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
