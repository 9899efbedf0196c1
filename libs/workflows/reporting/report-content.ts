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
  /**
   * Where the rank comes from: 'official' is our county's standing as the ranking workflow computed
   * it from the six counties' figures (read-only); 'self-reported' is the unit's own, for an
   * indicator with no official peer figures yet. Absent on lines recorded before the distinction.
   */
  rankSource?: 'official' | 'self-reported';
  /** The ranking period the official rank was taken from (the report's month, or the latest earlier one). */
  rankPeriod?: string;
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
 * reporter's rank (or its absence) never overrides the county's standing.
 */
export function isLagging(line: ReportLine, indicator: ReportIndicator, tiers: readonly Pick<WarningTier, 'tier' | 'fromRank' | 'toRank'>[], official?: OfficialStanding): boolean {
  const tier = official ? official.warning : tierOf(line.rank, tiers);
  return tier === 'yellow' || tier === 'red' || behindTarget(line.value, indicator.target, indicator.direction);
}

/**
 * The line with its rank as the record must show it: the official rank where the six counties'
 * figures exist (whatever was typed), otherwise the unit's own, marked self-reported. Without
 * `standings` (the facts were not looked up) the line is left as it is.
 */
export function withRankSource(line: ReportLine, standings: readonly OfficialStanding[] | undefined): ReportLine {
  if (!standings) return line;
  const { rankSource: _s, rankPeriod: _p, ...rest } = line;
  const official = standings.find((s) => s.indicatorNo === line.indicatorNo);
  return official ? { ...rest, rank: official.rank, rankSource: 'official', rankPeriod: official.period } : { ...rest, rankSource: 'self-reported' };
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
