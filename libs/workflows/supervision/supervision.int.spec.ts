import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ManualClock } from '../../engine/clock.js';
import { ForbiddenError, type CommandMeta, type Principal } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { REACTOR_OUTCOMES } from '../../engine/reactors/reactor-projection.js';
import type { ReactorOutcome } from '../../engine/reactors/reactor.js';
import { STORE_TARGETS, startAppContext, type AppContext } from '../../../test/support/app.js';
import { PlanService } from '../plan/plan.service.js';
import { settleCases } from './supervision.fixtures.js';
import { caseKey, SUPERVISION_BOARD_PROJECTION, type BoardFilter, type CaseView } from './supervision-board.projection.js';
import { caseLineStream } from './supervision.events.js';
import { OpenCaseByHand } from './supervision.handlers.js';
import { GetSupervisionBoard } from './supervision.queries.js';
import { reactionOf, SUPERVISION_REACTOR } from './supervision.reactor.js';

const planId = 'ye-county-2023';
const office: Principal = { userId: 'office-1', name: '推进办 张', roles: ['office'] };
const supervisor: Principal = { userId: 'dcj-zhao', name: '督查局 赵', roles: ['supervisor'] };
const sthjjHead: Principal = { userId: 'sthjj-head', name: '王局长', roles: ['head'], unitId: 'sthjj' };
const fgwReporter: Principal = { userId: 'fgw-reporter', roles: ['reporter'], unitId: 'fgw' };
const COUNTIES = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];

/** The six counties' values such that ours ranks `rank` (best value first for the direction). */
function figures(rank: number, lowerIsBetter = false) {
  const best = [60, 50, 40, 30, 20, 10].map((v) => (lowerIsBetter ? 70 - v : v));
  const others = best.filter((_, i) => i !== rank - 1);
  return COUNTIES.map((countyId, i) => ({ countyId, value: i === 0 ? best[rank - 1]! : others[i - 1]!, rank: null }));
}

describe.each(STORE_TARGETS)('red warnings supervised through the application on $name', (target) => {
  let ctx: AppContext;
  let app: INestApplicationContext;
  let engine: Engine;
  let queries: QueryBus;
  let commands: CommandBus;
  let clock: ManualClock;
  let n = 0;

  beforeAll(async () => {
    ctx = await startAppContext(target, '2023-10-09T02:00:00.000Z');
    ({ app, engine, clock } = ctx);
    queries = app.get(QueryBus);
    commands = app.get(CommandBus);
  });
  afterAll(() => ctx.close());

  const run = (actor: Principal, type: string, data: object, reason?: string) => ctx.run(actor, type, data, reason);
  const record = (indicatorNo: number, period: string, rank: number, lowerIsBetter = false) =>
    run(office, 'ranking.RecordFigures', { planId, indicatorNo, period, figures: figures(rank, lowerIsBetter), source: { kind: 'manual' } });
  /** The reactor's and the timers' commands land after what caused them: wait for the case lines too. */
  const settle = async (after?: string) => settleCases(engine, await app.get(PlanService).get(planId), after);
  const publishQuarter = async (quarter: string, date: string) => {
    await run(office, 'assessment.Prepare', { planId, quarter });
    await run(office, 'assessment.RecordMeeting', {
      planId,
      quarter,
      date,
      attendees: ['文晓凡', '胡炜哲'],
      conclusions: '研究红色预警指标',
      nextSteps: '督查跟进',
      suggestions: '',
    });
    const published = await run(office, 'assessment.Publish', { planId, quarter });
    await settle(published.position);
    return published;
  };
  const board = async (filter: BoardFilter = {}, at = {}) => (await queries.execute(new GetSupervisionBoard(supervisor, planId, filter, at))).cases;
  /** What the reactor's openings came to, from its recorded outcomes (those answering one published event, given its id). */
  const reactions = async (eventId = '') => (await engine.query(SUPERVISION_REACTOR).list<ReactorOutcome>(REACTOR_OUTCOMES, `${planId}/${eventId}`)).map(reactionOf);
  const publishedId = async (quarter: string) => (await engine.store.readStream(`assessment-${planId}-${quarter}`)).find((e) => e.type === 'QuarterPublished')!.id;
  const openByHand = (line: { planId: string; unitId: string; indicatorNo: number; period: string; note: string }, meta: CommandMeta) =>
    commands.execute(new OpenCaseByHand(line, meta));
  const caseView = (unitId: string, no: number, caseNo = 1) => engine.query(SUPERVISION_BOARD_PROJECTION).get<CaseView>('cases', caseKey(planId, unitId, no, caseNo));
  const ref = (unitId: string, indicatorNo: number, caseNo = 1) => ({ planId, unitId, indicatorNo, caseNo });

  it('publishing a quarter with red warnings opens a case per responsible unit, which then goes through its steps to a closing with a reason', async () => {
    await run(office, 'ranking.PublishScoringRule', {
      planId,
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '试行',
    });
    await record(1, '2023-Q3', 2); // green
    await record(15, '2023-Q3', 5); // red, two units: 发改委 and 财政局
    await record(28, '2023-Q3', 6, true); // PM2.5: lower is better; red

    const published = await publishQuarter('2023-Q3', '2023-10-08');
    expect((published.events[0]!.data as { snapshot: { counts: object } }).snapshot.counts).toMatchObject({ green: 1, red: 2, missing: 46 });

    // One case per red row and responsible unit: indicator 15 opens two.
    const open = await board();
    expect(open.map((c) => [c.unitId, c.indicatorNo, c.caseNo, c.step, c.ageDays, c.nextDeadline?.lastDay])).toEqual(
      [
        ['czj', 15, 1, 'acknowledge', 0, '2023-10-12'],
        ['fgw', 15, 1, 'acknowledge', 0, '2023-10-12'],
        ['sthjj', 28, 1, 'acknowledge', 0, '2023-10-12'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect((await reactions()).map((r) => r.outcome).sort()).toEqual(['opened', 'opened', 'opened']);
    const opened = (await engine.store.readStream(caseLineStream(ref('sthjj', 28))))[0]!;
    expect(opened.metadata).toMatchObject({
      actor: { userId: 'system', role: 'system' },
      causationId: (await engine.store.readStream(`assessment-${planId}-2023-Q3`)).find((e) => e.type === 'QuarterPublished')!.id,
    });

    // The unit's head acknowledges its own case; another unit's reporter may not.
    await expect(run(fgwReporter, 'supervision.Acknowledge', ref('sthjj', 28))).rejects.toBeInstanceOf(ForbiddenError);
    clock.set('2023-10-10T02:00:00.000Z');
    await run(sthjjHead, 'supervision.Acknowledge', { ...ref('sthjj', 28), note: '分管副局长牵头' });

    // The acknowledgement deadline passes for 发改委 and 财政局: their step is overdue on the board.
    clock.set('2023-10-13T00:30:00.000Z');
    await engine.timers.deliverDue();
    await settle();
    const late = await board();
    expect(
      late
        .filter((c) => c.overdue)
        .map((c) => c.unitId)
        .sort(),
    ).toEqual(['czj', 'fgw']);
    expect(late.find((c) => c.unitId === 'sthjj')).toMatchObject({ step: 'plan', overdue: false, ageDays: 3, nextDeadline: { lastDay: '2023-10-24' } });
    expect(late.find((c) => c.unitId === 'fgw')).toMatchObject({ overdueSteps: ['acknowledge'] });

    // Escalation: an admonitory talk, with its reason.
    await expect(run(supervisor, 'supervision.Escalate', { ...ref('fgw', 15), kind: 'admonitory-talk' })).rejects.toMatchObject({ code: 'reason-required' });
    await run(supervisor, 'supervision.Escalate', { ...ref('fgw', 15), kind: 'admonitory-talk' }, '逾期未确认督查事项');

    // 生态环境局: plan, feedback, review accepted, closed as rectification accepted, reported to leaders.
    clock.set('2023-10-16T02:00:00.000Z');
    await run(sthjjHead, 'supervision.SubmitRectificationPlan', { ...ref('sthjj', 28), plan: '开展扬尘专项整治', rectifyBy: '2023-11-30' });
    await expect(run(supervisor, 'supervision.Close', { ...ref('sthjj', 28), reason: 'rectification-accepted', text: '结案' })).rejects.toMatchObject({
      code: 'rectification-not-accepted',
    });
    clock.set('2023-11-20T02:00:00.000Z');
    await run(sthjjHead, 'supervision.SubmitFeedback', { ...ref('sthjj', 28), feedback: '整治完成' });
    await run(supervisor, 'supervision.Review', { ...ref('sthjj', 28), decision: 'accept', comment: '整改到位' });
    await run(supervisor, 'supervision.Close', { ...ref('sthjj', 28), reason: 'rectification-accepted', text: '整改到位，结案' }, '整改到位，结案');
    const reported = await run(supervisor, 'supervision.ReportToLeaders', { ...ref('sthjj', 28), summary: 'PM2.5红色预警已整改结案' });
    await engine.waitFor(reported.position);

    const page = (await caseView('sthjj', 28))!;
    expect(page).toMatchObject({
      status: 'closed',
      closure: { reason: 'rectification-accepted', by: { userId: 'dcj-zhao' } },
      leaderReports: [{ summary: 'PM2.5红色预警已整改结案' }],
    });
    expect(page.history.map((h) => h.type)).toEqual([
      'CaseOpened',
      'CaseAcknowledged',
      'RectificationPlanSubmitted',
      'RectificationFeedbackSubmitted',
      'CaseReviewed',
      'CaseClosed',
      'CaseReportedToLeaders',
    ]);
    expect(page.deadlines.map((d) => [d.step, d.doneAt !== null, d.overdueAt !== null])).toEqual([
      ['acknowledge', true, false],
      ['plan', true, false],
      ['feedback', true, false],
      ['review', true, false],
    ]);
    // Its pending timers were cancelled: nothing of this case is left to fire.
    const pendingOfCase = (await engine.store.readStream(caseLineStream(ref('sthjj', 28)))).filter((e) => e.type === 'TimerScheduled').length;
    const settledOfCase = (await engine.store.readStream(caseLineStream(ref('sthjj', 28)))).filter((e) => e.type === 'TimerCancelled' || e.type === 'TimerFired').length;
    expect(settledOfCase).toBe(pendingOfCase);

    // 财政局: "warning improved" is refused while the latest warning is red, accepted once October is yellow.
    await expect(run(supervisor, 'supervision.Close', { ...ref('czj', 15), reason: 'warning-improved', text: '好转' })).rejects.toMatchObject({ code: 'warning-still-red' });
    await record(15, '2023-10', 3);
    const improved = await run(supervisor, 'supervision.Close', { ...ref('czj', 15), reason: 'warning-improved', text: '10月升至第3名' });
    expect(improved.events[0]).toMatchObject({ type: 'CaseClosed', data: { evidence: { latest: { period: '2023-10', rank: 3, warning: 'yellow' } } } });

    // Q4: a repeated red for 发改委's open case links to it; 生态环境局's closed case gives way to case 2.
    clock.set('2024-01-10T02:00:00.000Z');
    await record(15, '2023-Q4', 6);
    await record(28, '2023-Q4', 5, true);
    await publishQuarter('2023-Q4', '2024-01-09');
    const all = await board({ status: 'all' });
    expect(all.map((c) => [c.unitId, c.indicatorNo, c.caseNo, c.status, c.warnings])).toEqual([
      ['fgw', 15, 1, 'open', ['2023-Q3', '2023-Q4']], // its acknowledgement, overdue since October, comes first
      ['czj', 15, 2, 'open', ['2023-Q4']],
      ['sthjj', 28, 2, 'open', ['2023-Q4']],
      ['czj', 15, 1, 'closed', ['2023-Q3']],
      ['sthjj', 28, 1, 'closed', ['2023-Q3']],
    ]);
    expect((await caseView('fgw', 15))!.escalations).toEqual([expect.objectContaining({ kind: 'admonitory-talk', reason: '逾期未确认督查事项' })]);
    const q4 = await reactions(`${await publishedId('2023-Q4')}/`);
    expect(q4.map((r) => `${r.unitId}:${r.outcome}`).sort()).toEqual(['czj:opened', 'fgw:linked', 'sthjj:opened']);

    // Filters: by unit, by indicator; and the board as known at a past moment.
    expect((await board({ unitId: 'fgw' })).map((c) => c.indicatorNo)).toEqual([15]);
    expect((await board({ indicatorNo: 28, status: 'all' })).map((c) => c.caseNo)).toEqual([2, 1]);
    const then = await board({ status: 'all' }, { asOf: { time: '2023-10-13T00:00:00.000Z' } });
    expect(then.map((c) => [c.unitId, c.status, c.ageDays])).toEqual([
      ['czj', 'open', 3],
      ['fgw', 'open', 3],
      ['sthjj', 'open', 3],
    ]);

    // The bureau opens a case by hand for a red month; not for a period that is not red, and not as the office.
    await record(1, '2023-11', 6);
    const meta = (actor: Principal) => ({ commandId: `c-${++n}`, actor, now: clock.now().toISOString() });
    await expect(openByHand({ planId, unitId: 'fgw', indicatorNo: 1, period: '2023-09', note: '复查' }, meta(supervisor))).rejects.toMatchObject({ code: 'warning-not-red' });
    await expect(openByHand({ planId, unitId: 'czj', indicatorNo: 1, period: '2023-11', note: '复查' }, meta(supervisor))).rejects.toMatchObject({ code: 'unit-not-responsible' });
    await expect(openByHand({ planId, unitId: 'fgw', indicatorNo: 1, period: '2023-11', note: '复查' }, meta(office))).rejects.toBeInstanceOf(ForbiddenError);
    const byHand = await openByHand({ planId, unitId: 'fgw', indicatorNo: 1, period: '2023-11', note: '11月固定资产投资增速全市末位' }, meta(supervisor));
    expect(byHand.events[0]).toMatchObject({
      type: 'CaseOpened',
      data: {
        unitId: 'fgw',
        indicatorNo: 1,
        caseNo: 1,
        warning: { quarter: '2023-11', figuresPeriod: '2023-11', rank: 6, value: 10, source: { kind: 'manual', note: '11月固定资产投资增速全市末位' } },
      },
    });
  });
});
