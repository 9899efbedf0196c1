import type { DomainEvent } from '../../engine/commands/command.js';
import type { Tier } from '../reporting/report-content.js';

/**
 * The published contract of the quarterly assessment: the quarter's figures prepared, the leading
 * group's meeting recorded, and a frozen snapshot published. Supervision opens cases from the
 * published red warnings; audit compares "as presented at the meeting" with "as known now".
 *
 * Stream: `assessment-<planId>-<YYYY-Qn>`.
 */
export interface SnapshotRow {
  indicatorNo: number;
  name: string;
  points: number;
  units: string[];
  value: number | null;
  rank: number | null;
  warning: Tier | null;
  /** points × the coefficient for the rank under the scoring rule version in force. */
  score: number | null;
  /** Position of the last event behind this row's figures (provenance). */
  basedOn: string | null;
  /** The ranking period this row's figures are from (the quarter, or its latest month with figures); null when missing. */
  period?: string | null;
  /** Set when fewer than the peer group's figures stood behind the rank: it and its colour are provisional. */
  provisional?: boolean;
}

export interface QuarterSnapshot {
  planId: string;
  quarter: string;
  /** The ranking period the figures are from (the quarter, or its latest month with figures). */
  figuresPeriod: string;
  scoringRuleVersion: number | null;
  rows: SnapshotRow[];
  totalScore: number;
  maxScore: number;
  counts: { green: number; yellow: number; red: number; missing: number };
  /** Global position the snapshot was taken at: everything recorded up to here, nothing after. */
  asOfPosition: string;
}

export type QuarterPrepared = DomainEvent<'QuarterPrepared', { planId: string; quarter: string; snapshot: QuarterSnapshot }>;
export type MeetingRecorded = DomainEvent<
  'MeetingRecorded',
  {
    planId: string;
    quarter: string;
    date: string;
    attendees: string[];
    conclusions: string;
    nextSteps: string;
    suggestions: string;
    /** The asOfPosition of the prepared snapshot the meeting heard: what "as presented at the meeting" refers to. */
    snapshotAsOfPosition?: string;
  }
>;
/** Frozen: later corrections never alter it. */
export type QuarterPublished = DomainEvent<'QuarterPublished', { planId: string; quarter: string; snapshot: QuarterSnapshot; notified: string[] }>;

/** Who a published quarter is sent to: each responsible unit (its own rows) and each county leader (the whole table). */
export type NotificationRecipient = { kind: 'unit'; unitId: string; name: string } | { kind: 'leader'; name: string; title: string };

/**
 * One recipient was notified of the published quarter, in the same append as QuarterPublished, so
 * a unit's dashboard shows what it was sent and when. `rows` are the unit's own indicators (for a
 * leader: every row); `recipient` is also the string listed in QuarterPublished.notified.
 */
export type QuarterNotificationSent = DomainEvent<
  'QuarterNotificationSent',
  {
    planId: string;
    quarter: string;
    /** `unit:<unitId>` or `leader:<name>`. */
    recipient: string;
    to: NotificationRecipient;
    rows: Pick<SnapshotRow, 'indicatorNo' | 'name' | 'value' | 'rank' | 'warning' | 'score'>[];
    counts: QuarterSnapshot['counts'];
  }
>;

export type AssessmentEvent = QuarterPrepared | MeetingRecorded | QuarterPublished | QuarterNotificationSent;
export const ASSESSMENT_EVENT_TYPES = ['QuarterPrepared', 'MeetingRecorded', 'QuarterPublished', 'QuarterNotificationSent'] as const;

/** The string QuarterPublished.notified lists for a recipient. */
export const recipientId = (to: NotificationRecipient) => (to.kind === 'unit' ? `unit:${to.unitId}` : `leader:${to.name}`);

export const assessmentStream = (planId: string, quarter: string) => `assessment-${planId}-${quarter}`;
