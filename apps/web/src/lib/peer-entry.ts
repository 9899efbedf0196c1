import type { Direction } from '../../../../libs/workflows/plan/plan-file.js';

/**
 * The six counties' figures as the office types them from the city's sheet, checked before they
 * are sent (issue 15: a form does not offer what the server refuses). Pure, so the rules are
 * unit-tested; the entry dialog shows each problem on its field and keeps "save" shut meanwhile.
 *
 * - What the server refuses (ranking.decider's checkFigures): a rank that is not a whole number
 *   from 1 to the group's size, a task indicator's negative score, a value that is not a number.
 * - What the city cannot have published: one rank given to two counties whose values differ (a
 *   shared rank is a tie, so the values are equal), and ranks that skip or crowd a tie
 *   (competition ranking, as rules.ts ranks: "1, 2, 2, 4" — after two at 2 the next is 4).
 * - A warning, not a refusal: a better value with a worse published rank. The city may rank on
 *   more than the bare figure (rules.ts: published ranks are the ranks), so it is said, not blocked.
 */
export interface EntryFigure {
  countyId: string;
  value: number | null;
  rank: number | null;
}

export type EntryProblem =
  | { countyId: string; field: 'rank'; kind: 'rank-outside'; size: number }
  | { countyId: string; field: 'value'; kind: 'task-negative' }
  | { countyId: string; field: 'value'; kind: 'not-a-number' }
  | { countyId: string; field: 'rank'; kind: 'rank-shared'; rank: number; with: string }
  | { countyId: string; field: 'rank'; kind: 'rank-gap'; rank: number; tied: number; expected: number };

export interface EntryWarning {
  kind: 'order';
  /** The county with the better value and the worse rank, and the one it is behind. */
  countyId: string;
  other: string;
}

export function entryProblems(
  figures: readonly EntryFigure[],
  indicator: { kind?: string; direction: Direction },
  size: number,
): { problems: EntryProblem[]; warnings: EntryWarning[] } {
  const problems: EntryProblem[] = [];
  for (const f of figures) {
    if (f.value !== null && !Number.isFinite(f.value)) problems.push({ countyId: f.countyId, field: 'value', kind: 'not-a-number' });
    else if (f.value !== null && indicator.kind === 'task' && f.value < 0) problems.push({ countyId: f.countyId, field: 'value', kind: 'task-negative' });
    if (f.rank !== null && !(Number.isInteger(f.rank) && f.rank >= 1 && f.rank <= size)) problems.push({ countyId: f.countyId, field: 'rank', kind: 'rank-outside', size });
  }
  const ranked = figures.filter((f) => f.rank !== null && Number.isInteger(f.rank) && f.rank >= 1 && f.rank <= size);
  // A shared rank is a tie: every county holding it has the same value (a missing value says nothing).
  const byRank = new Map<number, EntryFigure[]>();
  for (const f of ranked) byRank.set(f.rank!, [...(byRank.get(f.rank!) ?? []), f]);
  for (const [rank, holders] of byRank) {
    const first = holders.find((h) => h.value !== null);
    for (const h of holders) {
      if (first && h !== first && h.value !== null && h.value !== first.value)
        problems.push({ countyId: h.countyId, field: 'rank', kind: 'rank-shared', rank, with: first.countyId });
    }
    // Competition ranking: n counties tied at r leave r+1 … r+n-1 empty.
    if (holders.length > 1) {
      for (let r = rank + 1; r < rank + holders.length; r++) {
        for (const h of byRank.get(r) ?? [])
          problems.push({ countyId: h.countyId, field: 'rank', kind: 'rank-gap', rank: r, tied: holders.length, expected: rank + holders.length });
      }
    }
  }
  // Better value, worse rank: said, not refused.
  const warnings: EntryWarning[] = [];
  const better = (a: number, b: number) => (indicator.direction === 'higher-is-better' ? a > b : a < b);
  const both = ranked.filter((f) => f.value !== null && Number.isFinite(f.value));
  for (const a of both) {
    const behind = both.find((b) => b !== a && better(a.value!, b.value!) && a.rank! > b.rank!);
    if (behind) warnings.push({ kind: 'order', countyId: a.countyId, other: behind.countyId });
  }
  return { problems, warnings };
}
