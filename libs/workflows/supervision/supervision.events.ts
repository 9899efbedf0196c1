import type { DomainEvent } from '../../engine/commands/command.js';
import type { TimerEvent } from '../../engine/timers/timer-events.js';
import type { Tier } from '../reporting/report-content.js';

/**
 * Supervision (督查) of red warnings. One stream per plan × responsible unit × indicator holds that
 * unit's cases for that indicator one after another (case 1, then case 2 after case 1 closed …):
 * whether a case is open is then decided inside a single stream, so a repeated red links to the
 * open case, race-free, instead of opening a second one. Every event names its case, so
 * projections never parse stream ids.
 *
 * Stream: `cases-<planId>-<unitId>-<indicatorNo>`.
 */
export interface CaseLineRef {
  planId: string;
  unitId: string;
  indicatorNo: number;
}

export interface CaseRef extends CaseLineRef {
  /** 1, 2, … within the line. */
  caseNo: number;
}

/** The steps that wait for someone, in order; 'close' waits for the bureau's decision and has no deadline. */
export const CASE_STEPS = ['acknowledge', 'plan', 'feedback', 'review', 'close'] as const;
export type CaseStep = (typeof CASE_STEPS)[number];
export type DeadlineStep = Exclude<CaseStep, 'close'>;

/** A step's deadline. `seq` numbers the deadlines set in a case, so a step set again (sent back) has new timers. */
export interface StepDue {
  step: DeadlineStep;
  seq: number;
  lastDay: string;
  dueAt: string;
  reminderAt: string | null;
}

/** The red warning a case is about. */
export interface RedWarning {
  /** The assessed quarter (YYYY-Qn), or the ranking period for a case opened by hand. */
  quarter: string;
  /** The ranking period the figures were from (the quarter, or its latest month with figures). */
  figuresPeriod: string;
  value: number | null;
  rank: number | null;
  warning: Tier;
  source: { kind: 'quarter-published'; eventId: string; position: string } | { kind: 'manual'; note: string };
}

export const ESCALATION_KINDS = ['public-notice', 'admonitory-talk'] as const;
/** 通报 (public notice) or 约谈 (admonitory talk). */
export type EscalationKind = (typeof ESCALATION_KINDS)[number];

/**
 * The grounds the document names beside red warnings, on which the bureau opens a case whatever
 * the colour: "对行动不力、工作滞后、成效不明显的，视情形予以通报、约谈" (四（四）).
 * ineffective-action 行动不力 · lagging-work 工作滞后 · little-effect 成效不明显.
 */
export const CASE_GROUNDS = ['ineffective-action', 'lagging-work', 'little-effect'] as const;
export type CaseGroundKind = (typeof CASE_GROUNDS)[number];

/** Why a case opened by the bureau on a ground was opened: the ground, the period it concerns, the note, and the standing as known then. */
export interface CaseGround {
  ground: CaseGroundKind;
  period: string;
  note: string;
  /** Our standing for the period as the handler read it when the case opened (null: none known). */
  standing: StandingFact | null;
}

export const CLOSE_REASONS = ['warning-improved', 'rectification-accepted', 'cleared-by-correction'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** A standing as the handler read it from the ranking events when the case was closed. */
export interface StandingFact {
  period: string;
  rank: number | null;
  warning: Tier | null;
}

/**
 * A case opens on a red warning (`warning`), or by the bureau on one of the document's grounds
 * (`ground`, issue 12), when `warning` is null. Events recorded before grounds existed always carry a warning.
 */
export type CaseOpened = DomainEvent<'CaseOpened', CaseRef & { unitName: string; indicatorName: string; warning: RedWarning | null; ground?: CaseGround; next: StepDue }>;
/** A red warning for the same unit and indicator while its case is open: linked, not a second case. */
export type CaseWarningLinked = DomainEvent<'CaseWarningLinked', CaseRef & { warning: RedWarning }>;
export type CaseAcknowledged = DomainEvent<'CaseAcknowledged', CaseRef & { note: string; next: StepDue }>;
export type RectificationPlanSubmitted = DomainEvent<'RectificationPlanSubmitted', CaseRef & { plan: string; rectifyBy: string; next: StepDue }>;
export type RectificationFeedbackSubmitted = DomainEvent<'RectificationFeedbackSubmitted', CaseRef & { feedback: string; next: StepDue }>;
export type CaseReviewed = DomainEvent<'CaseReviewed', CaseRef & { subject: 'plan' | 'feedback'; decision: 'accepted' | 'more-requested'; comment: string; next: StepDue | null }>;
export type CaseEscalated = DomainEvent<'CaseEscalated', CaseRef & { kind: EscalationKind; reason: string }>;
export type CaseReportedToLeaders = DomainEvent<'CaseReportedToLeaders', CaseRef & { summary: string }>;
export type CaseStepReminderSent = DomainEvent<'CaseStepReminderSent', CaseRef & { step: DeadlineStep; seq: number; dueAt: string }>;
export type CaseStepOverdue = DomainEvent<'CaseStepOverdue', CaseRef & { step: DeadlineStep; seq: number; dueAt: string }>;
export type CaseClosed = DomainEvent<
  'CaseClosed',
  CaseRef & {
    reason: CloseReason;
    text: string;
    /** What the decision rested on: the latest standing (warning-improved), the accepted feedback, or the linked periods as known now (cleared-by-correction). */
    evidence: { latest?: StandingFact; linked?: StandingFact[]; acceptedFeedback?: string };
  }
>;

export type SupervisionEvent =
  | CaseOpened
  | CaseWarningLinked
  | CaseAcknowledged
  | RectificationPlanSubmitted
  | RectificationFeedbackSubmitted
  | CaseReviewed
  | CaseEscalated
  | CaseReportedToLeaders
  | CaseStepReminderSent
  | CaseStepOverdue
  | CaseClosed;

export type CaseLineEvent = SupervisionEvent | TimerEvent;

export const SUPERVISION_EVENT_TYPES = [
  'CaseOpened',
  'CaseWarningLinked',
  'CaseAcknowledged',
  'RectificationPlanSubmitted',
  'RectificationFeedbackSubmitted',
  'CaseReviewed',
  'CaseEscalated',
  'CaseReportedToLeaders',
  'CaseStepReminderSent',
  'CaseStepOverdue',
  'CaseClosed',
] as const satisfies readonly SupervisionEvent['type'][];

export const caseLineStream = (r: CaseLineRef) => `cases-${r.planId}-${r.unitId}-${r.indicatorNo}`;
