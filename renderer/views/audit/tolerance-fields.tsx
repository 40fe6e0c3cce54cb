/** The Start form's tolerance rows: per metric, an absolute or relative difference that still counts as reproduced. */
import type { ReactNode } from 'react';
import type { Tolerance } from '../../../shared/audit/audit';

/** Edits the list of tolerances: a row per metric (name, amount, absolute or relative), added and removed freely. */
export function ToleranceFields({
  value,
  onChange,
}: {
  value: readonly Tolerance[];
  onChange: (next: Tolerance[]) => void;
}): ReactNode {
  return (
    <div>
      {value.map((t, i) => (
        <div key={i} className="row" style={{ marginBottom: 2 }}>
          <input
            type="text"
            placeholder="metric"
            value={t.metric}
            onChange={(e) => onChange(value.map((x, k) => (k === i ? { ...x, metric: e.target.value } : x)))}
            style={{ width: 140 }}
          />
          <input
            type="number"
            step="any"
            min={0}
            value={t.value}
            onChange={(e) => onChange(value.map((x, k) => (k === i ? { ...x, value: Number(e.target.value) } : x)))}
            style={{ width: 100 }}
          />
          <select
            value={t.kind}
            onChange={(e) =>
              onChange(value.map((x, k) => (k === i ? { ...x, kind: e.target.value as Tolerance['kind'] } : x)))
            }
          >
            <option value="abs">absolute</option>
            <option value="rel">% relative</option>
          </select>
          <button type="button" onClick={() => onChange(value.filter((_, k) => k !== i))} aria-label="remove tolerance">
            ×
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...value, { metric: '', kind: 'abs', value: 0 }])}>
        Add tolerance
      </button>
    </div>
  );
}
