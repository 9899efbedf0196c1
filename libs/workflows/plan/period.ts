/**
 * The periods a plan's figures are about: a month (`2023-05`), a quarter (`2023-Q1`) or a year
 * (`2023`), as the API, the events and the plan write them. 叶政〔2023〕20号 asks for figures "逐月监测、
 * 逐季评估" and rewards on the year's results, so these three kinds are all there is.
 *
 * Pure and framework-free (no Node, no Nest, no Intl): the web UI imports this file as well, so a
 * period means the same thing in the browser as in the engine.
 */

export interface MonthPeriod {
  readonly kind: 'month';
  readonly year: number;
  /** 1–12. */
  readonly month: number;
}

export interface QuarterPeriod {
  readonly kind: 'quarter';
  readonly year: number;
  /** 1–4. */
  readonly quarter: number;
}

export interface YearPeriod {
  readonly kind: 'year';
  readonly year: number;
}

export type Period = MonthPeriod | QuarterPeriod | YearPeriod;
export type PeriodKind = Period['kind'];

// Four-digit years only: the written form must sort as text and round-trip through format().
// Exported for validation decorators (class-validator's @Matches) and form rules that want a RegExp.
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;
export const YEAR_PATTERN = /^(\d{4})$/;
/** Any period: `YYYY-MM`, `YYYY-Qn` or `YYYY`. */
export const PERIOD_PATTERN = /^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$/;
const MONTH = MONTH_PATTERN;
const QUARTER = QUARTER_PATTERN;
const YEAR = YEAR_PATTERN;

export const month = (year: number, m: number): MonthPeriod => check({ kind: 'month', year, month: m });
export const quarter = (year: number, q: number): QuarterPeriod => check({ kind: 'quarter', year, quarter: q });
export const year = (y: number): YearPeriod => check({ kind: 'year', year: y });

function check<P extends Period>(p: P): P {
  const ok =
    Number.isInteger(p.year) &&
    p.year >= 1000 &&
    p.year <= 9999 &&
    (p.kind === 'year' ||
      (p.kind === 'month' && Number.isInteger(p.month) && p.month >= 1 && p.month <= 12) ||
      (p.kind === 'quarter' && Number.isInteger(p.quarter) && p.quarter >= 1 && p.quarter <= 4));
  if (!ok) throw new RangeError(`not a period: ${JSON.stringify(p)}`);
  return p;
}

/** `2023-05`, `2023-Q1` or `2023`; anything else (`2023-5`, `2023-q1`, `2023-13`) is undefined. */
export function parsePeriod(text: string): Period | undefined {
  let m = MONTH.exec(text);
  if (m) return { kind: 'month', year: Number(m[1]), month: Number(m[2]) };
  m = QUARTER.exec(text);
  if (m) return { kind: 'quarter', year: Number(m[1]), quarter: Number(m[2]) };
  m = YEAR.exec(text);
  if (m) return { kind: 'year', year: Number(m[1]) };
  return undefined;
}

export function parseMonth(text: string): MonthPeriod | undefined {
  const p = parsePeriod(text);
  return p?.kind === 'month' ? p : undefined;
}

export function parseQuarter(text: string): QuarterPeriod | undefined {
  const p = parsePeriod(text);
  return p?.kind === 'quarter' ? p : undefined;
}

export const isPeriod = (text: string | null | undefined): text is string => typeof text === 'string' && parsePeriod(text) !== undefined;
export const isMonth = (text: string | null | undefined): text is string => typeof text === 'string' && MONTH.test(text);
export const isQuarter = (text: string | null | undefined): text is string => typeof text === 'string' && QUARTER.test(text);

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The written form parsePeriod reads. */
const year4 = (y: number) => String(y).padStart(4, '0');

export function formatPeriod(p: Period): string {
  switch (p.kind) {
    // Four digits always: year 0 written "0-01" would not parse back (found by the fuzz test).
    case 'month':
      return `${year4(p.year)}-${pad2(p.month)}`;
    case 'quarter':
      return `${year4(p.year)}-Q${p.quarter}`;
    case 'year':
      return year4(p.year);
    default: {
      const unreachable: never = p;
      return unreachable;
    }
  }
}

/** The first and last month a period covers, 1–12. */
function monthRange(p: Period): readonly [first: number, last: number] {
  return p.kind === 'month' ? [p.month, p.month] : p.kind === 'quarter' ? [p.quarter * 3 - 2, p.quarter * 3] : [1, 12];
}

/** The months a period covers, in order. */
export function monthsOf(p: Period): MonthPeriod[] {
  const [first, last] = monthRange(p);
  return Array.from({ length: last - first + 1 }, (_, i) => month(p.year, first + i));
}

export const lastMonthOf = (p: Period): MonthPeriod => month(p.year, monthRange(p)[1]);
export const quarterOf = (m: MonthPeriod): QuarterPeriod => quarter(m.year, Math.ceil(m.month / 3));

/** The first day of the period, `YYYY-MM-DD`. */
export const firstDayOf = (p: Period): string => `${p.year}-${pad2(monthRange(p)[0])}-01`;

/** The last day of the period, `YYYY-MM-DD` (February of leap years included). */
export function lastDayOf(p: Period): string {
  const last = monthRange(p)[1];
  // Day 0 of the following month is the last day of this one.
  return new Date(Date.UTC(p.year, last, 0)).toISOString().slice(0, 10);
}

/** The period of the same kind `n` steps later (earlier when `n` is negative). */
export function shift<P extends Period>(p: P, n: number): P {
  switch (p.kind) {
    case 'month': {
      const index = p.year * 12 + (p.month - 1) + n;
      return month(Math.floor(index / 12), (index % 12) + 1) as P;
    }
    case 'quarter': {
      const index = p.year * 4 + (p.quarter - 1) + n;
      return quarter(Math.floor(index / 4), (index % 4) + 1) as P;
    }
    case 'year':
      return year(p.year + n) as P;
    default: {
      const unreachable: never = p;
      return unreachable;
    }
  }
}

export const next = <P extends Period>(p: P): P => shift(p, 1);
export const previous = <P extends Period>(p: P): P => shift(p, -1);

/**
 * Orders periods by when they end. Where periods end together (March, Q1; December, Q4, the year)
 * the longer one sorts first, so the month counts as the latest: the monthly figures are
 * cumulative to the month's end (the ranking workflow's rule, see ranking-periods.ts).
 */
export function comparePeriods(a: Period, b: Period): number {
  const end = (p: Period) => p.year * 12 + monthRange(p)[1];
  const span = (p: Period) => monthRange(p)[1] - monthRange(p)[0];
  return end(a) - end(b) || span(b) - span(a);
}

export const samePeriod = (a: Period, b: Period): boolean => comparePeriods(a, b) === 0 && a.kind === b.kind;

/** Every period of a year as written, in comparePeriods order: 01, 02, Q1, 03, … 11, the year, Q4, 12. */
export function periodsOfYear(y: number): string[] {
  return [...monthsOf(year(y)), ...[1, 2, 3, 4].map((q) => quarter(y, q)), year(y)].sort(comparePeriods).map(formatPeriod);
}

export const monthsOfYear = (y: number): string[] => monthsOf(year(y)).map(formatPeriod);
export const quartersOfYear = (y: number): string[] => [1, 2, 3, 4].map((q) => formatPeriod(quarter(y, q)));

export type PeriodLocale = 'zh-CN' | 'en-US';

// As Intl writes them (`{ year: 'numeric', month: 'short' }`), so pages that format dates agree with these.
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How people read a period: 2023年5月 / 2023年第1季度 / 2023年, or May 2023 / Q1 2023 / 2023. */
export function displayPeriod(p: Period, locale: PeriodLocale): string {
  switch (p.kind) {
    case 'month':
      return locale === 'zh-CN' ? `${p.year}年${p.month}月` : `${EN_MONTHS[p.month - 1]} ${p.year}`;
    case 'quarter':
      return locale === 'zh-CN' ? `${p.year}年第${p.quarter}季度` : `Q${p.quarter} ${p.year}`;
    case 'year':
      return locale === 'zh-CN' ? `${p.year}年` : String(p.year);
    default: {
      const unreachable: never = p;
      return unreachable;
    }
  }
}

/**
 * A period as stored (`2023-05`, `2023-Q1`, `2023`) in both languages, for the texts the server
 * writes (timeline summaries, notices); anything else (an empty or unknown label) is kept as it is.
 */
export function periodText(text: string): { zh: string; en: string } {
  const p = parsePeriod(text);
  return p ? { zh: displayPeriod(p, 'zh-CN'), en: displayPeriod(p, 'en-US') } : { zh: text, en: text };
}

/** candidatePeriods' answers by period (any string may be asked: bounded, oldest out). */
const candidates = new Map<string, readonly string[]>();
const MAX_CANDIDATE_LISTS = 1_000;

/**
 * The periods whose figures may stand for `period`, best first: the period itself, then every
 * other period of the same year that ends no later than it does, latest end first. Where a month
 * and a quarter (or the year) end together the month comes first: monthly figures are cumulative
 * to the month's end, while a quarter's may cover the quarter alone. That is comparePeriods' order,
 * latest first. Ranking, Annex 2 and the monthly report's official standing all choose by it.
 */
export function candidatePeriods(period: string): readonly string[] {
  // Asked for every draft, submission and Annex 2 fold, for a handful of distinct periods: worked out
  // once each (frozen, so no caller can change what the next one gets).
  let known = candidates.get(period);
  if (!known) {
    const p = parsePeriod(period);
    let list: string[] = [];
    if (p) {
      const end = lastMonthOf(p);
      const others = periodsOfYear(p.year)
        .filter((x) => x !== period)
        .map((x) => parsePeriod(x)!)
        .filter((q) => comparePeriods(lastMonthOf(q), end) <= 0)
        .sort((a, b) => comparePeriods(b, a));
      list = [period, ...others.map(formatPeriod)];
    }
    known = Object.freeze(list);
    if (candidates.size >= MAX_CANDIDATE_LISTS) candidates.delete(candidates.keys().next().value!);
    candidates.set(period, known);
  }
  return known;
}
