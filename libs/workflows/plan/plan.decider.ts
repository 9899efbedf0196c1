import { assertNever, DomainError, type Command, type Decider } from '../../engine/commands/command.js';
import { authorize } from '../access/access.js';
import type { MonthlyReportRule, PlanDefinition, RewardTier, WarningTier } from './plan-file.js';
import type { PlanEvent } from './plan.events.js';

export type PlanCommand =
  | Command<'plan.Publish', { plan: PlanDefinition; source: { file: string; sha256: string } }>
  | Command<'plan.SetTarget', { planId: string; indicatorNo: number; target: number | null }>
  | Command<'plan.SetBaseline', { planId: string; indicatorNo: number; value: number | null; rank: number | null }>
  | Command<'plan.ReviseWarningTiers', { planId: string; tiers: WarningTier[] }>
  | Command<'plan.ReviseRewardTiers', { planId: string; tiers: RewardTier[] }>
  | Command<'plan.ReviseMonthlyReportRule', { planId: string; rule: MonthlyReportRule }>
  | Command<'plan.DraftNextYear', { plan: PlanDefinition; from: { planId: string; revision: number } }>
  | Command<'plan.PublishDraft', { planId: string; sha256: string }>;

export const PLAN_COMMANDS = [
  'plan.Publish',
  'plan.SetTarget',
  'plan.SetBaseline',
  'plan.ReviseWarningTiers',
  'plan.ReviseRewardTiers',
  'plan.ReviseMonthlyReportRule',
  'plan.DraftNextYear',
  'plan.PublishDraft',
] as const satisfies readonly PlanCommand['type'][];

/** A draft (next year's plan being prepared) is not a plan yet: PlanService and the projections that read plans see only 'published'. */
export type PlanState = { status: 'none' } | { status: 'published' | 'draft'; plan: PlanDefinition };

/** The plan with every revision applied. */
export function evolvePlan(state: PlanState, event: PlanEvent): PlanState {
  if (event.type === 'PlanPublished') return { status: 'published', plan: event.data.plan };
  if (event.type === 'PlanDrafted') return state.status === 'none' ? { status: 'draft', plan: event.data.plan } : state;
  if (state.status === 'none') return state;
  const { status, plan } = state;
  switch (event.type) {
    case 'PlanTargetSet':
      return { status, plan: withIndicator(plan, event.data.indicatorNo, { target: event.data.target }) };
    case 'PlanBaselineSet':
      return { status, plan: withIndicator(plan, event.data.indicatorNo, { baseline: { value: event.data.value, rank: event.data.rank } }) };
    case 'PlanRuleRevised': {
      const d = event.data;
      if (d.rule === 'warningTiers') return { status, plan: { ...plan, warningTiers: d.value } };
      if (d.rule === 'rewardTiers') return { status, plan: { ...plan, rewards: { ...plan.rewards, tiers: d.value } } };
      return { status, plan: { ...plan, monthlyReport: d.value } };
    }
    default:
      return assertNever(event, 'plan event');
  }
}

export const planDecider: Decider<PlanCommand, PlanEvent, PlanState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolvePlan,
  authorize: (c) => authorize(c.meta.actor, c.type === 'plan.Publish' || c.type === 'plan.PublishDraft' ? 'plan.publish' : 'plan.revise'),
  decide(c, state) {
    if (c.type === 'plan.DraftNextYear') {
      if (state.status !== 'none') {
        throw new DomainError('plan-exists', `plan ${c.data.plan.id} exists already (${state.status === 'draft' ? 'as a draft' : 'published'})`, {
          params: { planId: c.data.plan.id },
          status: 409,
        });
      }
      if (!c.meta.reason?.trim()) throw reasonRequired();
      return [{ type: 'PlanDrafted', data: { plan: c.data.plan, from: c.data.from } }];
    }
    if (c.type === 'plan.PublishDraft') {
      if (state.status === 'published') throw new DomainError('plan-already-published', `plan ${c.data.planId} is already published`, { status: 409 });
      if (state.status !== 'draft') throw new DomainError('plan-not-found', `no draft plan ${c.data.planId}`, { status: 404 });
      return [{ type: 'PlanPublished', data: { plan: state.plan, source: { file: `draft:${state.plan.id}`, sha256: c.data.sha256 } } }];
    }
    if (c.type === 'plan.Publish') {
      if (state.status !== 'none') {
        throw new DomainError('plan-already-published', `plan ${state.plan.id} is already published; change it through targets, baselines and rules, each with a reason`);
      }
      const plan = c.data.plan as Partial<PlanDefinition> | undefined;
      // Handlers parse plan files (parsePlanFile) before this; a command built by hand must still be a plan.
      if (!plan || typeof plan.id !== 'string' || !Array.isArray(plan.indicators) || !Array.isArray(plan.units) || typeof plan.totalPoints !== 'number') {
        throw new DomainError('invalid-plan', 'plan.Publish needs a parsed plan (see parsePlanFile): id, units, indicators and totalPoints', { status: 422 });
      }
      return [{ type: 'PlanPublished', data: { plan: c.data.plan, source: c.data.source } }];
    }
    if (state.status === 'none') throw new DomainError('plan-not-found', `no plan ${c.data.planId} has been published`, { status: 404 });
    if (!c.meta.reason?.trim()) throw reasonRequired();
    // A draft's targets and baselines are edited before publication; its rules stay those copied
    // from this year's plan (the rule reactions of ranking and reporting work on published plans).
    if (state.status === 'draft' && c.type !== 'plan.SetTarget' && c.type !== 'plan.SetBaseline') {
      throw new DomainError('plan-is-draft', `plan ${c.data.planId} is a draft: its targets and baselines are edited now, its rules after publication`, { status: 409 });
    }
    const plan = state.plan;
    switch (c.type) {
      case 'plan.SetTarget': {
        const indicator = indicatorOf(plan, c.data.indicatorNo);
        if (c.data.target !== null && !Number.isFinite(c.data.target)) throw invalid('target', 'must be a number or null');
        if (indicator.target === c.data.target) return [];
        return [{ type: 'PlanTargetSet', data: { planId: plan.id, indicatorNo: indicator.no, target: c.data.target, previous: indicator.target } }];
      }
      case 'plan.SetBaseline': {
        const indicator = indicatorOf(plan, c.data.indicatorNo);
        const { value, rank } = c.data;
        if (value !== null && !Number.isFinite(value)) throw invalid('value', 'must be a number or null');
        if (rank !== null && !(Number.isInteger(rank) && rank >= 1 && rank <= plan.peerGroup.size)) {
          throw invalid('rank', `must be a whole number from 1 to ${plan.peerGroup.size}, or null`);
        }
        if (indicator.baseline.value === value && indicator.baseline.rank === rank) return [];
        return [{ type: 'PlanBaselineSet', data: { planId: plan.id, indicatorNo: indicator.no, value, rank, previous: indicator.baseline } }];
      }
      case 'plan.ReviseWarningTiers':
        checkRankCover(c.data.tiers, plan.peerGroup.size, 'tiers', true);
        return [{ type: 'PlanRuleRevised', data: { planId: plan.id, rule: 'warningTiers', value: c.data.tiers, previous: plan.warningTiers } }];
      case 'plan.ReviseRewardTiers':
        checkRankCover(c.data.tiers, plan.peerGroup.size, 'tiers', false);
        return [{ type: 'PlanRuleRevised', data: { planId: plan.id, rule: 'rewardTiers', value: c.data.tiers, previous: plan.rewards.tiers } }];
      case 'plan.ReviseMonthlyReportRule': {
        const r = c.data.rule;
        if (!(Number.isInteger(r.dueBeforeDayOfNextMonth) && r.dueBeforeDayOfNextMonth >= 2 && r.dueBeforeDayOfNextMonth <= 28)) {
          throw invalid('rule.dueBeforeDayOfNextMonth', 'must be a day from 2 to 28');
        }
        if (!(Number.isInteger(r.reminderWorkingDaysBefore) && r.reminderWorkingDaysBefore >= 0 && r.reminderWorkingDaysBefore <= 20)) {
          throw invalid('rule.reminderWorkingDaysBefore', 'must be 0 to 20 working days');
        }
        return [{ type: 'PlanRuleRevised', data: { planId: plan.id, rule: 'monthlyReport', value: r, previous: plan.monthlyReport } }];
      }
      default:
        return assertNever(c, 'plan command');
    }
  },
};

function reasonRequired(): DomainError {
  return new DomainError('reason-required', 'a change to a published plan needs a reason', { status: 422, fields: [{ field: 'reason', message: 'required' }] });
}

function withIndicator(plan: PlanDefinition, no: number, patch: Partial<PlanDefinition['indicators'][number]>): PlanDefinition {
  return { ...plan, indicators: plan.indicators.map((i) => (i.no === no ? { ...i, ...patch } : i)) };
}

function indicatorOf(plan: PlanDefinition, no: number) {
  const indicator = plan.indicators.find((i) => i.no === no);
  if (!indicator) throw new DomainError('indicator-not-found', `plan ${plan.id} has no indicator ${no}`, { params: { indicatorNo: no }, status: 404 });
  return indicator;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError('invalid-value', `${field}: ${message}`, { params: { field }, status: 422, fields: [{ field, message }] });
}

/** Tiers by rank: inside 1..size, not overlapping; warning tiers must also cover every rank. */
function checkRankCover(tiers: readonly { fromRank: number; toRank: number }[], size: number, field: string, complete: boolean): void {
  const seen = new Array<number>(size + 1).fill(0);
  for (const [i, t] of tiers.entries()) {
    if (!(Number.isInteger(t.fromRank) && Number.isInteger(t.toRank) && t.fromRank >= 1 && t.toRank <= size && t.fromRank <= t.toRank)) {
      throw invalid(`${field}[${i}]`, `ranks must run from 1 to ${size}, fromRank ≤ toRank`);
    }
    for (let r = t.fromRank; r <= t.toRank; r++) seen[r]!++;
  }
  const doubled = seen.findIndex((n, r) => r > 0 && n > 1);
  if (doubled > 0) throw invalid(field, `rank ${doubled} is in two tiers`);
  const missing = seen.findIndex((n, r) => r > 0 && n === 0);
  if (complete && missing > 0) throw invalid(field, `rank ${missing} is in no tier`);
}
