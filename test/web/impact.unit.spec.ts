import type { Annex2Row, BoardRow, ScoringRules } from '../../apps/web/src/api/models.js';
import { caseEffect, figureCorrectionImpact, reportCorrectionImpact } from '../../apps/web/src/lib/impact.js';

/**
 * The web's "what this correction will change" preview: composed in the browser from the shared
 * rules (libs/workflows/ranking/rules.ts), so it must answer what the API will then decide.
 */
const plan = {
  warningTiers: [
    { tier: 'green' as const, fromRank: 1, toRank: 2 },
    { tier: 'yellow' as const, fromRank: 3, toRank: 4 },
    { tier: 'red' as const, fromRank: 5, toRank: 6 },
  ],
  peerGroup: {
    size: 3,
    counties: [
      { id: 'ye', name: '叶县', ours: true },
      { id: 'jia', name: '郏县', ours: false },
      { id: 'lushan', name: '鲁山县', ours: false },
    ],
  },
} as unknown as Parameters<typeof figureCorrectionImpact>[0]['plan'];
const rules = {
  planId: 'p',
  versions: [],
  current: {
    version: 1,
    coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
    missingRankCoefficient: 0,
    note: '',
    at: '',
    by: { userId: 'u' },
  },
} as unknown as ScoringRules;
const openCase = { unitId: 'sthjj', indicatorNo: 28, caseNo: 1 } as BoardRow;
const row = (over: Partial<Annex2Row>): Annex2Row =>
  ({ rank: 5, warning: 'red', score: 3, points: 5, rankSource: 'reported', result: 45, byUnit: [{ unitId: 'sthjj', value: 45, rank: 5 }], ...over }) as unknown as Annex2Row;

describe('a unit’s reported figure corrected', () => {
  it('a rank corrected out of red: the colour, the line’s score and the total move, and the open case may close', () => {
    const impact = reportCorrectionImpact({ plan, row: row({}), totalScore: 100, rules, field: 'rank', unitId: 'sthjj', previous: 5, corrected: 2, openCases: [openCase] });
    expect(impact).toMatchObject({
      rank: { from: 5, to: 2 },
      warning: { from: 'red', to: 'green' },
      score: { from: 3, to: 4.5 },
      total: { from: 100, to: 101.5 },
      caseEffect: 'may-close',
    });
  });

  it('a value corrected moves neither rank nor colour', () => {
    const impact = reportCorrectionImpact({ plan, row: row({}), totalScore: 100, rules, field: 'value', unitId: 'sthjj', previous: 45, corrected: 39, openCases: [] });
    expect(impact).toMatchObject({ unchangedBecause: 'value-only', value: { from: 45, to: 39 }, rank: { from: 5, to: 5 }, total: { from: 100, to: 100 }, caseEffect: 'none' });
  });

  it('a rank the city published is not moved by the unit’s correction', () => {
    const impact = reportCorrectionImpact({
      plan,
      row: row({ rankSource: 'official' } as Partial<Annex2Row>),
      totalScore: 100,
      rules,
      field: 'rank',
      unitId: 'sthjj',
      previous: 5,
      corrected: 1,
      openCases: [],
    });
    expect(impact).toMatchObject({ unchangedBecause: 'official-rank', rank: { from: 5, to: 5 }, warning: { from: 'red', to: 'red' } });
  });

  it('without a published scoring rule the score and total are unknown', () => {
    const impact = reportCorrectionImpact({ plan, row: row({}), totalScore: 100, rules: null, field: 'rank', unitId: 'sthjj', previous: 5, corrected: 2, openCases: [] });
    expect(impact.score.to).toBeNull();
    expect(impact.total.to).toBeNull();
  });
});

describe('a peer county’s figure corrected', () => {
  it('ranks every county again by the indicator’s direction and says what it does to ours', () => {
    const impact = figureCorrectionImpact({
      plan,
      indicator: { points: 5, direction: 'lower-is-better' },
      counties: [
        { countyId: 'ye', value: 40, publishedRank: null, rank: 2 },
        { countyId: 'jia', value: 38, publishedRank: null, rank: 1 },
        { countyId: 'lushan', value: 45, publishedRank: null, rank: 3 },
      ],
      ours: { rank: 2, warning: 'green' },
      rules,
      countyId: 'lushan',
      corrected: { value: 35, rank: null },
      totalScore: 100,
      rowScore: 4.5,
      openCases: [],
    });
    expect(impact.ranks).toEqual([
      { countyId: 'ye', from: 2, to: 3 },
      { countyId: 'jia', from: 1, to: 2 },
      { countyId: 'lushan', from: 3, to: 1 },
    ]);
    expect(impact).toMatchObject({
      rank: { from: 2, to: 3 },
      warning: { from: 'green', to: 'yellow' },
      score: { from: 4.5, to: 4 },
      total: { from: 100, to: 99.5 },
      caseEffect: 'none',
    });
  });
});

describe('what a new colour does to supervision cases', () => {
  it('red opens a case; leaving red may close an open one; otherwise nothing', () => {
    expect(caseEffect('yellow', 'red', [])).toBe('may-open');
    expect(caseEffect('red', 'yellow', [openCase])).toBe('may-close');
    expect(caseEffect('red', 'yellow', [])).toBe('none');
    expect(caseEffect('green', 'yellow', [])).toBe('none');
  });
});
