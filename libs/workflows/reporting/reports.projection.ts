import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocReader, Projection } from '../../engine/projections/docs.js';
import { TIMER_EVENT_TYPES } from '../../engine/timers/timer-events.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import type { ReportIndicator, ReportLine } from './report-content.js';
import { REPORTING_EVENT_TYPES, reportStream, type ReportingEvent } from './reporting.events.js';
import type { ReportStatus } from './reporting.decider.js';

export const REPORTS_PROJECTION = 'reports';

/** The streams behind the reports of some months: every responsible unit's report of each. */
export function reportStreams(plan: Pick<PlanDefinition, 'id' | 'units'>, periods: readonly string[]): string[] {
  return plan.units.flatMap((u) => periods.map((period) => reportStream({ planId: plan.id, unitId: u.id, period })));
}

export interface StepRecord {
  type: string;
  at: string;
  /** A person as every view names one (issue 14): who, in which role, and their name. */
  by: { userId: string; role: string; name?: string };
  /** The unit the office entered this for (its paper report): `by` typed it, for this unit. */
  onBehalfOf?: string;
  reason?: string;
  position: string;
}

/** One monthly report as people read it: its content, where it stands, and how it got there. */
export interface ReportView {
  planId: string;
  unitId: string;
  unitName: string;
  period: string;
  status: ReportStatus;
  /** The stream revision: the If-Match for the next command on this report. */
  revision: number;
  dueAt: string;
  reminderAt: string;
  indicators: ReportIndicator[];
  lines: ReportLine[];
  contentHash: string | null;
  submitted: { by: StepRecord['by']; at: string; onBehalfOf?: string; late: { byMinutes: number } | null; lagging: number[] } | null;
  signature: { userId: string; name: string; at: string; contentHash: string; seal: { unitId: string; unitName: string } } | null;
  /**
   * Timeliness, judged when the signed and sealed report is in (经主要负责人签字并加盖单位印章后，于次月6日前报送):
   * the first signature's. Null until then. Older reports, judged at submission, keep that judgment.
   */
  timeliness: { at: string; late: { byMinutes: number } | null; judgedAt: 'signature' | 'submission' } | null;
  /** Who the last reminder went to: the unit (unsubmitted) or its head (waiting for the signature). */
  remindedTo: 'unit' | 'head' | null;
  received: { by: StepRecord['by']; at: string } | null;
  /** The paper copies (一式两份), when the office recorded them. */
  paperCopies?: { copies: number; by: StepRecord['by']; at: string } | null;
  returns: { reason: string; by: StepRecord['by']; at: string }[];
  overdueAt: string | null;
  remindedAt: string | null;
  corrections: {
    indicatorNo: number;
    field: 'value' | 'rank';
    previous: number | null;
    corrected: number | null;
    reason: string;
    by: StepRecord['by'];
    at: string;
    position: string;
  }[];
  steps: StepRecord[];
}

/** One cell of the compliance board: a unit × a month. */
export interface ComplianceCell {
  planId: string;
  unitId: string;
  unitName: string;
  period: string;
  status: ReportStatus;
  dueAt: string;
  /** Null until the signed and sealed report is in (reports recorded before the rule: until submitted). */
  onTime: boolean | null;
  lateByMinutes: number | null;
  overdue: boolean;
  returned: number;
  signed: boolean;
  received: boolean;
  corrections: number;
}

export const reportKey = (planId: string, unitId: string, period: string) => `${planId}/${unitId}/${period}`;
export const cellKey = (planId: string, period: string, unitId: string) => `${planId}/${period}/${unitId}`;

/** Reports (a unit's own dashboard reads them) and the compliance board. */
export const reportsProjection: Projection = {
  name: REPORTS_PROJECTION,
  // 2: timer events move the revision too, so the ETag is the stream's revision.
  // 3: timeliness is judged at the signature; steps show on whose behalf.
  // 4: submitted, received, paper copies, returns and corrections name the person as {userId, role, name}.
  version: 4,
  eventTypes: [...REPORTING_EVENT_TYPES, ...TIMER_EVENT_TYPES],
  async apply(e, docs) {
    const event = { type: e.type, data: e.data } as ReportingEvent;
    if (!('planId' in event.data)) {
      // A timer event names no report: find the report by its stream, and move its revision.
      const key = await docs.get<string>('streams', e.streamId);
      const view = key ? await docs.get<ReportView>('reports', key) : undefined;
      if (key && view) docs.put('reports', key, { ...view, revision: e.revision });
      return;
    }
    const { planId, unitId, period } = event.data;
    const key = reportKey(planId, unitId, period);
    if (event.type === 'ReportOpened') docs.put('streams', e.streamId, key);
    const view = event.type === 'ReportOpened' ? opened(event.data) : await docs.get<ReportView>('reports', key);
    if (!view) {
      // Never skip: a report event before its ReportOpened means the global order is broken (events
      // appended at low transaction ids after a restore), and skipping it would lose it for good.
      throw new Error(
        `projection ${REPORTS_PROJECTION}: ${e.type} of report ${key} (stream "${e.streamId}" revision ${e.revision}, position ${e.position}) arrived before its ReportOpened; ` +
          `the projection stops here rather than drop it. The global order is broken — events appended at low transaction ids after a restore? See docs/deploy.md §3.4 (jixiao recover-writes).`,
      );
    }
    const next = applyToView(view, event, e);
    docs.put('reports', key, next);
    docs.put('compliance', cellKey(planId, period, unitId), toCell(next));
  },
};

function opened(d: Extract<ReportingEvent, { type: 'ReportOpened' }>['data']): ReportView {
  return {
    planId: d.planId,
    unitId: d.unitId,
    unitName: d.unitName,
    period: d.period,
    status: 'open',
    revision: -1,
    dueAt: d.dueAt,
    reminderAt: d.reminderAt,
    indicators: d.indicators,
    lines: [],
    contentHash: null,
    submitted: null,
    signature: null,
    timeliness: null,
    remindedTo: null,
    received: null,
    returns: [],
    overdueAt: null,
    remindedAt: null,
    corrections: [],
    steps: [],
  };
}

function applyToView(view: ReportView, event: ReportingEvent, e: RecordedEvent): ReportView {
  const m = e.metadata;
  const at = m.recordedAt;
  const v: ReportView = { ...view, revision: e.revision };
  const step: StepRecord = {
    type: event.type,
    at,
    by: { userId: m.actor.userId, role: m.actor.role, ...(m.actor.name ? { name: m.actor.name } : {}) },
    ...(m.onBehalfOf ? { onBehalfOf: m.onBehalfOf } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
    position: e.position,
  };
  v.steps = [...view.steps, step];
  switch (event.type) {
    case 'ReportOpened':
      break;
    case 'ReportDraftSaved':
      v.status = 'draft';
      v.lines = event.data.lines;
      break;
    case 'ReportSubmitted':
      v.status = 'submitted';
      v.lines = event.data.lines;
      v.contentHash = event.data.contentHash;
      v.signature = null;
      v.submitted = {
        by: step.by,
        at,
        ...(m.onBehalfOf ? { onBehalfOf: m.onBehalfOf } : {}),
        // Older events judged timeliness at the first submission; a resubmission after a return keeps it.
        late: view.submitted ? view.submitted.late : event.data.late ? { byMinutes: event.data.late.byMinutes } : null,
        lagging: event.data.lagging,
      };
      if (!view.timeliness && event.data.late !== undefined) {
        v.timeliness = { at, late: event.data.late ? { byMinutes: event.data.late.byMinutes } : null, judgedAt: 'submission' };
      }
      break;
    case 'ReportSigned':
      v.status = 'signed';
      v.signature = { userId: event.data.signedBy.userId, name: event.data.signedBy.name, at, contentHash: event.data.contentHash, seal: event.data.seal };
      // The first signature decides; a second one after a return does not change it.
      if (!view.timeliness && event.data.late !== undefined) {
        v.timeliness = { at, late: event.data.late ? { byMinutes: event.data.late.byMinutes } : null, judgedAt: 'signature' };
      }
      break;
    case 'ReportReceived':
      v.status = 'received';
      v.received = { by: step.by, at };
      break;
    case 'ReportPaperCopiesReceived':
      v.paperCopies = { copies: event.data.copies, by: step.by, at };
      break;
    case 'ReportReturned':
      v.status = 'returned';
      v.signature = null;
      v.returns = [...view.returns, { reason: event.data.reason, by: step.by, at }];
      break;
    case 'ReportReminderSent':
      v.remindedAt = at;
      v.remindedTo = event.data.to ?? 'unit';
      break;
    case 'ReportOverdue':
      v.overdueAt = at;
      break;
    case 'FigureCorrected':
      v.corrections = [
        ...view.corrections,
        {
          indicatorNo: event.data.indicatorNo,
          field: event.data.field,
          previous: event.data.previous,
          corrected: event.data.corrected,
          reason: event.data.reason,
          by: step.by,
          at,
          position: e.position,
        },
      ];
      break;
    default:
      break;
  }
  return v;
}

function toCell(v: ReportView): ComplianceCell {
  return {
    planId: v.planId,
    unitId: v.unitId,
    unitName: v.unitName,
    period: v.period,
    status: v.status,
    dueAt: v.dueAt,
    onTime: v.timeliness ? v.timeliness.late === null : null,
    lateByMinutes: v.timeliness?.late?.byMinutes ?? null,
    overdue: v.overdueAt !== null,
    returned: v.returns.length,
    signed: v.signature !== null || v.status === 'received',
    received: v.status === 'received',
    corrections: v.corrections.length,
  };
}

export interface ComplianceBoard {
  planId: string;
  periods: string[];
  asOf?: string;
  units: { unitId: string; unitName: string; shortName: string; cells: Record<string, ComplianceCell | null> }[];
}

/**
 * The compliance board of some months from the projection's documents (stored, or folded as of a
 * moment): the live board and the audit view of it as known then are one shape (issue 14).
 */
export async function complianceBoard(
  docs: DocReader,
  plan: PlanDefinition,
  periods: string[],
  keep: (unit: PlanDefinition['units'][number]) => boolean = () => true,
): Promise<ComplianceBoard> {
  const cells = new Map((await docs.list<ComplianceCell>('compliance', `${plan.id}/`)).map((r) => [r.key, r.doc]));
  return {
    planId: plan.id,
    periods,
    units: plan.units.filter(keep).map((u) => ({
      unitId: u.id,
      unitName: u.name,
      shortName: u.shortName,
      cells: Object.fromEntries(periods.map((period) => [period, cells.get(cellKey(plan.id, period, u.id)) ?? null])),
    })),
  };
}
