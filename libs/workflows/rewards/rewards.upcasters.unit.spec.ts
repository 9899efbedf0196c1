import { meta, given } from '../../engine/testing/given-when-then.js';
import type { RewardTier } from '../plan/plan-file.js';
import { rewardsDecider, type RewardsCommand } from './rewards.decider.js';
import type { RewardsEvent } from './rewards.events.js';
import { REWARDS_UPCASTERS, unitLineId } from './rewards.upcasters.js';

/**
 * 四（五）: "对年度排名全市第一方阵的指标单位，县政府表彰时优先考虑……县财政增拨1个月工作经费；对年度排名全市第三方阵的指标单位，
 * 县政府将予以通报批评……县财政扣减1个月工作经费。" — consequences per 指标单位 (unit), once. Stores written before
 * issue 12 hold one line per unit × indicator; read through the upcasters, they are one line per unit.
 */
const ref = { planId: 'ye-county-2023', year: 2023 };
const consequences = (tier: string) => [{ kind: 'working-funds', months: tier === 'first' ? 1 : -1, zh: tier === 'first' ? '县财政增拨1个月工作经费' : '县财政扣减1个月工作经费' }];
const tiers: RewardTier[] = [
  { tier: 'first', label: { zh: '第一方阵', en: 'first tier' }, fromRank: 1, toRank: 2, consequences: consequences('first') as RewardTier['consequences'] },
  { tier: 'third', label: { zh: '第三方阵', en: 'third tier' }, fromRank: 5, toRank: 6, consequences: consequences('third') as RewardTier['consequences'] },
];
const basis = (no: number, rank: number) => ({
  period: '2023',
  rank,
  fallback: false,
  note: null,
  standingEvents: [],
  rewardRule: { planRevision: 0, position: '1', eventType: 'PlanPublished' },
  warningRule: { planRevision: 0, position: '1', eventType: 'PlanPublished' },
  scoringRule: null,
  no,
});
/** A line as the per-indicator generator wrote it (the shape of 4cb48ac^). */
const oldLine = (no: number, unitId: string, unitName: string, rank: number, tier: 'first' | 'third') => ({
  lineId: `${no}-${unitId}`,
  unitId,
  unitName,
  indicatorNo: no,
  indicatorName: `指标${no}`,
  annualRank: rank,
  tier,
  tierLabel: tiers.find((t) => t.tier === tier)!.label,
  consequences: consequences(tier),
  excluded: false,
  basis: basis(no, rank),
});
const oldGenerated = {
  ...ref,
  generation: 1,
  generatedBy: 'office-1',
  tiers,
  // 工信局 six first-tier lines in the published demo; here two, and 发改委 both first (6) and third (20).
  lines: [
    oldLine(7, 'gxj', '县工信局', 1, 'first'),
    oldLine(9, 'gxj', '县工信局', 2, 'first'),
    oldLine(6, 'fgw', '县发改委', 1, 'first'),
    oldLine(20, 'fgw', '县发改委', 6, 'third'),
  ],
  untiered: [],
  unranked: [],
  discardedAmendments: 0,
  reason: null,
};
const up = (type: string, data: unknown) => (REWARDS_UPCASTERS[type]?.[1] ?? ((d: unknown) => d))(data);

describe('old per-indicator year-end events read as one line per unit', () => {
  it('a unit whose old lines were all first-tier reads as one first-tier line with its indicators beneath; one with first and third reads as an undecided conflict', () => {
    const d = up('ProposalGenerated', oldGenerated);
    expect(d.lines.map((l: any) => [l.lineId, l.tier, l.indicators.map((i: any) => i.indicatorNo), l.conflict])).toEqual([
      ['gxj', 'first', [7, 9], null],
      ['fgw', null, [6, 20], { tiers: ['first', 'third'], untiered: 0, decided: null }],
    ]);
    expect(d.lines[0]).toMatchObject({ consequences: consequences('first'), legacy: { from: 'per-indicator', lineIds: ['7-gxj', '9-gxj'] } });
    expect(d.lines[1].consequences).toEqual([]);
    expect(d.combination).toMatchObject({ rule: 'conflicts-by-hand' });
  });

  it('an event already per unit is left as it is (both shapes were recorded at schema version 1)', () => {
    const once = up('ProposalGenerated', oldGenerated);
    expect(up('ProposalGenerated', once)).toEqual(once);
    expect(up('LineAmended', { ...ref, lineId: 'gxj' }).lineId).toBe('gxj');
    expect([unitLineId('15-czj'), unitLineId('fgw'), unitLineId('2-house-center')]).toEqual(['czj', 'fgw', 'house-center']);
  });

  it('the upcast history folds in today’s decider: an old amendment lands on its unit’s line, the conflict is decided by hand, and the proposal can go to approval', () => {
    const history = [
      { type: 'ProposalGenerated', data: up('ProposalGenerated', oldGenerated) },
      {
        type: 'LineAmended',
        data: up('LineAmended', {
          ...ref,
          generation: 1,
          lineId: '9-gxj',
          before: { tier: 'first', consequences: consequences('first'), excluded: false },
          after: { tier: 'first', consequences: consequences('first'), excluded: true },
          amendedBy: 'office-1',
          reason: '数据待核实',
        }),
      },
    ] as RewardsEvent[];
    const state = given(rewardsDecider, history).state;
    expect(state.lines.map((l) => [l.lineId, l.excluded])).toEqual([
      ['gxj', true],
      ['fgw', false],
    ]);
    const office = meta(['office'], { reason: '以第一方阵为主' });
    const submit = { type: 'rewards.SubmitForApproval', data: ref, meta: meta(['office']) } as RewardsCommand;
    expect(() => given(rewardsDecider, history).when(submit)).toThrow(expect.objectContaining({ code: 'conflicts-undecided' }));
    const decided = given(rewardsDecider, history).when({ type: 'rewards.DecideConflict', data: { ...ref, lineId: 'fgw', decision: 'reward' }, meta: office } as RewardsCommand);
    expect(decided[0]).toMatchObject({ type: 'ConflictDecided', data: { lineId: 'fgw', decision: 'reward', after: { tier: 'first' } } });
    expect(given(rewardsDecider, [...history, ...decided]).when(submit)[0]!.type).toBe('ProposalSubmitted');
  });

  it('an old approval keeps what was approved: one decision per unit, every consequence a unit with two tiers was given, marked legacy', () => {
    const d = up('ProposalApproved', {
      ...ref,
      generation: 1,
      listHash: 'x',
      approvedBy: { userId: 'leader-1', name: '县长' },
      decisions: oldGenerated.lines.map((l) => ({ ...l, period: '2023', amended: false })),
      excluded: [
        { lineId: '3-zsj', unitId: 'zsj', indicatorNo: 3, tier: 'third' },
        { lineId: '4-zsj', unitId: 'zsj', indicatorNo: 4, tier: 'third' },
      ],
    });
    expect(d.decisions.map((x: any) => [x.lineId, x.tier, x.consequences.length, x.legacy.lineIds])).toEqual([
      ['gxj', 'first', 1, ['7-gxj', '9-gxj']],
      ['fgw', null, 2, ['6-fgw', '20-fgw']],
    ]);
    expect(d.excluded).toEqual([{ lineId: 'zsj', unitId: 'zsj', tier: 'third' }]);
  });
});
