import { candidatePeriods, parsePeriod, periodsOfYear, quarterPeriods, resolvePeriod } from './ranking-periods.js';

describe('ranking periods', () => {
  it('reads months, quarters and years, and nothing else', () => {
    expect(parsePeriod('2023-08')).toEqual({ kind: 'month', year: 2023, month: 8 });
    expect(parsePeriod('2023-Q3')).toEqual({ kind: 'quarter', year: 2023, quarter: 3 });
    expect(parsePeriod('2023')).toEqual({ kind: 'year', year: 2023 });
    for (const bad of ['2023-13', '2023-Q5', '2023-8', '23', '2023-q3', '']) expect(parsePeriod(bad)).toBeUndefined();
  });

  it('a year has 17 ranking periods', () => {
    expect(periodsOfYear(2023)).toHaveLength(17);
  });

  it('a month is answered by itself, then by the latest earlier period of the year, a month before a quarter that ends with it', () => {
    expect(candidatePeriods('2023-08')).toEqual(['2023-08', '2023-07', '2023-06', '2023-Q2', '2023-05', '2023-04', '2023-03', '2023-Q1', '2023-02', '2023-01']);
    expect(candidatePeriods('2023-01')).toEqual(['2023-01']);
  });

  it('a quarter is answered by itself, then by its last month, and never by a later period', () => {
    expect(candidatePeriods('2023-Q3').slice(0, 4)).toEqual(['2023-Q3', '2023-09', '2023-08', '2023-07']);
    expect(candidatePeriods('2023-Q3')).not.toContain('2023-10');
    expect(candidatePeriods('2023')[0]).toBe('2023');
    expect(candidatePeriods('2023')).toHaveLength(17);
  });

  it('the warning board looks only inside its quarter', () => {
    expect(quarterPeriods('2023-Q3')).toEqual(['2023-Q3', '2023-09', '2023-08', '2023-07']);
    expect(quarterPeriods('2023-08')).toEqual([]);
  });

  it('resolves to the first candidate that has figures, or none', () => {
    expect(resolvePeriod(candidatePeriods('2023-08'), (p) => p === '2023-Q2' || p === '2023-03')).toBe('2023-Q2');
    expect(resolvePeriod(candidatePeriods('2023-08'), () => false)).toBeNull();
  });
});
