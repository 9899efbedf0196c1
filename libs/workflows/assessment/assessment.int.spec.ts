import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ManualClock } from '../../engine/clock.js';
import type { Principal } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { STORE_TARGETS, startAppContext, type AppContext } from '../../../test/support/app.js';
import { caseLineStream } from '../supervision/supervision.events.js';
import { ASSESSMENT_PROJECTION, type NotificationView } from './assessment.projection.js';
import { GetKnownQuarter, GetPublishedQuarter, GetQuarterDiff } from './assessment.queries.js';

const planId = 'ye-county-2023';
const quarter = '2023-Q3';
const office: Principal = { userId: 'office-1', name: '推进办 张', roles: ['office'] };
const supervisor: Principal = { userId: 'dcj-zhao', name: '督查局 赵', roles: ['supervisor'] };
const COUNTIES = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];

function figures(ours: number, others: number[]) {
  return COUNTIES.map((countyId, i) => ({ countyId, value: i === 0 ? ours : others[i - 1]!, rank: null }));
}

describe.each(STORE_TARGETS)('the quarterly assessment through the application on $name', (target) => {
  let ctx: AppContext;
  let app: INestApplicationContext;
  let engine: Engine;
  let queries: QueryBus;
  let clock: ManualClock;

  beforeAll(async () => {
    ctx = await startAppContext(target, '2023-10-09T02:00:00.000Z');
    ({ app, engine, clock } = ctx);
    queries = app.get(QueryBus);
  });
  afterAll(() => ctx.close());

  const run = (actor: Principal, type: string, data: object, reason?: string) => ctx.run(actor, type, data, reason);
  /** The supervision reactor opens 生态环境局's case just after the publication: wait for it too. */
  const settle = async (after?: string) => {
    await engine.waitFor(after);
    const [last] = await engine.store.readStream(caseLineStream({ planId, unitId: 'sthjj', indicatorNo: 28 }), { direction: 'backwards', maxCount: 1 });
    await engine.waitFor(last?.position);
  };

  it('publishes Q3 frozen "as presented at the meeting", while "Q3 as known now" follows a later correction, and the diff names it', async () => {
    await run(office, 'ranking.PublishScoringRule', {
      planId,
      coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
      missingRankCoefficient: 0,
      note: '试行',
    });
    // PM2.5 (lower is better): 47 ranks 6th, red. Indicator 1 only has September figures: the fallback month.
    await run(office, 'ranking.RecordFigures', { planId, indicatorNo: 28, period: quarter, figures: figures(47, [35, 38, 40, 42, 45]), source: { kind: 'manual' } });
    await run(office, 'ranking.RecordFigures', { planId, indicatorNo: 1, period: '2023-09', figures: figures(12, [10, 8, 6, 4, 2]), source: { kind: 'manual' } });

    // Nothing can be published before it is prepared and the meeting recorded.
    await expect(run(office, 'assessment.Publish', { planId, quarter })).rejects.toMatchObject({ code: 'quarter-not-prepared' });
    const prepared = await run(office, 'assessment.Prepare', { planId, quarter });
    await expect(run(office, 'assessment.Publish', { planId, quarter })).rejects.toMatchObject({ code: 'meeting-not-recorded' });
    await run(office, 'assessment.RecordMeeting', {
      planId,
      quarter,
      date: '2023-10-08',
      attendees: ['文晓凡', '胡炜哲', '郭志钢'],
      conclusions: 'PM2.5排名靠后',
      nextSteps: '扬尘治理',
      suggestions: '加强联防联控',
    });

    // Figures recorded after the meeting do not reach what is published: the meeting heard the prepared ones.
    clock.set('2023-10-10T02:00:00.000Z');
    await run(office, 'ranking.RecordFigures', { planId, indicatorNo: 2, period: quarter, figures: figures(30, [20, 10, 5, 4, 3]), source: { kind: 'manual' } });
    const published = await run(office, 'assessment.Publish', { planId, quarter });
    await settle(published.position);

    const presented = await queries.execute(new GetPublishedQuarter(planId, quarter));
    const preparedSnapshot = (prepared.events[0]!.data as { snapshot: unknown }).snapshot;
    expect(presented.snapshot).toEqual(preparedSnapshot);
    const row = (no: number) => presented.snapshot.rows.find((r) => r.indicatorNo === no)!;
    expect(row(28)).toMatchObject({ value: 47, rank: 6, warning: 'red', score: 1, period: quarter, units: ['sthjj'] });
    expect(row(1)).toMatchObject({ value: 12, rank: 1, warning: 'green', score: 5, period: '2023-09' });
    expect(row(2)).toMatchObject({ value: null, rank: null, warning: null });
    expect(presented.notified).toHaveLength(21 + 11);
    expect(presented.notified).toEqual(expect.arrayContaining(['unit:sthjj', 'unit:fgw', 'unit:czj', 'leader:文晓凡']));

    // Every unit and leader was notified; a unit sees its own rows.
    const sthjj = await engine.query(ASSESSMENT_PROJECTION).list<NotificationView>('notifications', `${planId}/unit:sthjj/`);
    expect(sthjj.map((r) => [r.doc.quarter, r.doc.rows.map((x) => [x.indicatorNo, x.warning])])).toEqual([
      [
        quarter,
        [
          [27, null],
          [28, 'red'],
          [29, null],
        ],
      ],
    ]);
    const leaders = await engine.query(ASSESSMENT_PROJECTION).list<NotificationView>('notifications', `${planId}/leader:`);
    expect(leaders).toHaveLength(11);
    // Issue 12 (it was the red row 28 only): "县委县政府督查局要及时对各责任单位指标完成情况开展督查，
    // 特别要紧盯红色预警单位工作开展情况" — each leader named in the plan file is sent every row, every colour.
    expect(leaders[0]!.doc.rows).toHaveLength(presented.snapshot.rows.length);
    expect(leaders[0]!.doc.rows.find((r) => r.indicatorNo === 28)).toMatchObject({ warning: 'red' });

    // Frozen: preparing again is refused.
    await expect(run(office, 'assessment.Prepare', { planId, quarter }, '更正')).rejects.toMatchObject({ code: 'quarter-published' });

    // The city corrects our PM2.5 figure: Q3 as known now is yellow; as presented stays red.
    clock.set('2023-10-20T02:00:00.000Z');
    const beforeCorrection = clock.now().toISOString();
    clock.set('2023-10-20T03:00:00.000Z');
    await run(office, 'ranking.CorrectFigure', { planId, indicatorNo: 28, period: quarter, countyId: 'ye', corrected: { value: 41, rank: null } }, '市生态环境局通报数据更正');
    await settle();

    expect((await queries.execute(new GetPublishedQuarter(planId, quarter))).snapshot).toEqual(preparedSnapshot);
    const now = await queries.execute(new GetKnownQuarter(planId, quarter));
    expect(now.rows.find((r) => r.indicatorNo === 28)).toMatchObject({ value: 41, rank: 4, warning: 'yellow', score: 1.4 });
    expect(now.rows.find((r) => r.indicatorNo === 2)).toMatchObject({ rank: 1, warning: 'green' });
    const then = await queries.execute(new GetKnownQuarter(planId, quarter, { asOf: { time: beforeCorrection } }));
    expect(then.rows.find((r) => r.indicatorNo === 28)).toMatchObject({ value: 47, rank: 6, warning: 'red' });

    const diff = await queries.execute(new GetQuarterDiff(planId, quarter));
    expect(diff.rows.map((r) => [r.indicatorNo, r.changed])).toEqual([
      [2, ['value', 'rank', 'warning', 'score']],
      [28, ['value', 'rank', 'warning', 'score']],
    ]);
    const pm = diff.rows.find((r) => r.indicatorNo === 28)!;
    expect(pm.presented).toMatchObject({ warning: 'red', rank: 6 });
    expect(pm.now).toMatchObject({ warning: 'yellow', rank: 4 });
    expect(pm.events.map((e) => [e.type, e.who.userId, e.reason, e.at])).toEqual([
      ['PeerFigureCorrected', 'office-1', '市生态环境局通报数据更正', '2023-10-20T03:00:00.000Z'],
      ['StandingChanged', 'office-1', '市生态环境局通报数据更正', '2023-10-20T03:00:00.000Z'],
    ]);
    expect(diff.rows.find((r) => r.indicatorNo === 2)!.events.map((e) => e.type)).toEqual(['PeerFiguresRecorded', 'StandingChanged']);
    // As known before the correction, only the figures recorded after the meeting differ.
    expect((await queries.execute(new GetQuarterDiff(planId, quarter, { asOf: { time: beforeCorrection } }))).rows.map((r) => r.indicatorNo)).toEqual([2]);

    // The supervision case opened by the red closes as cleared by the correction, recorded as such.
    const ref = { planId, unitId: 'sthjj', indicatorNo: 28, caseNo: 1 };
    const closed = await run(supervisor, 'supervision.Close', { ...ref, reason: 'cleared-by-correction', text: '数据更正后为黄色预警' });
    expect(closed.events[0]).toMatchObject({
      type: 'CaseClosed',
      data: { reason: 'cleared-by-correction', evidence: { linked: [{ period: quarter, rank: 4, warning: 'yellow' }] } },
    });
    expect(published.events[0]!.type).toBe('QuarterPublished');
  });
});
