import type { EventMetadata } from '../../engine/event-store/envelope.js';
import { RecordedEvent } from '../../engine/event-store/event-store.js';
import { MemoryDocs } from '../../engine/projections/docs.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { loadBuiltinPlan } from '../plan/plans.js';
import { figuresDecider, type FigureInput, type FiguresCommand, type FiguresContext } from '../ranking/ranking.decider.js';
import { figuresStream } from '../ranking/ranking.events.js';
import { annex2Projection, annex2Table, type Annex2Row } from './annex2.projection.js';

/**
 * Annex 2's flags and provenance (issue 12). The document's table (附件2) has the columns
 * "截至本月底完成情况 · 六县市排名 · 预警提示"; the rules on them:
 * - "With fewer than six counties' figures, a rank and its colour are marked provisional on every view and export";
 * - the deadline is met by the report "经主要负责人签字并加盖单位印章后" reaching the office: until received, its figures are provisional;
 * - "Ye's value in the six-county table comes from its received report unless the city has published an official
 *   figure for Ye; if both exist and differ, the official one ranks and the difference is flagged on both views";
 * - provenance "names exactly what produced a figure … with who, when and why".
 */
const plan = loadBuiltinPlan('ye-county-2023');
const planId = plan.id;
const ids = plan.peerGroup.counties.map((c) => c.id);
const six = (...vs: (number | null)[]): FigureInput[] => vs.flatMap((value, i) => (value === null ? [] : [{ countyId: ids[i]!, value, rank: null }]));
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

class Log {
  readonly events: RecordedEvent[] = [];
  readonly #revisions = new Map<string, number>();
  #clock = Date.parse('2023-09-01T00:00:00Z');
  append(streamId: string, type: string, data: unknown, m: Partial<EventMetadata> = {}): void {
    const revision = (this.#revisions.get(streamId) ?? -1) + 1;
    this.#revisions.set(streamId, revision);
    const position = String(this.events.length + 1).padStart(6, '0');
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
  figures(no: number, period: string, figures: FigureInput[]): void {
    const stream = figuresStream(planId, no, period);
    const history = this.events.filter((e) => e.streamId === stream).map((e) => ({ type: e.type, data: e.data }));
    const command = { type: 'ranking.RecordFigures', data: { context: context(no, period), figures, source: { kind: 'manual' } }, meta: meta(['office']) } as FiguresCommand;
    for (const e of given(figuresDecider, history as never).when(command)) this.append(stream, e.type, e.data);
  }
  report(unitId: string, lines: { indicatorNo: number; value: number; rank: number | null }[], m: Partial<EventMetadata> = {}): void {
    this.append(
      `report-${planId}-${unitId}-2023-08`,
      'ReportSubmitted',
      { planId, unitId, period: '2023-08', lines: lines.map((l) => ({ ...l, problems: '', nextSteps: '' })), contentHash: 'h', submittedBy: 'r', lagging: [] },
      { actor: { userId: `${unitId}-reporter`, role: 'reporter', name: '填报员' }, ...m },
    );
  }
  step(unitId: string, type: 'ReportSigned' | 'ReportReceived'): void {
    this.append(`report-${planId}-${unitId}-2023-08`, type, { planId, unitId, period: '2023-08', contentHash: 'h' });
  }
}

async function tableOf(log: Log) {
  const table = (await annex2Table(await new MemoryDocs().fold(log.events, annex2Projection), planId, '2023-08'))!;
  return { table, row: (no: number): Annex2Row => table.sections.flatMap((s) => s.rows).find((r) => r.no === no)! };
}

function story(): Log {
  const log = new Log();
  log.append(`plan-${planId}`, 'PlanPublished', { plan, source: { file: 'plans/ye-county-2023.yaml', sha256: 'x' } });
  // No. 28 (生态环境局): the city published six figures for August, ours 44 (4th).
  log.figures(28, '2023-08', six(44, 38.5, 45, 52, 36, 41));
  // No. 1 (发改委): five counties only — a provisional rank.
  log.figures(1, '2023-08', six(8.1, 7, 9, 6, 5, null));
  log.report('sthjj', [
    { indicatorNo: 27, value: 80, rank: 2 },
    { indicatorNo: 28, value: 46, rank: 6 },
  ]);
  log.step('sthjj', 'ReportSigned');
  log.step('sthjj', 'ReportReceived');
  // 发改委's paper report, typed by the office on its behalf; signed, not yet received.
  log.report('fgw', [{ indicatorNo: 1, value: 8.1, rank: null }], { actor: { userId: 'office-1', role: 'office', name: '推进办 张' }, onBehalfOf: 'fgw' });
  log.step('fgw', 'ReportSigned');
  return log;
}

describe('Annex 2: provisional and discrepancy flags, each with its reason', () => {
  it('a rank on five counties’ figures is provisional, with how many; a figure from a report signed but not received is provisional', async () => {
    const { row, table } = await tableOf(story());
    expect(row(1)).toMatchObject({ rank: 2, rankSource: 'official', provisional: true });
    expect(row(1).flags.map((f) => f.kind)).toEqual(['report-not-received', 'provisional-rank']);
    expect(row(1).flags[0]).toMatchObject({ unitId: 'fgw', status: 'signed', reason: { zh: expect.stringContaining('已签字未接收') } });
    expect(row(1).flags[1]).toMatchObject({
      period: '2023-08',
      with: 5,
      of: 6,
      reason: { zh: '2023年8月仅 5/6 个县（市）有数据，排名和预警为暂定', en: 'Aug 2023: only 5 of 6 counties’ figures: rank and warning are provisional' },
    });
    expect(table.flagged).toEqual({ provisional: 1, discrepancies: 1 });
  });

  it('a received report with the reported figure equal to the official one carries no flag; where they differ, the official ranks and the difference is flagged', async () => {
    const { row } = await tableOf(story());
    expect(row(27)).toMatchObject({ provisional: false, flags: [] });
    expect(row(28)).toMatchObject({ result: 46, rank: 4, rankSource: 'official', provisional: false });
    expect(row(28).flags).toEqual([
      {
        kind: 'discrepancy',
        period: '2023-08',
        reported: 46,
        official: 44,
        reason: { zh: '上报完成情况 46 与市公布数 44 不一致，排名以市公布数为准', en: 'the reported figure 46 differs from the city’s official 44: the official one ranks' },
      },
    ]);
  });

  it('once the sixth county’s figure and the report’s receipt arrive, the flags go; a correction to the official figure removes the discrepancy', async () => {
    const log = story();
    log.figures(1, '2023-08', [{ countyId: 'ruzhou', value: 4, rank: null }]);
    log.step('fgw', 'ReportReceived');
    const stream = figuresStream(planId, 28, '2023-08');
    const history = log.events.filter((e) => e.streamId === stream).map((e) => ({ type: e.type, data: e.data }));
    const correct = {
      type: 'ranking.CorrectFigure',
      data: { context: context(28, '2023-08'), countyId: 'ye', corrected: { value: 46, rank: null } },
      meta: meta(['office'], { reason: '录入错误' }),
    };
    for (const e of given(figuresDecider, history as never).when(correct as FiguresCommand)) log.append(stream, e.type, e.data, { reason: '录入错误' });
    const { row, table } = await tableOf(log);
    expect(row(1)).toMatchObject({ provisional: false, flags: [] });
    expect(row(28).flags).toEqual([]);
    expect(table.flagged).toEqual({ provisional: 0, discrepancies: 0 });
  });
});

describe('Annex 2: the event behind every figure', () => {
  it('the result names the report (and on whose behalf it was typed); the rank and colour name the StandingChanged, its cause and who recorded it', async () => {
    const { row } = await tableOf(story());
    expect(row(1).provenance.result).toMatchObject({
      source: 'reported',
      type: 'ReportSubmitted',
      streamId: `report-${planId}-fgw-2023-08`,
      by: { userId: 'office-1' },
      onBehalfOf: 'fgw',
    });
    expect(row(28).provenance.rank).toMatchObject({
      source: 'official',
      type: 'StandingChanged',
      streamId: figuresStream(planId, 28, '2023-08'),
      cause: { kind: 'first-figures' },
    });
    expect(row(28).provenance.warning).toEqual(row(28).provenance.rank);
    // A rank the unit reported itself (no city figures): the report.
    expect(row(27).provenance.rank).toMatchObject({ source: 'reported', type: 'ReportSubmitted', by: { userId: 'sthjj-reporter', role: 'reporter' } });
  });

  it('a correction of a received figure supersedes the report as the figure’s source, with its reason', async () => {
    const log = story();
    log.append(
      `report-${planId}-sthjj-2023-08`,
      'FigureCorrected',
      { planId, unitId: 'sthjj', period: '2023-08', indicatorNo: 27, field: 'value', previous: 80, corrected: 81.5, reason: '口径调整' },
      { reason: '口径调整', actor: { userId: 'admin-1', role: 'admin' } },
    );
    const { row } = await tableOf(log);
    expect(row(27).result).toBe(81.5);
    expect(row(27).provenance.result).toMatchObject({ source: 'corrected', type: 'FigureCorrected', by: { userId: 'admin-1', role: 'admin' }, reason: '口径调整' });
    expect(row(27).provenance.rank).toMatchObject({ source: 'reported', type: 'ReportSubmitted' });
  });

  it('a score names the scoring rule’s version, a target the office’s revision of the plan, a 2022 result the plan as published', async () => {
    const log = story();
    log.append(`scoring-${planId}`, 'ScoringRulePublished', {
      planId,
      version: 2,
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '按名次折算',
    });
    log.append(`plan-${planId}`, 'PlanTargetSet', { planId, indicatorNo: 28, target: 40, previous: null }, { reason: '市定目标下达' });
    const { row } = await tableOf(log);
    expect(row(28).provenance.score).toMatchObject({ source: 'rule', type: 'ScoringRulePublished', streamId: `scoring-${planId}` });
    expect(row(28).provenance.target).toMatchObject({ source: 'plan', type: 'PlanTargetSet', reason: '市定目标下达' });
    expect(row(28).provenance.baseline).toMatchObject({ source: 'plan', type: 'PlanPublished' });
    expect(row(27).provenance.target).toMatchObject({ type: 'PlanPublished' });
    // No rank: the score is the rule's coefficient for a missing rank, and names the rule.
    expect(row(2)).toMatchObject({ rank: null, score: 0, provenance: { score: { type: 'ScoringRulePublished' } } });
    // Before any scoring rule is published there is no score, and nothing to name.
    expect((await tableOf(story())).row(28)).toMatchObject({ score: null, provenance: { score: null } });
  });
});
