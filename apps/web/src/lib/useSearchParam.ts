import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * The address's search parameters, and a setter for one of them that keeps the others: an empty
 * value removes the parameter. The history entry is replaced, so choosing a period or a moment
 * does not pile up entries behind the back button.
 */
export function useSearchParam(): readonly [URLSearchParams, (key: string, value: string | null | undefined) => void] {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (key: string, value: string | null | undefined) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(key, value);
          else next.delete(key);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [params, set] as const;
}
