import type { Direction } from '../plan/plan-file.js';
import type { CountyFigure } from './ranking.events.js';

export interface RankedCounty {
  countyId: string;
  value: number | null;
  rank: number | null;
}

/** Where the ranks of an indicator × period come from. */
export type RankBasis = 'published' | 'values' | 'none';

/**
 * Once the city has published a rank for any county, published ranks are the ranks: the city may
 * rank on more than the bare figure, and a computed rank beside a published one could disagree
 * with it. Otherwise ranks are computed from the values.
 */
export function rankBasis(figures: readonly CountyFigure[]): RankBasis {
  if (figures.some((f) => f.rank !== null)) return 'published';
  if (figures.some((f) => f.value !== null)) return 'values';
  return 'none';
}

/**
 * Every county's rank, in the order given.
 *
 * - From values: competition ranking ("1, 2, 2, 4"): a county's rank is one more than the number
 *   of counties with a strictly better value, "better" by the indicator's direction.
 * - A county without a value has no rank (null), never a guessed one; it is left out of the
 *   others' ranking, so five known figures rank 1–5.
 * - From published ranks: each county keeps the rank the city gave; one without a published rank
 *   has none.
 */
export function rankCounties(figures: readonly CountyFigure[], direction: Direction): RankedCounty[] {
  if (rankBasis(figures) === 'published') return figures.map((f) => ({ countyId: f.countyId, value: f.value, rank: f.rank }));
  const better = direction === 'higher-is-better' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  const known = figures.map((f) => f.value).filter((v): v is number => v !== null);
  return figures.map((f) => ({
    countyId: f.countyId,
    value: f.value,
    rank: f.value === null ? null : 1 + known.filter((v) => better(v, f.value!)).length,
  }));
}
