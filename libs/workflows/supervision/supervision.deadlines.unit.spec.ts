import { loadCalendars, workingCalendarOf } from '../plan/calendars.js';
import { deadlineAfter, deadlineOn, localDate, SUPERVISION_DEADLINES, workingDaysAfter } from './supervision.deadlines.js';
import { calendar2023, schedule2023 } from './supervision.fixtures.js';

const schedule = schedule2023;

describe('supervision deadlines', () => {
  it('the defaults: 3 working days to acknowledge, 10 for the plan, 5 to review, 5 to resubmit, a reminder one working day before at 09:00', () => {
    expect(SUPERVISION_DEADLINES).toEqual({
      acknowledgeWorkingDays: 3,
      planWorkingDays: 10,
      reviewWorkingDays: 5,
      resubmitWorkingDays: 5,
      reminderWorkingDaysBefore: 1,
      reminderLocalHour: 9,
    });
  });

  it('counts working days from the local date: opened Monday 9 October 10:00 Beijing time, acknowledged by the end of Thursday 12th', () => {
    expect(deadlineAfter(3, schedule, '2023-10-09T02:00:00.000Z')).toEqual({ lastDay: '2023-10-12', dueAt: '2023-10-12T16:00:00.000Z', reminderAt: '2023-10-11T01:00:00.000Z' });
  });

  it('the local date, not the UTC one, starts the count (01:00 Beijing is still the previous day in UTC)', () => {
    expect(localDate('2023-10-08T17:00:00.000Z', 'Asia/Shanghai')).toBe('2023-10-09');
    expect(deadlineAfter(3, schedule, '2023-10-08T17:00:00.000Z').lastDay).toBe('2023-10-12');
  });

  it('skips the National Day holiday and counts the exchanged weekend days as working days', () => {
    expect(workingDaysAfter(calendar2023, '2023-09-28', 3)).toBe('2023-10-09');
  });

  it('a case running into the next year counts that year’s calendar: 2024 "2月4日（星期日）、2月18日（星期日）上班"', () => {
    const calendar = workingCalendarOf(loadCalendars());
    expect(workingDaysAfter(calendar, '2024-01-30', 3)).toBe('2024-02-02');
    expect(workingDaysAfter(calendar, '2024-02-02', 1)).toBe('2024-02-04');
  });

  it('beyond the calendar it refuses to guess with weekends only, naming the missing year', () => {
    expect(() => workingDaysAfter(calendar2023, '2024-01-30', 3)).toThrow(/the 2024 calendar is missing/);
  });

  it('a reminder whose moment has passed is not set', () => {
    expect(deadlineOn('2023-10-12', schedule, '2023-10-11T05:00:00.000Z').reminderAt).toBeNull();
  });

  it('a date the unit chose is due at the local midnight after it', () => {
    expect(deadlineOn('2023-11-30', schedule, '2023-10-20T02:00:00.000Z')).toEqual({
      lastDay: '2023-11-30',
      dueAt: '2023-11-30T16:00:00.000Z',
      reminderAt: '2023-11-29T01:00:00.000Z',
    });
  });
});
