import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlanFile, PlanFileError } from './plan-file.js';
import { BUILTIN_PLANS_DIR } from './plans.js';
import {
  addWorkingDays,
  isIsoDate,
  isoWeekday,
  isWorkingDay,
  localMidnightToUtc,
  monthlyReportDates,
  type WorkingCalendar,
} from './working-calendar.js';

const TEXT = readFileSync(join(BUILTIN_PLANS_DIR, 'ye-county-2023.yaml'), 'utf8');
const plan = parsePlanFile(TEXT, 'ye-county-2023.yaml');
const cal = plan.calendar;

describe('the 2023 working calendar (State Council schedule)', () => {
  it.each([
    ['2023-01-28', true, 'Saturday worked for the Spring Festival'],
    ['2023-01-29', true, 'Sunday worked for the Spring Festival'],
    ['2023-04-23', true, 'Sunday worked for Labour Day'],
    ['2023-05-06', true, 'Saturday worked for Labour Day'],
    ['2023-06-25', true, 'Sunday worked for the Dragon Boat Festival'],
    ['2023-10-07', true, 'Saturday worked for National Day'],
    ['2023-10-08', true, 'Sunday worked for National Day'],
    ['2023-01-02', false, 'New Year, a Monday'],
    ['2023-01-27', false, 'Spring Festival, a Friday'],
    ['2023-04-05', false, 'Qingming, a Wednesday'],
    ['2023-05-02', false, 'Labour Day, a Tuesday'],
    ['2023-06-23', false, 'Dragon Boat Festival, a Friday'],
    ['2023-09-29', false, 'Mid-Autumn Festival, a Friday'],
    ['2023-10-02', false, 'National Day, a Monday'],
    ['2024-01-01', false, 'New Year 2024, a Monday'],
    ['2023-07-05', true, 'an ordinary Wednesday'],
    ['2023-07-08', false, 'an ordinary Saturday'],
  ])('%s is a working day: %s (%s)', (date, working) => {
    expect(isWorkingDay(cal, date)).toBe(working);
  });

  it('knows its weekdays', () => {
    expect(isoWeekday('2023-01-28')).toBe(6);
    expect(isoWeekday('2023-01-29')).toBe(7);
    expect(isoWeekday('2023-10-02')).toBe(1);
  });

  it('refuses to guess outside what it covers', () => {
    expect(() => isWorkingDay(cal, '2022-12-30')).toThrow(RangeError);
    expect(() => isWorkingDay(cal, '2024-02-01')).toThrow(/outside the working calendar/);
  });

  it.each([
    ['2023-01-20', 1, '2023-01-28', 'over the Spring Festival onto the worked Saturday'],
    ['2023-01-28', -1, '2023-01-20', 'back over the Spring Festival'],
    ['2023-09-28', 1, '2023-10-07', 'over the National Day week onto the worked Saturday'],
    ['2023-10-07', -1, '2023-09-28', 'back over the National Day week'],
    ['2023-04-28', 1, '2023-05-04', 'over Labour Day'],
    ['2023-04-21', 1, '2023-04-23', 'onto the worked Sunday'],
    ['2023-04-03', 2, '2023-04-06', 'over Qingming'],
    ['2023-07-05', -2, '2023-07-03', 'an ordinary week'],
    ['2023-09-05', -2, '2023-09-01', 'over an ordinary weekend'],
    ['2023-10-02', 0, '2023-10-02', 'zero steps stay put, even on a holiday'],
    ['2023-10-01', 1, '2023-10-07', 'starting from a holiday'],
  ])('addWorkingDays(%s, %i) is %s (%s)', (date, n, expected) => {
    expect(addWorkingDays(cal, date, n)).toBe(expected);
  });

  it('refuses a fractional count and a malformed date', () => {
    expect(() => addWorkingDays(cal, '2023-07-05', 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, '2023-02-30', 1)).toThrow(RangeError);
    expect(isIsoDate('2023-02-30')).toBe(false);
    expect(isIsoDate('2023-2-3')).toBe(false);
  });
});

describe('monthly report dates', () => {
  const rule = plan.monthlyReport;

  it('the June report is due before 6 July (the end of 5 July in Asia/Shanghai); reminder two working days earlier', () => {
    expect(monthlyReportDates(rule, cal, '2023-06')).toEqual({
      period: '2023-06',
      lastDay: '2023-07-05',
      dueBefore: '2023-07-05T16:00:00.000Z',
      reminderOn: '2023-07-03',
    });
  });

  it('the reminder skips weekends and holidays', () => {
    expect(monthlyReportDates(rule, cal, '2023-08').reminderOn).toBe('2023-09-01');
    // Counting back over a long holiday can land the reminder before the reported month has ended:
    // 5 May is a Friday, two working days back crosses Labour Day; 5 October is inside National Day.
    expect(monthlyReportDates(rule, cal, '2023-04').reminderOn).toBe('2023-04-28');
    expect(monthlyReportDates(rule, cal, '2023-09').reminderOn).toBe('2023-09-27');
  });

  it('the December report falls in the next year, which the calendar covers for that reason', () => {
    expect(monthlyReportDates(rule, cal, '2023-12')).toMatchObject({ lastDay: '2024-01-05', reminderOn: '2024-01-03' });
  });

  it('converts local midnight in a zone with daylight saving too', () => {
    expect(localMidnightToUtc('2023-07-06', 'Europe/Berlin')).toBe('2023-07-05T22:00:00.000Z');
    expect(localMidnightToUtc('2023-01-06', 'Europe/Berlin')).toBe('2023-01-05T23:00:00.000Z');
  });
});

describe('a small calendar, independent of any plan', () => {
  const tiny: WorkingCalendar = {
    covers: { from: '2030-01-01', to: '2030-01-31' },
    weekendDays: [5, 6, 7],
    holidays: [{ name: 'x', from: '2030-01-08', to: '2030-01-09' }],
    workingWeekendDays: [{ date: '2030-01-11', holiday: 'x' }],
  };

  it('uses the weekend days it declares', () => {
    // 2030-01-04 is a Friday, a weekend day here; 2030-01-11 is a Friday worked instead.
    expect(isWorkingDay(tiny, '2030-01-04')).toBe(false);
    expect(isWorkingDay(tiny, '2030-01-11')).toBe(true);
    expect(addWorkingDays(tiny, '2030-01-07', 1)).toBe('2030-01-10');
    expect(addWorkingDays(tiny, '2030-01-10', 1)).toBe('2030-01-11');
  });
});

describe('the calendar in a plan file is validated', () => {
  function firstError(text: string): PlanFileError {
    try {
      parsePlanFile(text, 'ye-county-2023.yaml');
    } catch (e) {
      if (e instanceof PlanFileError) return e;
      throw e;
    }
    throw new Error('accepted');
  }
  const lineOf = (re: RegExp) => TEXT.split('\n').findIndex((l) => re.test(l)) + 1;

  it('refuses an exchanged working day that is not a weekend day', () => {
    const line = lineOf(/date: 2023-04-23/);
    const e = firstError(TEXT.replace('date: 2023-04-23', 'date: 2023-04-24'));
    expect(e).toMatchObject({ line, field: 'calendar.workingWeekendDays[2].date' });
    expect(e.message).toContain('2023-04-24 is not a weekend day');
  });

  it('refuses an impossible date', () => {
    const line = lineOf(/name: 清明节/);
    const e = firstError(TEXT.replace('{ name: 清明节, from: 2023-04-05, to: 2023-04-05 }', '{ name: 清明节, from: 2023-04-05, to: 2023-04-31 }'));
    expect(e).toMatchObject({ line, field: 'calendar.holidays[2].to' });
  });
});
