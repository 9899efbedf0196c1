import { badRequest } from './problem-details.js';

export type { Page } from '../../projections/page.js';

/** `?limit=` of a paged list (issue 14): a whole number from 1 to `max`, `byDefault` when absent; a 400 naming `limit` otherwise. */
export function limitOf(limit: string | undefined, byDefault = 50, max = 200): number {
  if (limit === undefined) return byDefault;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest('limit', `a whole number from 1 to ${max}`);
  return n;
}
