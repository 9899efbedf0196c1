import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { ManualClock } from '../../engine/clock.js';
import type { Principal } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { foldAsOf } from '../../engine/projections/as-of.js';
import { STORE_TARGETS, startAppContext, type AppContext } from '../../../test/support/app.js';
import { ANNEX2_PROJECTION, annex2Projection, annex2Table } from '../annex2/annex2.projection.js';
import { planStream } from '../plan/plan.events.js';
import type { ReportLine } from './report-content.js';
import { reportStream } from './reporting.events.js';
import { ReportingService } from './reporting.service.js';
import { OpenReportingPeriod } from './reporting.handlers.js';
import { CommandBus } from '@nestjs/cqrs';
import { cellKey, REPORTS_PROJECTION, reportKey, type ComplianceCell, type ReportView } from './reports.projection.js';

const planId = 'ye-county-2023';
const period = '2023-06';
const ref = { planId, unitId: 'sthjj', period };
const office: Principal = { userId: 'office-1', name: '推进办 张', roles: ['office'] };
const reporter: Principal = { userId: 'sthjj-reporter', name: '李', roles: ['reporter'], unitId: 'sthjj' };
const head: Principal = { userId: 'sthjj-head', name: '王局长', roles: ['head'], unitId: 'sthjj' };
const fgwReporter: Principal = { userId: 'fgw-reporter', roles: ['reporter'], unitId: 'fgw' };

const lines = (pm25: Partial<ReportLine> = {}): ReportLine[] => [
  { indicatorNo: 27, value: 78.5, rank: 2, problems: '无', nextSteps: '保持' },
  { indicatorNo: 28, value: 41, rank: 5, problems: '扬尘', nextSteps: '治理', ...pm25 },
  { indicatorNo: 29, value: 92, rank: 1, problems: '无', nextSteps: '保持' },
];

describe.each(STORE_TARGETS)('the monthly report workflow through the application on $name', (target) => {
  let ctx: AppContext;
  let app: INestApplicationContext;
  let engine: Engine;
  let reporting: ReportingService;
  let clock: ManualClock;

  beforeAll(async () => {
    ctx = await startAppContext(target, '2023-07-01T01:00:00.000Z');
    ({ app, engine, clock } = ctx);
    reporting = app.get(ReportingService);
  });
  afterAll(() => ctx.close());

  const run = (actor: Principal, type: string, data: object, reason?: string) => ctx.run(actor, type, data, reason);
  const view = async (unitId = 'sthjj') => engine.query(REPORTS_PROJECTION).get<ReportView>('reports', reportKey(planId, unitId, period));

  it('takes a month’s report from opening to receipt, with a refusal, a correction and overdue reports, and every view shows it', async () => {
    // The office opens June: 21 reports with their deadline timers.
    const opened = await app.get(CommandBus).execute(new OpenReportingPeriod(planId, period, { commandId: 'open-june', actor: office, now: clock.now().toISOString() }));
    expect(opened.opened).toHaveLength(21);
    const context = await reporting.context(ref);
    expect(context.indicators.map((i) => i.no)).toEqual([27, 28, 29]);
    expect(context.dueAt).toBe('2023-07-05T16:00:00.000Z'); // before 6 July, Beijing time

    // Draft, then a submission refused for the red PM2.5 line without analysis.
    await run(reporter, 'reporting.SaveDraft', { context, lines: lines() });
    await expect(run(reporter, 'reporting.Submit', { context })).rejects.toMatchObject({ code: 'lagging-without-analysis' });
    await run(reporter, 'reporting.SaveDraft', { context, lines: lines({ analysis: '施工扬尘管控不到位', countermeasures: '开展扬尘专项整治' }) });
    clock.set('2023-07-04T02:00:00.000Z');
    const submitted = await run(reporter, 'reporting.Submit', { context });
    const hash = (submitted.events[0]!.data as { contentHash: string }).contentHash;

    // Four eyes, then the head signs and the office receives.
    await expect(run({ ...reporter, roles: ['reporter', 'head'] }, 'reporting.Sign', { ...ref, contentHash: hash })).rejects.toThrow(/may not sign/);
    await run(head, 'reporting.Sign', { ...ref, contentHash: hash });
    const received = await run(office, 'reporting.Receive', ref);
    await engine.waitFor(received.position);
    const beforeCorrection = clock.now().toISOString();

    // The deadline passes: units that never submitted become overdue; a late one is late by how long.
    clock.set('2023-07-06T00:30:00.000Z');
    await engine.timers.deliverDue();
    const fgwContext = await reporting.context({ planId, unitId: 'fgw', period });
    clock.set('2023-07-07T04:00:00.000Z');
    await run(fgwReporter, 'reporting.SaveDraft', {
      context: fgwContext,
      lines: fgwContext.indicators.map((i) => ({ indicatorNo: i.no, value: 5, rank: 2, problems: '', nextSteps: '' })),
    });
    await run(fgwReporter, 'reporting.Submit', { context: fgwContext });

    // The office corrects a figure; the original stays.
    clock.set('2023-07-10T03:00:00.000Z');
    const corrected = await run(office, 'reporting.Correct', { ...ref, indicatorNo: 28, field: 'value', corrected: 42.5 }, '市生态环境局通报数据修正');
    await engine.waitFor(corrected.position);

    const report = await view();
    expect(report).toMatchObject({ status: 'received', submitted: { late: null, lagging: [28] }, signature: { name: '王局长', seal: { unitName: '县生态环境局' } } });
    expect(report!.lines.find((l) => l.indicatorNo === 28)!.value).toBe(41); // as submitted
    // The view's revision is the stream's (timer events included): the ETag a client sends back as If-Match.
    expect(report!.revision).toBe((await engine.store.readStream(reportStream(ref))).at(-1)!.revision);
    expect(report!.corrections).toEqual([expect.objectContaining({ indicatorNo: 28, previous: 41, corrected: 42.5, reason: '市生态环境局通报数据修正' })]);
    expect(report!.steps.map((s) => s.type)).toEqual([
      'ReportOpened',
      'ReportDraftSaved',
      'ReportDraftSaved',
      'ReportSubmitted',
      'ReportSigned',
      'ReportReceived',
      'FigureCorrected',
    ]);

    const cell = (unitId: string) => engine.query(REPORTS_PROJECTION).get<ComplianceCell>('compliance', cellKey(planId, period, unitId));
    expect(await cell('sthjj')).toMatchObject({ onTime: true, overdue: false, signed: true, received: true, corrections: 1 });
    // Changed by issue 12 (经主要负责人签字并加盖单位印章后，于次月6日前报送): fgw submitted after the
    // deadline but nobody signed it, so it is overdue and its timeliness waits for the signature.
    expect(await cell('fgw')).toMatchObject({ status: 'submitted', onTime: null, overdue: true, lateByMinutes: null });
    expect(await cell('gxj')).toMatchObject({ status: 'open', overdue: true, onTime: null });
    const overdue = (await engine.store.readStream(reportStream({ planId, unitId: 'gxj', period }))).map((e) => e.type);
    expect(overdue).toEqual(['ReportOpened', 'TimerScheduled', 'TimerScheduled', 'ReportReminderSent', 'TimerFired', 'ReportOverdue', 'TimerFired']);

    // Annex 2 shows the corrected figure now, and the submitted one as known before the correction.
    const now = await annex2Table(engine.query(ANNEX2_PROJECTION), planId, period);
    const row28 = now!.sections.flatMap((s) => s.rows).find((r) => r.no === 28)!;
    expect(row28).toMatchObject({ result: 42.5, rank: 5, warning: 'red', points: 2, units: [{ id: 'sthjj', shortName: '生态环境局' }] });
    expect(row28.byUnit[0]).toMatchObject({ status: 'received', corrected: { value: true } });
    const streams = [planStream(planId), reportStream(ref)];
    const then = await annex2Table(await foldAsOf(engine.store, annex2Projection, { time: beforeCorrection }, streams), planId, period);
    expect(then!.sections.flatMap((s) => s.rows).find((r) => r.no === 28)).toMatchObject({ result: 41, warning: 'red' });
  });
  it('decides lagging from the official standing the handler reads from the ranking workflow’s figures stream (issue 12)', async () => {
    // No. 27 was officially red for 2023-11, yet a report with an empty rank used to be accepted.
    clock.set('2023-12-02T02:00:00.000Z');
    const figures = [
      { countyId: 'baofeng', value: 90, rank: null },
      { countyId: 'jia', value: 88, rank: null },
      { countyId: 'lushan', value: 86, rank: null },
      { countyId: 'wugang', value: 84, rank: null },
      { countyId: 'ye', value: 75, rank: null },
      { countyId: 'ruzhou', value: 70, rank: null },
    ];
    await run(office, 'ranking.RecordFigures', { planId, indicatorNo: 27, period: '2023-11', figures, source: { kind: 'manual' } });
    const nov = { planId, unitId: 'sthjj', period: '2023-11' };
    const standings = await reporting.standings(nov, [27, 28, 29]);
    expect(standings).toEqual([{ indicatorNo: 27, period: '2023-11', rank: 5, warning: 'red' }]);

    const typed = [{ ...lines()[0]!, rank: null }, { ...lines()[1]!, rank: 1 }, lines()[2]!];
    const saved = await run(reporter, 'reporting.SaveDraft', { ...nov, lines: typed });
    const savedLines = (saved.events.find((e) => e.type === 'ReportDraftSaved')!.data as { lines: ReportLine[] }).lines;
    // The official rank replaces the empty one; indicators without peer figures keep theirs, marked self-reported.
    expect(savedLines.map((l) => [l.indicatorNo, l.rank, l.rankSource])).toEqual([
      [27, 5, 'official'],
      [28, 1, 'self-reported'],
      [29, 1, 'self-reported'],
    ]);
    await expect(run(reporter, 'reporting.Submit', nov)).rejects.toMatchObject({ code: 'lagging-without-analysis', details: expect.objectContaining({ indicators: [27] }) });
  });

  it('works a report’s plan facts out once per plan revision: a revised rule is in the next draft’s, and what is kept cannot be changed', async () => {
    const dec = { planId, unitId: 'sthjj', period: '2023-10' };
    const first = await reporting.context(dec);
    expect(await reporting.context(dec)).toBe(first); // kept: the same answer while the plan stream stands
    expect(Object.isFrozen(first.indicators[0])).toBe(true);
    expect(() => (first.indicators as { no: number }[]).push({ no: 99 })).toThrow(TypeError);
    expect(first.warningTiers.find((t) => t.tier === 'green')).toMatchObject({ fromRank: 1, toRank: 2 });

    const tiers = [
      { tier: 'green', fromRank: 1, toRank: 1, label: { zh: '绿色', en: 'green' } },
      { tier: 'yellow', fromRank: 2, toRank: 4, label: { zh: '黄色', en: 'yellow' } },
      { tier: 'red', fromRank: 5, toRank: 6, label: { zh: '红色', en: 'red' } },
    ];
    await run(office, 'plan.ReviseWarningTiers', { planId, tiers }, '市里调整预警档次');
    const revised = await reporting.context(dec);
    expect(revised).not.toBe(first);
    expect(revised.warningTiers.find((t) => t.tier === 'green')).toMatchObject({ fromRank: 1, toRank: 1 });
    const saved = await run(reporter, 'reporting.SaveDraft', { ...dec, lines: lines() });
    expect(saved.events.map((e) => e.type)).toContain('ReportDraftSaved');
  });
});
