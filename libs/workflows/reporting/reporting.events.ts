import type { DomainEvent } from '../../engine/commands/command.js';
import type { TimerEvent } from '../../engine/timers/timer-events.js';
import type { ReportIndicator, ReportLine } from './report-content.js';

/**
 * A unit's monthly report: one stream per plan × unit × month. Every event names its report, so
 * projections never parse stream ids.
 */
export interface ReportRef {
  planId: string;
  unitId: string;
  /** YYYY-MM: the month the figures are about (valid time). */
  period: string;
}

export type ReportOpened = DomainEvent<
  'ReportOpened',
  ReportRef & {
    unitName: string;
    indicators: ReportIndicator[];
    dueAt: string;
    reminderAt: string;
    /** When the month ends (local midnight): no submission and no reminder before then. Absent on older reports. */
    periodEndsAt?: string;
  }
>;
export type ReportDraftSaved = DomainEvent<'ReportDraftSaved', ReportRef & { lines: ReportLine[] }>;
export type ReportSubmitted = DomainEvent<
  'ReportSubmitted',
  ReportRef & {
    lines: ReportLine[];
    /** SHA-256 of exactly the submitted lines: what the head signs. */
    contentHash: string;
    submittedBy: string;
    /** Indicators found lagging (yellow/red or behind target), each with its analysis. */
    lagging: number[];
    /**
     * Older events only: timeliness was once judged at submission. The document judges the signed
     * and sealed report (经主要负责人签字并加盖单位印章后，于次月6日前报送), so it is now on ReportSigned.
     */
    late?: { dueAt: string; byMinutes: number } | null;
  }
>;
export type ReportSigned = DomainEvent<
  'ReportSigned',
  ReportRef & {
    contentHash: string;
    signedBy: { userId: string; name: string };
    seal: { unitId: string; unitName: string };
    /**
     * Set when the first signature came after the deadline (the signed report is what is due). Null
     * when on time; absent on events recorded while submission decided timeliness.
     */
    late?: { dueAt: string; byMinutes: number } | null;
  }
>;
export type ReportReceived = DomainEvent<'ReportReceived', ReportRef & { contentHash: string }>;
/**
 * The office records the paper copies (纸质版一式两份) as received: optional, a fact of its own,
 * beside the signed report's receipt; it does not decide timeliness.
 */
export type ReportPaperCopiesReceived = DomainEvent<'ReportPaperCopiesReceived', ReportRef & { copies: number; contentHash: string }>;
export type ReportReturned = DomainEvent<'ReportReturned', ReportRef & { reason: string }>;
/** To the unit while the report is unsubmitted, to its head while it waits for the signature (absent: the unit). */
export type ReportReminderSent = DomainEvent<'ReportReminderSent', ReportRef & { dueAt: string; to?: 'unit' | 'head' }>;
export type ReportOverdue = DomainEvent<'ReportOverdue', ReportRef & { dueAt: string }>;
/**
 * The office corrects a received figure. The submitted figure stays in the record; this one
 * supersedes it for the report's period (valid time) from the moment it is recorded (transaction time).
 */
export type FigureCorrected = DomainEvent<
  'FigureCorrected',
  ReportRef & { indicatorNo: number; field: 'value' | 'rank'; previous: number | null; corrected: number | null; reason: string }
>;

export type ReportingEvent =
  | ReportOpened
  | ReportDraftSaved
  | ReportSubmitted
  | ReportSigned
  | ReportReceived
  | ReportPaperCopiesReceived
  | ReportReturned
  | ReportReminderSent
  | ReportOverdue
  | FigureCorrected
  | TimerEvent;

export const REPORTING_EVENT_TYPES = [
  'ReportOpened',
  'ReportDraftSaved',
  'ReportSubmitted',
  'ReportSigned',
  'ReportReceived',
  'ReportPaperCopiesReceived',
  'ReportReturned',
  'ReportReminderSent',
  'ReportOverdue',
  'FigureCorrected',
] as const;

export const reportStream = (r: ReportRef) => `report-${r.planId}-${r.unitId}-${r.period}`;
