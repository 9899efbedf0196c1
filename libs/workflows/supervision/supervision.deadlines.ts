import { DEFAULT_SUPERVISION_DEADLINES } from '../plan/plan-file.js';
import { addCalendarDays, addWorkingDays, isIsoDate, localMidnightToUtc, type IsoDate, type WorkingCalendar } from '../plan/working-calendar.js';

/**
 * How long each step of a supervision case may take. The seed sets no numbers (it says only
 * "及时": promptly), so these are the bureau's working deadlines, in working days of the plan's
 * calendar (holidays and exchanged weekend days included). They are plan data (the plan file's
 * `supervisionDeadlines`, these values when it sets none); the handler passes them to every
 * decision, and every event records the deadline it was given:
 *
 * | step | deadline |
 * |---|---|
 * | acknowledge (the unit confirms it has the case) | 3 working days from opening |
 * | rectification plan (整改方案, with the unit's own completion date) | 10 working days from acknowledging |
 * | feedback (整改反馈) | the end of the completion date the unit chose in its plan |
 * | review of the feedback (the bureau) | 5 working days from the feedback |
 * | a plan or feedback sent back for more | 5 working days from the review |
 *
 * A reminder goes out at 09:00 local time one working day before the last day; an overdue step
 * becomes an event at local midnight after the last day.
 */
export interface DeadlineRules {
  acknowledgeWorkingDays: number;
  planWorkingDays: number;
  reviewWorkingDays: number;
  resubmitWorkingDays: number;
  reminderWorkingDaysBefore: number;
  reminderLocalHour: number;
}

export const SUPERVISION_DEADLINES: DeadlineRules = { ...DEFAULT_SUPERVISION_DEADLINES };

/** The plan's calendar and zone plus the rules: everything a deadline decision needs. */
export interface Schedule {
  timeZone: string;
  calendar: WorkingCalendar;
  rules: DeadlineRules;
}

/** The local calendar date of an instant in a time zone. */
export function localDate(instant: string, timeZone: string): IsoDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

/**
 * The calendar's own working-day arithmetic. A case may run into the next year (a Q4 case opened in
 * January), which the calendar files cover as far as the State Council has published; beyond that
 * it throws, naming the missing year, rather than guess with weekends only.
 */
export function workingDaysAfter(calendar: WorkingCalendar, date: IsoDate, n: number): IsoDate {
  return addWorkingDays(calendar, date, n);
}

export interface DeadlineDates {
  /** The last local day on which the step is on time. */
  lastDay: IsoDate;
  /** The instant it becomes overdue: local midnight after the last day. */
  dueAt: string;
  /** null when the reminder's moment has already passed (a short deadline). */
  reminderAt: string | null;
}

export function deadlineOn(lastDay: IsoDate, schedule: Schedule, now: string): DeadlineDates {
  if (!isIsoDate(lastDay)) throw new RangeError(`"${lastDay}" is not a date written YYYY-MM-DD`);
  const dueAt = localMidnightToUtc(addCalendarDays(lastDay, 1), schedule.timeZone);
  const reminderDay = workingDaysAfter(schedule.calendar, lastDay, -schedule.rules.reminderWorkingDaysBefore);
  const reminder = new Date(Date.parse(localMidnightToUtc(reminderDay, schedule.timeZone)) + schedule.rules.reminderLocalHour * 3_600_000).toISOString();
  return { lastDay, dueAt, reminderAt: Date.parse(reminder) > Date.parse(now) ? reminder : null };
}

/** A deadline `workingDays` working days after the local day of `now`. */
export function deadlineAfter(workingDays: number, schedule: Schedule, now: string): DeadlineDates {
  return deadlineOn(workingDaysAfter(schedule.calendar, localDate(now, schedule.timeZone), workingDays), schedule, now);
}
