import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { figuresStream, scoringStream, type RankingEvent, type StandingChanged } from '../ranking/ranking.events.js';
import type { Tier } from '../reporting/report-content.js';
import { buildSnapshot, diffSnapshots, quarterFiguresFold, quarterPeriods, quarterStreams, type SnapshotIndicator } from './quarter-figures.js';

const planId = 'ye-county-2023';
let position = 0;
function recorded(streamId: string, event: RankingEvent, meta: { reason?: string; userId?: string } = {}): RecordedEvent {
  position++;
  const metadata = {
    actor: { userId: meta.userId ?? 'office-1', role: 'office' },
    commandId: `c${position}`,
    correlationId: `c${position}`,
    causationId: `c${position}`,
    recordedAt: `2023-10-0${Math.min(9, position)}T00:00:00.000Z`,
    ...(meta.reason ? { reason: meta.reason } : {}),
  };
  return new RecordedEvent(streamId, 0, String(position).padStart(6, '0'), `id-${position}`, event.type, event.data, JSON.stringify(metadata));
}

const standing = (
  no: number,
  period: string,
  rank: number | null,
  warning: Tier | null,
  value: number | null,
  cause: StandingChanged['data']['cause'] = { kind: 'first-figures' },
): RecordedEvent =>
  recorded(figuresStream(planId, no, period), {
    type: 'StandingChanged',
    data: {
      planId,
      indicatorNo: no,
      period,
      ranks: [
        { countyId: 'ye', value, rank },
        { countyId: 'baofeng', value: 1, rank: 1 },
      ],
      rank: { from: null, to: rank },
      warning: { from: null, to: warning },
      cause,
    },
  });
const rule = (version: number, coefficients: [number, number][], missing = 0): RecordedEvent =>
  recorded(scoringStream(planId), {
    type: 'ScoringRulePublished',
    data: { planId, version, coefficients: coefficients.map(([rank, coefficient]) => ({ rank, coefficient })), missingRankCoefficient: missing, note: '' },
  });

const indicators: SnapshotIndicator[] = [
  { no: 1, name: '固定值产投资增速', points: 5, units: ['fgw'] },
  { no: 15, name: '规模以上工业战略性新兴产业增加值增速', points: 3, units: ['fgw', 'czj'] },
  { no: 28, name: 'PM2.5年均浓度', points: 2, units: ['sthjj'] },
];
const COEFFICIENTS: [number, number][] = [
  [1, 1],
  [2, 0.9],
  [3, 0.8],
  [4, 0.7],
  [5, 0.6],
  [6, 0.5],
];

async function snapshotOf(events: RecordedEvent[], asOfPosition = 'head') {
  const docs = await new MemoryDocs().fold(events, quarterFiguresFold('ye'));
  return buildSnapshot(docs, { planId, quarter: '2023-Q3', indicators, asOfPosition });
}

describe('a quarter’s figures from the ranking events', () => {
  it('the quarter’s periods are the quarter, then its months latest first; its streams are every indicator × those, and the scoring rule', () => {
    expect(quarterPeriods('2023-Q3')).toEqual(['2023-Q3', '2023-09', '2023-08', '2023-07']);
    expect(quarterStreams(planId, [1, 28], '2023-Q1')).toEqual([
      'figures-ye-county-2023-1-2023-Q1',
      'figures-ye-county-2023-1-2023-03',
      'figures-ye-county-2023-1-2023-02',
      'figures-ye-county-2023-1-2023-01',
      'figures-ye-county-2023-28-2023-Q1',
      'figures-ye-county-2023-28-2023-03',
      'figures-ye-county-2023-28-2023-02',
      'figures-ye-county-2023-28-2023-01',
      'scoring-ye-county-2023',
    ]);
  });

  it('given the quarter’s own standing, a later month’s and a missing indicator, then each row takes the quarter’s figures, else its latest month, else shows missing', async () => {
    const events = [
      rule(1, COEFFICIENTS),
      standing(1, '2023-09', 2, 'green', 9.1),
      standing(1, '2023-Q3', 5, 'red', 6.2),
      standing(28, '2023-07', 3, 'yellow', 44),
      standing(28, '2023-08', 6, 'red', 47),
    ];
    const s = await snapshotOf(events);
    expect(s.rows).toEqual([
      { indicatorNo: 1, name: '固定值产投资增速', points: 5, units: ['fgw'], value: 6.2, rank: 5, warning: 'red', score: 3, basedOn: events[2]!.position, period: '2023-Q3' },
      {
        indicatorNo: 15,
        name: '规模以上工业战略性新兴产业增加值增速',
        points: 3,
        units: ['fgw', 'czj'],
        value: null,
        rank: null,
        warning: null,
        score: 0,
        basedOn: null,
        period: null,
      },
      { indicatorNo: 28, name: 'PM2.5年均浓度', points: 2, units: ['sthjj'], value: 47, rank: 6, warning: 'red', score: 1, basedOn: events[4]!.position, period: '2023-08' },
    ]);
    expect(s).toMatchObject({
      figuresPeriod: '2023-Q3',
      scoringRuleVersion: 1,
      totalScore: 4,
      maxScore: 10,
      counts: { green: 0, yellow: 0, red: 2, missing: 1 },
      asOfPosition: 'head',
    });
  });

  it('a correction moves the standing; the latest StandingChanged in a stream wins', async () => {
    const s = await snapshotOf([standing(28, '2023-Q3', 5, 'red', 47), standing(28, '2023-Q3', 4, 'yellow', 43, { kind: 'correction', countyId: 'ye', reason: '市局更正' })]);
    expect(s.rows.find((r) => r.indicatorNo === 28)).toMatchObject({ value: 43, rank: 4, warning: 'yellow' });
  });

  it('our value follows recorded figures and corrections even when the rank does not move', async () => {
    const stream = figuresStream(planId, 1, '2023-Q3');
    const s = await snapshotOf([
      recorded(stream, {
        type: 'PeerFiguresRecorded',
        data: { planId, indicatorNo: 1, period: '2023-Q3', figures: [{ countyId: 'ye', value: 5, rank: null }], source: { kind: 'manual' }, revised: [] },
      }),
      standing(1, '2023-Q3', 3, 'yellow', 5),
      recorded(stream, {
        type: 'PeerFigureCorrected',
        data: { planId, indicatorNo: 1, period: '2023-Q3', countyId: 'ye', previous: { value: 5, rank: null }, corrected: { value: 5.5, rank: null }, reason: '录入错误' },
      }),
      recorded(stream, {
        type: 'PeerFigureCorrected',
        data: { planId, indicatorNo: 1, period: '2023-Q3', countyId: 'baofeng', previous: { value: 1, rank: null }, corrected: { value: 2, rank: null }, reason: '录入错误' },
      }),
    ]);
    expect(s.rows[0]).toMatchObject({ value: 5.5, rank: 3, warning: 'yellow' });
  });

  it('without a scoring rule there is no score; maxScore is the points; with months only, figuresPeriod is the latest month used', async () => {
    const s = await snapshotOf([standing(1, '2023-07', 1, 'green', 10), standing(28, '2023-08', 2, 'green', 30)]);
    expect(s.rows.map((r) => r.score)).toEqual([null, null, null]);
    expect(s).toMatchObject({ scoringRuleVersion: null, totalScore: 0, maxScore: 10, figuresPeriod: '2023-08', counts: { green: 2, missing: 1 } });
  });

  it('the rule in force is the highest version, whatever order they were recorded in', async () => {
    const s = await snapshotOf([rule(2, [[1, 1.2]], 0.1), rule(1, COEFFICIENTS), standing(1, '2023-Q3', 1, 'green', 10)]);
    expect(s).toMatchObject({ scoringRuleVersion: 2, maxScore: 12 });
    expect(s.rows.map((r) => r.score)).toEqual([6, 0.3, 0.2]);
  });

  it('the diff names the rows that changed and the later events that touch them, with who, when and why', async () => {
    const before = [rule(1, COEFFICIENTS), standing(28, '2023-Q3', 5, 'red', 47), standing(1, '2023-Q3', 1, 'green', 10)];
    const presented = await snapshotOf(before, before.at(-1)!.position);
    const correction = standing(28, '2023-Q3', 4, 'yellow', 43, { kind: 'correction', countyId: 'ye', reason: '市生态环境局数据更正' });
    const unrelated = standing(1, '2023-06', 6, 'red', 1);
    const now = await snapshotOf([...before, correction, unrelated], unrelated.position);
    const diff = diffSnapshots(presented, now, [correction, unrelated]);
    expect(diff.rows).toEqual([
      {
        indicatorNo: 28,
        name: 'PM2.5年均浓度',
        units: ['sthjj'],
        changed: ['value', 'rank', 'warning', 'score'],
        presented: { value: 47, rank: 5, warning: 'red', score: 1.2, period: '2023-Q3' },
        now: { value: 43, rank: 4, warning: 'yellow', score: 1.4, period: '2023-Q3' },
        events: [
          expect.objectContaining({
            type: 'StandingChanged',
            position: correction.position,
            period: '2023-Q3',
            who: { userId: 'office-1', role: 'office' },
            reason: '市生态环境局数据更正',
            cause: expect.objectContaining({ kind: 'correction' }),
          }),
        ],
      },
    ]);
    expect(diff.totalScore).toEqual({ presented: 6.2, now: 6.4 });
    expect(diff.counts.presented.red).toBe(1);
    expect(diff.counts.now.red).toBe(0);
  });

  it('an unchanged quarter has an empty diff', async () => {
    const events = [standing(1, '2023-Q3', 1, 'green', 10)];
    const s = await snapshotOf(events);
    expect(diffSnapshots(s, s, []).rows).toEqual([]);
  });
});
