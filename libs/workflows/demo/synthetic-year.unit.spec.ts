import { loadBuiltinPlan } from '../plan/plans.js';
import { rankCounties } from '../ranking/rank-counties.js';
import { tierOf } from '../reporting/report-content.js';
import { Rng, syntheticYear } from './synthetic-year.js';

const plan = loadBuiltinPlan('ye-county-2023');
const months = Array.from({ length: 12 }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}`);
const rankOf = (no: number, figures: { countyId: string; value: number | null; rank: number | null }[]) =>
  rankCounties(figures, plan.indicators.find((i) => i.no === no)!.direction).find((r) => r.countyId === 'ye')!.rank;

describe('the synthetic year', () => {
  const year = syntheticYear(plan, 2023);

  it('is the same for the same seed and differs for another', () => {
    const again = syntheticYear(plan, 2023);
    const other = syntheticYear(plan, 7);
    expect(plan.indicators.map((i) => again.figures(i.no, '2023-06'))).toEqual(plan.indicators.map((i) => year.figures(i.no, '2023-06')));
    expect(plan.indicators.map((i) => other.figures(i.no, '2023-06'))).not.toEqual(plan.indicators.map((i) => year.figures(i.no, '2023-06')));
    expect(new Rng(1).next()).toBe(new Rng(1).next());
  });

  it('gives all six counties a value for every indicator, month, quarter and the year; quarters and the year are their last month', () => {
    for (const i of plan.indicators) {
      for (const period of [...months, '2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4', '2023']) {
        const f = year.figures(i.no, period);
        expect(f.map((x) => x.countyId)).toEqual(plan.peerGroup.counties.map((c) => c.id));
        expect(f.every((x) => typeof x.value === 'number' && Number.isFinite(x.value) && x.rank === null)).toBe(true);
      }
      expect(year.figures(i.no, '2023-Q2')).toEqual(year.figures(i.no, '2023-06'));
      expect(year.figures(i.no, '2023')).toEqual(year.figures(i.no, '2023-12'));
    }
  });

  it('keeps figures plausible for their unit of measure: PM2.5 in μg/m³, task scores 60–100, counts whole and growing through the year', () => {
    const byUnit = (u: string) => plan.indicators.filter((i) => i.unitOfMeasure === u);
    for (const i of byUnit('ug/m3')) for (const m of months) for (const f of year.figures(i.no, m)) expect(f.value!).toBeGreaterThan(10);
    for (const i of plan.indicators.filter((x) => x.kind === 'task')) for (const m of months) for (const f of year.figures(i.no, m)) expect(f.value!).toBeGreaterThanOrEqual(60);
    for (const i of [...byUnit('count'), ...byUnit('persons'), ...byUnit('cases')]) {
      for (const m of months) for (const f of year.figures(i.no, m)) expect(Number.isInteger(f.value) && f.value! >= 0).toBe(true);
      const sum = (m: string) => year.figures(i.no, m).reduce((a, f) => a + f.value!, 0);
      expect(sum('2023-12')).toBeGreaterThan(sum('2023-01'));
    }
    for (const i of plan.indicators.filter((x) => x.name.includes('增速'))) for (const f of year.figures(i.no, '2023-06')) expect(Math.abs(f.value!)).toBeLessThan(40);
  });

  it('has greens, yellows and reds in every quarter, with a bounded number of reds to supervise', () => {
    for (const q of ['2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4']) {
      const tiers = plan.indicators.map((i) => tierOf(rankOf(i.no, year.figures(i.no, q)), plan.warningTiers));
      expect(tiers.filter((t) => t === 'green').length).toBeGreaterThan(5);
      expect(tiers.filter((t) => t === 'yellow').length).toBeGreaterThan(5);
      expect(tiers.filter((t) => t === 'red').length).toBeGreaterThanOrEqual(2);
      expect(year.reds(Number(q.slice(-1))).length).toBeLessThanOrEqual(10);
    }
  });

  it('sets up the set pieces on five distinct indicators', () => {
    const s = year.scenario;
    const nos = [s.peerRevision?.indicatorNo, s.clearedByCorrection?.indicatorNo, s.improved?.indicatorNo, s.publicNotice?.indicatorNo, s.admonitoryTalk?.indicatorNo];
    expect(nos.every((n) => n !== undefined)).toBe(true);
    expect(new Set(nos).size).toBe(5);
  });

  it('peer revision: as first published we are 2nd (green) in February; the revised peer puts us 3rd (yellow)', () => {
    const p = year.scenario.peerRevision!;
    expect(rankOf(p.indicatorNo, year.firstPublished(p.indicatorNo, p.period))).toBe(2);
    expect(rankOf(p.indicatorNo, year.figures(p.indicatorNo, p.period))).toBe(3);
    expect(p.after.countyId).toBe(p.before.countyId);
    expect(p.countyId).not.toBe('ye');
    expect(year.ours(p.indicatorNo, p.period).rank).toBe(2);
  });

  it('cleared by correction: red (5th) in Q1 as recorded; the corrected value ranks 4th (yellow)', () => {
    const c = year.scenario.clearedByCorrection!;
    expect(c.periods).toEqual(['2023-Q1', '2023-03']);
    for (const period of c.periods) {
      const f = year.figures(c.indicatorNo, period);
      expect(rankOf(c.indicatorNo, f)).toBe(5);
      expect(
        rankOf(
          c.indicatorNo,
          f.map((x) => (x.countyId === 'ye' ? { ...x, value: c.corrected } : x)),
        ),
      ).toBe(4);
    }
  });

  it('improved: red in Q1, yellow in May and in Q2; the other two set pieces are red in Q1', () => {
    const s = year.scenario;
    expect(rankOf(s.improved!.indicatorNo, year.figures(s.improved!.indicatorNo, '2023-Q1'))).toBe(6);
    expect(rankOf(s.improved!.indicatorNo, year.figures(s.improved!.indicatorNo, '2023-05'))).toBe(3);
    expect(rankOf(s.improved!.indicatorNo, year.figures(s.improved!.indicatorNo, '2023-Q2'))).toBe(3);
    for (const no of [s.publicNotice!.indicatorNo, s.admonitoryTalk!.indicatorNo]) expect(year.reds(1)).toContain(no);
  });
});
