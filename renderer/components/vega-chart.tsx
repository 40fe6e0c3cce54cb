/** A Vega-Lite chart in a view, its renderer (vega, vega-lite, vega-interpreter) loaded on first use so other views stay light. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { TopLevelSpec } from 'vega-lite';

/** Draws a spec as SVG; `label` names it for screen readers and tests. */
export function VegaChart({ spec, label }: { spec: TopLevelSpec; label: string }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(spec);
  useEffect(() => {
    let view: { finalize(): void } | null = null;
    let gone = false;
    void import('./vega-render')
      .then((m) => (ref.current ? m.renderChart(ref.current, JSON.parse(key) as TopLevelSpec) : null))
      .then((v) => {
        if (gone) v?.finalize();
        else view = v;
      })
      .catch((e: unknown) => setError((e as Error).message));
    return () => {
      gone = true;
      view?.finalize();
    };
  }, [key]);
  return (
    <figure className="chart" data-testid="chart" aria-label={label}>
      <div ref={ref} role="img" aria-label={label} />
      {error ? <figcaption className="error-box">The chart could not be drawn: {error}</figcaption> : null}
    </figure>
  );
}
