import { DomainError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { figuresDecider, type FigureInput, type FiguresCommand, type FiguresContext, type FiguresEvent } from './ranking.decider.js';
import type { ReportedFigureApplied, StandingChanged } from './ranking.events.js';

/**
 * Issue 12. Pure given/when/then on the figures decider: our county's figure from its received
 * report (and the office's correction of it) ranks unless the city published one for us; a rank on
 * fewer than six counties' figures is provisional.
 */
const planId = 'ye-county-2023';
const period = '2023-08';
const counties = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'].map((id, i) => ({ id, name: id, ours: i === 0 }));
const context: FiguresContext = {
  planId,
  indicatorNo: 7,
  period,
  indicator: { name: '规模以上工业企业研发费用支出增速', kind: 'ranked', direction: 'higher-is-better' },
  counties,
  warningTiers: [
    { tier: 'green', fromRank: 1, toRank: 2 },
    { tier: 'yellow', fromRank: 3, toRank: 4 },
    { tier: 'red', fromRank: 5, toRank: 6 },
  ],
  tiersRevision: 0,
  reportingUnit: 'gxj',
};
const office = (o = {}) => meta(['office'], { userId: 'office-1', ...o });
const system = (o = {}) => meta(['system'], { userId: 'system', ...o });
const figs = (o: Record<string, number>): FigureInput[] => Object.entries(o).map(([countyId, value]) => ({ countyId, value, rank: null }));
const record = (figures: FigureInput[]) => ({ type: 'ranking.RecordFigures', data: { context, figures, source: { kind: 'manual' } }, meta: office() }) as FiguresCommand;
const reported = (value: number | null, trigger: 'received' | 'correction' = 'received', m = system(trigger === 'correction' ? { reason: '统计口径更正' } : {}), unitId = 'gxj') =>
  ({ type: 'ranking.ApplyReportedFigure', data: { context, unitId, value, trigger }, meta: m }) as FiguresCommand;
const peers = { baofeng: 12, jia: 11, lushan: 10.9, wugang: 9, ruzhou: 8 };

function historyOf(...commands: FiguresCommand[]): FiguresEvent[] {
  const events: FiguresEvent[] = [];
  for (const c of commands) events.push(...given(figuresDecider, events).when(c));
  return events;
}
const changes = (events: FiguresEvent[]) => events.filter((e): e is StandingChanged => e.type === 'StandingChanged');

describe('a correction reaches the ranking (issue 12)', () => {
  it('given the city’s figures for the five peers, when our report is received, then our value comes from it and ranks', () => {
    const events = given(figuresDecider, historyOf(record(figs(peers)))).when(reported(10.7));
    expect(events[0]).toMatchObject({ type: 'ReportedFigureApplied', data: { countyId: 'ye', unitId: 'gxj', trigger: 'received', previous: null, value: 10.7, official: null } });
    expect(changes(events)[0]!.data).toMatchObject({ rank: { from: null, to: 4 }, warning: { to: 'yellow' }, cause: { kind: 'first-figures' }, provisional: false });
    expect(changes(events)[0]!.data.ranks[0]).toEqual({ countyId: 'ye', value: 10.7, rank: 4 });
  });

  it('when the office corrects our figure in the received report (10.7 → 11.2), then the rank and warning are recomputed with the cause "correction"', () => {
    const events = given(figuresDecider, historyOf(record(figs(peers)), reported(10.7))).when(reported(11.2, 'correction'));
    expect(events.map((e) => e.type)).toEqual(['ReportedFigureApplied', 'StandingChanged']);
    const changed = events[1] as StandingChanged;
    expect(changed.data).toMatchObject({
      rank: { from: 4, to: 2 },
      warning: { from: 'yellow', to: 'green' },
      cause: { kind: 'correction', countyId: 'ye', reason: '统计口径更正', source: 'report', previous: 10.7, value: 11.2 },
    });
    // The table no longer shows 11.2 beside a rank computed from 10.7.
    expect(changed.data.ranks[0]).toEqual({ countyId: 'ye', value: 11.2, rank: 2 });
  });

  it('a correction needs a reason', () => {
    expect(() => given(figuresDecider, historyOf(record(figs(peers)), reported(10.7))).when(reported(11.2, 'correction', system()))).toThrow(DomainError);
  });

  it('given an official figure the city published for us, when a different figure is reported, then the official one ranks and the difference is recorded', () => {
    const events = given(figuresDecider, historyOf(record(figs({ ye: 10.7, ...peers })))).when(reported(11.2, 'correction'));
    expect(events).toHaveLength(1);
    expect((events[0] as ReportedFigureApplied).data).toMatchObject({ value: 11.2, official: 10.7 });
  });

  it('given a reported figure, when the city then publishes its own figure for us, then the official one ranks, with our own figure as the cause', () => {
    const events = given(figuresDecider, historyOf(record(figs(peers)), reported(11.2))).when(record(figs({ ye: 10.7 })));
    expect(changes(events)[0]!.data).toMatchObject({ rank: { from: 2, to: 4 }, cause: { kind: 'own-figure', previous: 11.2, value: 10.7 } });
  });

  it('a report alone ranks nobody: the standing waits for the city’s figures, which then rank with it', () => {
    const alone = given(figuresDecider).when(reported(10.7));
    expect(alone.map((e) => e.type)).toEqual(['ReportedFigureApplied']);
    const events = given(figuresDecider, alone).when(record(figs(peers)));
    expect(changes(events)[0]!.data).toMatchObject({ rank: { to: 4 }, provisional: false });
  });

  it('only the indicator’s first responsible unit reports our figure; another unit’s report changes nothing', () => {
    expect(given(figuresDecider, historyOf(record(figs(peers)))).when(reported(10.7, 'received', system(), 'czj'))).toEqual([]);
  });

  it('the same figure again changes nothing', () => {
    expect(given(figuresDecider, historyOf(record(figs(peers)), reported(10.7))).when(reported(10.7))).toEqual([]);
  });
});

describe('ranks on incomplete peer sets are provisional (issue 12)', () => {
  it('given nothing, when five counties’ figures arrive, then our rank and colour are provisional', () => {
    const { baofeng, jia, lushan, wugang } = peers;
    const events = given(figuresDecider).when(record(figs({ ye: 7, baofeng, jia, lushan, wugang })));
    expect(changes(events)[0]!.data).toMatchObject({ rank: { to: 5 }, warning: { to: 'red' }, provisional: true });
  });

  it('when the last figure arrives, then the standing becomes final with its cause, even if the rank stays', () => {
    const { baofeng, jia, lushan, wugang } = peers;
    const events = given(figuresDecider, historyOf(record(figs({ ye: 7, baofeng, jia, lushan, wugang })))).when(record(figs({ ruzhou: 8 })));
    expect(changes(events)[0]!.data).toMatchObject({
      rank: { from: 5, to: 6 },
      warning: { from: 'red', to: 'red' },
      provisional: false,
      cause: { kind: 'peer-revision', countyId: 'ruzhou', previous: null, value: 8 },
    });
    const same = given(figuresDecider, historyOf(record(figs({ ye: 7, baofeng, jia, lushan, wugang })))).when(record(figs({ ruzhou: 6 })));
    expect(changes(same)[0]!.data).toMatchObject({ rank: { from: 5, to: 5 }, provisional: false, cause: { kind: 'peer-revision', countyId: 'ruzhou' } });
  });
});
