/**
 * The working calendar as data: one file per year (plans/calendars/<year>.yaml), transcribed from
 * the State Council's notice on that year's public holidays (国务院办公厅关于<year>年部分节假日安排的通知).
 * The calendar is national, so every plan reads the same files; a plan's deadlines can then run
 * into the next year (the December report is due in January) as far as the notices go, and no
 * further: a date in a year without a file is an error naming the missing year, never a guess.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALENDAR_SCHEMA } from './plan.schema.js';
import { BUILTIN_CALENDARS_DIR } from './plans-dir.js';
import { isoWeekday, type Holiday, type IsoDate, type IsoWeekday, type WorkingCalendar, type WorkingWeekendDay } from './working-calendar.js';
import { Issues, PlanFileError } from './yaml-schema.js';

export interface CalendarNotice {
  readonly title: string;
  /** e.g. 国办发明电〔2022〕16号. */
  readonly number?: string;
  readonly issuedOn: IsoDate;
}

/** One year's file. */
export interface CalendarYear {
  readonly year: number;
  readonly notice: CalendarNotice;
  readonly holidays: readonly (Holiday & { readonly says?: string })[];
  readonly workingWeekendDays: readonly (WorkingWeekendDay & { readonly says?: string })[];
}

/**
 * 《国务院关于职工工作时间的规定》第七条: "国家机关、事业单位实行统一的工作时间，星期六和星期日为周休息日。"
 * The county's offices keep that week; the notices only move days within it.
 */
export const WEEKEND_DAYS: readonly IsoWeekday[] = [6, 7];

/**
 * Parses and checks one calendar file. Pure. Dates belong to the file's year, except that a
 * holiday or worked weekend day may start in the previous December (元旦 2023 ran from 2022-12-31).
 */
export function parseCalendarFile(text: string, fileName = 'calendar.yaml'): CalendarYear {
  const { issues, value } = Issues.parse(text, fileName);
  issues.validate(CALENDAR_SCHEMA, value);
  if (issues.any) issues.throwIfAny();
  const cal = value as CalendarYear;
  const earliest = `${cal.year - 1}-12-01`;
  const latest = `${cal.year}-12-31`;
  const outside = (d: IsoDate) => d < earliest || d > latest;

  cal.holidays.forEach((h, i) => {
    if (h.from > h.to) issues.report(['holidays', i, 'from'], `${h.from} is after to ${h.to}`);
    for (const key of ['from', 'to'] as const) {
      if (outside(h[key])) issues.report(['holidays', i, key], `${h[key]} is not in ${cal.year} (a holiday may start in the December before)`);
    }
  });
  const seen = new Map<IsoDate, number>();
  cal.workingWeekendDays.forEach((w, i) => {
    const at = ['workingWeekendDays', i, 'date'];
    if (outside(w.date)) issues.report(at, `${w.date} is not in ${cal.year}`);
    if (!WEEKEND_DAYS.includes(isoWeekday(w.date))) issues.report(at, `${w.date} is not a weekend day, so it cannot be a working weekend day (调休)`);
    const clash = cal.holidays.find((h) => h.from <= w.date && w.date <= h.to);
    if (clash) issues.report(at, `${w.date} is also inside the holiday ${clash.name}`);
    if (!cal.holidays.some((h) => h.name === w.holiday)) issues.report(['workingWeekendDays', i, 'holiday'], `"${w.holiday}" is not one of this file's holidays`);
    if (seen.has(w.date)) issues.report(at, `duplicate working weekend day ${w.date} (first at workingWeekendDays[${seen.get(w.date)}])`);
    seen.set(w.date, i);
  });
  issues.throwIfAny();
  return cal;
}

const missingCalendar = (year: number) => `add plans/calendars/${year}.yaml from 国务院办公厅关于${year}年部分节假日安排的通知`;

/** The years' files as one calendar; the years must follow each other, so coverage has no holes. */
export function workingCalendarOf(years: readonly CalendarYear[]): WorkingCalendar {
  const sorted = [...years].sort((a, b) => a.year - b.year);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) throw new RangeError('no working calendar: add plans/calendars/<year>.yaml, one per year');
  sorted.forEach((y, i) => {
    if (i > 0 && y.year === sorted[i - 1]!.year) throw new RangeError(`two working calendars for ${y.year}`);
    if (i > 0 && y.year !== sorted[i - 1]!.year + 1)
      throw new RangeError(
        `there are working calendars for ${sorted[i - 1]!.year} and ${y.year} but none for ${sorted[i - 1]!.year + 1}: ${missingCalendar(sorted[i - 1]!.year + 1)}`,
      );
  });
  return {
    covers: { from: `${first.year}-01-01`, to: `${last.year}-12-31` },
    weekendDays: WEEKEND_DAYS,
    holidays: sorted.flatMap((y) => y.holidays.map(({ name, from, to }) => ({ name, from, to }))),
    workingWeekendDays: sorted.flatMap((y) => y.workingWeekendDays.map(({ date, holiday }) => ({ date, holiday }))),
  };
}

/** Reads every `<year>.yaml` in `dir`, refusing a file whose `year` is not its name. */
export function loadCalendars(dir: string = BUILTIN_CALENDARS_DIR): CalendarYear[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}\.yaml$/.test(f))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const cal = parseCalendarFile(readFileSync(path, 'utf8'), path);
      if (String(cal.year) !== f.slice(0, 4)) {
        const reason = `is ${cal.year} but the file is named ${f}; a calendar's year must match its file name`;
        throw new PlanFileError([{ file: path, line: 1, field: 'year', reason, message: `${path} line 1: year: ${reason}` }]);
      }
      return cal;
    });
}

let builtin: CalendarYear[] | undefined;

/** The calendars the product ships with, read once. */
export function builtinCalendars(): readonly CalendarYear[] {
  return (builtin ??= loadCalendars());
}
