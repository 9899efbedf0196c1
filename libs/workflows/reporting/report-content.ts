import { createHash } from 'node:crypto';
import type { Direction, IndicatorKind, WarningTier } from '../plan/plan-file.js';

/** What a report needs to know of each indicator the unit owns, as the plan said when it was decided. */
export interface ReportIndicator {
  no: number;
  name: string;
  kind: IndicatorKind;
  direction: Direction;
  unitOfMeasure: string;
  target: number | null;
}

/** One line of the monthly report (Annex 2 row, as the unit fills it). */
export interface ReportLine {
  indicatorNo: number;
  /** The result as of the month's end, in the indicator's unit; null when not yet known. */
  value: number | null;
  /** Rank among the six counties where known. */
  rank: number | null;
  /** 存在问题 */
  problems: string;
  /** 下步举措 */
  nextSteps: string;
  /** 落后原因分析: required for a lagging indicator. */
  analysis?: string;
  /** 应对举措: required for a lagging indicator. */
  countermeasures?: string;
}

export type Tier = WarningTier['tier'];

export function tierOf(rank: number | null, tiers: readonly Pick<WarningTier, 'tier' | 'fromRank' | 'toRank'>[]): Tier | null {
  if (rank === null) return null;
  return tiers.find((t) => rank >= t.fromRank && rank <= t.toRank)?.tier ?? null;
}

export function behindTarget(value: number | null, target: number | null, direction: Direction): boolean {
  if (value === null || target === null) return false;
  return direction === 'higher-is-better' ? value < target : value > target;
}

/** 短板指标: yellow or red by its rank, or behind the county target. */
export function isLagging(line: ReportLine, indicator: ReportIndicator, tiers: readonly Pick<WarningTier, 'tier' | 'fromRank' | 'toRank'>[]): boolean {
  const tier = tierOf(line.rank, tiers);
  return tier === 'yellow' || tier === 'red' || behindTarget(line.value, indicator.target, indicator.direction);
}

/** SHA-256 over the lines in a canonical form (ordered by indicator, fixed key order). */
export function contentHash(lines: readonly ReportLine[]): string {
  const canonical = [...lines]
    .sort((a, b) => a.indicatorNo - b.indicatorNo)
    .map((l) => [l.indicatorNo, l.value, l.rank, l.problems, l.nextSteps, l.analysis ?? '', l.countermeasures ?? '']);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export function minutesBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000);
}
