/**
 * Whether every word of the search occurs in one of the texts (case-insensitive); an empty search
 * matches all. Pure (no React, no antd) so the tables' filters and their unit tests share it.
 */
export function matchesSearch(q: string, ...texts: (string | number | null | undefined)[]): boolean {
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = texts
    .filter((x) => x !== null && x !== undefined)
    .join(' ')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}
