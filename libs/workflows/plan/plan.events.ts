import type { DomainEvent } from '../../engine/commands/command.js';
import type { MonthlyReportRule, PlanDefinition, RewardTier, WarningTier } from './plan-file.js';

/**
 * A plan enters the system as events, so a change of target or rule is audited like any figure:
 * who, when, why, and what it was before.
 */
export type PlanPublished = DomainEvent<'PlanPublished', { plan: PlanDefinition; source: { file: string; sha256: string } }>;
export type PlanTargetSet = DomainEvent<'PlanTargetSet', { planId: string; indicatorNo: number; target: number | null; previous: number | null }>;
export type PlanBaselineSet = DomainEvent<
  'PlanBaselineSet',
  { planId: string; indicatorNo: number; value: number | null; rank: number | null; previous: { value: number | null; rank: number | null } }
>;
export type PlanRuleRevised = DomainEvent<
  'PlanRuleRevised',
  | { planId: string; rule: 'warningTiers'; value: readonly WarningTier[]; previous: readonly WarningTier[] }
  | { planId: string; rule: 'rewardTiers'; value: readonly RewardTier[]; previous: readonly RewardTier[] }
  | { planId: string; rule: 'monthlyReport'; value: MonthlyReportRule; previous: MonthlyReportRule }
>;

export type PlanEvent = PlanPublished | PlanTargetSet | PlanBaselineSet | PlanRuleRevised;
export const PLAN_EVENT_TYPES = ['PlanPublished', 'PlanTargetSet', 'PlanBaselineSet', 'PlanRuleRevised'] as const satisfies readonly PlanEvent['type'][];

export const planStream = (planId: string) => `plan-${planId}`;
