/** Months, quarters and "as known at" moments, as the API writes them. */
export const monthsOf = (year: number): string[] => Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
export const quartersOf = (year: number): string[] => [1, 2, 3, 4].map((q) => `${year}-Q${q}`);

export function quarterOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${y}-Q${Math.ceil(m / 3)}`;
}

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

export const isMonth = (s: string | null | undefined): s is string => !!s && /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
