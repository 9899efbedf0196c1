import { createHash } from 'node:crypto';
import type { Direction, IndicatorKind } from '../plan/plan-file.js';
import type { OfficialStanding } from '../ranking/rules.js';

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

/** The colour and lagging rules, in one copy shared with the web UI (libs/workflows/ranking/rules.ts). */
export { behindTarget, isLagging, tierOf, type OfficialStanding, type Tier } from '../ranking/rules.js';

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
