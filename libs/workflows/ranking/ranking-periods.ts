import { comparePeriods, formatPeriod, lastMonthOf, monthsOf, parsePeriod, periodsOfYear, type Period } from '../plan/period.js';
import type { RankingPeriod } from './ranking.events.js';

/**
 * Ranking periods ('YYYY-MM', 'YYYY-Qn', 'YYYY') and which one answers a question about another.
 * Pure: Annex 2, the score and the warning board all choose periods with these functions, so a
 * month's table and its score never disagree about where a rank came from. The period type itself
 * is the plan's (libs/workflows/plan/period.ts).
 */
export type ParsedPeriod = Period;
export { isQuarter, parsePeriod, periodsOfYear } from '../plan/period.js';

/**
 * The periods whose figures may stand for `period`, best first: the period itself, then every
 * other period of the same year that ends no later than it does, latest end first. Where a month
 * and a quarter (or the year) end together the month comes first: monthly figures are cumulative
 * to the month's end, while a quarter's may cover the quarter alone (the rewards workflow orders
 * them the same way). That is comparePeriods' order, latest first.
 */
export function candidatePeriods(period: RankingPeriod): RankingPeriod[] {
  const p = parsePeriod(period);
  if (!p) return [];
  const end = lastMonthOf(p);
  const others = periodsOfYear(p.year)
    .filter((x) => x !== period)
    .map((x) => parsePeriod(x)!)
    .filter((q) => comparePeriods(lastMonthOf(q), end) <= 0)
    .sort((a, b) => comparePeriods(b, a));
  return [period, ...others.map(formatPeriod)];
}

/** A quarter's own periods, best first: the quarter, then its months from the last. */
export function quarterPeriods(quarter: RankingPeriod): RankingPeriod[] {
  const p = parsePeriod(quarter);
  if (!p || p.kind !== 'quarter') return [];
  return [quarter, ...monthsOf(p).reverse().map(formatPeriod)];
}

/** The first candidate for which `has` is true. */
export function resolvePeriod(candidates: readonly RankingPeriod[], has: (period: RankingPeriod) => boolean): RankingPeriod | null {
  return candidates.find(has) ?? null;
}
