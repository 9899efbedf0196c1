/** Months, quarters and "as known at" moments, as the API writes them. */
import { formatPeriod, parseMonth, quarterOf as quarterOfMonth } from '../../../../libs/workflows/plan/period.js';

export { isMonth, monthsOfYear as monthsOf, quartersOfYear as quartersOf } from '../../../../libs/workflows/plan/period.js';

export const quarterOf = (month: string): string => formatPeriod(quarterOfMonth(parseMonth(month)!));

/**
 * The month a page opens on: the last month that has ended, kept inside the plan's year (a 2023
 * plan looked at in 2024 opens on December; before the year, on January).
 */
export function defaultMonth(year: number, now: Date = new Date()): string {
  const y = now.getFullYear();
  if (y > year) return `${year}-12`;
  if (y < year) return `${year}-01`;
  // getMonth() is 0-based, so it is the previous month counted from 1; January stays on January.
  return `${year}-${String(Math.max(1, now.getMonth())).padStart(2, '0')}`;
}
