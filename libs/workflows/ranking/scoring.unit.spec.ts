import { DomainError } from '../../engine/commands/command.js';
import { coefficientFor, scoreSheet, whatIf, type ScoreInput, type ScoringRule } from './scoring.js';

const rule: ScoringRule = { version: 2, coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })), missingRankCoefficient: 0 };
const line = (indicatorNo: number, points: number, rank: number | null): ScoreInput => ({
  indicatorNo,
  name: `#${indicatorNo}`,
  points,
  period: rank === null ? null : '2023-Q3',
  rank,
  warning: null,
});
const inputs = [line(1, 5, 1), line(7, 4, 5), line(28, 3, 3), line(38, 1, null)];

describe('the composite score', () => {
  it('scores points × the coefficient of the rank, a missing rank by the rule’s missing coefficient', () => {
    expect(coefficientFor(rule, 3)).toBe(0.8);
    expect(coefficientFor(rule, null)).toBe(0);
    expect(coefficientFor({ ...rule, missingRankCoefficient: 0.3 }, null)).toBe(0.3);
    const sheet = scoreSheet(inputs, rule, 116);
    expect(sheet.lines.map((l) => l.score)).toEqual([5, 2.4, 2.4, 0]);
    expect(sheet).toMatchObject({ scoringRuleVersion: 2, totalScore: 9.8, maxScore: 116 });
  });

  it('reads 3 × 0.7 as 2.1, not 2.0999999999999996', () => {
    expect(scoreSheet([line(5, 3, 4)], rule, 116).totalScore).toBe(2.1);
  });

  it('without a published rule there are no scores, and says so', () => {
    const sheet = scoreSheet(inputs, null, 116);
    expect(sheet).toMatchObject({ scoringRuleVersion: null, totalScore: null, maxScore: 116 });
    expect(sheet.lines.every((l) => l.score === null && l.coefficient === null)).toBe(true);
  });

  describe('what if', () => {
    const sheet = scoreSheet(inputs, rule, 116);

    it('"if indicator 7 rose to rank 2": the projected total and the delta, nothing else changed', () => {
      expect(whatIf(sheet, rule, [{ indicatorNo: 7, rank: 2 }], 6)).toEqual({
        scoringRuleVersion: 2,
        baseTotal: 9.8,
        projectedTotal: 11,
        delta: 1.2,
        maxScore: 116,
        changes: [{ indicatorNo: 7, name: '#7', points: 4, rank: { from: 5, to: 2 }, score: { from: 2.4, to: 3.6 }, delta: 1.2 }],
      });
    });

    it('several changes add up, a missing rank gaining one counts, a fall counts against', () => {
      const r = whatIf(
        sheet,
        rule,
        [
          { indicatorNo: 38, rank: 1 },
          { indicatorNo: 1, rank: 6 },
        ],
        6,
      );
      expect(r.changes.map((c) => c.delta)).toEqual([1, -2.5]);
      expect(r).toMatchObject({ baseTotal: 9.8, projectedTotal: 8.3, delta: -1.5 });
    });

    it('refuses an unknown indicator, one named twice or a rank outside 1–6, naming the field', () => {
      try {
        whatIf(
          sheet,
          rule,
          [
            { indicatorNo: 99, rank: 1 },
            { indicatorNo: 7, rank: 7 },
            { indicatorNo: 7, rank: 2 },
          ],
          6,
        );
        throw new Error('not refused');
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).details.fields!.map((f) => f.field)).toEqual(['changes[0].indicatorNo', 'changes[1].rank', 'changes[2].indicatorNo']);
      }
    });

    it('needs a published rule', () => {
      expect(() => whatIf(scoreSheet(inputs, null, 116), null, [{ indicatorNo: 7, rank: 2 }], 6)).toThrow(/no scoring rule has been published/);
    });
  });
});
