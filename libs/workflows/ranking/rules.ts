import type { Direction, WarningTier } from '../plan/plan-file.js';

/**
 * The plan's rules of colour, lagging, rank and score, in one copy: pure functions over plain data,
 * with no Nest, no I/O and no Node module, so the server (deciders, projections, what-if) and the
 * web UI (apps/web imports this file through Vite) apply the same rules. It imports types only.
 *
 * report-content.ts re-exports the tier and lagging rules (workflows meet there), rank-counties.ts
 * the ranking, scoring.ts the score.
 */

export type Tier = WarningTier['tier'];
export type TierBand = Pick<WarningTier, 'tier' | 'fromRank' | 'toRank'>;

// ---- colour ------------------------------------------------------------------------------------

/** The warning colour of a rank by the plan's tiers (e.g. 1–2 green, 3–4 yellow, 5–6 red); none without a rank. */
export function tierOf(rank: number | null | undefined, tiers: readonly TierBand[]): Tier | null {
  if (rank === null || rank === undefined) return null;
  return tiers.find((t) => rank >= t.fromRank && rank <= t.toRank)?.tier ?? null;
}

// ---- lagging (短板指标) -------------------------------------------------------------------------

/** Behind the county target, by the indicator's direction; never without a value or a target. */
export function behindTarget(value: number | null | undefined, target: number | null | undefined, direction: Direction): boolean {
  if (value === null || value === undefined || target === null || target === undefined) return false;
  return direction === 'higher-is-better' ? value < target : value > target;
}

/** Our county's latest known standing for an indicator, as the ranking workflow published it (StandingChanged). */
export interface OfficialStanding {
  indicatorNo: number;
  /** The ranking period it is for: the report's month or the latest earlier period with figures. */
  period: string;
  rank: number | null;
  warning: Tier | null;
}

/**
 * 短板指标: the official warning is yellow or red, or the result is behind the county target. Only
 * an indicator without official peer figures falls back on the rank the unit reports itself: the
 * reporter's rank (or its absence) never overrides the county's standing. Such a line needs its
 * analysis and countermeasures.
 */
export function isLagging(
  line: { value?: number | null; rank?: number | null },
  indicator: { target: number | null; direction: Direction },
  tiers: readonly TierBand[],
  official?: Pick<OfficialStanding, 'warning'>,
): boolean {
  const tier = official ? official.warning : tierOf(line.rank, tiers);
  return tier === 'yellow' || tier === 'red' || behindTarget(line.value, indicator.target, indicator.direction);
}

// ---- rank among the peer counties ----------------------------------------------------------------

/** A county's figure for an indicator × period: the value and, when the city published one, its rank. */
export interface FigureInput {
  countyId: string;
  value: number | null;
  rank: number | null;
}

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
export function rankBasis(figures: readonly FigureInput[]): RankBasis {
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
export function rankCounties(figures: readonly FigureInput[], direction: Direction): RankedCounty[] {
  if (rankBasis(figures) === 'published') return figures.map((f) => ({ countyId: f.countyId, value: f.value, rank: f.rank }));
  const better = direction === 'higher-is-better' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  const known = figures.map((f) => f.value).filter((v): v is number => v !== null);
  return figures.map((f) => ({
    countyId: f.countyId,
    value: f.value,
    rank: f.value === null ? null : 1 + known.filter((v) => better(v, f.value!)).length,
  }));
}

/** Our county's rank among the ranked ones (null when ours is missing or has no rank). */
export function rankOf(ranked: readonly RankedCounty[], countyId: string | undefined): number | null {
  return ranked.find((r) => r.countyId === countyId)?.rank ?? null;
}

// ---- score -------------------------------------------------------------------------------------

/**
 * The composite score: each indicator scores its points × the coefficient the scoring rule gives
 * its rank (a missing rank scores the rule's missingRankCoefficient).
 */
export interface ScoringRule {
  version: number;
  coefficients: { rank: number; coefficient: number }[];
  missingRankCoefficient: number;
}

/** Scores are sums of products of decimals: rounded so 3 × 0.7 reads 2.1, not 2.0999999999999996. */
export const roundScore = (x: number): number => Math.round(x * 1e6) / 1e6;

export function coefficientFor(rule: Pick<ScoringRule, 'coefficients' | 'missingRankCoefficient'>, rank: number | null): number {
  if (rank === null) return rule.missingRankCoefficient;
  return rule.coefficients.find((c) => c.rank === rank)?.coefficient ?? rule.missingRankCoefficient;
}

/** An indicator's score at a rank; null while no scoring rule is published. */
export function scoreOf(points: number, rank: number | null, rule: Pick<ScoringRule, 'coefficients' | 'missingRankCoefficient'> | null | undefined): number | null {
  return rule ? roundScore(points * coefficientFor(rule, rank)) : null;
}

/** The total once one line's score is replaced: the total less the line's old score plus its new one; null when either is unknown. */
export function totalWith(total: number | null, lineFrom: number | null, lineTo: number | null): number | null {
  if (total === null || lineTo === null) return null;
  return roundScore(total - (lineFrom ?? 0) + lineTo);
}
