import { displayPeriod, parsePeriod } from '../../../../libs/workflows/plan/period.js';
import i18n, { currentLanguage } from '../i18n';

/**
 * Dates, numbers and percentages for the user's language, through Intl. Times are shown in the
 * plan's time zone (Asia/Shanghai for Ye County), whatever the browser's, since deadlines are the
 * county's.
 */
let timeZone = 'Asia/Shanghai';
export function setDisplayTimeZone(tz: string): void {
  timeZone = tz;
}

/**
 * Intl's formatters, made once per language and options: building one costs far more than using it
 * (a dashboard formats hundreds of figures and dates as it first renders; issue 15).
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${currentLanguage()}|${JSON.stringify(options)}`;
  let f = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(currentLanguage(), options)));
  return f;
}
function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${currentLanguage()}|${JSON.stringify(options)}`;
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(currentLanguage(), options)));
  return f;
}

/** The reader's half of a text the API sends in both languages. */
export function localized<T>(text: { zh: T; en: T }): T {
  return currentLanguage() === 'en-US' ? text.en : text.zh;
}

export function fmtNumber(v: number | null | undefined, maximumFractionDigits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return numberFormat({ maximumFractionDigits }).format(v);
}

/** A figure in its unit: percentages through Intl (the API gives 8.5 for 8.5 %), others with their symbol. */
export function fmtValue(v: number | null | undefined, symbol: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (symbol === '%') return numberFormat({ style: 'percent', maximumFractionDigits: 2 }).format(v / 100);
  const n = fmtNumber(v);
  return symbol ? `${n} ${symbol}` : n;
}

export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateFormat({ dateStyle: 'medium', timeStyle: 'short', timeZone, hourCycle: 'h23' }).format(d);
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  // A bare YYYY-MM-DD is a calendar day, not an instant: format it without shifting zones.
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00Z`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateFormat({ dateStyle: 'medium', timeZone: /^\d{4}-\d{2}-\d{2}$/.test(iso) ? 'UTC' : timeZone }).format(d);
}

/** '2023-07' → 2023年7月 / Jul 2023; '2023-Q3' → 2023年第三季度 / Q3 2023; '2023' → 2023年 / 2023. */
export function fmtPeriod(period: string | null | undefined): string {
  if (!period) return '—';
  const p = parsePeriod(period);
  return p ? displayPeriod(p, currentLanguage()) : period;
}

/** How long until (positive) or since (negative) a deadline, in days and hours. */
export function fmtDuration(minutes: number): string {
  const abs = Math.abs(minutes);
  const days = Math.floor(abs / 1440);
  const hours = Math.floor((abs % 1440) / 60);
  const mins = abs % 60;
  if (days > 0) return i18n.t('duration.daysHours', { days, hours });
  if (hours > 0) return i18n.t('duration.hoursMinutes', { hours, minutes: mins });
  return i18n.t('duration.minutes', { minutes: mins });
}
