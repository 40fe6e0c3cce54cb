// RunPicker: picks a run by searching the run list, newest first.
import { useState, type ReactNode } from 'react';
import { Badge, ErrorBox, formatTime } from './common';
import { useOp } from '../use-op';

/** Picks a run: a search over the run list, newest first. */
export function RunPicker({
  label,
  value,
  onPick,
}: {
  label: string;
  value: string | null;
  onPick: (id: string) => void;
}): ReactNode {
  const [search, setSearch] = useState('');
  const list = useOp('listRuns', { search: search.trim() || undefined, limit: 30 }, `pick:${search}`);
  return (
    <div className="card" data-testid={`picker-${label}`}>
      <h3>
        {label}
        {value ? <span className="mono faint">{value.slice(0, 8)}</span> : null}
      </h3>
      <input
        type="search"
        placeholder="search runs"
        aria-label={`search run ${label}`}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        style={{ width: '100%' }}
      />
      {list.error ? <ErrorBox error={list.error} /> : null}
      <div style={{ maxHeight: 260, overflow: 'auto', marginTop: 4 }}>
        {list.data?.runs.map((r) => (
          <div
            key={r.id}
            className={`run-row${r.id === value ? ' cursor' : ''}`}
            style={{ display: 'flex', gap: 8 }}
            role="button"
            tabIndex={0}
            onClick={() => onPick(r.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onPick(r.id);
            }}
          >
            <span className="mono">{r.id.slice(0, 8)}</span>
            <span>{formatTime(r.createdAt)}</span>
            <Badge value={r.status} />
            <span>{r.name ?? r.command}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
