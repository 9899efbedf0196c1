import {
  comparePeriods,
  displayPeriod,
  firstDayOf,
  formatPeriod,
  isMonth,
  isPeriod,
  isQuarter,
  lastDayOf,
  lastMonthOf,
  month,
  monthsOf,
  monthsOfYear,
  next,
  parseMonth,
  parsePeriod,
  parseQuarter,
  periodsOfYear,
  previous,
  quarter,
  quarterOf,
  quartersOfYear,
  shift,
  year,
  type Period,
} from './period.js';

describe('a period is a month, a quarter or a year', () => {
  it('reads the written forms and nothing else', () => {
    expect(parsePeriod('2023-05')).toEqual({ kind: 'month', year: 2023, month: 5 });
    expect(parsePeriod('2023-Q1')).toEqual({ kind: 'quarter', year: 2023, quarter: 1 });
    expect(parsePeriod('2023')).toEqual({ kind: 'year', year: 2023 });
    for (const bad of ['2023-13', '2023-00', '2023-5', '2023-Q0', '2023-Q5', '2023-q1', '23', '2023-05-01', ' 2023-05', '']) {
      expect([bad, parsePeriod(bad)]).toEqual([bad, undefined]);
    }
  });

  it('narrows to one kind', () => {
    expect(parseMonth('2023-05')).toEqual(month(2023, 5));
    expect(parseMonth('2023-Q2')).toBeUndefined();
    expect(parseQuarter('2023-Q2')).toEqual(quarter(2023, 2));
    expect(parseQuarter('2023')).toBeUndefined();
    expect([isMonth('2023-05'), isMonth('2023-Q2'), isMonth(null), isMonth(undefined)]).toEqual([true, false, false, false]);
    expect([isQuarter('2023-Q4'), isQuarter('2023-12')]).toEqual([true, false]);
    expect([isPeriod('2023'), isPeriod('2023-12'), isPeriod('2023-Q4'), isPeriod('2023-W1')]).toEqual([true, true, true, false]);
  });

  it('writes what it reads', () => {
    for (const text of ['2023-01', '2023-12', '2023-Q1', '2023-Q4', '2023', '2024-02']) expect(formatPeriod(parsePeriod(text)!)).toBe(text);
  });

  it('refuses to build a period that does not exist', () => {
    expect(() => month(2023, 13)).toThrow(RangeError);
    expect(() => quarter(2023, 5)).toThrow(RangeError);
    expect(() => year(2023.5)).toThrow(RangeError);
  });

  it('knows its months, its last month and its days', () => {
    expect(monthsOf(quarter(2023, 3)).map(formatPeriod)).toEqual(['2023-07', '2023-08', '2023-09']);
    expect(monthsOf(month(2023, 5)).map(formatPeriod)).toEqual(['2023-05']);
    expect(monthsOf(year(2023))).toHaveLength(12);
    expect(formatPeriod(lastMonthOf(quarter(2023, 1)))).toBe('2023-03');
    expect(formatPeriod(quarterOf(month(2023, 8)))).toBe('2023-Q3');
    expect([firstDayOf(quarter(2023, 4)), lastDayOf(quarter(2023, 4))]).toEqual(['2023-10-01', '2023-12-31']);
    expect([lastDayOf(month(2023, 2)), lastDayOf(month(2024, 2))]).toEqual(['2023-02-28', '2024-02-29']);
    expect([firstDayOf(year(2023)), lastDayOf(year(2023))]).toEqual(['2023-01-01', '2023-12-31']);
  });

  it('steps to the previous and next period of its kind, across years', () => {
    expect(formatPeriod(next(month(2023, 12)))).toBe('2024-01');
    expect(formatPeriod(previous(month(2023, 1)))).toBe('2022-12');
    expect(formatPeriod(next(quarter(2023, 4)))).toBe('2024-Q1');
    expect(formatPeriod(previous(quarter(2023, 1)))).toBe('2022-Q4');
    expect(formatPeriod(next(year(2023)))).toBe('2024');
    expect(formatPeriod(shift(month(2023, 5), -17))).toBe('2021-12');
  });

  it("orders by end, the month last where periods end together (monthly figures are cumulative to the month's end)", () => {
    const sorted = (texts: string[]) =>
      texts
        .map((t) => parsePeriod(t)!)
        .sort(comparePeriods)
        .map(formatPeriod);
    expect(sorted(['2023-04', '2023-Q1', '2023-03', '2022-12', '2023'])).toEqual(['2022-12', '2023-Q1', '2023-03', '2023-04', '2023']);
    expect(sorted(['2023-12', '2023-Q4', '2023'])).toEqual(['2023', '2023-Q4', '2023-12']);
  });

  it('lists the 17 periods of a year in that order, and its months and quarters', () => {
    expect(periodsOfYear(2023)).toEqual([
      '2023-01',
      '2023-02',
      '2023-Q1',
      '2023-03',
      '2023-04',
      '2023-05',
      '2023-Q2',
      '2023-06',
      '2023-07',
      '2023-08',
      '2023-Q3',
      '2023-09',
      '2023-10',
      '2023-11',
      '2023',
      '2023-Q4',
      '2023-12',
    ]);
    expect(monthsOfYear(2023)[11]).toBe('2023-12');
    expect(quartersOfYear(2023)).toEqual(['2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4']);
  });

  // 叶政〔2023〕20号: "逐月监测、逐季评估": month, quarter and year, as people read them (the web UI's words).
  it.each<[string, string, string]>([
    ['2023-05', '2023年5月', 'May 2023'],
    ['2023-Q1', '2023年第1季度', 'Q1 2023'],
    ['2023', '2023年', '2023'],
    ['2023-07', '2023年7月', 'Jul 2023'],
  ])('displays %s as %s and %s', (text, zh, en) => {
    const p: Period = parsePeriod(text)!;
    expect(displayPeriod(p, 'zh-CN')).toBe(zh);
    expect(displayPeriod(p, 'en-US')).toBe(en);
  });
});
