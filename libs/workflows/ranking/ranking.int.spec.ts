import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import ExcelJS from 'exceljs';
import { ManualClock } from '../../engine/clock.js';
import { DomainError, ForbiddenError, type CommandMeta, type Principal } from '../../engine/commands/command.js';
import type { ReadAt } from '../../engine/nest/cqrs.js';
import { Engine } from '../../engine/nest/engine.js';
import { testMetadata } from '../../engine/testing/fixtures.js';
import { STORE_TARGETS, startAppContext, type AppContext } from '../../../test/support/app.js';
import { parseAsOf } from '../../engine/projections/as-of.js';
import { GetAnnex2Table } from '../annex2/annex2.queries.js';
import { assessmentStream, type QuarterPublished } from '../assessment/assessment.events.js';
import { figuresStream, type StandingChanged } from './ranking.events.js';
import { ImportPeerFigures } from './ranking.handlers.js';
import type { StandingView } from './standings.projection.js';
import { GetFiguresTemplate, GetScore, GetStanding, GetWarningBoard, GetWhatIf } from './standings.queries.js';

const planId = 'ye-county-2023';
const office: Principal = { userId: 'office-1', name: '推进办 张', roles: ['office'] };
const reporter: Principal = { userId: 'sthjj-reporter', roles: ['reporter'], unitId: 'sthjj' };
const ids = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];
const six = (...vs: (number | null)[]) => vs.flatMap((value, i) => (value === null ? [] : [{ countyId: ids[i]!, value, rank: null }]));
const COUNTIES = ['叶县', '宝丰县', '郏县', '鲁山县', '舞钢市', '汝州市'];
/** ?asOf= as a client writes it. */
const at = (asOf?: string): ReadAt => (asOf ? { asOf: parseAsOf(asOf, undefined)! } : {});

async function xlsx(rows: unknown[][], sheetName = '2023-Q2'): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(['序号', '指标', ...COUNTIES]);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe.each(STORE_TARGETS)('rankings and warnings through the application on $name', (target) => {
  let ctx: AppContext;
  let app: INestApplicationContext;
  let engine: Engine;
  let commands: CommandBus;
  let queries: QueryBus;
  let clock: ManualClock;
  let n = 0;

  beforeAll(async () => {
    ctx = await startAppContext(target, '2023-07-10T01:00:00.000Z');
    ({ app, engine, clock } = ctx);
    commands = app.get(CommandBus);
    queries = app.get(QueryBus);
  });
  afterAll(() => ctx.close());

  const run = async (actor: Principal, type: string, data: object, reason?: string) => {
    const r = await engine.execute({ type, data, meta: { commandId: `c-${++n}`, actor, now: clock.now().toISOString(), ...(reason ? { reason } : {}) } });
    await engine.waitFor(r.position);
    return r;
  };
  /** Everything appended so far, reactions included, is in every projection. */
  const settle = async () => {
    for (let i = 0; i < 3; i++) await engine.waitFor(await engine.store.headPosition());
  };
  const standing = (asOf?: string) => queries.execute(new GetStanding(planId, 28, '2023-Q2', at(asOf)));
  const importWorkbook = (file: { name: string; data: Uint8Array }, meta: CommandMeta) => commands.execute(new ImportPeerFigures(planId, file, meta));

  it('records, ranks, revises, corrects and re-tiers a standing, and the standing, the warning board, Annex 2 and the score all show it, then and now', async () => {
    // The city's 2023 Q2 PM2.5 figures (lower is better): ours 41 is second.
    await run(office, 'ranking.RecordFigures', { planId, indicatorNo: 28, period: '2023-Q2', figures: six(41, 38.5, 45, 52, 46, 49), source: { kind: 'manual' } });
    // Six of six figures: final (issue 12 added `provisional`).
    expect((await standing()).ours).toEqual({ countyId: 'ye', rank: 2, warning: 'green', provisional: false });
    await run(office, 'ranking.PublishScoringRule', {
      planId,
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '按名次折算',
    });

    // 舞钢 is revised by the city: we drop to third, yellow, and the cause names 舞钢.
    clock.set('2023-07-12T02:00:00.000Z');
    await run(office, 'ranking.RecordFigures', { planId, indicatorNo: 28, period: '2023-Q2', figures: six(null, null, null, null, 36), source: { kind: 'manual' } });
    expect((await standing()).ours).toMatchObject({ rank: 3, warning: 'yellow' });

    // The office entered our own figure wrongly: corrected with a reason, back to second.
    clock.set('2023-07-13T02:00:00.000Z');
    await expect(run(office, 'ranking.CorrectFigure', { planId, indicatorNo: 28, period: '2023-Q2', countyId: 'ye', corrected: { value: 37, rank: null } })).rejects.toMatchObject({
      code: 'reason-required',
    });
    await run(office, 'ranking.CorrectFigure', { planId, indicatorNo: 28, period: '2023-Q2', countyId: 'ye', corrected: { value: 37, rank: null } }, '录入时误将37录为41');

    // The leading group's Q2 meeting is published (by the assessment workflow; appended here as it would).
    clock.set('2023-07-14T02:00:00.000Z');
    await engine.store.appendToStream(assessmentStream(planId, '2023-Q2'), [
      {
        type: 'QuarterPublished',
        data: {
          planId,
          quarter: '2023-Q2',
          snapshot: {
            planId,
            quarter: '2023-Q2',
            figuresPeriod: '2023-Q2',
            scoringRuleVersion: 1,
            rows: [],
            totalScore: 1.8,
            maxScore: 116,
            counts: { green: 1, yellow: 0, red: 0, missing: 48 },
            asOfPosition: '0',
          },
          notified: [],
        } satisfies QuarterPublished['data'],
        metadata: testMetadata({ recordedAt: clock.now().toISOString() }),
      },
    ]);
    await settle();
    const beforeRuleChange = clock.now().toISOString();

    // The office narrows green to rank 1 only: the reaction re-tiers every figures stream of the plan.
    clock.set('2023-07-20T02:00:00.000Z');
    const tiers = [
      { tier: 'green', fromRank: 1, toRank: 1, label: { zh: '绿色', en: 'green' } },
      { tier: 'yellow', fromRank: 2, toRank: 4, label: { zh: '黄色', en: 'yellow' } },
      { tier: 'red', fromRank: 5, toRank: 6, label: { zh: '红色', en: 'red' } },
    ];
    await run(office, 'plan.ReviseWarningTiers', { planId, tiers }, '市里调整预警档次');
    await settle();

    const now = await standing();
    expect(now.ours).toMatchObject({ rank: 2, warning: 'yellow' });
    expect(now.history.map((h) => [h.rank.from, h.rank.to, h.warning.from, h.warning.to, h.cause.kind, h.by.role])).toEqual([
      [null, 2, null, 'green', 'first-figures', 'office'],
      [2, 3, 'green', 'yellow', 'peer-revision', 'office'],
      [3, 2, 'yellow', 'green', 'correction', 'office'],
      [2, 2, 'green', 'yellow', 'rule-change', 'system'],
    ]);
    expect(now.history[1]!.explanation).toBe('舞钢市’s figure 46 → 36');
    expect(now.history[2]).toMatchObject({ explanation: 'correction of 叶县’s figure: 录入时误将37录为41', reason: '录入时误将37录为41' });
    expect(now.history[3]).toMatchObject({ cause: { kind: 'rule-change', rule: 'warningTiers', planRevision: 1 }, reason: 'warning tiers revised: 市里调整预警档次' });
    expect(now.counties.map((c) => c.rank)).toEqual([2, 3, 4, 6, 1, 5]);
    // The reaction is recorded as the system's, caused by the plan's revision.
    const events = await engine.store.readStream(figuresStream(planId, 28, '2023-Q2'));
    const ruleChange = events.at(-1)!;
    expect((ruleChange.data as StandingChanged['data']).cause.kind).toBe('rule-change');
    const [revision] = await engine.store.readStream(`plan-${planId}`, { direction: 'backwards', maxCount: 1 });
    expect(ruleChange.metadata).toMatchObject({ actor: { userId: 'system', role: 'system' }, causationId: revision!.id });

    // The warning board: Q2's count, and the change since the Q2 meeting with its cause.
    const board = await queries.execute(new GetWarningBoard(planId, '2023-Q2'));
    expect(board.counts).toEqual({ green: 0, yellow: 1, red: 0, missing: 48 });
    expect(board.lastMeeting).toMatchObject({ quarter: '2023-Q2' });
    expect(board.changesSinceLastMeeting.map((c) => [c.indicatorNo, c.cause.kind, c.warning.from, c.warning.to])).toEqual([[28, 'rule-change', 'green', 'yellow']]);

    // Annex 2 for June takes Q2's official standing, with its score.
    const june = await queries.execute(new GetAnnex2Table(planId, '2023-06'));
    const row28 = june.sections.flatMap((s) => s.rows).find((r) => r.no === 28)!;
    expect(row28).toMatchObject({ rank: 2, rankSource: 'official', rankPeriod: '2023-Q2', warning: 'yellow', score: 1.8 });
    expect(june).toMatchObject({ scoringRuleVersion: 1, totalScore: 1.8, maxScore: 116, summary: { official: 1, yellow: 1 } });

    // The score and a what-if.
    const score = await queries.execute(new GetScore(planId, '2023-Q2'));
    expect(score).toMatchObject({ totalScore: 1.8, maxScore: 116, scoringRuleVersion: 1 });
    const whatIf = await queries.execute(
      new GetWhatIf(planId, '2023-Q2', [
        { indicatorNo: 28, rank: 1 },
        { indicatorNo: 1, rank: 3 },
      ]),
    );
    expect(whatIf).toMatchObject({ baseTotal: 1.8, projectedTotal: 6, delta: 4.2 });

    // As known before the rule change: green, everywhere.
    expect((await standing(beforeRuleChange)).ours).toMatchObject({ rank: 2, warning: 'green' });
    expect((await queries.execute(new GetWarningBoard(planId, '2023-Q2', at(beforeRuleChange)))).counts).toMatchObject({ green: 1, yellow: 0 });
    const juneThen = await queries.execute(new GetAnnex2Table(planId, '2023-06', at(beforeRuleChange)));
    expect(juneThen.sections.flatMap((s) => s.rows).find((r) => r.no === 28)).toMatchObject({ rankSource: 'official', warning: 'green', score: 1.8 });
    // And before the revision by 舞钢: second with 41.
    expect((await standing('2023-07-11T00:00:00.000Z')).counties.find((c) => c.countyId === 'ye')).toMatchObject({ value: 41, rank: 2 });
    await expect(queries.execute(new GetScore(planId, '2023-Q2', at('2023-07-10T00:00:00.000Z')))).rejects.toMatchObject({ code: 'plan-not-found' });
  });

  it('a unit may not record figures, and nothing is written', async () => {
    await expect(run(reporter, 'ranking.RecordFigures', { planId, indicatorNo: 27, period: '2023-Q2', figures: six(80), source: { kind: 'manual' } })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await engine.store.readStream(figuresStream(planId, 27, '2023-Q2'))).toEqual([]);
  });

  it('imports the city’s spreadsheet all or nothing: a malformed file is refused cell by cell and records nothing; a good one is recorded once', async () => {
    const malformed = await xlsx([
      [7, '规模以上工业企业研发费用支出增速', 5.1, '五点二', 6, 4.2, 8.8, 3.9],
      [8, '地方一般公共预算科学技术支出增速', 12, 10, 9, 8, '第9名', 7],
    ]);
    const refused = await importWorkbook({ name: '二季度.xlsx', data: malformed }, { commandId: 'upload-1', actor: office, now: clock.now().toISOString() }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      code: 'invalid-spreadsheet',
      details: {
        status: 422,
        cells: [
          { sheet: '2023-Q2', row: 2, column: 'D', cell: 'D2', message: expect.stringContaining('"五点二" is not a figure') },
          { sheet: '2023-Q2', row: 3, column: 'G', cell: 'G3', message: 'rank 9 is outside 1–6' },
        ],
      },
    });
    // Row 2 was fine on its own, yet nothing of the file was recorded.
    expect(await engine.store.readStream(figuresStream(planId, 7, '2023-Q2'))).toEqual([]);

    await expect(importWorkbook({ name: 'x.xlsx', data: malformed }, { commandId: 'upload-r', actor: reporter, now: clock.now().toISOString() })).rejects.toBeInstanceOf(
      ForbiddenError,
    );

    const good = await xlsx([
      [7, '规模以上工业企业研发费用支出增速', 5.1, 5.2, 6, 4.2, 8.8, 3.9],
      [8, '地方一般公共预算科学技术支出增速', '第2名', '第1名', '第3名', '第4名', '第5名', '第6名'],
      [9, null],
    ]);
    const first = await importWorkbook({ name: '二季度.xlsx', data: good }, { commandId: 'upload-2', actor: office, now: clock.now().toISOString() });
    expect(first).toMatchObject({ recorded: 2, replayed: 0, unchanged: 0, sheets: [{ sheet: '2023-Q2', period: '2023-Q2', rows: 2 }], skipped: [{ row: 4, indicatorNo: 9 }] });
    const again = await importWorkbook({ name: '二季度.xlsx', data: good }, { commandId: 'upload-3', actor: office, now: clock.now().toISOString() });
    expect(again).toMatchObject({ importId: first.importId, recorded: 0, replayed: 2 });
    const stream = await engine.store.readStream(figuresStream(planId, 7, '2023-Q2'));
    expect(stream.map((e) => e.type)).toEqual(['PeerFiguresRecorded', 'StandingChanged']);
    expect(stream[0]!.data).toMatchObject({ source: { kind: 'import', importId: first.importId, file: '二季度.xlsx', sheet: '2023-Q2', row: 2 } });
    await settle();
    const v: StandingView = await queries.execute(new GetStanding(planId, 8, '2023-Q2'));
    expect(v).toMatchObject({ rankBasis: 'published', ours: { rank: 2 } });
  });

  it('the template is a workbook for the period that imports clean', async () => {
    const buffer = await queries.execute(new GetFiguresTemplate(planId, '2023-Q3'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ExcelJS.Buffer);
    expect(wb.worksheets[0]!.name).toBe('2023-Q3');
    const outcome = await importWorkbook({ name: 't.xlsx', data: new Uint8Array(buffer) }, { commandId: 'upload-t', actor: office, now: clock.now().toISOString() });
    expect(outcome).toMatchObject({ recorded: 0, skipped: expect.arrayContaining([expect.objectContaining({ indicatorNo: 49 })]) });
  });
});
