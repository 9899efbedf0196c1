import fc from 'fast-check';
import type { Direction } from '../plan/plan-file.js';
import { rankBasis, rankCounties } from './rank-counties.js';
import type { CountyFigure } from './ranking.events.js';

const ids = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];
const values = (...vs: (number | null)[]): CountyFigure[] => vs.map((value, i) => ({ countyId: ids[i]!, value, rank: null }));
const ranks = (figures: CountyFigure[], direction: Direction = 'higher-is-better') => rankCounties(figures, direction).map((r) => r.rank);

describe('rankCounties', () => {
  it('ranks higher-is-better values from the highest', () => {
    expect(ranks(values(5.1, 7.3, 6.0, 4.2, 8.8, 3.9))).toEqual([4, 2, 3, 5, 1, 6]);
  });

  it('ranks lower-is-better values from the lowest (PM2.5 concentration, accidents)', () => {
    expect(ranks(values(41, 38.5, 45, 52, 36, 49), 'lower-is-better')).toEqual([3, 2, 4, 6, 1, 5]);
    expect(ranks(values(0, 1, 0, 2, 0, 1), 'lower-is-better')).toEqual([1, 4, 1, 6, 1, 4]);
  });

  it('gives tied values the same rank and skips the ranks they use up ("1, 2, 2, 4")', () => {
    expect(ranks(values(9, 7, 7, 5, 3, 1))).toEqual([1, 2, 2, 4, 5, 6]);
    expect(ranks(values(4, 4, 4, 4, 4, 4))).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('leaves a missing figure without a rank and ranks the others among themselves', () => {
    expect(ranks(values(5, null, 7, 6, null, 4))).toEqual([3, null, 1, 2, null, 4]);
    expect(ranks(values(null, null, null, null, null, null))).toEqual([null, null, null, null, null, null]);
  });

  it('uses the ranks the city published once any county has one, and invents none for the others', () => {
    const figures: CountyFigure[] = [
      { countyId: 'ye', value: null, rank: 3 },
      { countyId: 'baofeng', value: 12, rank: 1 },
      { countyId: 'jia', value: 99, rank: null },
    ];
    expect(rankBasis(figures)).toBe('published');
    expect(rankCounties(figures, 'higher-is-better')).toEqual([
      { countyId: 'ye', value: null, rank: 3 },
      { countyId: 'baofeng', value: 12, rank: 1 },
      { countyId: 'jia', value: 99, rank: null },
    ]);
  });

  it('says where ranks come from', () => {
    expect(rankBasis(values(1, 2))).toBe('values');
    expect(rankBasis(values(null))).toBe('none');
    expect(rankBasis([])).toBe('none');
  });

  describe('properties', () => {
    const figure = fc.option(
      fc.integer({ min: -50, max: 50 }).map((n) => n / 2),
      { nil: null, freq: 4 },
    );
    const figureSets = fc.array(figure, { minLength: 0, maxLength: 6 }).map((vs) => values(...vs));
    const direction = fc.constantFrom<Direction>('higher-is-better', 'lower-is-better');
    const better = (d: Direction, a: number, b: number) => (d === 'higher-is-better' ? a > b : a < b);

    it('a county has a rank exactly when it has a value, and the rank is within 1..(counties with values)', () => {
      fc.assert(
        fc.property(figureSets, direction, (figures, d) => {
          const known = figures.filter((f) => f.value !== null).length;
          rankCounties(figures, d).forEach((r, i) => {
            if (figures[i]!.value === null) {
              expect(r.rank).toBeNull();
            } else {
              expect(r.rank).toBeGreaterThanOrEqual(1);
              expect(r.rank).toBeLessThanOrEqual(known);
            }
          });
        }),
      );
    });

    it('ranks are consistent with the order: better value ⇔ better rank, equal value ⇔ equal rank', () => {
      fc.assert(
        fc.property(figureSets, direction, (figures, d) => {
          const r = rankCounties(figures, d);
          for (let i = 0; i < figures.length; i++) {
            for (let j = 0; j < figures.length; j++) {
              const a = figures[i]!.value;
              const b = figures[j]!.value;
              if (a === null || b === null) continue;
              if (better(d, a, b)) expect(r[i]!.rank!).toBeLessThan(r[j]!.rank!);
              if (a === b) expect(r[i]!.rank).toBe(r[j]!.rank);
            }
          }
        }),
      );
    });

    it('is competition ranking: a rank is one more than the number of strictly better counties', () => {
      fc.assert(
        fc.property(figureSets, direction, (figures, d) => {
          const r = rankCounties(figures, d);
          figures.forEach((f, i) => {
            if (f.value === null) return;
            expect(r[i]!.rank).toBe(1 + figures.filter((g) => g.value !== null && better(d, g.value, f.value!)).length);
          });
        }),
      );
    });

    it('with distinct values the ranks are a permutation of 1..n; with ties a permutation-with-ties (sorted, each rank r repeated k times is followed by r + k)', () => {
      fc.assert(
        fc.property(figureSets, direction, (figures, d) => {
          const sorted = rankCounties(figures, d)
            .map((x) => x.rank)
            .filter((x): x is number => x !== null)
            .sort((a, b) => a - b);
          let expected = 1;
          for (let i = 0; i < sorted.length;) {
            expect(sorted[i]).toBe(expected);
            let k = 0;
            while (sorted[i + k] === sorted[i]) k++;
            i += k;
            expected += k;
          }
        }),
      );
    });

    it('does not depend on the order the counties are listed in', () => {
      fc.assert(
        fc.property(figureSets, direction, fc.infiniteStream(fc.nat()), (figures, d, seeds) => {
          const shuffled = [...figures];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = seeds.next().value % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const byId = (list: { countyId: string; rank: number | null }[]) => Object.fromEntries(list.map((x) => [x.countyId, x.rank]));
          expect(byId(rankCounties(shuffled, d))).toEqual(byId(rankCounties(figures, d)));
        }),
      );
    });

    it('lower-is-better on values is higher-is-better on their negations', () => {
      fc.assert(
        fc.property(figureSets, (figures) => {
          const negated = figures.map((f) => ({ ...f, value: f.value === null ? null : -f.value }));
          expect(ranks(figures, 'lower-is-better')).toEqual(ranks(negated, 'higher-is-better'));
        }),
      );
    });

    it('a missing figure never changes the ranks of the others relative to each other', () => {
      fc.assert(
        fc.property(figureSets, direction, fc.nat(), (figures, d, pick) => {
          if (figures.length === 0) return;
          const i = pick % figures.length;
          const without = figures.map((f, j) => (j === i ? { ...f, value: null } : f));
          const before = rankCounties(figures, d);
          const after = rankCounties(without, d);
          for (let a = 0; a < figures.length; a++) {
            for (let b = 0; b < figures.length; b++) {
              if (a === i || b === i || after[a]!.rank === null || after[b]!.rank === null) continue;
              expect(Math.sign(after[a]!.rank! - after[b]!.rank!)).toBe(Math.sign(before[a]!.rank! - before[b]!.rank!));
            }
          }
        }),
      );
    });
  });
});
