import { holdsOnlyPlans, refusalOf, type StoreSurvey } from './demo-store.js';

const survey = (s: Partial<StoreSurvey> = {}): StoreSurvey => ({ planPublications: 1, accounts: 0, seals: 0, demo: 0, ...s });

describe('whether the demo may play on a store', () => {
  it('plays on a store holding only the published plan, accounts and seals', () => {
    expect(refusalOf(survey())).toBeUndefined();
    expect(refusalOf(survey({ accounts: 40, seals: 3 }))).toBeUndefined();
    expect(holdsOnlyPlans(survey())).toBe(true);
    expect(holdsOnlyPlans(survey({ accounts: 1 }))).toBe(false);
  });

  it('refuses real data, naming the stream and the type it found', () => {
    const refusal = refusalOf(
      survey({ real: { streamId: 'report-ye-county-2023-fgw-2023-06', type: 'ReportOpened', recordedAt: '2023-07-01T01:00:00.000Z', actor: 'office-1', position: '12' } }),
    );
    expect(refusal).toMatchObject({ code: 'store-holds-real-data' });
    expect(refusal!.message).toContain('ReportOpened in stream "report-ye-county-2023-fgw-2023-06"');
  });

  it('refuses a store it has played on, and one where an earlier run stopped part-way', () => {
    const ref = { planId: 'ye-county-2023', year: 2023, seed: 5, months: 12, synthetic: true as const };
    expect(refusalOf(survey({ demo: 4000, played: { ...ref, playedAt: 'x', simulated: { from: 'a', to: 'b' }, counts: {}, commands: 1, durationMs: 1 } }))).toMatchObject({
      code: 'demo-already-played',
    });
    expect(refusalOf(survey({ demo: 12, started: { ...ref, startedAt: '2026-01-01T00:00:00.000Z' } }))).toMatchObject({
      code: 'demo-unfinished',
      message: expect.stringContaining('seed 5'),
    });
  });

  it('refuses a store without a plan', () => {
    expect(refusalOf(survey({ planPublications: 0 }))).toMatchObject({ code: 'plan-not-found' });
  });
});
