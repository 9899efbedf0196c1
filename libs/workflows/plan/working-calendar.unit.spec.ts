import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCalendars, parseCalendarFile, workingCalendarOf } from './calendars.js';
import { parsePlanFile, PlanFileError } from './plan-file.js';
import { BUILTIN_CALENDARS_DIR, BUILTIN_PLANS_DIR } from './plans.js';
import { addWorkingDays, isIsoDate, isoWeekday, isWorkingDay, localMidnightToUtc, monthlyReportDates, type WorkingCalendar } from './working-calendar.js';

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

  it('refuses to guess outside what it covers, naming the missing year', () => {
    expect(() => isWorkingDay(cal, '2022-12-30')).toThrow(RangeError);
    expect(() => isWorkingDay(cal, '2027-01-04')).toThrow(/outside the working calendar/);
    expect(() => isWorkingDay(cal, '2027-01-04')).toThrow('the 2027 calendar is missing (add plans/calendars/2027.yaml from 国务院办公厅关于2027年部分节假日安排的通知)');
    expect(() => addWorkingDays(cal, '2026-12-30', 3)).toThrow(/2027 calendar is missing/);
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

  it('the December report falls in the next year, which the 2024 calendar covers', () => {
    // 2024: "元旦：1月1日放假，与周末连休。"
    expect(monthlyReportDates(rule, cal, '2023-12')).toMatchObject({ lastDay: '2024-01-05', reminderOn: '2024-01-03' });
  });

  it('the 2023 plan states its holiday policy: the last day stays, since the document says only "于次月6日前"', () => {
    expect(rule.holidayPolicy).toBe('stays');
    // The September report's last day, 5 October, is inside National Day and stays there.
    expect(monthlyReportDates(rule, cal, '2023-09')).toMatchObject({ lastDay: '2023-10-05', dueBefore: '2023-10-05T16:00:00.000Z' });
  });

  it('counts the reminder over a worked Sunday: 2024 "2月4日（星期日）、2月18日（星期日）上班"', () => {
    // Last day Monday 5 February; one working day back is the worked Sunday the 4th, the second Friday the 2nd.
    expect(monthlyReportDates(rule, cal, '2024-01')).toMatchObject({ lastDay: '2024-02-05', reminderOn: '2024-02-02' });
  });

  describe('under 顺延 (next-working-day)', () => {
    const postponed = { ...rule, holidayPolicy: 'next-working-day' as const };

    it('2023 "中秋节、国庆节：9月29日至10月6日放假调休" and "10月7日（星期六）、10月8日（星期日）上班": the last day moves to the worked Saturday', () => {
      expect(monthlyReportDates(postponed, cal, '2023-09')).toEqual({
        period: '2023-09',
        lastDay: '2023-10-07',
        dueBefore: '2023-10-07T16:00:00.000Z',
        reminderOn: '2023-09-27',
      });
    });

    it('2024 "国庆节：10月1日至7日放假调休" and "9月29日（星期日）、10月12日（星期六）上班": the reminder lands on the worked Sunday', () => {
      expect(monthlyReportDates(postponed, cal, '2024-09')).toMatchObject({ lastDay: '2024-10-08', reminderOn: '2024-09-29' });
    });

    it('a last day that is a working day does not move', () => {
      expect(monthlyReportDates(postponed, cal, '2023-06')).toEqual(monthlyReportDates(rule, cal, '2023-06'));
    });

    it('a weekend last day moves to Monday: 5 August 2023 is a Saturday', () => {
      expect(monthlyReportDates(postponed, cal, '2023-07')).toMatchObject({ lastDay: '2023-08-07', reminderOn: '2023-08-03' });
    });
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

describe("the calendar files, one per year from the State Council's notices", () => {
  const text = (year: number) => readFileSync(join(BUILTIN_CALENDARS_DIR, `${year}.yaml`), 'utf8');

  it("are 2023 to 2026, and a plan's calendar covers all of them", () => {
    expect(loadCalendars().map((c) => [c.year, c.notice.title])).toEqual([2023, 2024, 2025, 2026].map((y) => [y, `国务院办公厅关于${y}年部分节假日安排的通知`]));
    expect(cal.covers).toEqual({ from: '2023-01-01', to: '2026-12-31' });
  });

  it.each([
    ['2024-02-09', true, '2024 "鼓励各单位…安排职工在除夕（2月9日）休息": encouraged, not a holiday'],
    ['2024-02-18', true, '2024 "2月4日（星期日）、2月18日（星期日）上班"'],
    ['2024-06-10', false, '2024 "端午节：6月10日放假，与周末连休"'],
    ['2024-09-14', true, '2024 "9月14日（星期六）上班"'],
    ['2025-01-01', false, '2025 "元旦：1月1日（周三）放假1天，不调休"'],
    ['2025-01-26', true, '2025 "1月26日（周日）、2月8日（周六）上班"'],
    ['2025-02-04', false, '2025 "春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天"'],
    ['2025-04-27', true, '2025 "4月27日（周日）上班"'],
    ['2025-10-08', false, '2025 "国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天"'],
    ['2025-10-11', true, '2025 "9月28日（周日）、10月11日（周六）上班"'],
    ['2026-01-02', false, '2026 "元旦：1月1日（周四）至3日（周六）放假调休，共3天"'],
    ['2026-01-04', true, '2026 "1月4日（周日）上班"'],
    ['2026-02-23', false, '2026 "春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天"'],
    ['2026-02-28', true, '2026 "2月14日（周六）、2月28日（周六）上班"'],
    ['2026-05-05', false, '2026 "劳动节：5月1日（周五）至5日（周二）放假调休，共5天"'],
    ['2026-05-09', true, '2026 "5月9日（周六）上班"'],
    ['2026-09-20', true, '2026 "9月20日（周日）、10月10日（周六）上班"'],
    ['2026-10-07', false, '2026 "国庆节：10月1日（周四）至7日（周三）放假调休，共7天"'],
  ])('%s is a working day: %s (%s)', (date, working) => {
    expect(isWorkingDay(cal, date)).toBe(working);
  });

  it('refuses a gap between years, naming the missing one', () => {
    const [y2023, , y2025] = loadCalendars();
    expect(() => workingCalendarOf([y2023!, y2025!])).toThrow('there are working calendars for 2023 and 2025 but none for 2024: add plans/calendars/2024.yaml');
  });

  it('a plan for a year without a calendar is refused at its year', () => {
    const e = refusal(() => parsePlanFile(TEXT, 'ye-county-2023.yaml', { calendars: loadCalendars().filter((c) => c.year !== 2023) }));
    expect(e).toMatchObject({ field: 'year', line: TEXT.split('\n').findIndex((l) => l.startsWith('year:')) + 1 });
    expect(e.message).toContain('there is no working calendar for 2023: add plans/calendars/2023.yaml');
  });

  const lineOf = (file: string, re: RegExp) => file.split('\n').findIndex((l) => re.test(l)) + 1;

  it('refuses an exchanged working day that is not a weekend day', () => {
    const line = lineOf(text(2023), /date: 2023-04-23/);
    const e = refusal(() => parseCalendarFile(text(2023).replace('date: 2023-04-23', 'date: 2023-04-24'), '2023.yaml'));
    expect(e).toMatchObject({ line, field: 'workingWeekendDays[2].date' });
    expect(e.message).toContain('2023-04-24 is not a weekend day');
  });

  it('refuses an impossible date', () => {
    const line = lineOf(text(2023), /name: 清明节/);
    const e = refusal(() => parseCalendarFile(text(2023).replace('from: 2023-04-05, to: 2023-04-05', 'from: 2023-04-05, to: 2023-04-31'), '2023.yaml'));
    expect(e).toMatchObject({ line, field: 'holidays[2].to' });
    expect(e.message).toBe(`2023.yaml line ${line}: holidays[2]: to: must be a date written YYYY-MM-DD, got "2023-04-31"`);
  });

  it('refuses a date of another year and a worked day naming no holiday of the file', () => {
    const e = refusal(() => parseCalendarFile(text(2025).replace('date: 2025-04-27, holiday: 劳动节', 'date: 2024-04-27, holiday: 五一'), '2025.yaml'));
    expect(e.errors.map((x) => [x.field, x.reason])).toEqual([
      ['workingWeekendDays[2].date', '2024-04-27 is not in 2025'],
      ['workingWeekendDays[2].holiday', '"五一" is not one of this file\'s holidays'],
    ]);
  });
});

function refusal(parse: () => unknown): PlanFileError {
  try {
    parse();
  } catch (e) {
    if (e instanceof PlanFileError) return e;
    throw e;
  }
  throw new Error('accepted');
}
