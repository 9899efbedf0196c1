import fc from 'fast-check';
import { behindTarget, coefficientFor, isLagging, rankCounties, rankOf, scoreOf, tierOf, totalWith, type ScoringRule, type TierBand } from './rules.js';

/** Ye County's tiers: ranks 1–2 green, 3–4 yellow, 5–6 red. */
const tiers: TierBand[] = [
  { tier: 'green', fromRank: 1, toRank: 2 },
  { tier: 'yellow', fromRank: 3, toRank: 4 },
  { tier: 'red', fromRank: 5, toRank: 6 },
];
const higher = { target: 80, direction: 'higher-is-better' as const };
const lower = { target: 40, direction: 'lower-is-better' as const };
const rule: ScoringRule = { version: 1, coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })), missingRankCoefficient: 0 };

describe('the colour of a rank', () => {
  it('is the tier whose band holds the rank', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => tierOf(r, tiers))).toEqual(['green', 'green', 'yellow', 'yellow', 'red', 'red']);
  });

  it('is none without a rank, or for a rank outside every band', () => {
    expect(tierOf(null, tiers)).toBeNull();
    expect(tierOf(undefined, tiers)).toBeNull();
    expect(tierOf(7, tiers)).toBeNull();
    expect(tierOf(0, tiers)).toBeNull();
  });
});

describe('a lagging line (短板指标)', () => {
  it('is one ranked yellow or red, whatever its value', () => {
    expect(isLagging({ value: 99, rank: 3 }, higher, tiers)).toBe(true);
    expect(isLagging({ value: 99, rank: 6 }, higher, tiers)).toBe(true);
    expect(isLagging({ value: 99, rank: 2 }, higher, tiers)).toBe(false);
  });

  it('is one behind the county target by the indicator’s direction, whatever its rank', () => {
    expect(isLagging({ value: 79.9, rank: 1 }, higher, tiers)).toBe(true);
    expect(isLagging({ value: 80, rank: 1 }, higher, tiers)).toBe(false);
    expect(isLagging({ value: 41, rank: 1 }, lower, tiers)).toBe(true);
    expect(isLagging({ value: 40, rank: 1 }, lower, tiers)).toBe(false);
  });

  it('is never guessed: no rank and no value, or no target, is not lagging', () => {
    expect(isLagging({ value: null, rank: null }, higher, tiers)).toBe(false);
    expect(isLagging({}, higher, tiers)).toBe(false);
    expect(isLagging({ value: 1, rank: null }, { target: null, direction: 'higher-is-better' }, tiers)).toBe(false);
    expect(behindTarget(undefined, 3, 'lower-is-better')).toBe(false);
  });

  it('for any rank and value: lagging exactly when yellow, red or behind target', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }), fc.option(fc.double({ min: 0, max: 200, noNaN: true }), { nil: null }), (rank, value) => {
        const tier = tierOf(rank, tiers);
        const behind = value !== null && value < higher.target;
        expect(isLagging({ value, rank }, higher, tiers)).toBe(tier === 'yellow' || tier === 'red' || behind);
      }),
    );
  });
});

describe('our rank among the ranked counties', () => {
  it('is found by county, null when ours has no figure or is not there', () => {
    const ranked = rankCounties(
      [
        { countyId: 'ye', value: 45, rank: null },
        { countyId: 'jia', value: 40, rank: null },
        { countyId: 'lushan', value: null, rank: null },
      ],
      'lower-is-better',
    );
    expect(rankOf(ranked, 'ye')).toBe(2);
    expect(rankOf(ranked, 'lushan')).toBeNull();
    expect(rankOf(ranked, 'ruzhou')).toBeNull();
    expect(rankOf(ranked, undefined)).toBeNull();
  });
});

describe('a line’s score and the total with it replaced', () => {
  it('is points × the rank’s coefficient, none without a published rule', () => {
    expect(scoreOf(3, 4, rule)).toBe(2.1);
    expect(scoreOf(3, null, rule)).toBe(0);
    expect(scoreOf(3, 9, { ...rule, missingRankCoefficient: 0.2 })).toBe(0.6);
    expect(scoreOf(3, 1, null)).toBeNull();
    expect(scoreOf(3, 1, undefined)).toBeNull();
    expect(coefficientFor(rule, 2)).toBe(0.9);
  });

  it('moves the total by the line’s change, rounded; unknown when the total or the new score is', () => {
    expect(totalWith(100.3, 2.1, 3)).toBe(101.2);
    expect(totalWith(100, null, 3)).toBe(103);
    expect(totalWith(null, 2, 3)).toBeNull();
    expect(totalWith(100, 2, null)).toBeNull();
  });

  it('for any rank change, the new total less the old is the new line score less the old', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 116, noNaN: true }),
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
        (total, points, from, to) => {
          const a = scoreOf(points, from, rule)!;
          const b = scoreOf(points, to, rule)!;
          expect(totalWith(total, a, b)! - total).toBeCloseTo(b - a, 5);
        },
      ),
    );
  });
});
