import { entryProblems, type EntryFigure } from '../../apps/web/src/lib/peer-entry.js';

/**
 * The peer-figures entry dialog's checks (issue 15): what the server refuses, and what the city's
 * own ranking cannot have published, are shown before anything is sent; a better value with a
 * worse rank is only a warning (the city may rank on more than the figure).
 */
const higher = { kind: 'indicator', direction: 'higher-is-better' as const };
const f = (countyId: string, value: number | null, rank: number | null): EntryFigure => ({ countyId, value, rank });
const kinds = (figures: EntryFigure[], indicator: { kind?: string; direction: 'higher-is-better' | 'lower-is-better' } = higher) =>
  entryProblems(figures, indicator, 6).problems.map((p) => `${p.countyId}.${p.field}:${p.kind}`);

describe('the peer-figures entry check', () => {
  it('passes a consistent sheet: ranks 1–6 following the values, or values alone', () => {
    const sheet = [f('ye', 9, 1), f('jia', 8, 2), f('bf', 7, 3), f('lushan', 6, 4), f('wugang', 5, 5), f('ruzhou', 4, 6)];
    expect(entryProblems(sheet, higher, 6)).toEqual({ problems: [], warnings: [] });
    expect(entryProblems([f('ye', 1, null), f('jia', 2, null)], higher, 6)).toEqual({ problems: [], warnings: [] });
  });

  it('refuses what the server refuses: a rank outside 1–6 or not whole, a task’s negative score', () => {
    expect(kinds([f('ye', 3, 7), f('jia', 2, 0), f('bf', 1, 2.5)])).toEqual(['ye.rank:rank-outside', 'jia.rank:rank-outside', 'bf.rank:rank-outside']);
    expect(kinds([f('ye', -1, 1)], { kind: 'task', direction: 'higher-is-better' })).toEqual(['ye.value:task-negative']);
    // A negative value is a figure like any other for an ordinary indicator (a growth rate).
    expect(kinds([f('ye', -1, 1)])).toEqual([]);
  });

  it('a shared rank is a tie: equal values pass, different values are refused on the second county', () => {
    expect(kinds([f('ye', 5, 2), f('jia', 5, 2), f('bf', 9, 1)])).toEqual([]);
    const out = entryProblems([f('bf', 9, 1), f('ye', 5, 2), f('jia', 4, 2)], higher, 6).problems;
    expect(out).toEqual([{ countyId: 'jia', field: 'rank', kind: 'rank-shared', rank: 2, with: 'ye' }]);
    // A tie with a value missing says nothing about the values.
    expect(kinds([f('ye', 5, 2), f('jia', null, 2)])).toEqual([]);
  });

  it('after a tie the next rank skips (competition ranking): 1, 2, 2, 4 passes; 1, 2, 2, 3 does not', () => {
    expect(kinds([f('a', 9, 1), f('b', 5, 2), f('c', 5, 2), f('d', 3, 4)])).toEqual([]);
    const out = entryProblems([f('a', 9, 1), f('b', 5, 2), f('c', 5, 2), f('d', 3, 3)], higher, 6).problems;
    expect(out).toEqual([{ countyId: 'd', field: 'rank', kind: 'rank-gap', rank: 3, tied: 2, expected: 4 }]);
  });

  it('a better value with a worse rank is a warning, by the indicator’s direction, not a refusal', () => {
    const sheet = [f('ye', 9, 2), f('jia', 8, 1)];
    expect(entryProblems(sheet, higher, 6)).toEqual({ problems: [], warnings: [{ kind: 'order', countyId: 'ye', other: 'jia' }] });
    // Lower is better: 8 is the better value, ranked 1 — consistent.
    expect(entryProblems(sheet, { direction: 'lower-is-better' }, 6).warnings).toEqual([]);
  });
});
