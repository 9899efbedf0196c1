/**
 * Working days per a plan's calendar: official holidays and the weekend days worked in exchange
 * (调休) are data (plans/calendars/<year>.yaml, see calendars.ts), so deadlines and reminders follow
 * the published schedule rather than a plain Monday–Friday week. Dates are ISO `YYYY-MM-DD` strings in the plan's local time;
 * they are handled as UTC calendar dates so no host time zone leaks in.
 */
import { firstDayOf, formatPeriod, next, parseMonth } from './period.js';

/** `YYYY-MM-DD`. */
export type IsoDate = string;
/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface Holiday {
  readonly name: string;
  /** Inclusive. */
  readonly from: IsoDate;
  /** Inclusive. */
  readonly to: IsoDate;
}

export interface WorkingWeekendDay {
  readonly date: IsoDate;
  /** The holiday this day is worked in exchange for. */
  readonly holiday: string;
}

export interface WorkingCalendar {
  /** The dates the calendar vouches for; asking about any other date throws rather than guess. */
  readonly covers: { readonly from: IsoDate; readonly to: IsoDate };
  readonly weekendDays: readonly IsoWeekday[];
  readonly holidays: readonly Holiday[];
  readonly workingWeekendDays: readonly WorkingWeekendDay[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Whether `text` is a real calendar date written `YYYY-MM-DD` (rejects 2023-02-30). */
export function isIsoDate(text: unknown): text is IsoDate {
  if (typeof text !== 'string') return false;
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === text;
}

function toEpochDay(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`"${date}" is not a date written YYYY-MM-DD`);
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function fromEpochDay(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isoWeekday(date: IsoDate): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return (((((toEpochDay(date) + 3) % 7) + 7) % 7) + 1) as IsoWeekday;
}

export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + n);
}

function checkCovered(calendar: WorkingCalendar, date: IsoDate): void {
  const { from, to } = calendar.covers;
  if (date < from || date > to) {
    const year = date.slice(0, 4);
    throw new RangeError(
      `${date} is outside the working calendar, which covers ${from} to ${to}: the ${year} calendar is missing ` +
        `(add plans/calendars/${year}.yaml from 国务院办公厅关于${year}年部分节假日安排的通知)`,
    );
  }
}

export function isWorkingDay(calendar: WorkingCalendar, date: IsoDate): boolean {
  toEpochDay(date);
  checkCovered(calendar, date);
  // An exchanged weekend day is worked even though it is a weekend day; holidays win over weekdays.
  if (calendar.workingWeekendDays.some((d) => d.date === date)) return true;
  if (calendar.holidays.some((h) => h.from <= date && date <= h.to)) return false;
  return !calendar.weekendDays.includes(isoWeekday(date));
}

/**
 * The date `n` working days after `date` (before it when `n` is negative). Only the days stepped
 * onto are counted, so `date` itself need not be a working day; `n = 0` returns `date` unchanged.
 * Throws a RangeError when the walk leaves the calendar's coverage.
 */
export function addWorkingDays(calendar: WorkingCalendar, date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`the number of working days must be an integer, got ${n}`);
  toEpochDay(date);
  const step = Math.sign(n);
  let day = date;
  for (let left = Math.abs(n); left > 0;) {
    day = addCalendarDays(day, step);
    if (isWorkingDay(calendar, day)) left--;
  }
  return day;
}

/** A reporting period: one calendar month, `YYYY-MM`. */
export type IsoMonth = string;

/** What happens to a deadline whose last day is not a working day: it stays, or moves to the next working day (顺延). */
export type HolidayPolicy = 'stays' | 'next-working-day';

export interface MonthlyDeadlineRule {
  /** "于次月6日前": the report is due before this day of the month after the period. */
  readonly dueBeforeDayOfNextMonth: number;
  /** When the last day is a public holiday or a weekend not worked in exchange; `stays` when absent. */
  readonly holidayPolicy?: HolidayPolicy;
  readonly reminderWorkingDaysBefore: number;
  /** IANA zone the deadline is read in, e.g. Asia/Shanghai. */
  readonly timeZone: string;
}

export interface MonthlyReportDates {
  readonly period: IsoMonth;
  /** The last local day on which the report is on time (moved to a working day under `next-working-day`). */
  readonly lastDay: IsoDate;
  /** The instant from which a report is late: local midnight after `lastDay`. */
  readonly dueBefore: string;
  /** `reminderWorkingDaysBefore` working days before `lastDay`. */
  readonly reminderOn: IsoDate;
}

export function monthlyReportDates(rule: MonthlyDeadlineRule, calendar: WorkingCalendar, period: IsoMonth): MonthlyReportDates {
  const month = parseMonth(period);
  if (!month) throw new RangeError(`"${period}" is not a month written YYYY-MM`);
  const nominal = addCalendarDays(firstDayOf(next(month)), rule.dueBeforeDayOfNextMonth - 2);
  // 顺延: the first working day on or after the nominal last day.
  const lastDay = rule.holidayPolicy === 'next-working-day' && !isWorkingDay(calendar, nominal) ? addWorkingDays(calendar, nominal, 1) : nominal;
  return {
    period: formatPeriod(month),
    lastDay,
    dueBefore: localMidnightToUtc(addCalendarDays(lastDay, 1), rule.timeZone),
    reminderOn: addWorkingDays(calendar, lastDay, -rule.reminderWorkingDaysBefore),
  };
}

/** The UTC instant (ISO 8601) of local midnight starting `date` in `timeZone`. */
export function localMidnightToUtc(date: IsoDate, timeZone: string): string {
  const wallClock = toEpochDay(date) * DAY_MS;
  // Two passes settle zones whose offset changes near the date (DST); fixed-offset zones need one.
  let utc = wallClock - offsetMs(timeZone, wallClock);
  utc = wallClock - offsetMs(timeZone, utc);
  return new Date(utc).toISOString();
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClockFormats.set(timeZone, format);
  }
  return format;
}

function offsetMs(timeZone: string, utc: number): number {
  const parts = wallClockFormat(timeZone).formatToParts(new Date(utc));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utc / 1000) * 1000;
}

/** Whether the runtime knows the IANA zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
