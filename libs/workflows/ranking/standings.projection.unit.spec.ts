import type { EventMetadata } from '../../engine/event-store/envelope.js';
import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { annex2Projection, annex2Table } from '../annex2/annex2.projection.js';
import { loadBuiltinPlan } from '../plan/plans.js';
import { figuresDecider, type FigureInput, type FiguresCommand, type FiguresContext, type FiguresEvent } from './ranking.decider.js';
import { figuresStream } from './ranking.events.js';
import { explainCause, scoreFor, standingOf, standingsProjection, warningBoard } from './standings.projection.js';

const plan = loadBuiltinPlan('ye-county-2023');
const planId = plan.id;
const context = (no: number, period: string): FiguresContext => {
  const i = plan.indicators.find((x) => x.no === no)!;
  return {
    planId,
    indicatorNo: no,
    period,
    indicator: { name: i.name, kind: i.kind, direction: i.direction },
    counties: plan.peerGroup.counties.map((c) => ({ id: c.id, name: c.name, ours: c.ours })),
    warningTiers: plan.warningTiers.map(({ tier, fromRank, toRank }) => ({ tier, fromRank, toRank })),
    tiersRevision: 0,
  };
};
const ids = plan.peerGroup.counties.map((c) => c.id);
const six = (...vs: (number | null)[]): FigureInput[] => vs.flatMap((value, i) => (value === null ? [] : [{ countyId: ids[i]!, value, rank: null }]));

/** A small log: events as the store would hand them to a projection, in global order. */
class Log {
  readonly events: RecordedEvent[] = [];
  readonly #revisions = new Map<string, number>();
  #clock = Date.parse('2023-07-01T00:00:00Z');

  append(streamId: string, type: string, data: unknown, m: Partial<EventMetadata> = {}): void {
    const revision = (this.#revisions.get(streamId) ?? -1) + 1;
    this.#revisions.set(streamId, revision);
    const position = String(this.events.length + 1);
    const metadata: EventMetadata = {
      actor: { userId: 'office-1', role: 'office', name: '推进办 张' },
      commandId: `c${position}`,
      correlationId: `c${position}`,
      causationId: `c${position}`,
      recordedAt: new Date((this.#clock += 3600_000)).toISOString(),
      ...m,
    };
    this.events.push(new RecordedEvent(streamId, revision, position, `e${position}`, type, data, JSON.stringify(metadata)));
  }

  /** Decide a figures command on the stream's history so far and append what it decided. */
  run(command: FiguresCommand): FiguresEvent[] {
    const ctx = command.data.context;
    const stream = figuresStream(planId, ctx.indicatorNo, ctx.period);
    const history = this.events.filter((e) => e.streamId === stream).map((e) => ({ type: e.type, data: e.data }) as FiguresEvent);
    const decided = given(figuresDecider, history).when(command);
    for (const e of decided) this.append(stream, e.type, e.data, command.meta.reason ? { reason: command.meta.reason } : {});
    return decided;
  }
}

const record = (no: number, period: string, figures: FigureInput[]) =>
  ({ type: 'ranking.RecordFigures', data: { context: context(no, period), figures, source: { kind: 'manual' } }, meta: meta(['office']) }) as FiguresCommand;
const correct = (no: number, period: string, countyId: string, value: number, reason: string) =>
  ({ type: 'ranking.CorrectFigure', data: { context: context(no, period), countyId, corrected: { value, rank: null } }, meta: meta(['office'], { reason }) }) as FiguresCommand;

function story(): Log {
  const log = new Log();
  log.append(`plan-${planId}`, 'PlanPublished', { plan, source: { file: 'plans/ye-county-2023.yaml', sha256: 'x' } });
  log.append(`scoring-${planId}`, 'ScoringRulePublished', {
    planId,
    version: 1,
    coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
    missingRankCoefficient: 0,
    note: '按名次折算',
  });
  log.run(record(7, '2023-Q3', six(6, 7, 5, 4.5, 4, 3))); // ours 2nd, green
  log.run(record(28, '2023-08', six(49, 38.5, 45, 52, 36, 41))); // ours 5th, red
  log.append(`assessment-${planId}-2023-Q2`, 'QuarterPublished', { planId, quarter: '2023-Q2', snapshot: {}, notified: [] });
  log.run(record(7, '2023-Q3', [{ countyId: 'ruzhou', value: 6.4, rank: null }])); // 汝州 revised: ours 3rd, yellow
  log.run(correct(28, '2023-08', 'ye', 44, '市生态环境局复核后更正')); // ours 4th, yellow
  return log;
}

describe('the standings projection', () => {
  it('shows an indicator × period: every county’s figure and rank, our standing, and every change with its cause and who made it', async () => {
    const docs = await new MemoryDocs().fold(story().events, standingsProjection);
    const v = (await standingOf(docs, planId, 7, '2023-Q3'))!;
    expect(v).toMatchObject({
      name: plan.indicators[6]!.name,
      points: 4,
      direction: 'higher-is-better',
      rankBasis: 'values',
      ours: { countyId: 'ye', rank: 3, warning: 'yellow' },
      revision: 3,
    });
    expect(v.counties.map((c) => [c.name, c.value, c.rank])).toEqual([
      ['叶县', 6, 3],
      ['宝丰县', 7, 1],
      ['郏县', 5, 4],
      ['鲁山县', 4.5, 5],
      ['舞钢市', 4, 6],
      ['汝州市', 6.4, 2],
    ]);
    expect(v.counties.find((c) => c.countyId === 'ruzhou')!.lastChange).toMatchObject({ type: 'revised', by: { userId: 'office-1', role: 'office' } });
    expect(v.history.map((h) => [h.warning.from, h.warning.to, h.cause.kind, h.explanation])).toEqual([
      [null, 'green', 'first-figures', 'first figures recorded'],
      ['green', 'yellow', 'peer-revision', '汝州市’s figure 3 → 6.4'],
    ]);
    expect(v.figureHistory.map((f) => f.figures.length)).toEqual([6, 1]);
    expect(v.figureHistory[1]!.figures[0]).toEqual({ countyId: 'ruzhou', value: 6.4, rank: null, previous: { value: 3, rank: null } });
  });

  it('the warning board counts the quarter’s colours (the quarter, else its latest month) and lists the changes since the last published quarter, with their causes', async () => {
    const docs = await new MemoryDocs().fold(story().events, standingsProjection);
    const board = (await warningBoard(docs, planId, '2023-Q3'))!;
    expect(board.counts).toEqual({ green: 0, yellow: 2, red: 0, missing: plan.indicators.length - 2 });
    expect(board.rows.find((r) => r.indicatorNo === 28)).toMatchObject({ period: '2023-08', rank: 4, warning: 'yellow' });
    expect(board.lastMeeting).toMatchObject({ quarter: '2023-Q2' });
    expect(board.changesSinceLastMeeting.map((c) => [c.indicatorNo, c.period, c.warning.from, c.warning.to, c.explanation])).toEqual([
      [7, '2023-Q3', 'green', 'yellow', '汝州市’s figure 3 → 6.4'],
      [28, '2023-08', 'red', 'yellow', 'correction of 叶县’s figure: 市生态环境局复核后更正'],
    ]);
    expect(board.changesSinceLastMeeting[1]).toMatchObject({ reason: '市生态环境局复核后更正', by: { userId: 'office-1' } });
    // Another quarter has nothing of this.
    expect((await warningBoard(docs, planId, '2023-Q2'))!.counts).toEqual({ green: 0, yellow: 0, red: 0, missing: plan.indicators.length });
  });

  it('without a published quarter every change of the quarter is "since the last meeting"', async () => {
    const docs = await new MemoryDocs().fold(
      story().events.filter((e) => e.type !== 'QuarterPublished'),
      standingsProjection,
    );
    const board = (await warningBoard(docs, planId, '2023-Q3'))!;
    expect(board.lastMeeting).toBeNull();
    expect(board.changesSinceLastMeeting).toHaveLength(4);
  });

  it('scores a period from each indicator’s latest period of the year under the rule in force', async () => {
    const docs = await new MemoryDocs().fold(story().events, standingsProjection);
    const q3 = (await scoreFor(docs, planId, '2023-Q3'))!;
    expect(q3.lines.find((l) => l.indicatorNo === 7)).toMatchObject({ period: '2023-Q3', rank: 3, coefficient: 0.8, score: 3.2 });
    expect(q3.lines.find((l) => l.indicatorNo === 28)).toMatchObject({ period: '2023-08', rank: 4, score: 1.4 });
    expect(q3.lines.find((l) => l.indicatorNo === 1)).toMatchObject({ period: null, rank: null, score: 0 });
    expect(q3).toMatchObject({ scoringRuleVersion: 1, totalScore: 4.6, maxScore: 116 });
    // July knows neither.
    expect((await scoreFor(docs, planId, '2023-07'))!.totalScore).toBe(0);
  });

  it('as known before the revision, the same code shows the old colour', async () => {
    const log = story();
    const revisionAt = log.events.find((e) => e.type === 'PeerFiguresRecorded' && (e.data as { revised: unknown[] }).revised.length > 0)!;
    const before = log.events.filter((e) => Number(e.position) < Number(revisionAt.position));
    const docs = await new MemoryDocs().fold(before, standingsProjection);
    expect((await standingOf(docs, planId, 7, '2023-Q3'))!.ours).toMatchObject({ rank: 2, warning: 'green' });
  });

  it('explains every kind of cause in words', () => {
    expect(
      explainCause(
        { kind: 'own-figure', previous: null, value: null, previousRank: 5, rank: 4, alongWith: [{ countyId: 'jia', previous: null, current: { value: 1, rank: null } }] },
        plan,
      ),
    ).toBe('叶县’s own figure rank 5 → rank 4 (with 郏县 in the same recording)');
    expect(explainCause({ kind: 'rule-change', rule: 'warningTiers', planRevision: 3 }, plan)).toBe('warning tiers revised (plan revision 3)');
  });
});

describe('Annex 2 with official standings', () => {
  it('shows the official rank and warning where known (from the month, else the latest earlier period of the year), the reported rank otherwise, and each row’s score and the total', async () => {
    const log = story();
    log.append(`report-${planId}-gxj-2023-08`, 'ReportSubmitted', {
      planId,
      unitId: 'gxj',
      period: '2023-08',
      lines: [{ indicatorNo: 7, value: 6, rank: 1, problems: '', nextSteps: '' }],
      contentHash: 'h',
      submittedBy: 'r',
      lagging: [],
      late: null,
    });
    log.append(`report-${planId}-sthjj-2023-08`, 'ReportSubmitted', {
      planId,
      unitId: 'sthjj',
      period: '2023-08',
      lines: [
        { indicatorNo: 27, value: 80, rank: 2, problems: '', nextSteps: '' },
        { indicatorNo: 28, value: 44, rank: 6, problems: '', nextSteps: '' },
      ],
      contentHash: 'h',
      submittedBy: 'r',
      lagging: [],
      late: null,
    });
    const docs = await new MemoryDocs().fold(log.events, annex2Projection);
    const table = (await annex2Table(docs, planId, '2023-08'))!;
    const row = (no: number) => table.sections.flatMap((s) => s.rows).find((r) => r.no === no)!;
    // No. 28 has figures for August itself: official.
    expect(row(28)).toMatchObject({ rank: 4, rankSource: 'official', rankPeriod: '2023-08', reportedRank: 6, warning: 'yellow', score: 1.4 });
    // No. 7 has figures for Q3 only, which ends after August: not used; the unit's reported rank stands.
    expect(row(7)).toMatchObject({ rank: 1, rankSource: 'reported', rankPeriod: null, warning: 'green', score: 4 });
    expect(row(27)).toMatchObject({ rank: 2, rankSource: 'reported', score: 2.7 });
    expect(row(1)).toMatchObject({ rank: null, rankSource: null, score: 0 });
    expect(table).toMatchObject({ scoringRuleVersion: 1, totalScore: 8.1, maxScore: 116, summary: { official: 1, green: 2, yellow: 1, red: 0 } });
    // September: Q3 isn't over either, but August's figures stand for no. 28.
    expect((await annex2Table(docs, planId, '2023-09'))!.sections.flatMap((s) => s.rows).find((r) => r.no === 28)).toMatchObject({ rankSource: 'official', rankPeriod: '2023-08' });
  });
});
