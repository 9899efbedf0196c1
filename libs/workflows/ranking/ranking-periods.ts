import { formatPeriod, monthsOf, parsePeriod, type Period } from '../plan/period.js';
import type { RankingPeriod } from './ranking.events.js';

/**
 * Ranking periods ('YYYY-MM', 'YYYY-Qn', 'YYYY') and which one answers a question about another.
 * Pure: Annex 2, the score and the warning board all choose periods with these functions, so a
 * month's table and its score never disagree about where a rank came from. The period type itself
 * is the plan's (libs/workflows/plan/period.ts).
 */
export type ParsedPeriod = Period;
export { candidatePeriods, isQuarter, parsePeriod, periodsOfYear } from '../plan/period.js';

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
