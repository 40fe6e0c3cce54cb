// useOp: one operation call a view makes, with its data, error, loading flag and a reload.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiInput, ApiName, ApiOutput } from '../shared/api/api';
import type { ErrorInfo } from '../shared/errors';
import { call } from './api';

/** The state of one operation call made by a view. */
export interface OpState<T> {
  data: T | null;
  error: ErrorInfo | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Calls an operation when `key` changes (null: don't call) and keeps its latest answer; an
 * answer to an older key is dropped so fast typing never shows stale results.
 */
export function useOp<N extends ApiName>(
  name: N,
  input: ApiInput<N> | null,
  key: string | null,
): OpState<ApiOutput<N>> {
  const [state, setState] = useState<{ data: ApiOutput<N> | null; error: ErrorInfo | null; loading: boolean }>({
    data: null,
    error: null,
    loading: key !== null,
  });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);
  const inputRef = useRef(input);
  inputRef.current = input;
  useEffect(() => {
    if (key === null || inputRef.current === null) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const mine = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    void call(name, inputRef.current).then((r) => {
      if (mine !== latest.current) return;
      setState(r.ok ? { data: r.value, error: null, loading: false } : { data: null, error: r.error, loading: false });
    });
  }, [name, key, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
