/**
 * The API's calls as the pages use them, each made with the generated client (`api`, typed by
 * the OpenAPI document's `paths`): the path, method, parameters, body and answer are checked
 * against the document. Multipart uploads (with progress) and downloads go through http.ts and
 * take their answer's type from the document too.
 */
import { answer, api, commandHeaders, download, upload } from './http';
import type { Answer, Body, DocumentKind, NoticeChannel, ReportLine } from './models';

const asOfQuery = (asOf?: string | null): { asOf?: string } => (asOf ? { asOf } : {});

/** One page of a collection (issue 14): `{ items, next }`, `next` passed back as `after`. */
export interface Paged<T> {
  items: T[];
  next: string | null;
}
/** Which page: after the `next` of the one before (none: the first), this many (1–200, default 50). */
export interface PageQuery {
  after?: string | null;
  limit?: number;
}
const pageQuery = (q: PageQuery = {}): { after?: string; limit?: number } => ({ ...(q.after ? { after: q.after } : {}), ...(q.limit ? { limit: q.limit } : {}) });

/**
 * Every page of a collection, for the lists a page filters and sorts as a whole (a year's reports,
 * a subject's documents, the plans): follows `next` 200 at a time.
 */
export async function everyPage<T>(page: (q: PageQuery) => Promise<Paged<T>>): Promise<T[]> {
  const all: T[] = [];
  let after: string | null = null;
  do {
    const p: Paged<T> = await page({ after, limit: 200 });
    all.push(...p.items);
    after = p.next;
  } while (after);
  return all;
}
const enc = encodeURIComponent;
const ifMatch = (revision?: number) => commandHeaders({ ifMatch: revision });

export const auth = {
  login: (username: string, password: string) => answer(api.POST('/api/v1/auth/login', { body: { username, password } })),
  logout: () => answer(api.POST('/api/v1/auth/logout')),
  me: (signal?: AbortSignal) => answer(api.GET('/api/v1/auth/me', signal ? { signal } : {})),
  changePassword: (current: string, next: string) => answer(api.POST('/api/v1/auth/password', { body: { current, next } })),
};

export const users = {
  page: (q: PageQuery = {}) => answer(api.GET('/api/v1/users', { params: { query: pageQuery(q) } })),
  // The administrators' table filters by unit and status as well as by name and role: every user.
  list: () => everyPage(users.page),
  create: (u: Body<'/api/v1/users', 'post'>, key: string) => answer(api.POST('/api/v1/users', { body: u, params: { header: commandHeaders({ idempotencyKey: key }) } })),
  // Privileged changes carry the administrator's reason (issue 15: asked for, and recorded with the event).
  grant: (id: string, role: string, revision: number, reason: string, unitId?: string) =>
    answer(
      api.POST('/api/v1/users/{id}/roles', {
        params: { path: { id }, header: ifMatch(revision) },
        body: { role, reason, ...(unitId ? { unitId } : {}) } as Body<'/api/v1/users/{id}/roles', 'post'>,
      }),
    ),
  revoke: (id: string, role: string, revision: number, reason: string) =>
    answer(api.DELETE('/api/v1/users/{id}/roles/{role}', { params: { path: { id, role }, header: ifMatch(revision) }, body: { reason } })),
  disable: (id: string, reason: string, revision: number) =>
    answer(api.POST('/api/v1/users/{id}/disable', { params: { path: { id }, header: ifMatch(revision) }, body: { reason } })),
  enable: (id: string, revision: number, reason: string) =>
    answer(api.POST('/api/v1/users/{id}/enable', { params: { path: { id }, header: ifMatch(revision) }, body: { reason } })),
  resetPassword: (id: string, revision: number, reason: string) =>
    answer(api.POST('/api/v1/users/{id}/password', { params: { path: { id }, header: ifMatch(revision) }, body: { reason } })),
};

const planPath = (planId: string) => ({ path: { planId } });

export const plans = {
  page: (q: PageQuery = {}) => answer(api.GET('/api/v1/plans', { params: { query: pageQuery(q) } })),
  list: () => everyPage(plans.page),
  get: (planId: string) => answer(api.GET('/api/v1/plans/{planId}', { params: planPath(planId) })),
  annex2: (planId: string, period: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/annex2/{period}', { params: { path: { planId, period }, query: asOfQuery(asOf) } })),
  // The plan maintained on screen (PlanPage): every change carries its reason.
  changesPage: (planId: string, q: PageQuery = {}) => answer(api.GET('/api/v1/plans/{planId}/changes', { params: { ...planPath(planId), query: pageQuery(q) } })),
  changes: (planId: string) => everyPage((q) => plans.changesPage(planId, q)),
  setTarget: (planId: string, no: number, target: number | null, reason: string) =>
    answer(api.PUT('/api/v1/plans/{planId}/indicators/{indicatorNo}/target', { params: { path: { planId, indicatorNo: no } }, body: { target, reason } })),
  setBaseline: (planId: string, no: number, value: number | null, rank: number | null, reason: string) =>
    answer(api.PUT('/api/v1/plans/{planId}/indicators/{indicatorNo}/baseline', { params: { path: { planId, indicatorNo: no } }, body: { value, rank, reason } })),
  reviseWarningTiers: (planId: string, tiers: Body<'/api/v1/plans/{planId}/rules/warning-tiers', 'put'>['tiers'], reason: string) =>
    answer(api.PUT('/api/v1/plans/{planId}/rules/warning-tiers', { params: planPath(planId), body: { tiers, reason } })),
  importTargets: (planId: string, file: File, reason: string, language: string, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('reason', reason);
    form.append('language', language);
    form.append('file', file, file.name);
    return upload<Answer<'/api/v1/plans/{planId}/imports', 'post'>>(`/plans/${enc(planId)}/imports`, form, onProgress);
  },
  targetsTemplate: (planId: string) => download(`/plans/${enc(planId)}/imports/template`),
  draftNextYear: (planId: string, reason: string) => answer(api.POST('/api/v1/plans/{planId}/next-year', { params: planPath(planId), body: { reason } })),
  draft: (planId: string) => answer(api.GET('/api/v1/plans/{planId}/draft', { params: planPath(planId) })),
  publishDraft: (planId: string, reason: string) => answer(api.POST('/api/v1/plans/{planId}/publish', { params: planPath(planId), body: { reason } })),
  reviseMonthlyReport: (planId: string, rule: { dueBeforeDayOfNextMonth: number; reminderWorkingDaysBefore: number }, reason: string) =>
    answer(api.PUT('/api/v1/plans/{planId}/rules/monthly-report', { params: planPath(planId), body: { ...rule, reason } })),
};

const reportPath = (planId: string, unitId: string, period: string) => ({ path: { planId, unitId, period } });

export const reporting = {
  // A year's months at most: every page.
  unitReports: (planId: string, unitId: string) =>
    everyPage((q) => answer(api.GET('/api/v1/plans/{planId}/reporting/units/{unitId}/reports', { params: { path: { planId, unitId }, query: pageQuery(q) } }))),
  report: (planId: string, unitId: string, period: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}', { params: { ...reportPath(planId, unitId, period), query: asOfQuery(asOf) } })),
  template: (planId: string, unitId: string, period: string) =>
    answer(api.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/template', { params: reportPath(planId, unitId, period) })),
  // If-Match with the revision the editor loaded: a draft saved meanwhile in another tab is not
  // overwritten silently (412, reload). The view's revision is the stream's, timer events included.
  saveDraft: (planId: string, unitId: string, period: string, lines: ReportLine[], revision?: number) =>
    answer(
      api.PUT('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/draft', {
        params: { ...reportPath(planId, unitId, period), header: ifMatch(revision) },
        body: { lines },
      }),
    ),
  submit: (planId: string, unitId: string, period: string, revisionFromCommand?: number) =>
    answer(
      api.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/submit', { params: { ...reportPath(planId, unitId, period), header: ifMatch(revisionFromCommand) } }),
    ),
  sign: (planId: string, unitId: string, period: string, contentHash: string) =>
    answer(api.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/sign', { params: reportPath(planId, unitId, period), body: { contentHash } })),
  receive: (planId: string, unitId: string, period: string) =>
    answer(api.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/receive', { params: reportPath(planId, unitId, period) })),
  return: (planId: string, unitId: string, period: string, reason: string) =>
    answer(api.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/return', { params: reportPath(planId, unitId, period), body: { reason } })),
  correct: (planId: string, unitId: string, period: string, body: Body<'/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/corrections', 'post'>) =>
    answer(api.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/corrections', { params: reportPath(planId, unitId, period), body })),
  openPeriod: (planId: string, period: string, key: string) =>
    answer(api.POST('/api/v1/plans/{planId}/reporting/periods/{period}/open', { params: { path: { planId, period }, header: commandHeaders({ idempotencyKey: key }) } })),
  compliance: (planId: string, asOf?: string | null) => answer(api.GET('/api/v1/plans/{planId}/reporting/compliance', { params: { path: { planId }, query: asOfQuery(asOf) } })),
};

export const ranking = {
  standings: (planId: string, period: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/ranking/standings', { params: { path: { planId }, query: { period, ...asOfQuery(asOf) } } })),
  standing: (planId: string, no: number, period: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/ranking/standings/{indicatorNo}/{period}', { params: { path: { planId, indicatorNo: no, period }, query: asOfQuery(asOf) } })),
  warnings: (planId: string, quarter: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/ranking/warnings', { params: { path: { planId }, query: { quarter, ...asOfQuery(asOf) } } })),
  scoringRules: (planId: string) => answer(api.GET('/api/v1/plans/{planId}/ranking/scoring-rules', { params: planPath(planId) })),
  score: (planId: string, period: string) => answer(api.GET('/api/v1/plans/{planId}/ranking/score', { params: { path: { planId }, query: { period } } })),
  publishScoringRule: (planId: string, body: Body<'/api/v1/plans/{planId}/ranking/scoring-rules', 'post'>) =>
    answer(api.POST('/api/v1/plans/{planId}/ranking/scoring-rules', { params: planPath(planId), body })),
  record: (planId: string, body: Body<'/api/v1/plans/{planId}/ranking/figures', 'post'>, key: string, revision?: number) =>
    answer(api.POST('/api/v1/plans/{planId}/ranking/figures', { params: { path: { planId }, header: commandHeaders({ idempotencyKey: key, ifMatch: revision }) }, body })),
  correct: (planId: string, no: number, period: string, body: Body<'/api/v1/plans/{planId}/ranking/figures/{indicatorNo}/{period}/corrections', 'post'>, revision: number) =>
    answer(
      api.POST('/api/v1/plans/{planId}/ranking/figures/{indicatorNo}/{period}/corrections', {
        params: { path: { planId, indicatorNo: no, period }, header: ifMatch(revision) },
        body,
      }),
    ),
  import: (planId: string, file: File, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return upload<Answer<'/api/v1/plans/{planId}/ranking/imports', 'post'>>(`/plans/${enc(planId)}/ranking/imports`, form, onProgress);
  },
  template: (planId: string, period: string) => download(`/plans/${enc(planId)}/ranking/imports/template`, { period }),
};

const quarterPath = (planId: string, quarter: string) => ({ path: { planId, quarter } });

export const assessment = {
  view: (planId: string, quarter: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/assessment/quarters/{quarter}', { params: { ...quarterPath(planId, quarter), query: asOfQuery(asOf) } })),
  known: (planId: string, quarter: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/assessment/quarters/{quarter}/known', { params: { ...quarterPath(planId, quarter), query: asOfQuery(asOf) } })),
  diff: (planId: string, quarter: string, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/assessment/quarters/{quarter}/diff', { params: { ...quarterPath(planId, quarter), query: asOfQuery(asOf) } })),
  prepare: (planId: string, quarter: string, reason: string | undefined, revision?: number) =>
    answer(
      api.POST('/api/v1/plans/{planId}/assessment/quarters/{quarter}/prepare', {
        params: { ...quarterPath(planId, quarter), header: ifMatch(revision) },
        body: reason ? { reason } : {},
      }),
    ),
  meeting: (planId: string, quarter: string, body: Body<'/api/v1/plans/{planId}/assessment/quarters/{quarter}/meeting', 'put'>, revision?: number) =>
    answer(api.PUT('/api/v1/plans/{planId}/assessment/quarters/{quarter}/meeting', { params: { ...quarterPath(planId, quarter), header: ifMatch(revision) }, body })),
  publish: (planId: string, quarter: string, revision?: number, reason?: string) =>
    answer(
      api.POST('/api/v1/plans/{planId}/assessment/quarters/{quarter}/publish', {
        params: { ...quarterPath(planId, quarter), header: ifMatch(revision) },
        body: reason ? { reason } : {},
      }),
    ),
};

/** The steps of a case and the body each takes (the document's DTOs). */
type CaseStepBodies = {
  acknowledge: Body<'/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/acknowledge', 'post'>;
  plan: Body<'/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/plan', 'post'>;
  feedback: Body<'/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/feedback', 'post'>;
  review: Body<'/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/review', 'post'>;
  escalations: Body<'/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/escalations', 'post'>;
  'leader-reports': Body<'/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/leader-reports', 'post'>;
  close: Body<'/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/close', 'post'>;
};
export type CaseAction = keyof CaseStepBodies;

function caseStep<A extends CaseAction>(planId: string, c: { unitId: string; indicatorNo: number; caseNo: number }, action: A, body: CaseStepBodies[A], revision?: number) {
  const path = { planId, unitId: c.unitId, indicatorNo: String(c.indicatorNo), caseNo: String(c.caseNo) };
  const params = { path, header: ifMatch(revision) };
  const b = body as never;
  switch (action) {
    case 'acknowledge':
      return answer(api.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/acknowledge', { params, body: b }));
    case 'plan':
      return answer(api.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/plan', { params, body: b }));
    case 'feedback':
      return answer(api.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/feedback', { params, body: b }));
    case 'review':
      return answer(api.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/review', { params, body: b }));
    case 'escalations':
      return answer(api.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/escalations', { params, body: b }));
    case 'leader-reports':
      // A report to the leaders changes no state the office could overwrite: no If-Match.
      return answer(api.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/leader-reports', { params: { path }, body: b }));
    default:
      return answer(api.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/close', { params, body: b }));
  }
}

export const supervision = {
  boardPage: (planId: string, q: { unitId?: string; status?: 'open' | 'closed' | 'all'; asOf?: string | null } & PageQuery) =>
    answer(
      api.GET('/api/v1/plans/{planId}/supervision/board', {
        params: { path: { planId }, query: { ...(q.unitId ? { unitId: q.unitId } : {}), status: q.status ?? 'open', ...asOfQuery(q.asOf), ...pageQuery(q) } },
      }),
    ),
  // The pages search, filter and count the board's cases as a whole: every page, and the moment their ages are worked out at.
  board: async (planId: string, q: { unitId?: string; status?: 'open' | 'closed' | 'all'; asOf?: string | null }) => {
    let asOf = '';
    const cases = await everyPage(async (p) => {
      const page = await supervision.boardPage(planId, { ...q, ...p });
      asOf = page.asOf;
      return page;
    });
    return { asOf, cases };
  },
  case: (planId: string, unitId: string, no: number, caseNo: number, asOf?: string | null) =>
    answer(
      api.GET('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}', {
        params: { path: { planId, unitId, indicatorNo: String(no), caseNo: String(caseNo) }, query: asOfQuery(asOf) },
      }),
    ),
  act: caseStep,
  open: (planId: string, body: Body<'/api/v1/plans/{planId}/supervision/cases', 'post'>, key: string) =>
    answer(api.POST('/api/v1/plans/{planId}/supervision/cases', { params: { path: { planId }, header: commandHeaders({ idempotencyKey: key }) }, body })),
  // Issue 12: a case on a ground the plan names (行动不力、工作滞后、成效不明显), whatever the colour.
  openOnGround: (planId: string, body: Body<'/api/v1/plans/{planId}/supervision/cases/on-ground', 'post'>, key: string) =>
    answer(api.POST('/api/v1/plans/{planId}/supervision/cases/on-ground', { params: { path: { planId }, header: commandHeaders({ idempotencyKey: key }) }, body })),
};

const yearPath = (planId: string, year: number) => ({ path: { planId, year: String(year) } });
const linePath = (planId: string, year: number, lineId: string) => ({ path: { planId, year: String(year), lineId } });

export const rewards = {
  proposal: (planId: string, year: number, asOf?: string | null) =>
    answer(api.GET('/api/v1/plans/{planId}/rewards/{year}/proposal', { params: { ...yearPath(planId, year), query: asOfQuery(asOf) } })),
  generate: (planId: string, year: number, reason: string | undefined, revision?: number) =>
    answer(api.POST('/api/v1/plans/{planId}/rewards/{year}/proposal', { params: { ...yearPath(planId, year), header: ifMatch(revision) }, body: reason ? { reason } : {} })),
  amend: (planId: string, year: number, lineId: string, body: Body<'/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/amend', 'post'>, revision: number) =>
    answer(api.POST('/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/amend', { params: { ...linePath(planId, year, lineId), header: ifMatch(revision) }, body })),
  submit: (planId: string, year: number, revision: number) =>
    answer(api.POST('/api/v1/plans/{planId}/rewards/{year}/submit', { params: { ...yearPath(planId, year), header: ifMatch(revision) } })),
  approve: (planId: string, year: number, listHash: string, revision: number, reason?: string) =>
    answer(
      api.POST('/api/v1/plans/{planId}/rewards/{year}/approve', {
        params: { ...yearPath(planId, year), header: ifMatch(revision) },
        body: { listHash, ...(reason ? { reason } : {}) },
      }),
    ),
  sendBack: (planId: string, year: number, reason: string, revision: number) =>
    answer(api.POST('/api/v1/plans/{planId}/rewards/{year}/send-back', { params: { ...yearPath(planId, year), header: ifMatch(revision) }, body: { reason } })),
  publish: (planId: string, year: number, revision: number, reason?: string) =>
    answer(api.POST('/api/v1/plans/{planId}/rewards/{year}/publish', { params: { ...yearPath(planId, year), header: ifMatch(revision) }, body: reason ? { reason } : {} })),
  evidencePage: (planId: string, year: number, lineId: string, q: PageQuery = {}) =>
    answer(api.GET('/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/evidence', { params: { ...linePath(planId, year, lineId), query: pageQuery(q) } })),
  // The drawer shows a line's evidence whole, oldest first (tens of events, a few pages at most).
  evidence: (planId: string, year: number, lineId: string) => everyPage((q) => rewards.evidencePage(planId, year, lineId, q)),
  // Issue 16: the year-end list and the decision as workbooks, the header row in the UI's language.
  xlsx: (planId: string, year: number, which: 'proposal' | 'decisions', language: string) =>
    download(`/plans/${enc(planId)}/rewards/${year}/${which}.xlsx`, {}, { 'accept-language': language }),
  // Issue 12: the office decides a unit whose indicators fall in different tiers.
  decideConflict: (planId: string, year: number, lineId: string, decision: 'reward' | 'penalty' | 'neither', reason: string, revision: number) =>
    answer(
      api.POST('/api/v1/plans/{planId}/rewards/{year}/lines/{lineId}/decide', {
        params: { ...linePath(planId, year, lineId), header: ifMatch(revision) },
        body: { decision, reason },
      }),
    ),
};

export const audit = {
  unitTimeline: (planId: string, unitId: string, q: { indicator?: number; period?: string; type?: string; cause?: string; after?: string | null; limit?: number }) =>
    answer(
      api.GET('/api/v1/plans/{planId}/audit/units/{unitId}/timeline', {
        params: {
          path: { planId, unitId },
          query: {
            ...(q.indicator ? { indicatorNo: q.indicator } : {}),
            ...(q.period ? { period: q.period } : {}),
            // Issue 12: event types and causes of a standing change, comma-separated.
            ...(q.type ? { type: q.type } : {}),
            ...(q.cause ? { cause: q.cause } : {}),
            ...(q.after ? { after: q.after } : {}),
            limit: q.limit ?? 50,
          },
        },
      }),
    ).then((p) => ({ entries: p.items, next: p.next })),
  diff: (planId: string, view: string, from: string, to: string | null, params: { period?: string; quarter?: string; year?: string }) =>
    answer(api.GET('/api/v1/plans/{planId}/audit/diff/{view}', { params: { path: { planId, view }, query: { from, ...(to ? { to } : {}), ...params } } })),
  provenance: (planId: string, period: string, no: number, field: string, asOf?: string | null) =>
    answer(
      api.GET('/api/v1/plans/{planId}/audit/provenance/annex2/{period}/{indicatorNo}/{field}', {
        params: { path: { planId, period, indicatorNo: no, field }, query: asOfQuery(asOf) },
      }),
    ),
  exportUnit: (planId: string, unitId: string, format: 'jsonl' | 'xlsx') => download(`/plans/${enc(planId)}/audit/units/${enc(unitId)}/export`, { format }),
  // Newest first, a page at a time (a seal is made every few minutes).
  seals: (q: PageQuery = {}) => answer(api.GET('/api/v1/audit/seals', { params: { query: pageQuery(q) } })),
  seal: (occasion: string) => answer(api.POST('/api/v1/audit/seals', { body: { occasion } })),
  verify: (seal?: string) => answer(api.POST('/api/v1/audit/verify', { body: seal ? { seal } : {} })),
};

/**
 * Attachments of a target, as the path of its files (segments encoded):
 * `plans/<plan>/attachments/reports/<unit>/<month>`, `…/cases/<unit>/<indicatorNo>/<caseNo>`, `…/decisions/<year>`.
 * The target is one of three paths, so these go through http.ts with the document's answer types.
 */
export const attachments = {
  target: (kind: 'reports' | 'cases' | 'decisions', planId: string, ...segments: (string | number)[]) =>
    ['plans', enc(planId), 'attachments', kind, ...segments.map((s) => enc(String(s)))].join('/'),
  // The files of one report, case or decision: every page.
  list: (target: string) =>
    everyPage((q) =>
      answer(
        api.GET(`/api/v1/${target}` as '/api/v1/plans/{planId}/attachments/reports/{unitId}/{period}', {
          params: { path: {} as { planId: string; unitId: string; period: string }, query: pageQuery(q) },
        }),
      ),
    ),
  upload: (target: string, file: File, step: string | undefined, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('file', file, file.name);
    if (step) form.append('step', step);
    return upload<Answer<'/api/v1/plans/{planId}/attachments/reports/{unitId}/{period}', 'post'>>(`/${target}`, form, onProgress);
  },
};

/** The official documents (公文, PDF) of a subject: listed, issued, downloaded. */
export const documents = {
  // The documents of one subject (a quarter, a case, a year): every page.
  list: (planId: string, subject: string) =>
    everyPage((q) => answer(api.GET('/api/v1/plans/{planId}/documents', { params: { path: { planId }, query: { subject, ...pageQuery(q) } } }))),
  issue: (planId: string, kind: DocumentKind, body: Body<'/api/v1/plans/{planId}/documents/issue/{kind}', 'post'>, key: string) =>
    answer(api.POST('/api/v1/plans/{planId}/documents/issue/{kind}', { params: { path: { planId, kind }, header: commandHeaders({ idempotencyKey: key }) }, body })),
  pdf: (planId: string, documentId: string) => download(`/plans/${enc(planId)}/documents/pdf/${enc(documentId)}`),
};

/** Notices (issue 16): my inbox, my to-do counts, my channels. */
export const notices = {
  // The bell shows the newest 20 and the counts of the whole inbox; the rest are a page away (`next`).
  inbox: (q: PageQuery = { limit: 20 }) => answer(api.GET('/api/v1/me/inbox', { params: { query: pageQuery(q) } })),
  read: (noticeId: string) => answer(api.POST('/api/v1/me/inbox/{noticeId}/read', { params: { path: { noticeId } } })),
  todo: () => answer(api.GET('/api/v1/me/todo')),
  channels: () => answer(api.GET('/api/v1/me/notice-channels')),
  choose: (channels: NoticeChannel[], email: string | null) => answer(api.PUT('/api/v1/me/notice-channels', { body: { channels, email } })),
};
