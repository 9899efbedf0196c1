import { download, request, upload, type Query } from './http';
import type {
  AnnexProvenance,
  Annex2Table,
  SealInfo,
  TimelineEntry,
  TimelinePage,
  VerifyReport,
  ViewDiff,
  BoardRow,
  CaseView,
  CommandResult,
  ComplianceBoard,
  ImportOutcome,
  LineEvidence,
  LoginAnswer,
  Me,
  Plan,
  PeriodStandings,
  PlanSummary,
  PlanChange,
  PlanDraft,
  TargetsImportOutcome,
  PeriodScore,
  ProposalView,
  QuarterSnapshot,
  QuarterView,
  ReportLine,
  ReportTemplate,
  ReportView,
  ScoringRules,
  SnapshotDiff,
  StandingView,
  UnitReportSummary,
  User,
  WarningBoard,
} from './types';

const enc = encodeURIComponent;
const asOfQuery = (asOf?: string | null): Query => (asOf ? { asOf } : {});

export const auth = {
  login: (username: string, password: string) => request<LoginAnswer>('/auth/login', { method: 'POST', body: { username, password } }),
  logout: () => request<void>('/auth/logout', { method: 'POST' }),
  me: (signal?: AbortSignal) => request<Me>('/auth/me', signal ? { signal } : {}),
  changePassword: (current: string, next: string) => request<CommandResult>('/auth/password', { method: 'POST', body: { current, next } }),
};

export const users = {
  list: () => request<User[]>('/users'),
  create: (u: { username: string; name: string; roles: string[]; unitId?: string }, key: string) =>
    request<CommandResult & { userId: string; oneTimePassword?: string }>('/users', { method: 'POST', body: u, idempotencyKey: key }),
  // Privileged changes carry the administrator's reason (issue 15: asked for, and recorded with the event).
  grant: (id: string, role: string, revision: number, reason: string, unitId?: string) =>
    request<CommandResult>(`/users/${enc(id)}/roles`, { method: 'POST', body: { role, reason, ...(unitId ? { unitId } : {}) }, ifMatch: revision }),
  revoke: (id: string, role: string, revision: number, reason: string) =>
    request<CommandResult>(`/users/${enc(id)}/roles/${enc(role)}`, { method: 'DELETE', body: { reason }, ifMatch: revision }),
  disable: (id: string, reason: string, revision: number) => request<CommandResult>(`/users/${enc(id)}/disable`, { method: 'POST', body: { reason }, ifMatch: revision }),
  enable: (id: string, revision: number, reason: string) => request<CommandResult>(`/users/${enc(id)}/enable`, { method: 'POST', body: { reason }, ifMatch: revision }),
  resetPassword: (id: string, revision: number, reason: string) =>
    request<CommandResult & { oneTimePassword: string }>(`/users/${enc(id)}/password`, { method: 'POST', body: { reason }, ifMatch: revision }),
};

export const plans = {
  list: () => request<PlanSummary[]>('/plans'),
  get: (planId: string) => request<Plan>(`/plans/${enc(planId)}`),
  annex2: (planId: string, period: string, asOf?: string | null) => request<Annex2Table>(`/plans/${enc(planId)}/annex2/${enc(period)}`, { query: asOfQuery(asOf) }),
  // The plan maintained on screen (PlanPage): every change carries its reason.
  changes: (planId: string) => request<PlanChange[]>(`/plans/${enc(planId)}/changes`),
  setTarget: (planId: string, no: number, target: number | null, reason: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/indicators/${no}/target`, { method: 'PUT', body: { target, reason } }),
  setBaseline: (planId: string, no: number, value: number | null, rank: number | null, reason: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/indicators/${no}/baseline`, { method: 'PUT', body: { value, rank, reason } }),
  reviseWarningTiers: (planId: string, tiers: Plan['warningTiers'], reason: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/rules/warning-tiers`, { method: 'PUT', body: { tiers, reason } }),
  importTargets: (planId: string, file: File, reason: string, language: string, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('reason', reason);
    form.append('language', language);
    form.append('file', file, file.name);
    return upload<TargetsImportOutcome>(`/plans/${enc(planId)}/imports`, form, onProgress);
  },
  targetsTemplate: (planId: string) => download(`/plans/${enc(planId)}/imports/template`),
  draftNextYear: (planId: string, reason: string) => request<CommandResult & { planId: string }>(`/plans/${enc(planId)}/next-year`, { method: 'POST', body: { reason } }),
  draft: (planId: string) => request<PlanDraft>(`/plans/${enc(planId)}/draft`),
  publishDraft: (planId: string, reason: string) => request<CommandResult>(`/plans/${enc(planId)}/publish`, { method: 'POST', body: { reason } }),
  reviseMonthlyReport: (planId: string, rule: { dueBeforeDayOfNextMonth: number; reminderWorkingDaysBefore: number }, reason: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/rules/monthly-report`, { method: 'PUT', body: { ...rule, reason } }),
};

export const reporting = {
  unitReports: (planId: string, unitId: string) => request<{ reports: UnitReportSummary[] }>(`/plans/${enc(planId)}/reporting/units/${enc(unitId)}/reports`),
  report: (planId: string, unitId: string, period: string, asOf?: string | null) =>
    request<ReportView>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}`, { query: asOfQuery(asOf) }),
  template: (planId: string, unitId: string, period: string) => request<ReportTemplate>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}/template`),
  // If-Match with the revision the editor loaded: a draft saved meanwhile in another tab is not
  // overwritten silently (412, reload). The view's revision is the stream's, timer events included.
  saveDraft: (planId: string, unitId: string, period: string, lines: ReportLine[], revision?: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}/draft`, {
      method: 'PUT',
      body: { lines },
      ...(revision !== undefined ? { ifMatch: revision } : {}),
    }),
  submit: (planId: string, unitId: string, period: string, revisionFromCommand?: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}/submit`, {
      method: 'POST',
      ...(revisionFromCommand !== undefined ? { ifMatch: revisionFromCommand } : {}),
    }),
  sign: (planId: string, unitId: string, period: string, contentHash: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}/sign`, { method: 'POST', body: { contentHash } }),
  receive: (planId: string, unitId: string, period: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}/receive`, { method: 'POST' }),
  return: (planId: string, unitId: string, period: string, reason: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}/return`, { method: 'POST', body: { reason } }),
  correct: (planId: string, unitId: string, period: string, body: { indicatorNo: number; field: 'value' | 'rank'; corrected: number | null; reason: string }) =>
    request<CommandResult>(`/plans/${enc(planId)}/reporting/reports/${enc(unitId)}/${enc(period)}/corrections`, { method: 'POST', body }),
  openPeriod: (planId: string, period: string, key: string) =>
    request<{ period: string; opened: string[]; alreadyOpen: string[] }>(`/plans/${enc(planId)}/reporting/periods/${enc(period)}/open`, { method: 'POST', idempotencyKey: key }),
  compliance: (planId: string, asOf?: string | null) => request<ComplianceBoard>(`/plans/${enc(planId)}/reporting/compliance`, { query: asOfQuery(asOf) }),
};

export const ranking = {
  standings: (planId: string, period: string, asOf?: string | null) =>
    request<PeriodStandings>(`/plans/${enc(planId)}/ranking/standings`, { query: { period, ...asOfQuery(asOf) } }),
  standing: (planId: string, no: number, period: string, asOf?: string | null) =>
    request<StandingView>(`/plans/${enc(planId)}/ranking/standings/${no}/${enc(period)}`, { query: asOfQuery(asOf) }),
  warnings: (planId: string, quarter: string, asOf?: string | null) => request<WarningBoard>(`/plans/${enc(planId)}/ranking/warnings`, { query: { quarter, ...asOfQuery(asOf) } }),
  scoringRules: (planId: string) => request<ScoringRules>(`/plans/${enc(planId)}/ranking/scoring-rules`),
  score: (planId: string, period: string) => request<PeriodScore>(`/plans/${enc(planId)}/ranking/score`, { query: { period } }),
  publishScoringRule: (planId: string, body: { coefficients: { rank: number; coefficient: number }[]; missingRankCoefficient: number; note: string; reason?: string }) =>
    request<CommandResult>(`/plans/${enc(planId)}/ranking/scoring-rules`, { method: 'POST', body }),
  record: (
    planId: string,
    body: { indicatorNo: number; period: string; figures: { countyId: string; value: number | null; rank: number | null }[] },
    key: string,
    revision?: number,
  ) => request<CommandResult>(`/plans/${enc(planId)}/ranking/figures`, { method: 'POST', body, idempotencyKey: key, ...(revision !== undefined ? { ifMatch: revision } : {}) }),
  correct: (planId: string, no: number, period: string, body: { countyId: string; value: number | null; rank: number | null; reason: string }, revision: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/ranking/figures/${no}/${enc(period)}/corrections`, { method: 'POST', body, ifMatch: revision }),
  import: (planId: string, file: File, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return upload<ImportOutcome>(`/plans/${enc(planId)}/ranking/imports`, form, onProgress);
  },
  template: (planId: string, period: string) => download(`/plans/${enc(planId)}/ranking/imports/template`, { period }),
};

export const assessment = {
  view: (planId: string, quarter: string, asOf?: string | null) => request<QuarterView>(`/plans/${enc(planId)}/assessment/quarters/${enc(quarter)}`, { query: asOfQuery(asOf) }),
  known: (planId: string, quarter: string, asOf?: string | null) =>
    request<QuarterSnapshot>(`/plans/${enc(planId)}/assessment/quarters/${enc(quarter)}/known`, { query: asOfQuery(asOf) }),
  diff: (planId: string, quarter: string, asOf?: string | null) =>
    request<SnapshotDiff>(`/plans/${enc(planId)}/assessment/quarters/${enc(quarter)}/diff`, { query: asOfQuery(asOf) }),
  prepare: (planId: string, quarter: string, reason: string | undefined, revision?: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/assessment/quarters/${enc(quarter)}/prepare`, {
      method: 'POST',
      body: reason ? { reason } : {},
      ...(revision !== undefined ? { ifMatch: revision } : {}),
    }),
  meeting: (
    planId: string,
    quarter: string,
    body: { date: string; attendees: string[]; conclusions: string; nextSteps: string; suggestions: string; reason?: string },
    revision?: number,
  ) =>
    request<CommandResult>(`/plans/${enc(planId)}/assessment/quarters/${enc(quarter)}/meeting`, { method: 'PUT', body, ...(revision !== undefined ? { ifMatch: revision } : {}) }),
  publish: (planId: string, quarter: string, revision?: number, reason?: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/assessment/quarters/${enc(quarter)}/publish`, {
      method: 'POST',
      body: reason ? { reason } : {},
      ...(revision !== undefined ? { ifMatch: revision } : {}),
    }),
};

export const supervision = {
  board: (planId: string, q: { unitId?: string; status?: string; asOf?: string | null }) =>
    request<{ cases: BoardRow[]; asOf: string }>(`/plans/${enc(planId)}/supervision/board`, {
      query: { ...(q.unitId ? { unitId: q.unitId } : {}), status: q.status ?? 'open', ...asOfQuery(q.asOf) },
    }),
  case: (planId: string, unitId: string, no: number, caseNo: number, asOf?: string | null) =>
    request<CaseView>(`/plans/${enc(planId)}/supervision/cases/${enc(unitId)}/${no}/${caseNo}`, { query: asOfQuery(asOf) }),
  act: (
    planId: string,
    c: { unitId: string; indicatorNo: number; caseNo: number },
    action: 'acknowledge' | 'plan' | 'feedback' | 'review' | 'escalations' | 'leader-reports' | 'close',
    body: object,
    revision?: number,
  ) =>
    request<CommandResult>(`/plans/${enc(planId)}/supervision/cases/${enc(c.unitId)}/${c.indicatorNo}/${c.caseNo}/${action}`, {
      method: 'POST',
      body,
      ...(revision !== undefined && action !== 'leader-reports' ? { ifMatch: revision } : {}),
    }),
  open: (planId: string, body: { unitId: string; indicatorNo: number; period: string; note: string }, key: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/supervision/cases`, { method: 'POST', body, idempotencyKey: key }),
  // Issue 12: a case on a ground the plan names (行动不力、工作滞后、成效不明显), whatever the colour.
  openOnGround: (planId: string, body: { unitId: string; indicatorNo: number; ground: string; period: string; note: string }, key: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/supervision/cases/on-ground`, { method: 'POST', body, idempotencyKey: key }),
};

export const rewards = {
  proposal: (planId: string, year: number, asOf?: string | null) => request<ProposalView>(`/plans/${enc(planId)}/rewards/${year}/proposal`, { query: asOfQuery(asOf) }),
  generate: (planId: string, year: number, reason: string | undefined, revision?: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/rewards/${year}/proposal`, {
      method: 'POST',
      body: reason ? { reason } : {},
      ...(revision !== undefined ? { ifMatch: revision } : {}),
    }),
  amend: (planId: string, year: number, lineId: string, body: { tier?: string; excluded?: boolean; reason: string }, revision: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/rewards/${year}/lines/${enc(lineId)}/amend`, { method: 'POST', body, ifMatch: revision }),
  submit: (planId: string, year: number, revision: number) => request<CommandResult>(`/plans/${enc(planId)}/rewards/${year}/submit`, { method: 'POST', ifMatch: revision }),
  approve: (planId: string, year: number, listHash: string, revision: number, reason?: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/rewards/${year}/approve`, { method: 'POST', body: { listHash, ...(reason ? { reason } : {}) }, ifMatch: revision }),
  sendBack: (planId: string, year: number, reason: string, revision: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/rewards/${year}/send-back`, { method: 'POST', body: { reason }, ifMatch: revision }),
  publish: (planId: string, year: number, revision: number, reason?: string) =>
    request<CommandResult>(`/plans/${enc(planId)}/rewards/${year}/publish`, { method: 'POST', body: reason ? { reason } : {}, ifMatch: revision }),
  evidence: (planId: string, year: number, lineId: string) => request<LineEvidence>(`/plans/${enc(planId)}/rewards/${year}/lines/${enc(lineId)}/evidence`),
  // Issue 16: the year-end list and the decision as workbooks, the header row in the UI's language.
  xlsx: (planId: string, year: number, which: 'proposal' | 'decisions', language: string) =>
    download(`/plans/${enc(planId)}/rewards/${year}/${which}.xlsx`, {}, { 'accept-language': language }),
  // Issue 12: the office decides a unit whose indicators fall in different tiers.
  decideConflict: (planId: string, year: number, lineId: string, decision: 'reward' | 'penalty' | 'neither', reason: string, revision: number) =>
    request<CommandResult>(`/plans/${enc(planId)}/rewards/${year}/lines/${enc(lineId)}/decide`, { method: 'POST', body: { decision, reason }, ifMatch: revision }),
};

export const audit = {
  unitTimeline: (
    planId: string,
    unitId: string,
    q: { indicator?: number; period?: string; type?: string; cause?: string; after?: string | null; limit?: number },
  ): Promise<{ entries: TimelineEntry[]; next: string | null }> =>
    request<TimelinePage>(`/plans/${enc(planId)}/audit/units/${enc(unitId)}/timeline`, {
      query: {
        ...(q.indicator ? { indicatorNo: q.indicator } : {}),
        ...(q.period ? { period: q.period } : {}),
        // Issue 12: event types and causes of a standing change, comma-separated.
        ...(q.type ? { type: q.type } : {}),
        ...(q.cause ? { cause: q.cause } : {}),
        ...(q.after ? { after: q.after } : {}),
        limit: q.limit ?? 50,
      },
    }).then((p) => ({ entries: p.items, next: p.next })),
  diff: (planId: string, view: string, t1: string, t2: string | null, params: Query) =>
    request<ViewDiff>(`/plans/${enc(planId)}/audit/diff/${enc(view)}`, { query: { from: t1, ...(t2 ? { to: t2 } : {}), ...params } }),
  provenance: (planId: string, period: string, no: number, field: string, asOf?: string | null) =>
    request<AnnexProvenance>(`/plans/${enc(planId)}/audit/provenance/annex2/${enc(period)}/${no}/${enc(field)}`, { query: asOfQuery(asOf) }),
  exportUnit: (planId: string, unitId: string, format: 'jsonl' | 'xlsx') => download(`/plans/${enc(planId)}/audit/units/${enc(unitId)}/export`, { format }),
  seals: () => request<SealInfo[]>('/audit/seals'),
  seal: (occasion: string) => request<SealInfo | { sealed: false; reason: string }>('/audit/seals', { method: 'POST', body: { occasion } }),
  verify: (seal?: string) => request<VerifyReport>('/audit/verify', { method: 'POST', body: seal ? { seal } : {} }),
};

/** A file attached as evidence (issue 16), as the API lists it. */
export interface AttachmentView {
  sha256: string;
  name: string;
  mediaType: string;
  size: number;
  step?: string;
  note?: string;
  addedAt: string;
  addedBy: { userId: string; role: string; name?: string };
  reason?: string;
}

/**
 * Attachments of a target, as the path of its files (segments encoded):
 * `plans/<plan>/attachments/reports/<unit>/<month>`, `…/cases/<unit>/<indicatorNo>/<caseNo>`, `…/decisions/<year>`.
 */
export const attachments = {
  target: (kind: 'reports' | 'cases' | 'decisions', planId: string, ...segments: (string | number)[]) =>
    ['plans', enc(planId), 'attachments', kind, ...segments.map((s) => enc(String(s)))].join('/'),
  list: (target: string) => request<{ attachments: AttachmentView[] }>(`/${target}`),
  upload: (target: string, file: File, step: string | undefined, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('file', file, file.name);
    if (step) form.append('step', step);
    return upload<CommandResult>(`/${target}`, form, onProgress);
  },
};

/** Notices (issue 16): my inbox, my to-do counts, my channels. */
export interface InboxItem {
  noticeId: string;
  kind: string;
  title: { zh: string; en: string };
  body: { zh: string; en: string };
  link?: string;
  issuedAt: string;
  readAt: string | null;
}
export interface TodoCounts {
  toDraft: number;
  overdueToDraft: number;
  toSign: number;
  toReceive: number;
  casesDue: number;
  nextCaseDeadline: string | null;
  casesToReview: number;
  proposalsToApprove: number;
  unreadNotices: number;
}
export type NoticeChannel = 'email' | 'dingtalk' | 'wecom';
export const notices = {
  inbox: () => request<{ unread: number; total: number; items: InboxItem[] }>('/me/inbox', { query: { limit: 20 } }),
  read: (noticeId: string) => request<CommandResult>(`/me/inbox/${enc(noticeId)}/read`, { method: 'POST' }),
  todo: () => request<TodoCounts>('/me/todo'),
  channels: () => request<{ available: NoticeChannel[]; channels: NoticeChannel[]; email: string | null }>('/me/notice-channels'),
  choose: (channels: NoticeChannel[], email: string | null) => request<CommandResult>('/me/notice-channels', { method: 'PUT', body: { channels, email } }),
};
