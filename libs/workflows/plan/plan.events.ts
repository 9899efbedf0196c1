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

/**
 * Next year's plan drafted from this year's (issue 15): the draft lives in the new plan's stream,
 * is edited by PlanTargetSet/PlanBaselineSet, and becomes a plan only with its PlanPublished, which
 * carries the whole plan as edited (so workflows that read plans never see a draft).
 */
export type PlanDrafted = DomainEvent<'PlanDrafted', { plan: PlanDefinition; from: { planId: string; revision: number } }>;

export type PlanEvent = PlanPublished | PlanTargetSet | PlanBaselineSet | PlanRuleRevised | PlanDrafted;
export const PLAN_EVENT_TYPES = ['PlanPublished', 'PlanTargetSet', 'PlanBaselineSet', 'PlanRuleRevised', 'PlanDrafted'] as const satisfies readonly PlanEvent['type'][];

export const planStream = (planId: string) => `plan-${planId}`;
