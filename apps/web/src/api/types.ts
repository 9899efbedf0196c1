/**
 * The API's answers as the UI reads them. Where the server has a read model its type is imported
 * (type only, so nothing of the server reaches the bundle) and the UI cannot drift from the API;
 * the answers a controller composes without a named type are written out below.
 */
import type { Role } from '../../../../libs/workflows/access/access.js';
import type { Tier, ReportIndicator, ReportLine } from '../../../../libs/workflows/reporting/report-content.js';
import type { Who, ProposalView } from '../../../../libs/workflows/rewards/review.projection.js';
import type { CommandResult } from '../../../../libs/engine/commands/command-executor.js';
import type { UnitResult, Annex2Row, Annex2Table } from '../../../../libs/workflows/annex2/annex2.projection.js';
import type { ReportStatus } from '../../../../libs/workflows/reporting/reporting.decider.js';
import type { StepRecord, ReportView, ComplianceCell } from '../../../../libs/workflows/reporting/reports.projection.js';
import type { CountyStanding, StandingChange, StandingView, WarningBoard } from '../../../../libs/workflows/ranking/standings.projection.js';
import type { ImportOutcome } from '../../../../libs/workflows/ranking/peer-figures-import.js';
import type { SnapshotRow, QuarterSnapshot } from '../../../../libs/workflows/assessment/assessment.events.js';
import type { QuarterView } from '../../../../libs/workflows/assessment/assessment.projection.js';
import type { SnapshotDiff } from '../../../../libs/workflows/assessment/quarter-figures.js';
import type { CaseStep } from '../../../../libs/workflows/supervision/supervision.events.js';
import type { BoardRow, CaseView } from '../../../../libs/workflows/supervision/supervision-board.projection.js';
import type { Consequence, Indicator as PlanIndicator, PlanDefinition as Plan, Unit as PlanUnit } from '../../../../libs/workflows/plan/plan-file.js';
import type { LineEvidence } from '../../../../libs/workflows/rewards/rewards.evidence.js';
import type { CauseEvent, Provenance as AnnexProvenance, ViewDiff } from '../../../../libs/workflows/audit/views.js';
import type { UnitStatus, TimelineEntry, TimelinePage } from '../../../../libs/workflows/audit/timeline.projection.js';

export type {
  Role,
  Tier,
  ReportIndicator,
  ReportLine,
  Who,
  ProposalView,
  CommandResult,
  UnitResult,
  Annex2Row,
  Annex2Table,
  ReportStatus,
  StepRecord,
  ReportView,
  ComplianceCell,
  CountyStanding,
  StandingChange,
  StandingView,
  WarningBoard,
  ImportOutcome,
  SnapshotRow,
  QuarterSnapshot,
  QuarterView,
  SnapshotDiff,
  CaseStep,
  BoardRow,
  CaseView,
  Consequence,
  Plan,
  PlanIndicator,
  PlanUnit,
  AnnexProvenance,
  LineEvidence,
  CauseEvent,
  ViewDiff,
  UnitStatus,
  TimelineEntry,
  TimelinePage,
};

export interface User {
  userId: string;
  username: string;
  name: string;
  unitId?: string;
  roles: Role[];
  disabled: boolean;
  disabledReason?: string;
  createdAt: string;
  updatedAt: string;
  passwordSetAt?: string;
  revision: number;
}

export interface LoginAnswer {
  token: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
  mustChangePassword: boolean;
  user: User;
}

export interface Me {
  user: User;
  session: { createdAt: string; expiresAt: string; idleExpiresAt: string };
}

// ---- plan ------------------------------------------------------------------------------------
export interface PlanSummary {
  id: string;
  title: string;
  documentNumber: string;
  year: number;
  county: string;
  indicators: number;
  totalPoints: number;
  revision: number;
}

// ---- reporting -------------------------------------------------------------------------------

export interface ReportTemplate {
  planId: string;
  unitId: string;
  period: string;
  unitName: string;
  indicators: ReportIndicator[];
  warningTiers: { tier: Tier; fromRank: number; toRank: number }[];
  dueAt: string;
  reminderAt: string;
}

export interface UnitReportSummary {
  period: string;
  status: ReportStatus;
  dueAt: string;
  overdue: boolean;
  late: { byMinutes: number } | null;
  returns: { reason: string; by: string; at: string }[];
  signed: boolean;
  corrections: number;
  revision: number;
  minutesLeft: number | null;
}

export interface ComplianceBoard {
  planId: string;
  periods: string[];
  asOf?: string;
  units: { unitId: string; unitName: string; shortName: string; cells: Record<string, ComplianceCell | null> }[];
}

// ---- ranking ---------------------------------------------------------------------------------

export interface PeriodStandings {
  planId: string;
  period: string;
  indicators: { indicatorNo: number; name: string; points: number; recorded: boolean; rankBasis: string; counties: CountyStanding[]; ours: StandingView['ours'] | null }[];
}

export interface ScoringRules {
  planId: string;
  current: { version: number; coefficients: { rank: number; coefficient: number }[]; missingRankCoefficient: number; note: string; at: string; by: Who } | null;
  versions: unknown[];
}

// ---- rewards ---------------------------------------------------------------------------------
/** A line of the proposal as read: the event's line with its amendments. */
export type ProposalLine = ProposalView['lines'][number];

// ---- audit -----------------------------------------------------------------------------------

export interface SealInfo {
  sealId: string;
  position: string;
  sealedAt: string;
  streams: number;
  events: number;
  root: string;
  text: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  streams: number;
  seconds: number;
  chainProblems: { streamId?: string; detail?: string; [k: string]: unknown }[];
  seals: number;
  sealProblems: { kind: string; sealId: string; detail: string }[];
  exported?: { sealId: string; ok: boolean };
}

// ---- the plan maintained on screen -------------------------------------------------------------
export type { PlanChangeDoc as PlanChange, DraftDoc as PlanDraft } from '../../../../libs/workflows/plan/plan.projection.js';
export type PeriodScore = import('../../../../libs/workflows/ranking/scoring.js').ScoreSheet & { planId: string; period: string };
export type { TargetsImportOutcome, TargetCellProblem } from '../../../../libs/workflows/plan/plan-import.js';
