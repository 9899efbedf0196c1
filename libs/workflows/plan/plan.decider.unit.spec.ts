import { DomainError, ForbiddenError } from '../../engine/commands/command.js';
import { given, meta } from '../../engine/testing/given-when-then.js';
import { planDecider, type PlanCommand } from './plan.decider.js';
import type { PlanEvent } from './plan.events.js';
import { loadBuiltinPlan } from './plans.js';

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
});
