import { badRequest } from './problem-details.js';
import { pageOfList, type Page } from '../../projections/page.js';

export type { Page } from '../../projections/page.js';

/** `?limit=` of a paged list (issue 14): a whole number from 1 to `max`, `byDefault` when absent; a 400 naming `limit` otherwise. */
export function limitOf(limit: string | undefined, byDefault = 50, max = 200): number {
  if (limit === undefined) return byDefault;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest('limit', `a whole number from 1 to ${max}`);
  return n;
}

/** `?after=` and `?limit=` of a paged list, as the request gives them. */
export interface PageQuery {
  after?: string;
  limit?: string;
}

/**
 * A page of a list the query answers whole (issue 14: one list shape on every collection): a 400
 * naming `limit` or `after` for a bad limit or a cursor that is not one of this list's.
 */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, q: PageQuery): Page<T> {
  const limit = limitOf(q.limit);
  const page = pageOfList(items, keyOf, q.after, limit);
  if (!page) throw badRequest('after', 'not a cursor of this list: pass the `next` of its previous page (or start again without `after`)');
  return page;
}
