import { useCallback, useEffect, useRef, useState } from 'react';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads with `fn` whenever `deps` change, dropping answers to requests that a newer one replaced
 * (a quick change of period or moment must not be overwritten by a slow earlier answer).
 */
/**
 * An answer already at hand on the first render (the first load's, src/preload.ts): `value` only
 * looks (a render may be thrown away and run again); `taken` is called once the page has it.
 */
export interface AtHand<T> {
  value(): T | undefined;
  taken(): void;
}

export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[], initial?: AtHand<T>): Async<T> {
  // An answer at hand is shown at once, not asked for again.
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>(() => {
    const data = initial?.value();
    return { data, error: undefined, loading: data === undefined };
  });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const skipFirst = useRef(!state.loading);
  useEffect(() => {
    if (skipFirst.current) {
      skipFirst.current = false;
      initial?.taken();
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    fnRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error: unknown) => !controller.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
