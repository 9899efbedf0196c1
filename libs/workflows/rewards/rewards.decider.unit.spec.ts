import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import type { RewardTier } from '../plan/plan-file.js';
import { listHash, rewardsDecider, type ReviewContext, type RewardsCommand } from './rewards.decider.js';
import type { ProposalApproved, ProposalGenerated, ProposalLine, RewardsEvent } from './rewards.events.js';

const ref = { planId: 'ye-county-2023', year: 2023 };
const tiers: RewardTier[] = [
  {
    tier: 'first',
    label: { zh: '第一方阵', en: 'first tier' },
    fromRank: 1,
    toRank: 2,
    consequences: [
      { kind: 'commendation-priority', zh: '县政府表彰时优先考虑' },
      { kind: 'recommend-for-promotion', persons: ['head', 'deputy'], zh: '向县委组织部门推荐单位一把手和分管副职' },
      { kind: 'working-funds', months: 1, zh: '县财政增拨1个月工作经费' },
    ],
  },
  {
    tier: 'third',
    label: { zh: '第三方阵', en: 'third tier' },
    fromRank: 5,
    toRank: 6,
    consequences: [
      { kind: 'public-criticism', zh: '县政府予以通报批评' },
      { kind: 'pause-promotion', persons: ['head', 'deputy'], months: 6, zh: '向县委组织部门建议半年内暂缓单位一把手和分管副职提任' },
      { kind: 'working-funds', months: -1, zh: '县财政扣减1个月工作经费' },
    ],
  },
];
const rules: ReviewContext['rules'] = {
  rewardRule: { planRevision: 0, position: '1', eventType: 'PlanPublished' },
  warningRule: { planRevision: 0, position: '1', eventType: 'PlanPublished' },
  scoringRule: { version: 1, revision: 0, position: '2' },
};
const standing = (indicatorNo: number, rank: number, period = '2023') => ({
  indicatorNo,
  period,
  rank,
  fallback: period !== '2023',
  note: period !== '2023' ? `no standing for 2023 as a whole has been recorded; this is the rank of ${period}, the latest period of the year with a standing` : null,
  standingEvents: [{ streamId: `figures-ye-county-2023-${indicatorNo}-${period}`, revision: 1, position: String(100 + indicatorNo), rank, cause: 'first-figures' }],
});
const context: ReviewContext = {
  ...ref,
  tiers,
  combination: { rule: 'conflicts-by-hand', source: { planRevision: 0, position: '1', eventType: 'PlanPublished' } },
  rules,
  indicators: [
    { no: 1, name: '固定资产投资增速', units: [{ id: 'fgw', name: '县发改委' }] },
    { no: 2, name: '工业投资占固定资产投资比重', units: [{ id: 'gxj', name: '县工信局' }] },
    {
      no: 15,
      name: '规模以上工业战略性新兴产业增加值增速',
      units: [
        { id: 'fgw', name: '县发改委' },
        { id: 'czj', name: '县财政局' },
      ],
    },
    { no: 28, name: 'PM2.5年均浓度', units: [{ id: 'sthjj', name: '县生态环境局' }] },
    { no: 30, name: '地区生产总值增速', units: [{ id: 'fgw', name: '县发改委' }] },
  ],
  // 1: rank 2 (first); 2: rank 3 (none); 15: rank 5 (third, two units); 28: rank 6 from December (fallback); 30: no standing.
  // So 发改委 (1 first, 15 third) is a conflict; 财政局 (15) and 生态环境局 (28) are third; 工信局 (2 only) has no line.
  standings: [standing(1, 2), standing(2, 3), standing(15, 5), standing(28, 6, '2023-12')],
};

const office = (o = {}) => meta(['office'], { userId: 'office-zhang', name: '张', ...o });
const office2 = (o = {}) => meta(['office'], { userId: 'office-li', name: '李', ...o });
const leader = (o = {}) => meta(['leader'], { userId: 'county-head', name: '县长', ...o });
const cmd = (type: RewardsCommand['type'], data: object, m = office()) => ({ type, data, meta: m }) as RewardsCommand;

const generated = (over: Partial<ProposalGenerated['data']> = {}): RewardsEvent => {
  const [event] = given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context }));
  return { ...event!, data: { ...(event!.data as ProposalGenerated['data']), ...over } } as RewardsEvent;
};
const linesOf = (events: readonly RewardsEvent[]): ProposalLine[] => given(rewardsDecider, events).state.lines;
const submitted = (history: RewardsEvent[], by = 'office-zhang'): RewardsEvent => ({
  type: 'ProposalSubmitted',
  data: { ...ref, generation: 1, listHash: listHash(1, linesOf(history)), submittedBy: by, lines: 3, excluded: 0 },
});
/** The office's decision on 发改委's conflict: the proposal can go to approval only after it. */
const decidedFgw = (h: RewardsEvent[]): RewardsEvent =>
  given(rewardsDecider, h).when(cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'reward' }, office({ reason: '固定资产投资为年度首要任务' })))[0]!;
const history = {
  draft: (): RewardsEvent[] => [generated()],
  decided: (): RewardsEvent[] => {
    const h = [generated()];
    return [...h, decidedFgw(h)];
  },
  submitted: (): RewardsEvent[] => {
    const h = history.decided();
    return [...h, submitted(h)];
  },
  approved: (): RewardsEvent[] => {
    const h = history.submitted();
    const [approved] = given(rewardsDecider, h).when(cmd('rewards.Approve', { ...ref, listHash: given(rewardsDecider, h).state.listHash }, leader()));
    return [...h, approved!];
  },
};

const hash = () => given(rewardsDecider, history.submitted()).state.listHash;

describe('year-end rewards and penalties decider', () => {
  describe('generate the proposal', () => {
    const [event] = given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context }));
    const data = event!.data as ProposalGenerated['data'];

    // 四(五): "对年度排名全市第一方阵的指标单位，县政府表彰时优先考虑，并向县委组织部门推荐单位一把手和分管副职，县财政增拨1个月工作经费"
    it('a unit whose indicators are all in the first tier (ranks 1–2) gets the first tier’s consequences once, copied from the plan', () => {
      const [e] = given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context: { ...context, standings: [standing(1, 2), standing(30, 1)] } }));
      const lines = (e!.data as ProposalGenerated['data']).lines;
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ lineId: 'fgw', unitId: 'fgw', unitName: '县发改委', tier: 'first', tierLabel: { zh: '第一方阵' }, excluded: false, conflict: null });
      expect(lines[0]!.indicators.map((i) => [i.indicatorNo, i.annualRank, i.tier])).toEqual([
        [1, 2, 'first'],
        [30, 1, 'first'],
      ]);
      // Once for the unit, not once per indicator: one "+1 month of working funds".
      expect(lines[0]!.consequences).toEqual(tiers[0]!.consequences);
      expect(data.tiers).toEqual(tiers);
      expect(data.combination).toEqual(context.combination);
    });

    // 四(五): "对年度排名全市第三方阵的指标单位，县政府将予以通报批评…县财政扣减1个月工作经费"
    it('a unit whose indicators are all in the third tier (ranks 5–6) gets the third tier once; an indicator with two units gives each its own line', () => {
      expect(data.lines.filter((l) => l.indicators.some((i) => i.indicatorNo === 15)).map((l) => [l.lineId, l.tier])).toEqual([
        ['fgw', null],
        ['czj', 'third'],
      ]);
      expect(data.lines.find((l) => l.lineId === 'czj')!.consequences).toContainEqual({ kind: 'working-funds', months: -1, zh: '县财政扣减1个月工作经费' });
    });

    // 四(五) speaks of 指标单位: a unit gets one consequence, so first and third together are for the office to decide.
    it('a unit with indicators in the first and the third tier is a conflict: no tier, no consequences, until the office decides', () => {
      expect(data.lines.find((l) => l.lineId === 'fgw')).toMatchObject({
        tier: null,
        tierLabel: null,
        consequences: [],
        conflict: { tiers: ['first', 'third'], untiered: 0, decided: null },
      });
    });

    it('a unit with indicators in the first tier and in no tier is a conflict too; a rank in no tier alone gives no line', () => {
      const [e] = given(rewardsDecider).when(
        cmd('rewards.GenerateProposal', {
          context: {
            ...context,
            indicators: [...context.indicators, { no: 3, name: '工业增加值增速', units: [{ id: 'gxj', name: '县工信局' }] }],
            standings: [standing(2, 3), standing(3, 1)],
          },
        }),
      );
      expect((e!.data as ProposalGenerated['data']).lines).toEqual([
        expect.objectContaining({ lineId: 'gxj', tier: null, conflict: { tiers: ['first'], untiered: 1, decided: null } }),
      ]);
      const [alone] = given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context: { ...context, standings: [standing(2, 3)] } }));
      expect((alone!.data as ProposalGenerated['data']).lines).toEqual([]);
    });

    it('ranks 3–4 are listed as untiered, under the unit’s line as evidence; an indicator without a standing is listed as unranked', () => {
      expect(data.lines.some((l) => l.unitId === 'gxj')).toBe(false);
      expect(data.untiered).toEqual([{ indicatorNo: 2, indicatorName: '工业投资占固定资产投资比重', period: '2023', rank: 3 }]);
      expect(data.unranked).toEqual([{ indicatorNo: 30, indicatorName: '地区生产总值增速' }]);
      expect(data.lines.map((l) => l.lineId)).toEqual(['fgw', 'czj', 'sthjj']);
    });

    it('each indicator beneath a line records its basis: period, rank, standing events, and the rule versions; a fallback period says so', () => {
      expect(data.lines.find((l) => l.lineId === 'fgw')!.indicators[0]!.basis).toEqual({
        period: '2023',
        rank: 2,
        fallback: false,
        note: null,
        standingEvents: [{ streamId: 'figures-ye-county-2023-1-2023', revision: 1, position: '101', rank: 2, cause: 'first-figures' }],
        ...rules,
      });
      expect(data.lines.find((l) => l.lineId === 'sthjj')!.indicators[0]!.basis).toMatchObject({
        period: '2023-12',
        fallback: true,
        note: expect.stringContaining('latest period of the year'),
      });
    });

    it('every rank maps by the plan’s tiers: 1–2 first, 3–4 nothing, 5–6 third', () => {
      const tierOfRank = (rank: number) => {
        const [e] = given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context: { ...context, standings: [standing(1, rank)] } }));
        return (e!.data as ProposalGenerated['data']).lines.map((l) => l.tier);
      };
      expect([1, 2, 3, 4, 5, 6].map(tierOfRank)).toEqual([['first'], ['first'], [], [], ['third'], ['third']]);
    });

    it('records who generated it, as generation 1', () => {
      expect(data).toMatchObject({ generation: 1, generatedBy: 'office-zhang', discardedAmendments: 0, reason: null });
    });

    it('is refused when no indicator has a standing yet', () => {
      expect(() => given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context: { ...context, standings: [] } }))).toThrow(
        expect.objectContaining({ code: 'no-standings' }),
      );
    });

    it('may be sent only by the office', () => {
      expect(() => given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context }, leader()))).toThrow(ForbiddenError);
      expect(() => given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context }, meta(['head'], { unitId: 'fgw' })))).toThrow(ForbiddenError);
    });
  });

  describe('regenerate', () => {
    const amended: RewardsEvent = {
      type: 'LineAmended',
      data: {
        ...ref,
        generation: 1,
        lineId: 'czj',
        before: { tier: 'third', consequences: tiers[1]!.consequences as never, excluded: false },
        after: { tier: 'third', consequences: tiers[1]!.consequences as never, excluded: true },
        amendedBy: 'office-zhang',
        reason: '数据存疑',
      },
    };

    it('while a draft, with a reason, is recorded as the next generation, counting the amendments it discards', () => {
      const changed = { ...context, standings: [standing(1, 4), standing(15, 5), standing(28, 6, '2023-12')] };
      const [event] = given(rewardsDecider, [generated(), amended]).when(cmd('rewards.GenerateProposal', { context: changed }, office({ reason: '市统计局修订了全年数据' })));
      expect(event!.data).toMatchObject({ generation: 2, discardedAmendments: 1, reason: '市统计局修订了全年数据' });
      // 发改委's no. 1 falls to rank 4 (no tier): with no. 15 in the third tier it is still a conflict, now third and untiered.
      expect((event!.data as ProposalGenerated['data']).lines.map((l) => [l.lineId, l.tier, l.conflict?.tiers ?? null])).toEqual([
        ['fgw', null, ['third']],
        ['czj', 'third', null],
        ['sthjj', 'third', null],
      ]);
    });

    it('without a reason is refused: it replaces a recorded proposal', () => {
      expect(() => given(rewardsDecider, history.draft()).when(cmd('rewards.GenerateProposal', { context }))).toThrow(expect.objectContaining({ code: 'reason-required' }));
    });

    it('is refused once submitted, approved or published', () => {
      const published: RewardsEvent = { type: 'DecisionsPublished', data: { ...ref, generation: 1, listHash: 'x', decisions: 3 } };
      for (const h of [history.submitted(), history.approved(), [...history.approved(), published]]) {
        expect(() => given(rewardsDecider, h).when(cmd('rewards.GenerateProposal', { context }, office({ reason: 'again' })))).toThrow(
          expect.objectContaining({ code: 'proposal-not-draft' }),
        );
      }
    });

    it('is allowed again after the county government sends the list back', () => {
      const h = [...history.submitted(), { type: 'ProposalSentBack', data: { ...ref, generation: 1, listHash: 'x', sentBackBy: 'county-head', reason: '请核实' } } as RewardsEvent];
      const [event] = given(rewardsDecider, h).when(cmd('rewards.GenerateProposal', { context }, office({ reason: '按县政府意见重新生成' })));
      expect(event!.data).toMatchObject({ generation: 2 });
    });
  });

  describe('amend a line', () => {
    it('without a reason is refused, naming the field', () => {
      try {
        given(rewardsDecider, history.draft()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj', excluded: true }));
        throw new Error('not refused');
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect(err).toMatchObject({ code: 'reason-required', details: { status: 422, fields: [{ field: 'reason', message: 'required' }] } });
      }
    });

    it('with a reason, excluding a line records before and after and who amended it', () => {
      const [event] = given(rewardsDecider, history.draft()).when(
        cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj', excluded: true }, office2({ reason: '该指标由市里统一调整' })),
      );
      expect(event).toEqual({
        type: 'LineAmended',
        data: {
          ...ref,
          generation: 1,
          lineId: 'sthjj',
          before: { tier: 'third', consequences: tiers[1]!.consequences, excluded: false },
          after: { tier: 'third', consequences: tiers[1]!.consequences, excluded: true },
          amendedBy: 'office-li',
          reason: '该指标由市里统一调整',
        },
      });
      expect(given(rewardsDecider, [...history.draft(), event!]).state.lines.find((l) => l.lineId === 'sthjj')!.excluded).toBe(true);
    });

    it('changing the tier brings that tier’s consequences and label', () => {
      const [event] = given(rewardsDecider, history.draft()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'czj', tier: 'first' }, office({ reason: '全年数据经核实为第二名' })));
      const line = given(rewardsDecider, [...history.draft(), event!]).state.lines.find((l) => l.lineId === 'czj')!;
      expect(line).toMatchObject({ tier: 'first', tierLabel: { zh: '第一方阵' }, consequences: tiers[0]!.consequences });
    });

    it('consequences can be set explicitly; they are checked like the plan’s, naming the field', () => {
      const only = [{ kind: 'public-criticism', zh: '通报批评' }];
      const [event] = given(rewardsDecider, history.draft()).when(
        cmd('rewards.AmendLine', { ...ref, lineId: 'czj', consequences: only }, office({ reason: '财政局为配合单位，减轻处理' })),
      );
      expect((event!.data as { after: { consequences: unknown } }).after.consequences).toEqual(only);
      expect(() =>
        given(rewardsDecider, history.draft()).when(
          cmd('rewards.AmendLine', { ...ref, lineId: 'czj', consequences: [{ kind: 'working-funds', months: 0, zh: '不变' }] }, office({ reason: 'x' })),
        ),
      ).toThrow(
        expect.objectContaining({ code: 'invalid-value', details: expect.objectContaining({ fields: [{ field: 'consequences[0].months', message: expect.any(String) }] }) }),
      );
      expect(() =>
        given(rewardsDecider, history.draft()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'czj', consequences: [{ kind: 'fine', zh: '罚款' }] }, office({ reason: 'x' }))),
      ).toThrow(/consequences\[0\]\.kind/);
    });

    it('an unknown tier, an unknown line, or an empty amendment is refused', () => {
      const draft = given(rewardsDecider, history.draft());
      expect(() => draft.when(cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj', tier: 'second' }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'unknown-tier' }),
      );
      expect(() => draft.when(cmd('rewards.AmendLine', { ...ref, lineId: 'gxj', excluded: true }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'line-not-found' }),
      );
      expect(() => draft.when(cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj' }, office({ reason: 'x' })))).toThrow(expect.objectContaining({ code: 'amendment-empty' }));
    });

    it('an amendment that changes nothing records nothing', () => {
      expect(given(rewardsDecider, history.draft()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj', tier: 'third', excluded: false }, office({ reason: 'x' })))).toEqual(
        [],
      );
    });

    it('is refused once submitted, and for anyone but the office', () => {
      expect(() => given(rewardsDecider, history.submitted()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj', excluded: true }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'proposal-not-draft' }),
      );
      expect(() => given(rewardsDecider, history.draft()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj', excluded: true }, leader({ reason: 'x' })))).toThrow(
        ForbiddenError,
      );
    });

    it('is refused before any proposal exists', () => {
      expect(() => given(rewardsDecider).when(cmd('rewards.AmendLine', { ...ref, lineId: 'sthjj', excluded: true }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'proposal-not-found' }),
      );
    });
  });

  // 四(五) "对年度排名全市第一方阵的指标单位…；对年度排名全市第三方阵的指标单位…": one consequence per unit, so
  // a unit in both (or in a tier and outside every tier) is decided by the office, with a reason.
  describe('decide a conflict', () => {
    it('reward gives the first tier’s consequences once, recorded with before, after, who and why', () => {
      const [event] = given(rewardsDecider, history.draft()).when(
        cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'reward' }, office2({ reason: '固定资产投资为年度首要任务' })),
      );
      expect(event).toEqual({
        type: 'ConflictDecided',
        data: {
          ...ref,
          generation: 1,
          lineId: 'fgw',
          decision: 'reward',
          before: { tier: null, consequences: [], excluded: false },
          after: { tier: 'first', consequences: tiers[0]!.consequences, excluded: false },
          decidedBy: 'office-li',
          reason: '固定资产投资为年度首要任务',
        },
      });
      const line = given(rewardsDecider, [...history.draft(), event!]).state.lines.find((l) => l.lineId === 'fgw')!;
      expect(line).toMatchObject({ tier: 'first', tierLabel: { zh: '第一方阵' }, conflict: { decided: { decision: 'reward', reason: '固定资产投资为年度首要任务' } } });
    });

    it('penalty gives the third tier’s; neither gives no consequence, and the line stays on the list', () => {
      const penalty = given(rewardsDecider, history.draft()).when(
        cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'penalty' }, office({ reason: '第三方阵指标权重更高' })),
      );
      expect(penalty[0]!.data).toMatchObject({ after: { tier: 'third', consequences: tiers[1]!.consequences } });
      const neither = given(rewardsDecider, history.draft()).when(
        cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'neither' }, office({ reason: '一升一降，不奖不罚' })),
      );
      expect(neither[0]!.data).toMatchObject({ after: { tier: null, consequences: [] } });
      const h = [...history.draft(), neither[0]!];
      expect(given(rewardsDecider, h).when(cmd('rewards.SubmitForApproval', ref))[0]).toMatchObject({ type: 'ProposalSubmitted', data: { lines: 3 } });
    });

    it('needs a reason, a line with a conflict, a known decision, and a tier the unit has an indicator in', () => {
      const draft = given(rewardsDecider, history.draft());
      expect(() => draft.when(cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'reward' }))).toThrow(expect.objectContaining({ code: 'reason-required' }));
      expect(() => draft.when(cmd('rewards.DecideConflict', { ...ref, lineId: 'czj', decision: 'neither' }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'no-conflict' }),
      );
      expect(() => draft.when(cmd('rewards.DecideConflict', { ...ref, lineId: 'gxj', decision: 'neither' }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'line-not-found' }),
      );
      expect(() => draft.when(cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'both' }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'invalid-value' }),
      );
      const firstAndNone = { ...context, standings: [standing(1, 1), standing(30, 3)] };
      const [g] = given(rewardsDecider).when(cmd('rewards.GenerateProposal', { context: firstAndNone }));
      expect(() => given(rewardsDecider, [g!]).when(cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'penalty' }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'decision-without-evidence' }),
      );
    });

    it('an undecided conflict cannot be amended; a decided one can', () => {
      expect(() => given(rewardsDecider, history.draft()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'fgw', excluded: true }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'conflict-undecided' }),
      );
      expect(given(rewardsDecider, history.decided()).when(cmd('rewards.AmendLine', { ...ref, lineId: 'fgw', excluded: true }, office({ reason: 'x' })))).toHaveLength(1);
    });

    it('is for the office, while a draft', () => {
      expect(() => given(rewardsDecider, history.draft()).when(cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'reward' }, leader({ reason: 'x' })))).toThrow(
        ForbiddenError,
      );
      expect(() => given(rewardsDecider, history.submitted()).when(cmd('rewards.DecideConflict', { ...ref, lineId: 'fgw', decision: 'neither' }, office({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'proposal-not-draft' }),
      );
    });
  });

  describe('submit for approval', () => {
    it('records the hash of exactly the list submitted and who submitted it', () => {
      const h = history.decided();
      const [event] = given(rewardsDecider, h).when(cmd('rewards.SubmitForApproval', ref, office2()));
      expect(event).toEqual({ type: 'ProposalSubmitted', data: { ...ref, generation: 1, listHash: listHash(1, linesOf(h)), submittedBy: 'office-li', lines: 3, excluded: 0 } });
    });
    it('is refused while a conflict is undecided, naming the line', () => {
      expect(() => given(rewardsDecider, history.draft()).when(cmd('rewards.SubmitForApproval', ref))).toThrow(
        expect.objectContaining({ code: 'conflicts-undecided', details: expect.objectContaining({ status: 422, fields: [expect.objectContaining({ field: 'lines.fgw' })] }) }),
      );
    });
    it('is refused when already submitted', () => {
      expect(() => given(rewardsDecider, history.submitted()).when(cmd('rewards.SubmitForApproval', ref))).toThrow(expect.objectContaining({ code: 'proposal-not-draft' }));
    });
  });

  describe('approve', () => {
    it('by the county government, the approval carries the final list of decisions (excluded lines listed apart)', () => {
      const h0 = history.decided();
      const exclude = given(rewardsDecider, h0).when(cmd('rewards.AmendLine', { ...ref, lineId: 'czj', excluded: true }, office({ reason: '配合单位' })));
      const h1 = [...h0, ...exclude];
      const h = [...h1, submitted(h1)];
      const [event] = given(rewardsDecider, h).when(cmd('rewards.Approve', { ...ref, listHash: listHash(1, linesOf(h1)) }, leader()));
      expect(event!.type).toBe('ProposalApproved');
      expect(event!.data).toMatchObject({
        generation: 1,
        approvedBy: { userId: 'county-head', name: '县长' },
        excluded: [{ lineId: 'czj', unitId: 'czj', tier: 'third' }],
      });
      // One decision per unit (it was one per indicator and unit), its indicators' ranks beneath it.
      const decisions = (event!.data as ProposalApproved['data']).decisions;
      expect(decisions.map((d) => [d.lineId, d.tier, d.indicators.map((i) => [i.indicatorNo, i.period, i.tier]), d.amended])).toEqual([
        [
          'fgw',
          'first',
          [
            [1, '2023', 'first'],
            [15, '2023', 'third'],
          ],
          false,
        ],
        ['sthjj', 'third', [[28, '2023-12', 'third']], false],
      ]);
      expect(decisions[0]!.conflict).toEqual({ tiers: ['first', 'third'], untiered: 0, decision: 'reward', reason: '固定资产投资为年度首要任务' });
    });

    it('is refused for the person who generated the proposal, even holding the leader role (four eyes)', () => {
      expect(() =>
        given(rewardsDecider, history.submitted()).when(cmd('rewards.Approve', { ...ref, listHash: hash() }, meta(['office', 'leader'], { userId: 'office-zhang' }))),
      ).toThrow(/may not approve it/);
    });

    it('is refused for the person who submitted it (four eyes)', () => {
      const h = [generated()];
      const withSubmitter = [...h, submitted(h, 'deputy-head')];
      expect(() => given(rewardsDecider, withSubmitter).when(cmd('rewards.Approve', { ...ref, listHash: hash() }, meta(['office', 'leader'], { userId: 'deputy-head' })))).toThrow(
        ForbiddenError,
      );
    });

    it('is refused for anyone but a leader', () => {
      for (const m of [office2(), meta(['supervisor']), meta(['auditor']), meta(['admin']), meta(['head'], { unitId: 'fgw' })]) {
        expect(() => given(rewardsDecider, history.submitted()).when(cmd('rewards.Approve', { ...ref, listHash: hash() }, m))).toThrow(ForbiddenError);
      }
    });

    it('must name the hash of the submitted list', () => {
      expect(() => given(rewardsDecider, history.submitted()).when(cmd('rewards.Approve', { ...ref, listHash: 'f'.repeat(64) }, leader()))).toThrow(
        expect.objectContaining({ code: 'list-changed' }),
      );
    });

    it('is refused while the proposal is a draft, and once approved', () => {
      expect(() => given(rewardsDecider, history.draft()).when(cmd('rewards.Approve', { ...ref, listHash: 'x' }, leader()))).toThrow(
        expect.objectContaining({ code: 'proposal-not-submitted' }),
      );
      expect(() => given(rewardsDecider, history.approved()).when(cmd('rewards.Approve', { ...ref, listHash: hash() }, leader()))).toThrow(
        expect.objectContaining({ code: 'proposal-not-submitted' }),
      );
    });
  });

  describe('send back', () => {
    it('needs a reason', () => {
      expect(() => given(rewardsDecider, history.submitted()).when(cmd('rewards.SendBack', ref, leader()))).toThrow(expect.objectContaining({ code: 'reason-required' }));
    });
    it('with a reason, returns the proposal to a draft the office can amend', () => {
      const h = history.submitted();
      const [event] = given(rewardsDecider, h).when(cmd('rewards.SendBack', ref, leader({ reason: '请补充第15项财政局的说明' })));
      expect(event).toEqual({ type: 'ProposalSentBack', data: { ...ref, generation: 1, listHash: hash(), sentBackBy: 'county-head', reason: '请补充第15项财政局的说明' } });
      const after = given(rewardsDecider, [...h, event!]);
      expect(after.state.status).toBe('draft');
      expect(after.when(cmd('rewards.AmendLine', { ...ref, lineId: 'czj', excluded: true }, office({ reason: '按县政府意见' })))).toHaveLength(1);
    });
    it('is for leaders only, and only for a submitted proposal', () => {
      expect(() => given(rewardsDecider, history.submitted()).when(cmd('rewards.SendBack', ref, office({ reason: 'x' })))).toThrow(ForbiddenError);
      expect(() => given(rewardsDecider, history.draft()).when(cmd('rewards.SendBack', ref, leader({ reason: 'x' })))).toThrow(
        expect.objectContaining({ code: 'proposal-not-submitted' }),
      );
    });
  });

  describe('publish', () => {
    it('is refused before approval', () => {
      for (const h of [history.draft(), history.submitted()]) {
        expect(() => given(rewardsDecider, h).when(cmd('rewards.Publish', ref))).toThrow(expect.objectContaining({ code: 'proposal-not-approved' }));
      }
    });
    it('after approval, the office publishes the decisions; publishing again records nothing', () => {
      const h = history.approved();
      const [event] = given(rewardsDecider, h).when(cmd('rewards.Publish', ref));
      expect(event).toEqual({ type: 'DecisionsPublished', data: { ...ref, generation: 1, listHash: hash(), decisions: 3 } });
      expect(given(rewardsDecider, [...h, event!]).when(cmd('rewards.Publish', ref))).toEqual([]);
    });
    it('is for the office only', () => {
      expect(() => given(rewardsDecider, history.approved()).when(cmd('rewards.Publish', ref, leader()))).toThrow(ForbiddenError);
    });
  });
});
