/** What the two-run and the N-run Compare views share: their plain-key shortcuts and the only-differences box. */
import { useEffect, type DependencyList, type ReactNode } from 'react';

/** Calls onKey with each key pressed outside a text field or select, without Ctrl, Meta or Alt (the views' shortcuts). */
export function usePlainKeys(onKey: (key: string) => void, deps: DependencyList): void {
  useEffect(() => {
    const listener = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement;
      if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
      onKey(e.key);
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, deps); // the caller names what onKey depends on
}

/** The toolbar's "only differences" checkbox. */
export function OnlyDifferences({ value, onChange }: { value: boolean; onChange: (v: boolean) => void }): ReactNode {
  return (
    <label className="row">
      <input
        type="checkbox"
        checked={value}
        onChange={(e) => onChange(e.target.checked)}
        data-testid="only-differences"
      />{' '}
      only differences
    </label>
  );
}
