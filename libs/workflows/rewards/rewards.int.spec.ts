import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { ManualClock } from '../../engine/clock.js';
import type { Principal } from '../../engine/commands/command.js';
import { Engine } from '../../engine/nest/engine.js';
import { foldAsOf } from '../../engine/projections/as-of.js';
import { STORE_TARGETS, startAppContext, type AppContext } from '../../../test/support/app.js';
import { figuresStream, scoringStream, type RankingEvent } from '../ranking/ranking.events.js';
import type { ReportLine } from '../reporting/report-content.js';
import { ReportingService } from '../reporting/reporting.service.js';
import { lineEvidence } from './rewards.evidence.js';
import { reviewStream, type ProposalGenerated } from './rewards.events.js';
import { readDecisions, readProposal, REWARDS_PROJECTION, reviewProjection } from './review.projection.js';

const planId = 'ye-county-2023';
const year = 2023;
const ref = { planId, year };
const office1: Principal = { userId: 'office-zhang', name: '推进办 张', roles: ['office'] };
const office2: Principal = { userId: 'office-li', name: '推进办 李', roles: ['office'] };
const countyHead: Principal = { userId: 'county-head', name: '县长', roles: ['leader'] };
const czjReporter: Principal = { userId: 'czj-reporter', roles: ['reporter'], unitId: 'czj' };
const czjHead: Principal = { userId: 'czj-head', name: '财政局长', roles: ['head'], unitId: 'czj' };

describe.each(STORE_TARGETS)('the year-end rewards and penalties through the application on $name', (target) => {
  let ctx: AppContext;
  let app: INestApplicationContext;
  let engine: Engine;
  let clock: ManualClock;
  let n = 0;

  beforeAll(async () => {
    ctx = await startAppContext(target, '2024-01-10T01:00:00.000Z');
    ({ app, engine, clock } = ctx);
  });
  afterAll(() => ctx.close());

  const run = (actor: Principal, type: string, data: object, reason?: string) => ctx.run(actor, type, data, reason);
  const generate = (actor: Principal, reason?: string) =>
    engine.execute({ type: 'rewards.GenerateProposal', data: ref, meta: { commandId: `c-${++n}`, actor, now: clock.now().toISOString(), ...(reason ? { reason } : {}) } });

  /**
   * TEST SETUP: the ranking workflow's commands are built by another engineer; until they exist its
   * published events (ranking.events.ts) are appended here directly, as the ranking workflow would
   * append them: the figures and the standing they cause, in one append.
   */
  const ranking = async (indicatorNo: number, period: string, events: RankingEvent[], reason?: string) =>
    engine.store.appendToStream(
      figuresStream(planId, indicatorNo, period),
      events.map((e) => ({
        type: e.type,
        data: e.data as object,
        metadata: {
          actor: { userId: 'office-zhang', role: 'office' },
          commandId: `rank-${++n}`,
          correlationId: `rank-${n}`,
          causationId: `rank-${n}`,
          recordedAt: clock.now().toISOString(),
          ...(reason ? { reason } : {}),
        },
      })),
    );
  const recorded = (indicatorNo: number, period: string, ye: number, rank: number, from: number | null = null): RankingEvent[] => [
    {
      type: 'PeerFiguresRecorded',
      data: {
        planId,
        indicatorNo,
        period,
        figures: [
          { countyId: 'ye', value: ye, rank: null },
          { countyId: 'baofeng', value: ye + 1, rank: null },
        ],
        source: { kind: 'manual' },
        revised: [],
      },
    },
    {
      type: 'StandingChanged',
      data: {
        planId,
        indicatorNo,
        period,
        ranks: [{ countyId: 'ye', value: ye, rank }],
        rank: { from, to: rank },
        warning: { from: null, to: rank <= 2 ? 'green' : rank <= 4 ? 'yellow' : 'red' },
        cause: { kind: 'first-figures' },
      },
    },
  ];

  it('generates the proposal from the annual ranks, amends, submits, is sent back, approved and published, and every line has its evidence', async () => {
    // --- TEST SETUP: the year's standings, as the ranking workflow publishes them ---------------------
    await engine.store.appendToStream(scoringStream(planId), [
      {
        type: 'ScoringRulePublished',
        data: { planId, version: 1, coefficients: [{ rank: 1, coefficient: 1 }], missingRankCoefficient: 0, note: 'v1' },
        metadata: {
          actor: { userId: 'office-zhang', role: 'office' },
          commandId: 'scoring-1',
          correlationId: 'scoring-1',
          causationId: 'scoring-1',
          recordedAt: clock.now().toISOString(),
        },
      },
    ]);
    const fgw1 = await ranking(1, '2023', recorded(1, '2023', 12.5, 2)); // first tier
    await ranking(2, '2023', recorded(2, '2023', 40, 3)); // no tier
    await ranking(15, '2023', recorded(15, '2023', 8, 4));
    // The city's figure was entered wrongly: corrected, and the rank moves into the third tier.
    const corrected15 = await ranking(
      15,
      '2023',
      [
        {
          type: 'PeerFigureCorrected',
          data: { planId, indicatorNo: 15, period: '2023', countyId: 'ye', previous: { value: 8, rank: null }, corrected: { value: 3.1, rank: null }, reason: '录入错误' },
        },
        {
          type: 'StandingChanged',
          data: {
            planId,
            indicatorNo: 15,
            period: '2023',
            ranks: [],
            rank: { from: 4, to: 5 },
            warning: { from: 'yellow', to: 'red' },
            cause: { kind: 'correction', countyId: 'ye', reason: '录入错误' },
          },
        },
      ],
      '录入错误',
    );
    const pm25 = await ranking(28, '2023-12', recorded(28, '2023-12', 48, 6)); // no annual standing: December's

    // The financial bureau's December report, received and then corrected by the office (indicator 15).
    const reporting = app.get(ReportingService);
    const reportRef = { planId, unitId: 'czj', period: '2023-12' };
    const context = await reporting.context(reportRef);
    // Lagging is decided from the official standing (issue 12): no. 15 stands in the third tier, so its
    // line carries an analysis and countermeasures whatever rank is typed.
    const lines: ReportLine[] = context.indicators.map((i) => ({
      indicatorNo: i.no,
      value: 10,
      rank: 1,
      problems: '无',
      nextSteps: '保持',
      analysis: '新兴产业项目投产滞后',
      countermeasures: '加快项目投产达效',
    }));
    await run(czjReporter, 'reporting.SaveDraft', { context, lines });
    const submitted = await run(czjReporter, 'reporting.Submit', { context });
    await run(czjHead, 'reporting.Sign', { ...reportRef, contentHash: (submitted.events[0]!.data as { contentHash: string }).contentHash });
    await run(office1, 'reporting.Receive', reportRef);
    const reportFix = await run(office1, 'reporting.Correct', { ...reportRef, indicatorNo: 15, field: 'value', corrected: 3.1 }, '与市统计局数据核对后更正');

    // --- The office generates the proposal -------------------------------------------------------
    clock.set('2024-01-12T02:00:00.000Z');
    const gen = await generate(office1);
    const proposal = gen.events[0]!.data as ProposalGenerated['data'];
    // One line per unit (指标单位), its indicators' ranks beneath it; 发改委 has no. 1 in the first tier
    // and no. 15 in the third: a conflict, no tier until the office decides. (These were four lines,
    // one per indicator and unit, before the rule of 四(五) was read as per unit.)
    expect(proposal.lines.map((l) => [l.lineId, l.indicators.map((i) => [i.indicatorNo, i.annualRank, i.tier]), l.tier])).toEqual([
      [
        'fgw',
        [
          [1, 2, 'first'],
          [15, 5, 'third'],
        ],
        null,
      ],
      ['czj', [[15, 5, 'third']], 'third'],
      ['sthjj', [[28, 6, 'third']], 'third'],
    ]);
    expect(proposal.lines[0]!.conflict).toEqual({ tiers: ['first', 'third'], untiered: 0, decided: null });
    expect(proposal.untiered).toEqual([expect.objectContaining({ indicatorNo: 2, rank: 3 })]);
    expect(proposal.unranked).toHaveLength(49 - 4);
    const line15 = proposal.lines.find((l) => l.lineId === 'czj')!;
    expect(line15.consequences).toEqual([
      { kind: 'public-criticism', zh: '县政府予以通报批评' },
      { kind: 'pause-promotion', persons: ['head', 'deputy'], months: 6, zh: '向县委组织部门建议半年内暂缓单位一把手和分管副职提任' },
      { kind: 'working-funds', months: -1, zh: '县财政扣减1个月工作经费' },
    ]);
    expect(line15.indicators[0]!.basis).toMatchObject({
      period: '2023',
      rank: 5,
      fallback: false,
      rewardRule: { planRevision: 0, eventType: 'PlanPublished' },
      scoringRule: { version: 1 },
    });
    expect(line15.indicators[0]!.basis.standingEvents.map((s) => [s.position, s.rank, s.cause])).toEqual([
      [expect.any(String), 4, 'first-figures'],
      [corrected15.position, 5, 'correction'],
    ]);
    expect(proposal.lines.find((l) => l.lineId === 'fgw')!.indicators[0]!.basis.standingEvents.map((s) => s.position)).toEqual([fgw1.position]);
    expect(proposal.lines.find((l) => l.lineId === 'sthjj')!.indicators[0]!.basis).toMatchObject({
      period: '2023-12',
      fallback: true,
      note: expect.stringContaining('2023-12, the latest period of the year'),
    });
    expect(proposal.lines.find((l) => l.lineId === 'sthjj')!.indicators[0]!.basis.standingEvents[0]!.position).toBe(pm25.position);

    // An amendment without a reason is refused and writes nothing.
    const before = (await engine.store.readStream(reviewStream(ref))).length;
    await expect(run(office2, 'rewards.AmendLine', { ...ref, lineId: 'czj', excluded: true })).rejects.toMatchObject({ code: 'reason-required' });
    expect(await engine.store.readStream(reviewStream(ref))).toHaveLength(before);

    clock.set('2024-01-12T03:00:00.000Z');
    await run(office2, 'rewards.AmendLine', { ...ref, lineId: 'czj', excluded: true }, '财政局为第15项配合单位');
    // After the proposal: the city corrects indicator 1's figures. The evidence must show it as not taken into account.
    const late = await ranking(
      1,
      '2023',
      [
        {
          type: 'PeerFigureCorrected',
          data: {
            planId,
            indicatorNo: 1,
            period: '2023',
            countyId: 'baofeng',
            previous: { value: 13.5, rank: null },
            corrected: { value: 13.6, rank: null },
            reason: '宝丰县数据修订',
          },
        },
      ],
      '宝丰县数据修订',
    );
    // Not to approval while 发改委's conflict is undecided; the office decides it with a reason.
    await expect(run(office1, 'rewards.SubmitForApproval', ref)).rejects.toMatchObject({ code: 'conflicts-undecided' });
    await expect(run(office1, 'rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'reward' })).rejects.toMatchObject({ code: 'reason-required' });
    await run(office1, 'rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'reward' }, '第1项为年度首要指标，第15项为配合推进');

    clock.set('2024-01-13T02:00:00.000Z');
    const sub1 = await run(office1, 'rewards.SubmitForApproval', ref);
    const hash1 = (sub1.events[0]!.data as { listHash: string }).listHash;
    await engine.waitFor(sub1.position);
    const asSubmitted = clock.now().toISOString();

    // Four eyes: the proposer, even as a leader, may not approve; nor may anyone but a leader.
    await expect(run({ ...office1, roles: ['office', 'leader'] }, 'rewards.Approve', { ...ref, listHash: hash1 })).rejects.toThrow(/may not approve it/);
    await expect(run(office2, 'rewards.Approve', { ...ref, listHash: hash1 })).rejects.toMatchObject({ code: 'forbidden' });

    // The county government sends it back; the office amends with a reason and submits again.
    clock.set('2024-01-15T02:00:00.000Z');
    await expect(run(countyHead, 'rewards.SendBack', ref)).rejects.toMatchObject({ code: 'reason-required' });
    await run(countyHead, 'rewards.SendBack', ref, '财政局不应整体排除，改为仅通报批评');
    await run(
      office2,
      'rewards.AmendLine',
      { ...ref, lineId: 'czj', excluded: false, consequences: [{ kind: 'public-criticism', zh: '县政府予以通报批评' }] },
      '按县政府意见：仅通报批评',
    );
    await expect(run(office2, 'rewards.Publish', ref)).rejects.toMatchObject({ code: 'proposal-not-approved' });
    const sub2 = await run(office1, 'rewards.SubmitForApproval', ref);
    const hash2 = (sub2.events[0]!.data as { listHash: string }).listHash;
    expect(hash2).not.toBe(hash1);
    await expect(run(countyHead, 'rewards.Approve', { ...ref, listHash: hash1 })).rejects.toMatchObject({ code: 'list-changed' });

    clock.set('2024-01-16T02:00:00.000Z');
    const approved = await run(countyHead, 'rewards.Approve', { ...ref, listHash: hash2 }, '县政府第3次常务会议审定');
    const published = await run(office2, 'rewards.Publish', ref);
    await engine.waitFor(published.position);

    // --- The projections -----------------------------------------------------------------------
    const docs = engine.query(REWARDS_PROJECTION);
    const view = (await readProposal(docs, planId, year))!;
    expect(view).toMatchObject({
      status: 'published',
      generation: 1,
      listHash: hash2,
      sendBacks: [{ reason: '财政局不应整体排除，改为仅通报批评', by: { userId: 'county-head' } }],
    });
    const czj = view.lines.find((l) => l.lineId === 'czj')!;
    expect(czj).toMatchObject({ excluded: false, consequences: [{ kind: 'public-criticism' }] });
    expect(czj.amendments.map((a) => [a.reason, a.before.excluded, a.after.excluded, a.by.userId])).toEqual([
      ['财政局为第15项配合单位', false, true, 'office-li'],
      ['按县政府意见：仅通报批评', true, false, 'office-li'],
    ]);
    expect(view.history.map((s) => s.type)).toEqual([
      'ProposalGenerated',
      'LineAmended',
      'ConflictDecided',
      'ProposalSubmitted',
      'ProposalSentBack',
      'LineAmended',
      'ProposalSubmitted',
      'ProposalApproved',
      'DecisionsPublished',
    ]);
    const list = (await readDecisions(docs, planId, year))!;
    expect(list).toMatchObject({
      status: 'published',
      listHash: hash2,
      approved: { by: { userId: 'county-head' }, reason: '县政府第3次常务会议审定' },
      counts: { first: 1, third: 2 },
    });
    expect(list.decisions.map((d) => [d.lineId, d.tier, d.amended, d.conflict?.decision ?? null])).toEqual([
      ['fgw', 'first', false, 'reward'],
      ['czj', 'third', true, null],
      ['sthjj', 'third', false, null],
    ]);

    // As known when first submitted: the excluded line, and no decisions.
    const then = await foldAsOf(engine.store, reviewProjection, { time: asSubmitted }, [reviewStream(ref)]);
    expect(await readProposal(then, planId, year)).toMatchObject({
      status: 'submitted',
      listHash: hash1,
      lines: expect.arrayContaining([expect.objectContaining({ lineId: 'czj', excluded: true })]),
    });
    expect(await readDecisions(then, planId, year)).toBeUndefined();

    // --- Evidence ------------------------------------------------------------------------------
    const ev = await lineEvidence(engine.store, ref, 'czj');
    expect(ev).toMatchObject({ status: 'published', inCurrentProposal: true, decision: { lineId: 'czj', tier: 'third', amended: true } });
    expect(ev.items.map((i) => [i.kind, i.type])).toEqual([
      ['rule', 'PlanPublished'],
      ['scoring-rule', 'ScoringRulePublished'],
      ['figures', 'PeerFiguresRecorded'],
      ['standing', 'StandingChanged'],
      ['peer-correction', 'PeerFigureCorrected'],
      ['standing', 'StandingChanged'],
      ['report-correction', 'FigureCorrected'],
      ['proposal', 'ProposalGenerated'],
      ['amendment', 'LineAmended'],
      ['submission', 'ProposalSubmitted'],
      ['send-back', 'ProposalSentBack'],
      ['amendment', 'LineAmended'],
      ['submission', 'ProposalSubmitted'],
      ['approval', 'ProposalApproved'],
      ['publication', 'DecisionsPublished'],
    ]);
    const item = (type: string, k = 0) => ev.items.filter((i) => i.type === type)[k]!;
    expect(item('StandingChanged', 1)).toMatchObject({
      position: corrected15.position,
      data: { cause: { kind: 'correction', reason: '录入错误' } },
      why: '录入错误',
      who: { userId: 'office-zhang', role: 'office' },
      afterProposal: false,
    });
    expect(item('FigureCorrected')).toMatchObject({ position: reportFix.position, why: '与市统计局数据核对后更正', data: { indicatorNo: 15, previous: 10, corrected: 3.1 } });
    expect(item('PlanPublished')).toMatchObject({ revision: 0, excerpt: true, data: { rewards: { tiers: [{ tier: 'first' }, { tier: 'third' }] } } });
    expect(item('ProposalGenerated')).toMatchObject({
      who: { userId: 'office-zhang', role: 'office' },
      when: '2024-01-12T02:00:00.000Z',
      excerpt: true,
      data: { generation: 1, line: { lineId: 'czj', indicators: [{ indicatorNo: 15, annualRank: 5 }] } },
    });
    expect(item('LineAmended', 1)).toMatchObject({ why: '按县政府意见：仅通报批评', data: { before: { excluded: true }, after: { excluded: false } } });
    expect(item('ProposalApproved')).toMatchObject({
      position: approved.position,
      who: { userId: 'county-head', role: 'leader' },
      why: '县政府第3次常务会议审定',
      data: { decision: { lineId: 'czj' }, excluded: null },
    });
    expect(ev.items.every((i, k) => k === 0 || engine.store.comparePositions(ev.items[k - 1]!.position, i.position) < 0)).toBe(true);

    // 发改委's line rests on indicators 1 and 15: the peer correction of no. 1 recorded after the
    // proposal is listed, flagged as not taken into account; the office's conflict decision is there.
    const ev1 = await lineEvidence(engine.store, ref, 'fgw');
    expect(ev1.items.filter((i) => i.kind === 'peer-correction' && i.afterProposal)).toEqual([expect.objectContaining({ position: late.position })]);
    expect(ev1.items.filter((i) => i.kind === 'conflict-decision')).toEqual([
      expect.objectContaining({ why: '第1项为年度首要指标，第15项为配合推进', data: expect.objectContaining({ decision: 'reward' }) }),
    ]);
    expect(ev1.items.filter((i) => i.kind === 'report-correction')).toEqual([]);
    // Indicator 28 fell back to December: the December stream is read.
    const ev28 = await lineEvidence(engine.store, ref, 'sthjj');
    expect(ev28.items.filter((i) => i.kind === 'standing').map((i) => i.streamId)).toEqual([figuresStream(planId, 28, '2023-12')]);
    // As of the first submission, the evidence has no approval yet.
    const evThen = await lineEvidence(engine.store, ref, 'czj', { time: asSubmitted });
    expect(evThen.items.map((i) => i.kind)).not.toContain('approval');
    expect(evThen.decision).toBeNull();
    await expect(lineEvidence(engine.store, ref, 'gxj')).rejects.toMatchObject({ code: 'line-not-found' });
  });
});
