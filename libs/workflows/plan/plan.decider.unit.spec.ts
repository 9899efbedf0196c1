import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { planDecider, type PlanCommand } from './plan.decider.js';
import type { PlanEvent } from './plan.events.js';
import { loadBuiltinPlan } from './plans.js';
import { draftNextYear, nextYearId } from './next-year.js';

const plan = loadBuiltinPlan('ye-county-2023');
const published: PlanEvent = { type: 'PlanPublished', data: { plan, source: { file: 'plans/ye-county-2023.yaml', sha256: 'x' } } };
const office = (reason?: string) => meta(['office'], reason ? { reason } : {});

describe('plan decider', () => {
  it('given nothing, when the office publishes the plan, then it is published', () => {
    const c: PlanCommand = { type: 'plan.Publish', data: published.data, meta: office() };
    expect(given(planDecider).when(c)).toEqual([published]);
  });

  it('a plan is published once; later changes go through revisions', () => {
    const c: PlanCommand = { type: 'plan.Publish', data: published.data, meta: office() };
    expect(() => given(planDecider, [published]).when(c)).toThrow(/already published/);
  });

  it('given a published plan, when a target is set with a reason, then it records the new and previous value', () => {
    const c: PlanCommand = { type: 'plan.SetTarget', data: { planId: plan.id, indicatorNo: 7, target: 12.5 }, meta: office('县定目标 from the 2023 work report') };
    expect(given(planDecider, [published]).when(c)).toEqual([{ type: 'PlanTargetSet', data: { planId: plan.id, indicatorNo: 7, target: 12.5, previous: null } }]);
  });

  it('a change without a reason is refused', () => {
    const c: PlanCommand = { type: 'plan.SetTarget', data: { planId: plan.id, indicatorNo: 7, target: 12.5 }, meta: office() };
    expect(() => given(planDecider, [published]).when(c)).toThrow(expect.objectContaining({ code: 'reason-required' }));
  });

  it('a target for an indicator the plan does not have is refused', () => {
    const c: PlanCommand = { type: 'plan.SetTarget', data: { planId: plan.id, indicatorNo: 50, target: 1 }, meta: office('x') };
    expect(() => given(planDecider, [published]).when(c)).toThrow(expect.objectContaining({ code: 'indicator-not-found' }));
  });

  it('a baseline rank outside 1..6 is refused; a valid one is recorded with what it replaces', () => {
    const bad: PlanCommand = { type: 'plan.SetBaseline', data: { planId: plan.id, indicatorNo: 1, value: 10.1, rank: 7 }, meta: office('2022 statistics') };
    expect(() => given(planDecider, [published]).when(bad)).toThrow(DomainError);
    const ok: PlanCommand = { ...bad, data: { ...bad.data, rank: 2 } } as PlanCommand;
    expect(given(planDecider, [published]).when(ok)).toEqual([
      { type: 'PlanBaselineSet', data: { planId: plan.id, indicatorNo: 1, value: 10.1, rank: 2, previous: { value: null, rank: null } } },
    ]);
  });

  it('setting the same target again changes nothing', () => {
    const set: PlanEvent = { type: 'PlanTargetSet', data: { planId: plan.id, indicatorNo: 7, target: 12.5, previous: null } };
    const c: PlanCommand = { type: 'plan.SetTarget', data: { planId: plan.id, indicatorNo: 7, target: 12.5 }, meta: office('again') };
    expect(given(planDecider, [published, set]).when(c)).toEqual([]);
  });

  it('warning tiers must cover ranks 1..6 exactly once', () => {
    const tiers = plan.warningTiers.map((t) => ({ ...t }));
    const gap: PlanCommand = { type: 'plan.ReviseWarningTiers', data: { planId: plan.id, tiers: tiers.slice(0, 2) }, meta: office('x') };
    expect(() => given(planDecider, [published]).when(gap)).toThrow(/rank 5 is in no tier/);
    const moved = [{ ...tiers[0]!, toRank: 1 }, { ...tiers[1]!, fromRank: 2 }, tiers[2]!];
    const ok: PlanCommand = { type: 'plan.ReviseWarningTiers', data: { planId: plan.id, tiers: moved }, meta: office('city rule change') };
    const [e] = given(planDecider, [published]).when(ok);
    expect(e).toMatchObject({ type: 'PlanRuleRevised', data: { rule: 'warningTiers', value: moved, previous: plan.warningTiers } });
    expect(given(planDecider, [published, e!]).state).toMatchObject({ plan: { warningTiers: moved } });
  });

  it('only the office revises a plan; reporters, leaders and auditors may not', () => {
    for (const roles of [['reporter'], ['leader'], ['auditor'], ['admin']]) {
      const c: PlanCommand = { type: 'plan.SetTarget', data: { planId: plan.id, indicatorNo: 7, target: 1 }, meta: meta(roles, { reason: 'x', unitId: 'gxj' }) };
      expect(() => given(planDecider, [published]).when(c)).toThrow(ForbiddenError);
    }
  });

  describe('next year’s plan drafted from this year’s (issue 15)', () => {
    const next = draftNextYear(plan, new Map([[7, { value: 12.4, rank: 2 }]]));
    const drafted: PlanEvent = { type: 'PlanDrafted', data: { plan: next, from: { planId: plan.id, revision: 3 } } };
    const draft = (reason = '依据2023年方案起草2024年方案'): PlanCommand => ({ type: 'plan.DraftNextYear', data: drafted.data, meta: office(reason) });

    it('is drafted once, with a reason; the draft is not a published plan', () => {
      expect(given(planDecider).when(draft())).toEqual([drafted]);
      expect(given(planDecider, [drafted]).state.status).toBe('draft');
      expect(() => given(planDecider).when({ ...draft(), meta: office() })).toThrow(expect.objectContaining({ code: 'reason-required' }));
      expect(() => given(planDecider, [drafted]).when(draft())).toThrow(expect.objectContaining({ code: 'plan-exists' }));
      expect(() => given(planDecider, [published]).when({ ...draft(), data: { ...drafted.data, plan } } as PlanCommand)).toThrow(expect.objectContaining({ code: 'plan-exists' }));
    });

    it('its targets and baselines are edited; its rules wait for publication', () => {
      const target: PlanCommand = { type: 'plan.SetTarget', data: { planId: next.id, indicatorNo: 7, target: 13 }, meta: office('2024年县定目标') };
      const [set] = given(planDecider, [drafted]).when(target);
      expect(set).toEqual({ type: 'PlanTargetSet', data: { planId: next.id, indicatorNo: 7, target: 13, previous: null } });
      expect(given(planDecider, [drafted, set!]).state).toMatchObject({
        status: 'draft',
        plan: { indicators: expect.arrayContaining([expect.objectContaining({ no: 7, target: 13 })]) },
      });
      const tiers: PlanCommand = { type: 'plan.ReviseWarningTiers', data: { planId: next.id, tiers: [...plan.warningTiers] }, meta: office('x') };
      expect(() => given(planDecider, [drafted]).when(tiers)).toThrow(expect.objectContaining({ code: 'plan-is-draft' }));
    });

    it('is published once, as edited; publishing again is refused', () => {
      const set: PlanEvent = { type: 'PlanTargetSet', data: { planId: next.id, indicatorNo: 7, target: 13, previous: null } };
      const publish: PlanCommand = { type: 'plan.PublishDraft', data: { planId: next.id, sha256: 'abc' }, meta: office('县政府常务会议通过') };
      const [e] = given(planDecider, [drafted, set]).when(publish);
      expect(e).toMatchObject({ type: 'PlanPublished', data: { source: { file: `draft:${next.id}`, sha256: 'abc' } } });
      expect((e as Extract<PlanEvent, { type: 'PlanPublished' }>).data.plan.indicators.find((i) => i.no === 7)).toMatchObject({ target: 13, baseline: { value: 12.4, rank: 2 } });
      expect(() => given(planDecider, [drafted, set, e!]).when(publish)).toThrow(expect.objectContaining({ code: 'plan-already-published' }));
      expect(() => given(planDecider).when(publish)).toThrow(expect.objectContaining({ code: 'plan-not-found' }));
    });

    it('drafting and publishing are the office’s (publishing also the administrator’s), not a leader’s', () => {
      expect(() => given(planDecider).when({ ...draft(), meta: meta(['leader'], { reason: 'x' }) })).toThrow(ForbiddenError);
      const publish: PlanCommand = { type: 'plan.PublishDraft', data: { planId: next.id, sha256: 'abc' }, meta: meta(['leader'], { reason: 'x' }) };
      expect(() => given(planDecider, [drafted]).when(publish)).toThrow(ForbiddenError);
    });

    it('the shift: id, year and title move on; this year’s full-year result becomes the baseline where recorded, never the target; targets clear', () => {
      const withTarget = { ...plan, indicators: plan.indicators.map((i) => (i.no === 8 ? { ...i, target: 9 } : i)) };
      const d = draftNextYear(withTarget, new Map([[7, { value: 12.4, rank: 2 }]]));
      expect([d.id, d.year, d.title.includes('2024'), d.title.includes('2023'), d.documentNumber]).toEqual(['ye-county-2024', 2024, true, false, '待发文']);
      expect(d.indicators.find((i) => i.no === 7)).toMatchObject({ target: null, baseline: { value: 12.4, rank: 2 } });
      expect(d.indicators.find((i) => i.no === 8)).toMatchObject({ target: null, baseline: { value: null, rank: null } });
      expect(d.indicators.map((i) => [i.no, i.points, i.units])).toEqual(plan.indicators.map((i) => [i.no, i.points, i.units]));
      expect(nextYearId({ id: 'shaoxing', year: 2023 })).toBe('shaoxing-2024');
    });
  });
});
