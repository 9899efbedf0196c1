import type { RankingPeriod } from './ranking.events.js';

/**
 * Ranking periods ('YYYY-MM', 'YYYY-Qn', 'YYYY') and which one answers a question about another.
 * Pure: Annex 2, the score and the warning board all choose periods with these functions, so a
 * month's table and its score never disagree about where a rank came from.
 */
export type ParsedPeriod =
  | { kind: 'month'; year: number; month: number }
  | { kind: 'quarter'; year: number; quarter: number }
  | { kind: 'year'; year: number };

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER = /^(\d{4})-Q([1-4])$/;
const YEAR = /^(\d{4})$/;

export function parsePeriod(period: string): ParsedPeriod | undefined {
  let m = MONTH.exec(period);
  if (m) return { kind: 'month', year: Number(m[1]), month: Number(m[2]) };
  m = QUARTER.exec(period);
  if (m) return { kind: 'quarter', year: Number(m[1]), quarter: Number(m[2]) };
  m = YEAR.exec(period);
  if (m) return { kind: 'year', year: Number(m[1]) };
  return undefined;
}

export const isQuarter = (period: string): boolean => QUARTER.test(period);

const pad = (n: number) => String(n).padStart(2, '0');

/** The last month the period covers (1–12). */
function endMonth(p: ParsedPeriod): number {
  return p.kind === 'month' ? p.month : p.kind === 'quarter' ? p.quarter * 3 : 12;
}

/** Months a period spans; used to break ties between periods that end together. */
function span(p: ParsedPeriod): number {
  return p.kind === 'month' ? 1 : p.kind === 'quarter' ? 3 : 12;
}

/** Every ranking period of a year: its twelve months, four quarters and the year itself. */
export function periodsOfYear(year: number): RankingPeriod[] {
  const out: RankingPeriod[] = [];
  const y = String(year).padStart(4, '0'); // year 0000 too: a period written "0-01" would parse as none (a 500, found by the fuzz test)
  for (let m = 1; m <= 12; m++) {
    out.push(`${y}-${pad(m)}`);
    if (m % 3 === 0) out.push(`${y}-Q${m / 3}`);
  }
  out.push(y);
  return out;
}

/**
 * The periods whose figures may stand for `period`, best first: the period itself, then every
 * other period of the same year that ends no later than it does, latest end first. Where a month
 * and a quarter (or the year) end together the month comes first: monthly figures are cumulative
 * to the month's end, while a quarter's may cover the quarter alone (the rewards workflow orders
 * them the same way).
 */
export function candidatePeriods(period: RankingPeriod): RankingPeriod[] {
  const p = parsePeriod(period);
  if (!p) return [];
  const end = endMonth(p);
  const others = periodsOfYear(p.year)
    .filter((x) => x !== period)
    .map((x) => ({ x, q: parsePeriod(x)! }))
    .filter(({ q }) => endMonth(q) <= end)
    .sort((a, b) => endMonth(b.q) - endMonth(a.q) || span(a.q) - span(b.q));
  return [period, ...others.map((o) => o.x)];
}

/** A quarter's own periods, best first: the quarter, then its months from the last. */
export function quarterPeriods(quarter: RankingPeriod): RankingPeriod[] {
  const p = parsePeriod(quarter);
  if (!p || p.kind !== 'quarter') return [];
  const last = p.quarter * 3;
  return [quarter, `${p.year}-${pad(last)}`, `${p.year}-${pad(last - 1)}`, `${p.year}-${pad(last - 2)}`];
}

/** The first candidate for which `has` is true. */
export function resolvePeriod(candidates: readonly RankingPeriod[], has: (period: RankingPeriod) => boolean): RankingPeriod | null {
  return candidates.find(has) ?? null;
}
