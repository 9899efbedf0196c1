import { useLayoutEffect } from 'react';

/**
 * Performance marks the browser tests read (issue 15: the dashboard's first load on a phone,
 * measured in the page from the navigation's start, not by the test's polling).
 */
export const FIGURES_SHOWN = 'jixiao:dashboard-figures';

/** Marks `name` the first time the calling component's content is in the document. */
export function useFirstShownMark(name: string): void {
  useLayoutEffect(() => {
    if (typeof performance !== 'undefined' && performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
  }, [name]);
}
