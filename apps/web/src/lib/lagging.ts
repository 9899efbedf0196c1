import type { ReportIndicator, ReportLine, Tier } from '../api/types';

/**
 * 短板指标, as the API decides it at submission (libs/workflows/reporting/report-content.ts): a
 * yellow or red rank by the plan's tiers, or a value behind the county target. The form uses it to
 * ask for the analysis and countermeasures before the API would refuse the submission.
 */
export function tierOf(rank: number | null | undefined, tiers: readonly { tier: Tier; fromRank: number; toRank: number }[]): Tier | null {
  if (rank === null || rank === undefined) return null;
  return tiers.find((t) => rank >= t.fromRank && rank <= t.toRank)?.tier ?? null;
}

export function isLagging(line: Pick<ReportLine, 'value' | 'rank'>, indicator: ReportIndicator, tiers: readonly { tier: Tier; fromRank: number; toRank: number }[]): boolean {
  const tier = tierOf(line.rank, tiers);
  if (tier === 'yellow' || tier === 'red') return true;
  if (line.value === null || line.value === undefined || indicator.target === null) return false;
  return indicator.direction === 'higher-is-better' ? line.value < indicator.target : line.value > indicator.target;
}
