import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import type { Direction, IndicatorKind } from '../plan/plan-file.js';
import { figuresDecider, scoringDecider, type FigureInput, type FiguresCommand, type FiguresContext, type FiguresEvent, type ScoringCommand } from './ranking.decider.js';
import type { FigureSource, ScoringRulePublished, StandingChanged } from './ranking.events.js';

const planId = 'ye-county-2023';
const period = '2023-Q2';
const counties = [
  { id: 'ye', name: '叶县', ours: true },
  { id: 'baofeng', name: '宝丰县', ours: false },
  { id: 'jia', name: '郏县', ours: false },
  { id: 'lushan', name: '鲁山县', ours: false },
  { id: 'wugang', name: '舞钢市', ours: false },
  { id: 'ruzhou', name: '汝州市', ours: false },
];
const planTiers = [
  { tier: 'green' as const, fromRank: 1, toRank: 2 },
  { tier: 'yellow' as const, fromRank: 3, toRank: 4 },
  { tier: 'red' as const, fromRank: 5, toRank: 6 },
];
const INDICATORS: Record<number, { name: string; kind: IndicatorKind; direction: Direction }> = {
  7: { name: '规模以上工业企业研发费用支出增速', kind: 'ranked', direction: 'higher-is-better' },
  28: { name: 'PM2.5年均浓度', kind: 'ranked', direction: 'lower-is-better' },
  36: { name: '较大及以上生产安全事故', kind: 'ranked', direction: 'lower-is-better' },
  38: { name: '信访案件结案率达到省、市要求，保持社会信访稳定', kind: 'task', direction: 'higher-is-better' },
};
const ctx = (no = 7, over: Partial<FiguresContext> = {}): FiguresContext => ({
  planId,
  indicatorNo: no,
  period,
  indicator: INDICATORS[no]!,
  counties,
  warningTiers: planTiers,
  tiersRevision: 0,
  ...over,
});

const office = (o = {}) => meta(['office'], { userId: 'office-1', ...o });
const system = (o = {}) => meta(['system'], { userId: 'system', ...o });
const manual: FigureSource = { kind: 'manual' };

/** Figures in the plan's county order: ye, baofeng, jia, lushan, wugang, ruzhou (null: left out). */
const six = (...vs: (number | null)[]): FigureInput[] => vs.flatMap((value, i) => (value === null ? [] : [{ countyId: counties[i]!.id, value, rank: null }]));
const rankOnly = (...rs: (number | null)[]): FigureInput[] => rs.flatMap((rank, i) => (rank === null ? [] : [{ countyId: counties[i]!.id, value: null, rank }]));

const record = (c: FiguresContext, figures: FigureInput[], m = office(), source: FigureSource = manual) =>
  ({ type: 'ranking.RecordFigures', data: { context: c, figures, source }, meta: m }) as FiguresCommand;
const correct = (c: FiguresContext, countyId: string, corrected: { value: number | null; rank: number | null }, m = office({ reason: '录入错误：小数点位置' })) =>
  ({ type: 'ranking.CorrectFigure', data: { context: c, countyId, corrected }, meta: m }) as FiguresCommand;
const applyRule = (c: FiguresContext, m = system()) => ({ type: 'ranking.ApplyRuleChange', data: { context: c }, meta: m }) as FiguresCommand;

/** The events a history of commands produced, via the decider itself. */
function historyOf(...commands: FiguresCommand[]): FiguresEvent[] {
  const events: FiguresEvent[] = [];
  for (const c of commands) events.push(...given(figuresDecider, events).when(c));
  return events;
}
const standingOf = (events: FiguresEvent[]) => events.filter((e): e is StandingChanged => e.type === 'StandingChanged');

describe('ranking decider: figures and standing', () => {
  describe('recording the city’s figures', () => {
    it('given nothing, when the office records all six figures, then they are recorded and our first standing is known, with every county’s rank', () => {
      const events = given(figuresDecider).when(record(ctx(7), six(5.1, 7.3, 6.0, 4.2, 8.8, 3.9)));
      expect(events).toEqual([
        {
          type: 'PeerFiguresRecorded',
          data: { planId, indicatorNo: 7, period, figures: six(5.1, 7.3, 6.0, 4.2, 8.8, 3.9), source: manual, revised: [] },
        },
        {
          type: 'StandingChanged',
          data: {
            planId,
            indicatorNo: 7,
            period,
            ranks: [
              { countyId: 'ye', value: 5.1, rank: 4 },
              { countyId: 'baofeng', value: 7.3, rank: 2 },
              { countyId: 'jia', value: 6.0, rank: 3 },
              { countyId: 'lushan', value: 4.2, rank: 5 },
              { countyId: 'wugang', value: 8.8, rank: 1 },
              { countyId: 'ruzhou', value: 3.9, rank: 6 },
            ],
            rank: { from: null, to: 4 },
            warning: { from: null, to: 'yellow' },
            cause: { kind: 'first-figures' },
            // Issue 12: six of six figures, so the standing is final (not provisional).
            provisional: false,
          },
        },
      ]);
    });

    it('ties share a rank: tied second are both green, and the next county is fourth', () => {
      const [, changed] = given(figuresDecider).when(record(ctx(7), six(7, 9, 7, 5, 3, 1))) as [unknown, StandingChanged];
      expect(changed.data.ranks.map((r) => r.rank)).toEqual([2, 1, 2, 4, 5, 6]);
      expect(changed.data).toMatchObject({ rank: { to: 2 }, warning: { to: 'green' } });
    });

    it('lower is better for PM2.5 (no. 28): the lowest concentration ranks first', () => {
      const [, changed] = given(figuresDecider).when(record(ctx(28), six(41, 38.5, 45, 52, 36, 49))) as [unknown, StandingChanged];
      expect(changed.data.ranks.map((r) => r.rank)).toEqual([3, 2, 4, 6, 1, 5]);
      expect(changed.data).toMatchObject({ rank: { to: 3 }, warning: { to: 'yellow' } });
    });

    it('lower is better for serious accidents (no. 36): no accident ties for first', () => {
      const [, changed] = given(figuresDecider).when(record(ctx(36), six(0, 1, 0, 2, 0, 1))) as [unknown, StandingChanged];
      expect(changed.data.ranks.map((r) => r.rank)).toEqual([1, 4, 1, 6, 1, 4]);
      expect(changed.data).toMatchObject({ rank: { to: 1 }, warning: { to: 'green' } });
    });

    it('a missing peer stays missing: the others rank among themselves, and the missing county has no rank', () => {
      const [, changed] = given(figuresDecider).when(record(ctx(7), six(6, null, 8, 5, null, 4))) as [unknown, StandingChanged];
      expect(changed.data.ranks).toEqual([
        { countyId: 'ye', value: 6, rank: 2 },
        { countyId: 'baofeng', value: null, rank: null },
        { countyId: 'jia', value: 8, rank: 1 },
        { countyId: 'lushan', value: 5, rank: 3 },
        { countyId: 'wugang', value: null, rank: null },
        { countyId: 'ruzhou', value: 4, rank: 4 },
      ]);
      expect(changed.data).toMatchObject({ rank: { from: null, to: 2 }, warning: { to: 'green' } });
    });

    it('while our own figure is missing, peers are recorded but no standing is known; ours then makes it known', () => {
      const peersOnly = given(figuresDecider).when(record(ctx(7), six(null, 7, 6, 5, 4, 3)));
      expect(peersOnly.map((e) => e.type)).toEqual(['PeerFiguresRecorded']);
      const events = given(figuresDecider, peersOnly).when(record(ctx(7), six(6.5)));
      expect(events.map((e) => e.type)).toEqual(['PeerFiguresRecorded', 'StandingChanged']);
      expect(events[1]!.data).toMatchObject({ rank: { from: null, to: 2 }, warning: { from: null, to: 'green' }, cause: { kind: 'first-figures' } });
    });

    it('a later peer figure that pushes us down names that county as the cause (a missing peer arriving)', () => {
      const history = historyOf(record(ctx(7), six(6, 7, null, 5, 4, 3)));
      const events = given(figuresDecider, history).when(record(ctx(7), six(null, null, 6.5)));
      expect(events[0]).toMatchObject({ type: 'PeerFiguresRecorded', data: { revised: [] } });
      expect(events[1]!.data).toMatchObject({
        rank: { from: 2, to: 3 },
        warning: { from: 'green', to: 'yellow' },
        cause: { kind: 'peer-revision', countyId: 'jia', previous: null, value: 6.5 },
      });
    });

    it('a peer county’s revision that flips our colour yields StandingChanged with cause peer-revision naming the county', () => {
      const history = historyOf(record(ctx(7), six(6, 7, 5, 4.5, 4, 3)));
      expect(standingOf(history).at(-1)!.data).toMatchObject({ rank: { to: 2 }, warning: { to: 'green' } });
      const events = given(figuresDecider, history).when(record(ctx(7), [{ countyId: 'ruzhou', value: 6.4, rank: null }]));
      expect(events).toEqual([
        {
          type: 'PeerFiguresRecorded',
          data: {
            planId,
            indicatorNo: 7,
            period,
            figures: [{ countyId: 'ruzhou', value: 6.4, rank: null }],
            source: manual,
            revised: [{ countyId: 'ruzhou', previous: { value: 3, rank: null } }],
          },
        },
        expect.objectContaining({ type: 'StandingChanged' }),
      ]);
      expect(events[1]!.data).toMatchObject({
        rank: { from: 2, to: 3 },
        warning: { from: 'green', to: 'yellow' },
        cause: { kind: 'peer-revision', countyId: 'ruzhou', previous: 3, value: 6.4 },
      });
      expect((events[1] as StandingChanged).data.ranks.find((r) => r.countyId === 'ruzhou')).toEqual({ countyId: 'ruzhou', value: 6.4, rank: 2 });
    });

    it('a peer revision that leaves our rank and colour alone records the figures and no standing change', () => {
      const history = historyOf(record(ctx(7), six(6, 7, 5, 4.5, 4, 3)));
      const events = given(figuresDecider, history).when(record(ctx(7), [{ countyId: 'lushan', value: 2, rank: null }]));
      expect(events.map((e) => e.type)).toEqual(['PeerFiguresRecorded']);
    });

    it('a rank change within the same colour is still a standing change', () => {
      const history = historyOf(record(ctx(7), six(6, 7, 5, 4.5, 4, 3)));
      const events = given(figuresDecider, history).when(record(ctx(7), [{ countyId: 'jia', value: 8, rank: null }]));
      expect(events[1]!.data).toMatchObject({ rank: { from: 2, to: 3 }, warning: { from: 'green', to: 'yellow' } });
      const sameColour = given(figuresDecider, historyOf(record(ctx(7), six(5, 7, 6, 4.5, 4, 3)))).when(record(ctx(7), [{ countyId: 'lushan', value: 5.5, rank: null }]));
      expect(sameColour[1]!.data).toMatchObject({ rank: { from: 3, to: 4 }, warning: { from: 'yellow', to: 'yellow' } });
    });

    it('our own revised figure is the cause when it moves us', () => {
      const history = historyOf(record(ctx(28), six(41, 38.5, 45, 52, 36, 49)));
      const events = given(figuresDecider, history).when(record(ctx(28), [{ countyId: 'ye', value: 53, rank: null }]));
      expect(events[1]!.data).toMatchObject({ rank: { from: 3, to: 6 }, warning: { from: 'yellow', to: 'red' }, cause: { kind: 'own-figure', previous: 41, value: 53 } });
      expect((events[1] as StandingChanged).data.cause).not.toHaveProperty('alongWith');
    });

    it('when several peers change at once, the cause names the one whose change alone moved us, and lists the others', () => {
      const history = historyOf(record(ctx(7), six(6, 7, 5, 4.5, 4, 3)));
      const events = given(figuresDecider, history).when(
        record(ctx(7), [
          { countyId: 'baofeng', value: 7.5, rank: null },
          { countyId: 'wugang', value: 6.2, rank: null },
        ]),
      );
      expect(events[1]!.data).toMatchObject({
        rank: { from: 2, to: 3 },
        cause: {
          kind: 'peer-revision',
          countyId: 'wugang',
          previous: 4,
          value: 6.2,
          alongWith: [{ countyId: 'baofeng', previous: { value: 7, rank: null }, current: { value: 7.5, rank: null } }],
        },
      });
    });

    it('recording exactly what is already recorded changes nothing', () => {
      const history = historyOf(record(ctx(7), six(6, 7, 5, 4.5, 4, 3)));
      expect(given(figuresDecider, history).when(record(ctx(7), six(6, 7)))).toEqual([]);
    });

    it('records the import it came from', () => {
      const source: FigureSource = { kind: 'import', importId: 'abc', file: '二季度.xlsx', sheet: '2023-Q2', row: 9 };
      const [recorded] = given(figuresDecider).when(record(ctx(7), six(6, 7), office(), source));
      expect(recorded!.data).toMatchObject({ source });
    });
  });

  describe('rank-only and task indicators', () => {
    it('where the city publishes only ranks, they are recorded and used as they are', () => {
      const events = given(figuresDecider).when(record(ctx(7), rankOnly(5, 1, 2, 3, 4, 6)));
      expect(events[0]!.data).toMatchObject({ figures: rankOnly(5, 1, 2, 3, 4, 6) });
      expect(events[1]!.data).toMatchObject({ rank: { from: null, to: 5 }, warning: { to: 'red' }, cause: { kind: 'first-figures' } });
      expect((events[1] as StandingChanged).data.ranks[0]).toEqual({ countyId: 'ye', value: null, rank: 5 });
    });

    it('a revised published rank is reported as such in the cause', () => {
      const history = historyOf(record(ctx(7), rankOnly(5, 1, 2, 3, 4, 6)));
      const events = given(figuresDecider, history).when(record(ctx(7), rankOnly(4, null, null, null, 5)));
      expect(events[1]!.data).toMatchObject({
        rank: { from: 5, to: 4 },
        warning: { from: 'red', to: 'yellow' },
        cause: { kind: 'own-figure', previous: null, value: null, previousRank: 5, rank: 4, alongWith: [{ countyId: 'wugang' }] },
      });
    });

    it('once the city publishes ranks, a county with a value but no published rank has no rank: none is guessed', () => {
      const events = given(figuresDecider).when(
        record(ctx(7), [
          { countyId: 'ye', value: 6.1, rank: null },
          { countyId: 'baofeng', value: 7, rank: 1 },
        ]),
      );
      expect(events.map((e) => e.type)).toEqual(['PeerFiguresRecorded']);
    });

    it('a task indicator takes the score the city gave as its value and ranks it', () => {
      const [, changed] = given(figuresDecider).when(record(ctx(38), six(98, 100, 95, 100, 90, 97))) as [unknown, StandingChanged];
      expect(changed.data.ranks.map((r) => r.rank)).toEqual([3, 1, 5, 1, 6, 4]);
      expect(changed.data).toMatchObject({ rank: { to: 3 }, warning: { to: 'yellow' } });
    });

    it('a task indicator takes the rank the city gave', () => {
      const events = given(figuresDecider).when(record(ctx(38), rankOnly(1, 2, 3, 4, 5, 6)));
      expect(events[1]!.data).toMatchObject({ rank: { to: 1 }, warning: { to: 'green' } });
    });

    it('a task indicator’s score is never negative', () => {
      expect(() => given(figuresDecider).when(record(ctx(38), six(-2)))).toThrow(/figures\[0\]\.value: a task indicator’s value is the score the city gave/);
    });
  });

  describe('refusals', () => {
    const refused = (figures: FigureInput[]) => {
      try {
        given(figuresDecider).when(record(ctx(7), figures));
      } catch (err) {
        return err as DomainError;
      }
      throw new Error('not refused');
    };

    it('names every bad field, and writes nothing', () => {
      const err = refused([
        { countyId: 'pingdingshan', value: 1, rank: null },
        { countyId: 'ye', value: Number.NaN, rank: null },
        { countyId: 'jia', value: 3, rank: 7 },
        { countyId: 'jia', value: 4, rank: null },
        { countyId: 'lushan', value: null, rank: null },
      ]);
      expect(err).toBeInstanceOf(DomainError);
      expect(err.code).toBe('invalid-figures');
      expect(err.details.status).toBe(422);
      expect(err.details.fields!.map((f) => f.field)).toEqual(['figures[0].countyId', 'figures[1].value', 'figures[2].rank', 'figures[3].countyId', 'figures[4]']);
    });

    it('refuses an empty recording', () => {
      expect(refused([]).details.fields).toEqual([{ field: 'figures', message: 'at least one county’s figure is required' }]);
    });

    it('only the office records figures: a reporter, an auditor or the system may not', () => {
      expect(() => given(figuresDecider).when(record(ctx(7), six(1), meta(['reporter'], { unitId: 'gxj' })))).toThrow(ForbiddenError);
      expect(() => given(figuresDecider).when(record(ctx(7), six(1), meta(['auditor'])))).toThrow(ForbiddenError);
      expect(() => given(figuresDecider).when(record(ctx(7), six(1), system()))).toThrow(ForbiddenError);
      expect(given(figuresDecider).role(record(ctx(7), six(1)))).toBe('office');
    });
  });

  describe('corrections', () => {
    const history = () => historyOf(record(ctx(7), six(6, 7, 5, 4.5, 4, 3)));

    it('a correction needs a reason', () => {
      expect(() => given(figuresDecider, history()).when(correct(ctx(7), 'ruzhou', { value: 6.4, rank: null }, office()))).toThrow(
        expect.objectContaining({ code: 'reason-required' }) as unknown as Error,
      );
    });

    it('a correction that flips our colour records the figure before and after, and the standing change with the correction as its cause', () => {
      const events = given(figuresDecider, history()).when(correct(ctx(7), 'ruzhou', { value: 6.4, rank: null }));
      expect(events[0]).toEqual({
        type: 'PeerFigureCorrected',
        data: { planId, indicatorNo: 7, period, countyId: 'ruzhou', previous: { value: 3, rank: null }, corrected: { value: 6.4, rank: null }, reason: '录入错误：小数点位置' },
      });
      expect(events[1]!.data).toMatchObject({
        rank: { from: 2, to: 3 },
        warning: { from: 'green', to: 'yellow' },
        cause: { kind: 'correction', countyId: 'ruzhou', reason: '录入错误：小数点位置' },
      });
    });

    it('a correction that does not move us records only the corrected figure', () => {
      expect(
        given(figuresDecider, history())
          .when(correct(ctx(7), 'lushan', { value: 4.6, rank: null }))
          .map((e) => e.type),
      ).toEqual(['PeerFigureCorrected']);
    });

    it('withdrawing our own figure makes our rank missing again', () => {
      const events = given(figuresDecider, history()).when(correct(ctx(7), 'ye', { value: null, rank: null }));
      expect(events[1]!.data).toMatchObject({ rank: { from: 2, to: null }, warning: { from: 'green', to: null } });
    });

    it('a figure never recorded cannot be corrected; the same figure again changes nothing; an unknown county is refused', () => {
      const h = historyOf(record(ctx(7), six(6, 7)));
      expect(() => given(figuresDecider, h).when(correct(ctx(7), 'ruzhou', { value: 1, rank: null }))).toThrow(
        expect.objectContaining({ code: 'figure-not-recorded' }) as unknown as Error,
      );
      expect(given(figuresDecider, h).when(correct(ctx(7), 'ye', { value: 6, rank: null }))).toEqual([]);
      expect(() => given(figuresDecider, h).when(correct(ctx(7), 'xuchang', { value: 1, rank: null }))).toThrow(/countyId/);
      expect(() => given(figuresDecider, h).when(correct(ctx(7), 'ye', { value: 6, rank: 9 }))).toThrow(/corrected\.rank/);
    });

    it('only the office corrects', () => {
      expect(() => given(figuresDecider, history()).when(correct(ctx(7), 'ye', { value: 1, rank: null }, meta(['supervisor'], { reason: 'x' })))).toThrow(ForbiddenError);
    });
  });

  describe('rule changes', () => {
    const revisedTiers = [
      { tier: 'green' as const, fromRank: 1, toRank: 3 },
      { tier: 'yellow' as const, fromRank: 4, toRank: 4 },
      { tier: 'red' as const, fromRank: 5, toRank: 6 },
    ];
    const yellowThird = () => historyOf(record(ctx(28), six(41, 38.5, 45, 52, 36, 49)));

    it('when the warning tiers change so that our rank has another colour, the standing changes with the rule change as its cause', () => {
      const events = given(figuresDecider, yellowThird()).when(applyRule(ctx(28, { warningTiers: revisedTiers, tiersRevision: 4 })));
      expect(events).toEqual([
        {
          type: 'StandingChanged',
          data: expect.objectContaining({
            rank: { from: 3, to: 3 },
            warning: { from: 'yellow', to: 'green' },
            cause: { kind: 'rule-change', rule: 'warningTiers', planRevision: 4 },
          }),
        },
      ]);
      expect((events[0] as StandingChanged).data.ranks.map((r) => r.rank)).toEqual([3, 2, 4, 6, 1, 5]);
    });

    it('a rule change that leaves our colour alone, or reaches a stream without a standing, changes nothing', () => {
      expect(given(figuresDecider, yellowThird()).when(applyRule(ctx(28, { tiersRevision: 4 })))).toEqual([]);
      const redSixth = historyOf(record(ctx(28), six(60, 38.5, 45, 52, 36, 49)));
      expect(given(figuresDecider, redSixth).when(applyRule(ctx(28, { warningTiers: revisedTiers, tiersRevision: 4 })))).toEqual([]);
      expect(given(figuresDecider).when(applyRule(ctx(28, { warningTiers: revisedTiers, tiersRevision: 4 })))).toEqual([]);
    });

    it('applied twice (a redelivery), the second finds nothing to change', () => {
      const after = [...yellowThird(), ...given(figuresDecider, yellowThird()).when(applyRule(ctx(28, { warningTiers: revisedTiers, tiersRevision: 4 })))];
      expect(given(figuresDecider, after).when(applyRule(ctx(28, { warningTiers: revisedTiers, tiersRevision: 4 })))).toEqual([]);
    });

    it('figures recorded under new tiers before the rule change reached the stream: the rule change is recorded first, then the figures’ own effect', () => {
      const events = given(figuresDecider, yellowThird()).when(record(ctx(28, { warningTiers: revisedTiers, tiersRevision: 4 }), [{ countyId: 'jia', value: 40, rank: null }]));
      expect(events.map((e) => e.type)).toEqual(['StandingChanged', 'PeerFiguresRecorded', 'StandingChanged']);
      expect(events[0]!.data).toMatchObject({ warning: { from: 'yellow', to: 'green' }, cause: { kind: 'rule-change', planRevision: 4 } });
      expect(events[2]!.data).toMatchObject({
        rank: { from: 3, to: 4 },
        warning: { from: 'green', to: 'yellow' },
        cause: { kind: 'peer-revision', countyId: 'jia', previous: 45, value: 40 },
      });
    });

    it('the system and the office may recompute; a unit may not', () => {
      expect(given(figuresDecider, yellowThird()).role(applyRule(ctx(28)))).toBe('system');
      expect(given(figuresDecider, yellowThird()).role(applyRule(ctx(28), office()))).toBe('office');
      expect(() => given(figuresDecider, yellowThird()).when(applyRule(ctx(28), meta(['head'], { unitId: 'sthjj' })))).toThrow(ForbiddenError);
    });
  });

  it('evolves the figures in force and our standing', () => {
    const h = historyOf(record(ctx(7), six(6, 7, 5, 4.5, 4, 3)), correct(ctx(7), 'ruzhou', { value: 6.4, rank: null }));
    const { state } = given(figuresDecider, h);
    expect(state.figures.ruzhou).toEqual({ value: 6.4, rank: null });
    expect(state.standing).toEqual({ known: true, rank: 3, warning: 'yellow', provisional: false }); // provisional: issue 12
  });
});

describe('ranking decider: the scoring rule', () => {
  const linear = [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient }));
  const publish = (coefficients = linear, m = office(), missingRankCoefficient = 0) =>
    ({ type: 'ranking.PublishScoringRule', data: { context: { planId, peerGroupSize: 6 }, coefficients, missingRankCoefficient, note: '按名次折算' }, meta: m }) as ScoringCommand;
  const v1: ScoringRulePublished = { type: 'ScoringRulePublished', data: { planId, version: 1, coefficients: linear, missingRankCoefficient: 0, note: '按名次折算' } };

  it('given none, when the office publishes a rule, then it is version 1, coefficients by rank', () => {
    expect(given(scoringDecider).when(publish([...linear].reverse()))).toEqual([v1]);
  });

  it('a new version needs a reason, and counts up', () => {
    const steeper = [1, 0.8, 0.6, 0.4, 0.2, 0].map((coefficient, i) => ({ rank: i + 1, coefficient }));
    expect(() => given(scoringDecider, [v1]).when(publish(steeper))).toThrow(expect.objectContaining({ code: 'reason-required' }) as unknown as Error);
    expect(given(scoringDecider, [v1]).when(publish(steeper, office({ reason: '市考核办法修订' })))).toEqual([
      { type: 'ScoringRulePublished', data: { planId, version: 2, coefficients: steeper, missingRankCoefficient: 0, note: '按名次折算' } },
    ]);
  });

  it('publishing the rule in force again changes nothing', () => {
    expect(given(scoringDecider, [v1]).when(publish(linear, office({ reason: 'again' })))).toEqual([]);
  });

  it('refuses a rule with a rank missing or twice, a coefficient outside 0–1, or a worse rank scoring more', () => {
    const bad = (coefficients: { rank: number; coefficient: number }[], missing = 0) => {
      try {
        given(scoringDecider).when(publish(coefficients, office(), missing));
      } catch (err) {
        return (err as DomainError).details.fields!.map((f) => `${f.field}: ${f.message}`);
      }
      throw new Error('not refused');
    };
    expect(bad(linear.slice(0, 5))).toEqual(['coefficients: rank 6 has no coefficient']);
    expect(bad([...linear, { rank: 3, coefficient: 0.8 }])).toEqual(['coefficients[6].rank: rank 3 appears twice']);
    expect(bad(linear.map((c) => (c.rank === 1 ? { rank: 1, coefficient: 1.2 } : c)))).toEqual([
      'coefficients[0].coefficient: must be a number from 0 to 1 (the share of the indicator’s points)',
    ]);
    expect(bad(linear.map((c) => (c.rank === 4 ? { rank: 4, coefficient: 0.95 } : c)))).toEqual(['coefficients: rank 4 may not score more than rank 3 (0.95 > 0.8)']);
    expect(bad(linear, -1)).toEqual(['missingRankCoefficient: must be a number from 0 to 1']);
  });

  it('only the office publishes the scoring rule', () => {
    expect(() => given(scoringDecider).when(publish(linear, meta(['leader'])))).toThrow(ForbiddenError);
    expect(given(scoringDecider).role(publish())).toBe('office');
  });
});
