import type { DomainEvent } from '../../engine/commands/command.js';
import type { Consequence, Label, RewardTier, TierCombination } from '../plan/plan-file.js';

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

/** One of a unit's indicators with its annual rank: the evidence beneath the unit's line. */
export interface IndicatorStanding {
  indicatorNo: number;
  indicatorName: string;
  annualRank: number;
  /** The reward tier the rank falls in; null for a rank in no tier (e.g. 3–4). */
  tier: string | null;
  basis: LineBasis;
}

/** What the office decides for a unit whose indicators fall in different tiers. */
export const CONFLICT_DECISIONS = ['reward', 'penalty', 'neither'] as const;
export type ConflictDecision = (typeof CONFLICT_DECISIONS)[number];

/** A unit whose ranked indicators do not all fall in one tier: the rules give no consequence, the office decides. */
export interface TierConflict {
  /** The tiers its indicators fall in, in the plan's order. */
  tiers: string[];
  /** How many of its ranked indicators fall in no tier. */
  untiered: number;
  decided: { decision: ConflictDecision; reason: string } | null;
}

/**
 * One responsible unit (指标单位) with an indicator in a tier: one consequence per unit, whatever the
 * number of its indicators. An indicator with two units puts each of them on its own line.
 */
export interface ProposalLine {
  /** The unit's id: stable across regenerations. */
  lineId: string;
  unitId: string;
  unitName: string;
  /** Every ranked indicator of the unit, in the plan's order, in a tier or not. */
  indicators: IndicatorStanding[];
  /** Null while a conflict is undecided, or when it was decided "neither". */
  tier: string | null;
  tierLabel: Label | null;
  consequences: Consequence[];
  excluded: boolean;
  conflict: TierConflict | null;
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
  tier: string | null;
  consequences: Consequence[];
  excluded: boolean;
}

/** An approved decision: what the county government decided for one unit, with the ranks it rests on. */
export interface Decision {
  lineId: string;
  unitId: string;
  unitName: string;
  indicators: { indicatorNo: number; indicatorName: string; annualRank: number; period: string; tier: string | null }[];
  tier: string | null;
  tierLabel: Label | null;
  consequences: Consequence[];
  /** True when the office amended the line from what the rules gave. */
  amended: boolean;
  /** The office's decision on a unit whose indicators fell in different tiers. */
  conflict: { tiers: string[]; untiered: number; decision: ConflictDecision; reason: string } | null;
}

export type ProposalGenerated = DomainEvent<
  'ProposalGenerated',
  ReviewRef & {
    /** 1 for the first proposal, +1 for each regeneration. */
    generation: number;
    generatedBy: string;
    /** The plan's reward tiers as they were when the proposal was made (data, not a reference). */
    tiers: RewardTier[];
    /** The rule that made each unit's one line from its indicators' tiers, and the plan event that set it. */
    combination: { rule: TierCombination; source: PlanRuleRef };
    lines: ProposalLine[];
    untiered: UntieredIndicator[];
    unranked: UnrankedIndicator[];
    /** Amendments of the replaced generation that no longer apply (0 for the first). */
    discardedAmendments: number;
    reason: string | null;
  }
>;
export type LineAmended = DomainEvent<'LineAmended', ReviewRef & { generation: number; lineId: string; before: LineTerms; after: LineTerms; amendedBy: string; reason: string }>;
/** The office's decision on a conflict, with its reason: the line's terms before and after. */
export type ConflictDecided = DomainEvent<
  'ConflictDecided',
  ReviewRef & { generation: number; lineId: string; decision: ConflictDecision; before: LineTerms; after: LineTerms; decidedBy: string; reason: string }
>;
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
    excluded: { lineId: string; unitId: string; tier: string | null }[];
  }
>;
export type DecisionsPublished = DomainEvent<'DecisionsPublished', ReviewRef & { generation: number; listHash: string; decisions: number }>;

export type RewardsEvent = ProposalGenerated | LineAmended | ConflictDecided | ProposalSubmitted | ProposalSentBack | ProposalApproved | DecisionsPublished;

export const REWARDS_EVENT_TYPES = [
  'ProposalGenerated',
  'LineAmended',
  'ConflictDecided',
  'ProposalSubmitted',
  'ProposalSentBack',
  'ProposalApproved',
  'DecisionsPublished',
] as const satisfies readonly RewardsEvent['type'][];

export const reviewStream = (r: ReviewRef) => `review-${r.planId}-${r.year}`;
/** One line per unit: its id is the unit's. */
export const lineIdOf = (unitId: string) => unitId;
