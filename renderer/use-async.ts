// useAsync: the latest answer of an async call a view makes, ignoring answers that arrive after it moved on.
import { useEffect, useState, type DependencyList } from 'react';
import type { ErrorInfo, Result } from '../shared/errors';

/** The latest answer of an async call made by a view. */
export interface AsyncState<T> {
  data: T | null;
  error: ErrorInfo | null;
  loading: boolean;
}

/** Runs `fn` when `deps` change (a null promise: nothing to do) and keeps its latest answer, dropping stale ones. */
export function useAsync<T>(fn: () => Promise<Result<T>> | null, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ data: null, error: null, loading: false });
  useEffect(() => {
    let live = true;
    const p = fn();
    if (!p) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    setState({ data: null, error: null, loading: true });
    void p.then((r) => {
      if (live)
        setState(
          r.ok ? { data: r.value, error: null, loading: false } : { data: null, error: r.error, loading: false },
        );
    });
    return () => {
      live = false;
    };
  }, deps); // the caller names what the work depends on
  return state;
}
