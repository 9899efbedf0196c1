import { createHash } from 'node:crypto';
import type { Direction, IndicatorKind } from '../plan/plan-file.js';

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

/** The colour and lagging rules, in one copy shared with the web UI (libs/workflows/ranking/rules.ts). */
export { behindTarget, isLagging, tierOf, type Tier } from '../ranking/rules.js';

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
