/** The run table's column chooser: the store's metrics, parameters and tags, chosen ones remembered in this browser. */
import { useEffect, useState, type ReactNode } from 'react';
import { formatFilterKey } from '../../../shared/runs/search-filter';
import { call } from '../../api';
import { useOp } from '../../use-op';

const STORAGE_KEY = 'reproscope.runs.columns';

/** The chosen columns (`metrics.accuracy`, `params.C`…), kept in localStorage; at first, the store's three most common metrics. */
export function useRememberedColumns(): [string[], (c: string[]) => void] {
  const [columns, setColumns] = useState<string[]>(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as unknown;
      return Array.isArray(saved) ? saved.filter((c): c is string => typeof c === 'string') : [];
    } catch {
      return [];
    }
  });
  useEffect(() => {
    if (localStorage.getItem(STORAGE_KEY) !== null) return;
    // after the first page: the table's rows come before its column names
    const t = setTimeout(() => {
      void call('listRunColumns', {}).then((r) => {
        if (!r.ok || localStorage.getItem(STORAGE_KEY) !== null) return;
        const common = [...r.value.metrics].sort((a, b) => b.runs - a.runs).slice(0, 3);
        const chosen = common.map((m) => formatFilterKey({ type: 'metric', name: m.name }));
        localStorage.setItem(STORAGE_KEY, JSON.stringify(chosen));
        setColumns(chosen);
      });
    }, 250);
    return () => clearTimeout(t);
  }, []);
  const set = (c: string[]): void => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(c));
    setColumns(c);
  };
  return [columns, set];
}

/** A panel of checkboxes, one per metric, parameter and tag in the store, with a text box to narrow them. */
export function ColumnPicker({
  chosen,
  onChange,
  onClose,
}: {
  chosen: readonly string[];
  onChange: (c: string[]) => void;
  onClose: () => void;
}): ReactNode {
  const names = useOp('listRunColumns', {}, 'columns');
  const [narrow, setNarrow] = useState('');
  const groups: [string, 'metric' | 'param' | 'tag', { name: string; runs: number }[]][] = names.data
    ? [
        ['Metrics', 'metric', names.data.metrics],
        ['Parameters', 'param', names.data.params],
        ['Tags', 'tag', names.data.tags],
      ]
    : [];
  return (
    <div className="column-picker" role="dialog" aria-label="Columns">
      <div className="toolbar">
        <b>Columns</b>
        <input
          type="search"
          placeholder="narrow"
          aria-label="Narrow columns"
          value={narrow}
          onChange={(e) => setNarrow(e.target.value)}
        />
        <span className="grow" />
        <button onClick={() => onChange([])}>None</button>
        <button onClick={onClose}>Done</button>
      </div>
      <div className="column-groups">
        {groups.map(([title, type, list]) => (
          <fieldset key={type}>
            <legend>
              {title} <span className="faint">{list.length}</span>
            </legend>
            {list
              .filter((n) => n.name.toLowerCase().includes(narrow.toLowerCase()))
              .slice(0, 300)
              .map((n) => {
                const key = formatFilterKey({ type, name: n.name });
                return (
                  <label key={key} title={`${key}: ${n.runs} runs`}>
                    <input
                      type="checkbox"
                      checked={chosen.includes(key)}
                      onChange={(e) => onChange(e.target.checked ? [...chosen, key] : chosen.filter((c) => c !== key))}
                    />{' '}
                    {n.name} <span className="faint">{n.runs}</span>
                  </label>
                );
              })}
          </fieldset>
        ))}
      </div>
    </div>
  );
}
