import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { verifyChains } from '../../engine/audit/verify-chains.js';
import { readConfig } from '../../engine/config.js';
import { openEventStore } from '../../engine/event-store/open-event-store.js';
import { Engine } from '../../engine/nest/engine.js';
import { foldAsOf } from '../../engine/projections/as-of.js';
import { testMetadata } from '../../engine/testing/fixtures.js';
import { AppModule } from '../../../apps/api/src/app.module.js';
import { STORE_TARGETS } from '../../../test/support/app.js';
import { reviewStream } from './rewards.events.js';
import { readDecisions, readProposal, reviewProjection } from './review.projection.js';

/**
 * An old store — year-end events written one line per unit × indicator, before issue 12's "一个指标单位一个
 * 结论" (四（五）: "对年度排名全市第一方阵的指标单位……") — still loads in today's application: the events read
 * one line per unit through the rewards workflow's upcasters, the review projection folds them, and
 * the hash chains verify, since the stored bytes are never rewritten.
 */
const ref = { planId: 'ye-county-2023', year: 2023 };
const first = { zh: '第一方阵', en: 'first tier' };
const funds = [{ kind: 'working-funds', months: 1, zh: '县财政增拨1个月工作经费' }];
const line = (no: number, unitId: string) => ({
  lineId: `${no}-${unitId}`,
  unitId,
  unitName: unitId === 'gxj' ? '县工信局' : '县发改委',
  indicatorNo: no,
  indicatorName: `指标${no}`,
  annualRank: 1,
  tier: 'first',
  tierLabel: first,
  consequences: funds,
  excluded: false,
  basis: {
    period: '2023',
    rank: 1,
    fallback: false,
    note: null,
    standingEvents: [],
    rewardRule: { planRevision: 0, position: '1', eventType: 'PlanPublished' },
    warningRule: { planRevision: 0, position: '1', eventType: 'PlanPublished' },
    scoringRule: null,
  },
});
const lines = [line(7, 'gxj'), line(9, 'gxj'), line(10, 'gxj'), line(6, 'fgw')];

describe.each(STORE_TARGETS)('a store with per-indicator year-end events on $name', (target) => {
  let db: Awaited<ReturnType<(typeof STORE_TARGETS)[number]['create']>>;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await target.create();
    // Written as the per-indicator code wrote them: raw, no upcasting.
    const raw = await openEventStore(db.storeUrl);
    const at = (t: string) => testMetadata({ recordedAt: t, actor: { userId: 'office-1', role: 'office' } });
    await raw.appendToStream(reviewStream(ref), [
      {
        id: crypto.randomUUID(),
        type: 'ProposalGenerated',
        data: {
          ...ref,
          generation: 1,
          generatedBy: 'office-1',
          tiers: [{ tier: 'first', label: first, fromRank: 1, toRank: 2, consequences: funds }],
          lines,
          untiered: [],
          unranked: [],
          discardedAmendments: 0,
          reason: null,
        },
        metadata: at('2024-01-10T02:00:00.000Z'),
      },
      {
        id: crypto.randomUUID(),
        type: 'ProposalSubmitted',
        data: { ...ref, generation: 1, listHash: 'old-hash', submittedBy: 'office-1', lines: 4, excluded: 0 },
        metadata: at('2024-01-11T02:00:00.000Z'),
      },
      {
        id: crypto.randomUUID(),
        type: 'ProposalApproved',
        data: {
          ...ref,
          generation: 1,
          listHash: 'old-hash',
          approvedBy: { userId: 'leader-1', name: '县长' },
          decisions: lines.map((l) => ({ ...l, period: '2023', amended: false })),
          excluded: [],
        },
        metadata: { ...at('2024-01-12T02:00:00.000Z'), actor: { userId: 'leader-1', role: 'leader' } },
      },
    ]);
    await raw.close();
    app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: db.storeUrl }), background: false }), { logger: ['error'] });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('reads one line and one decision per unit (工信局 once, not three times), folds the review, and verifies', async () => {
    const engine = app.get(Engine);
    const events = await engine.store.readStream(reviewStream(ref));
    expect(
      (events[0]!.data as { lines: { lineId: string; indicators: { indicatorNo: number }[] }[] }).lines.map((l) => [l.lineId, l.indicators.map((i) => i.indicatorNo)]),
    ).toEqual([
      ['gxj', [7, 9, 10]],
      ['fgw', [6]],
    ]);
    const docs = await foldAsOf(engine.store, reviewProjection, {}, [reviewStream(ref)]);
    expect((await readProposal(docs, ref.planId, ref.year))?.lines.map((l) => [l.lineId, l.tier, l.consequences.length])).toEqual([
      ['gxj', 'first', 1],
      ['fgw', 'first', 1],
    ]);
    expect((await readDecisions(docs, ref.planId, ref.year))?.decisions.map((d) => d.unitId)).toEqual(['gxj', 'fgw']);
    const report = await verifyChains(engine.store.storage);
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.events).toBeGreaterThanOrEqual(3);
  });
});
