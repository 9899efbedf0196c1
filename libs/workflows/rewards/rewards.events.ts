import type { DomainEvent } from '../../engine/commands/command.js';
import type { Consequence, Label, RewardTier } from '../plan/plan-file.js';

/**
 * The year-end review of rewards and penalties (奖惩): one stream per plan × year. The office
 * generates a proposal from the annual standings, amends lines with reasons, and submits it; the
 * county government approves it (or sends it back); the office publishes the approved decisions.
 *
 * Everything a line rests on is copied into the events (the plan's consequences as data, the rank,
 * the period and the positions of the standing events), so the record reads the same whatever the
 * plan or the figures say later.
 */
export interface ReviewRef {
  planId: string;
  /** The plan year under review, e.g. 2023. */
  year: number;
}

/** A plan event that set a rule in force: the rule's version is the plan stream revision. */
export interface PlanRuleRef {
  planRevision: number;
  position: string;
  eventType: string;
}

export interface ScoringRuleRef {
  version: number;
  revision: number;
  position: string;
}

/** A StandingChanged event of the ranking workflow that a line rests on. */
export interface StandingRef {
  streamId: string;
  revision: number;
  position: string;
  /** The rank it set (rank.to). */
  rank: number | null;
  cause: string;
}

/** Why a line says what it says. */
export interface LineBasis {
  /** The ranking period the rank is from: the year ('2023'), or the latest period of the year with a standing. */
  period: string;
  rank: number;
  /** True when the year as a whole had no standing and a shorter period's was used. */
  fallback: boolean;
  /** Says so in words when fallback is true. */
  note: string | null;
  /** Every StandingChanged of that period, oldest first; the last one is the standing in force. */
  standingEvents: StandingRef[];
  rewardRule: PlanRuleRef;
  warningRule: PlanRuleRef;
  scoringRule: ScoringRuleRef | null;
}

/** One responsible unit × one indicator in a tier. An indicator with two units has two lines. */
export interface ProposalLine {
  /** `<indicatorNo>-<unitId>`: stable across regenerations. */
  lineId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  annualRank: number;
  tier: string;
  tierLabel: Label;
  consequences: Consequence[];
  excluded: boolean;
  basis: LineBasis;
}

/** An indicator whose annual rank falls in no reward tier (e.g. 3–4), or that has no rank at all: listed, so nothing is dropped silently. */
export interface UntieredIndicator {
  indicatorNo: number;
  indicatorName: string;
  period: string;
  rank: number;
}
export interface UnrankedIndicator {
  indicatorNo: number;
  indicatorName: string;
}

/** What a line says, before and after an amendment. */
export interface LineTerms {
  tier: string;
  consequences: Consequence[];
  excluded: boolean;
}

/** An approved decision: what the county government decided for one unit and indicator. */
export interface Decision {
  lineId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  annualRank: number;
  period: string;
  tier: string;
  tierLabel: Label;
  consequences: Consequence[];
  /** True when the office amended the line from what the rules gave. */
  amended: boolean;
}

export type ProposalGenerated = DomainEvent<
  'ProposalGenerated',
  ReviewRef & {
    /** 1 for the first proposal, +1 for each regeneration. */
    generation: number;
    generatedBy: string;
    /** The plan's reward tiers as they were when the proposal was made (data, not a reference). */
    tiers: RewardTier[];
    lines: ProposalLine[];
    untiered: UntieredIndicator[];
    unranked: UnrankedIndicator[];
    /** Amendments of the replaced generation that no longer apply (0 for the first). */
    discardedAmendments: number;
    reason: string | null;
  }
>;
export type LineAmended = DomainEvent<'LineAmended', ReviewRef & { generation: number; lineId: string; before: LineTerms; after: LineTerms; amendedBy: string; reason: string }>;
export type ProposalSubmitted = DomainEvent<
  'ProposalSubmitted',
  ReviewRef & {
    generation: number;
    /** SHA-256 of the list as submitted: the approval must name it. */
    listHash: string;
    submittedBy: string;
    lines: number;
    excluded: number;
  }
>;
export type ProposalSentBack = DomainEvent<'ProposalSentBack', ReviewRef & { generation: number; listHash: string; sentBackBy: string; reason: string }>;
/**
 * The county government's approval carries the final list: one act over one list, so the decision
 * and exactly what it decided are one record, hash-chained together.
 */
export type ProposalApproved = DomainEvent<
  'ProposalApproved',
  ReviewRef & {
    generation: number;
    listHash: string;
    approvedBy: { userId: string; name: string };
    decisions: Decision[];
    excluded: { lineId: string; unitId: string; indicatorNo: number; tier: string }[];
  }
>;
export type DecisionsPublished = DomainEvent<'DecisionsPublished', ReviewRef & { generation: number; listHash: string; decisions: number }>;

export type RewardsEvent = ProposalGenerated | LineAmended | ProposalSubmitted | ProposalSentBack | ProposalApproved | DecisionsPublished;

export const REWARDS_EVENT_TYPES = [
  'ProposalGenerated',
  'LineAmended',
  'ProposalSubmitted',
  'ProposalSentBack',
  'ProposalApproved',
  'DecisionsPublished',
] as const satisfies readonly RewardsEvent['type'][];

export const reviewStream = (r: ReviewRef) => `review-${r.planId}-${r.year}`;
export const lineIdOf = (indicatorNo: number, unitId: string) => `${indicatorNo}-${unitId}`;
