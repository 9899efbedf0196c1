/**
 * The API's answers as the UI reads them. They mirror the backend's read models
 * (libs/workflows/*: ReportView, Annex2Table, StandingView, QuarterView, CaseView, ProposalView …);
 * the web is built apart from the server, so the shapes are restated here rather than imported,
 * and only the fields the pages use are typed.
 */
export type Role = 'reporter' | 'head' | 'office' | 'supervisor' | 'leader' | 'auditor' | 'admin';
export type Tier = 'green' | 'yellow' | 'red';

export interface Who {
  userId: string;
  role: string;
  name?: string;
}

export interface CommandResult {
  streamId: string;
  revision: number;
  position?: string;
  replayed?: boolean;
  events: { type: string; data: unknown }[];
}

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

export interface PlanUnit {
  id: string;
  name: string;
  shortName: string;
}

export interface PlanIndicator {
  no: number;
  section: number;
  name: string;
  alias?: string;
  points: number;
  units: string[];
  kind: 'ranked' | 'task';
  unitOfMeasure: string;
  direction: 'higher-is-better' | 'lower-is-better';
  baseline: { value: number | null; rank: number | null };
  target: number | null;
}

export interface Plan {
  id: string;
  title: string;
  documentNumber: string;
  year: number;
  county: string;
  totalPoints: number;
  peerGroup: { name: string; size: number; counties: { id: string; name: string; ours: boolean }[] };
  sections: { id: number; numeral: string; title: string }[];
  units: PlanUnit[];
  unitsOfMeasure: { id: string; symbol: string; zh: string; en: string }[];
  indicators: PlanIndicator[];
  warningTiers: { tier: Tier; fromRank: number; toRank: number; label: { zh: string; en: string } }[];
  monthlyReport: { dueBeforeDayOfNextMonth: number; timeZone: string; paperCopies: number; deliverTo: string; officeRoom: string; email: string };
  leadingGroup?: { name: string; members: { role: string; roleZh: string; name: string; title: string }[] };
}

// ---- Annex 2 ---------------------------------------------------------------------------------
export interface UnitResult {
  unitId: string;
  value: number | null;
  rank: number | null;
  status: 'submitted' | 'signed' | 'received' | 'returned';
  corrected: { value?: boolean; rank?: boolean };
  submittedAt: string;
  updatedAt: string;
}

export interface Annex2Row {
  no: number;
  name: string;
  alias?: string;
  points: number;
  units: { id: string; shortName: string }[];
  unitOfMeasure: { id: string; symbol: string };
  direction: PlanIndicator['direction'];
  kind: PlanIndicator['kind'];
  baseline: { value: number | null; rank: number | null };
  target: number | null;
  result: number | null;
  rank: number | null;
  rankSource: 'official' | 'reported' | null;
  rankPeriod: string | null;
  reportedRank: number | null;
  warning: Tier | null;
  score: number | null;
  byUnit: UnitResult[];
}

export interface Annex2Table {
  planId: string;
  period: string;
  title: string;
  documentNumber: string;
  county: string;
  totalPoints: number;
  sections: { id: number; numeral: string; title: string; rows: Annex2Row[] }[];
  summary: { rows: number; withResult: number; official: number; green: number; yellow: number; red: number };
  scoringRuleVersion: number | null;
  totalScore: number | null;
  maxScore: number;
  asOf?: string;
}

// ---- reporting -------------------------------------------------------------------------------
export type ReportStatus = 'none' | 'open' | 'draft' | 'submitted' | 'signed' | 'received' | 'returned';

export interface ReportIndicator {
  no: number;
  name: string;
  kind: PlanIndicator['kind'];
  direction: PlanIndicator['direction'];
  unitOfMeasure: string;
  target: number | null;
}

export interface ReportLine {
  indicatorNo: number;
  value: number | null;
  rank: number | null;
  problems: string;
  nextSteps: string;
  analysis?: string;
  countermeasures?: string;
}

export interface StepRecord {
  type: string;
  at: string;
  by: Who;
  reason?: string;
  position: string;
}

export interface ReportView {
  planId: string;
  unitId: string;
  unitName: string;
  period: string;
  status: ReportStatus;
  revision: number;
  dueAt: string;
  reminderAt: string;
  indicators: ReportIndicator[];
  lines: ReportLine[];
  contentHash: string | null;
  submitted: { by: string; at: string; late: { byMinutes: number } | null; lagging: number[] } | null;
  signature: { userId: string; name: string; at: string; contentHash: string; seal: { unitId: string; unitName: string } } | null;
  received: { by: string; at: string } | null;
  returns: { reason: string; by: string; at: string }[];
  overdueAt: string | null;
  remindedAt: string | null;
  corrections: { indicatorNo: number; field: 'value' | 'rank'; previous: number | null; corrected: number | null; reason: string; by: string; at: string; position: string }[];
  steps: StepRecord[];
}

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

export interface ComplianceCell {
  unitId: string;
  unitName: string;
  period: string;
  status: ReportStatus;
  dueAt: string;
  onTime: boolean | null;
  lateByMinutes: number | null;
  overdue: boolean;
  returned: number;
  signed: boolean;
  received: boolean;
  corrections: number;
}

export interface ComplianceBoard {
  planId: string;
  periods: string[];
  asOf?: string;
  units: { unitId: string; unitName: string; shortName: string; cells: Record<string, ComplianceCell | null> }[];
}

// ---- ranking ---------------------------------------------------------------------------------
export interface CountyStanding {
  countyId: string;
  name: string;
  ours: boolean;
  value: number | null;
  publishedRank: number | null;
  rank: number | null;
  lastChange: { type: 'recorded' | 'revised' | 'corrected'; at: string; by: Who; reason?: string; position: string; source?: { kind: string; file?: string; sheet?: string; row?: number } } | null;
}

export interface StandingChange {
  rank: { from: number | null; to: number | null };
  warning: { from: Tier | null; to: Tier | null };
  cause: { kind: string; [k: string]: unknown };
  explanation: string;
  at: string;
  by: Who;
  reason?: string;
  position: string;
}

export interface StandingView {
  planId: string;
  indicatorNo: number;
  name: string;
  points: number;
  direction: PlanIndicator['direction'];
  unitOfMeasure: string;
  period: string;
  revision: number;
  rankBasis: 'published' | 'values' | 'none';
  counties: CountyStanding[];
  ours: { countyId: string; rank: number | null; warning: Tier | null };
  history: StandingChange[];
  updatedAt: string;
}

export interface PeriodStandings {
  planId: string;
  period: string;
  indicators: { indicatorNo: number; name: string; points: number; recorded: boolean; rankBasis: string; counties: CountyStanding[]; ours: StandingView['ours'] | null }[];
}

export interface WarningBoard {
  planId: string;
  quarter: string;
  counts: { green: number; yellow: number; red: number; missing: number };
  rows: { indicatorNo: number; name: string; points: number; units: string[]; period: string | null; rank: number | null; warning: Tier | null }[];
  lastMeeting: { quarter: string; at: string; position: string } | null;
  changesSinceLastMeeting: (StandingChange & { indicatorNo: number; name: string; period: string })[];
}

export interface ScoringRules {
  planId: string;
  current: { version: number; coefficients: { rank: number; coefficient: number }[]; missingRankCoefficient: number; note: string; at: string; by: Who } | null;
  versions: unknown[];
}

export interface ImportOutcome {
  importId: string;
  file: string;
  sheets: { sheet: string; period: string; rows: number }[];
  recorded: number;
  unchanged: number;
  replayed: number;
  skipped: { sheet: string; row: number; indicatorNo: number }[];
}

// ---- assessment ------------------------------------------------------------------------------
export interface SnapshotRow {
  indicatorNo: number;
  name: string;
  points: number;
  units: string[];
  value: number | null;
  rank: number | null;
  warning: Tier | null;
  score: number | null;
  basedOn: string | null;
  period?: string | null;
}

export interface QuarterSnapshot {
  planId: string;
  quarter: string;
  figuresPeriod: string;
  scoringRuleVersion: number | null;
  rows: SnapshotRow[];
  totalScore: number;
  maxScore: number;
  counts: { green: number; yellow: number; red: number; missing: number };
  asOfPosition: string;
}

export interface QuarterView {
  planId: string;
  quarter: string;
  status: string;
  revision: number;
  prepared: (QuarterSnapshot & { preparedAt: string; preparedBy: string }) | null;
  preparations: { at: string; by: string; asOfPosition: string; totalScore: number; reason?: string }[];
  meeting: { date: string; attendees: string[]; conclusions: string; nextSteps: string; suggestions: string; recordedAt: string; recordedBy: string; heardLatestPreparation: boolean } | null;
  published: { snapshot: QuarterSnapshot; notified: string[]; at: string; by: string; position: string } | null;
  steps: { type: string; at: string; by: Who | string; reason?: string; position?: string }[];
}

export interface SnapshotDiff {
  rows: {
    indicatorNo: number;
    name: string;
    changed: ('value' | 'rank' | 'warning' | 'score')[];
    presented: Pick<SnapshotRow, 'value' | 'rank' | 'warning' | 'score'>;
    now: Pick<SnapshotRow, 'value' | 'rank' | 'warning' | 'score'>;
    events: { type: string; at: string; who: Who; reason: string | null; position: string; cause?: unknown }[];
  }[];
  totalScore: { presented: number; now: number };
}

// ---- supervision -----------------------------------------------------------------------------
export type CaseStep = 'acknowledge' | 'plan' | 'feedback' | 'review' | 'close';

export interface BoardRow {
  planId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  caseNo: number;
  status: 'open' | 'closed';
  openedAt: string;
  closedAt: string | null;
  ageDays: number;
  step: CaseStep;
  nextDeadline: { step: CaseStep; lastDay: string; dueAt: string } | null;
  overdue: boolean;
  overdueSteps: CaseStep[];
  escalations: { kind: 'public-notice' | 'admonitory-talk'; at: string }[];
  warnings: string[];
  closeReason: string | null;
  revision: number;
}

export interface CaseView {
  planId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  caseNo: number;
  status: 'open' | 'closed';
  revision: number;
  openedAt: string;
  closedAt: string | null;
  step: CaseStep;
  next: { step: CaseStep; lastDay: string; dueAt: string } | null;
  warnings: { quarter: string; figuresPeriod: string; value: number | null; rank: number | null; warning: Tier; linkedAt: string }[];
  acknowledged: { by: Who; at: string; note: string } | null;
  plans: { text: string; rectifyBy: string; by: Who; at: string; review: { decision: string; comment: string; by: Who; at: string } | null }[];
  feedbacks: { text: string; by: Who; at: string; review: { decision: string; comment: string; by: Who; at: string } | null }[];
  escalations: { kind: 'public-notice' | 'admonitory-talk'; reason: string; by: Who; at: string }[];
  leaderReports: { summary: string; by: Who; at: string }[];
  deadlines: { step: CaseStep; seq: number; lastDay: string; dueAt: string; setAt: string; remindedAt: string | null; overdueAt: string | null; doneAt: string | null }[];
  closure: { reason: string; text: string; by: Who; at: string } | null;
  history: { type: string; at: string; by: Who; reason?: string; position: string }[];
}

// ---- rewards ---------------------------------------------------------------------------------
export interface Consequence {
  kind: 'commendation-priority' | 'recommend-for-promotion' | 'public-criticism' | 'pause-promotion' | 'working-funds';
  zh: string;
  persons?: string[];
  months?: number;
}

export interface ProposalLine {
  lineId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  annualRank: number;
  tier: string;
  tierLabel: { zh: string; en: string };
  consequences: Consequence[];
  excluded: boolean;
  basis: { period: string; rank: number; fallback: boolean; note: string | null };
  amendments: { before: { tier: string; excluded: boolean }; after: { tier: string; excluded: boolean }; reason: string; by: Who; at: string; position: string }[];
}

export interface ProposalView {
  planId: string;
  year: number;
  status: 'draft' | 'submitted' | 'approved' | 'published' | string;
  revision: number;
  generation: number;
  generated: { by: Who; at: string; reason: string | null };
  tiers: { tier: string; label: { zh: string; en: string }; fromRank: number; toRank: number; consequences: Consequence[] }[];
  lines: ProposalLine[];
  untiered: { indicatorNo: number; indicatorName: string; period: string; rank: number }[];
  unranked: { indicatorNo: number; indicatorName: string }[];
  listHash: string | null;
  submitted: { by: Who; at: string; listHash: string } | null;
  sendBacks: { by: Who; at: string; reason: string }[];
  approved: { by: Who; at: string; reason: string | null } | null;
  published: { by: Who; at: string } | null;
  history: { type: string; generation: number; by: Who; at: string; reason?: string; position: string }[];
}

export interface LineEvidence {
  lineId: string;
  status: string;
  items: { kind: string; type: string; streamId: string; position: string; who: Who; when: string; why: string | null; data: unknown; afterProposal?: boolean }[];
}

// ---- audit -----------------------------------------------------------------------------------
export interface CauseEvent {
  type: string;
  streamId: string;
  revision: number;
  position: string;
  at: string;
  who: Who;
  onBehalfOf?: string;
  why?: string;
  data: unknown;
}

export interface AnnexProvenance {
  period: string;
  indicatorNo: number;
  field: string;
  asOf: string | null;
  value: unknown;
  events: CauseEvent[];
  rules: { planRevision: number | null; warningTiersFrom: string | null; scoringRuleVersion: number | null };
}

export interface UnitStatus {
  warnings: Record<string, { period: string; rank: number | null; warning: Tier | null }>;
  openCases: { indicatorNo: number; caseNo: number; step: string; escalations: number }[];
  reports: Record<string, string>;
  decisions: Record<string, string>;
}

export interface TimelineEntry {
  seq: number;
  position: string;
  streamId: string;
  revision: number;
  type: string;
  at: string;
  who: Who;
  onBehalfOf?: string;
  why?: string;
  period?: string;
  indicatorNos: number[];
  summary: { zh: string; en: string };
  cause?: { kind: string };
  status?: UnitStatus;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  next: string | null;
}

export interface ViewDiff {
  view: string;
  t1: string;
  t2: string;
  differences: { key: string; label: string; change: 'added' | 'removed' | 'changed'; fields: { field: string; before: unknown; after: unknown }[]; causes: CauseEvent[] }[];
}

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
