import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { DocReader, Projection } from '../../engine/projections/docs.js';
import { TIMER_EVENT_TYPES } from '../../engine/timers/timer-events.js';
import {
  SUPERVISION_EVENT_TYPES,
  type CaseGround,
  type CaseGroundKind,
  type CaseStep,
  type CloseReason,
  type DeadlineStep,
  type EscalationKind,
  type RedWarning,
  type StepDue,
  type SupervisionEvent,
} from './supervision.events.js';

export const SUPERVISION_BOARD_PROJECTION = 'supervision';

interface By {
  userId: string;
  role: string;
  name?: string;
}

export interface CaseHistoryEntry {
  type: string;
  at: string;
  by: By;
  reason?: string;
  position: string;
  /** The step's deadline set by this event, if any. */
  next?: StepDue | null;
}

export interface DeadlineRecord extends StepDue {
  setAt: string;
  remindedAt: string | null;
  overdueAt: string | null;
  /** When the step was done (or superseded by closing); null while it waits. */
  doneAt: string | null;
}

interface Review {
  decision: 'accepted' | 'more-requested';
  comment: string;
  by: By;
  at: string;
}

/** One case as its page shows it: every step, every deadline, and the history. */
export interface CaseView {
  planId: string;
  unitId: string;
  unitName: string;
  indicatorNo: number;
  indicatorName: string;
  caseNo: number;
  status: 'open' | 'closed';
  /** The case line stream's revision: the If-Match for the next command on it. */
  revision: number;
  openedAt: string;
  closedAt: string | null;
  step: CaseStep;
  next: StepDue | null;
  warnings: (RedWarning & { linkedAt: string })[];
  /** The ground the bureau opened the case on (行动不力、工作滞后、成效不明显), null for a case opened on a red warning. */
  ground?: CaseGround | null;
  acknowledged: { by: By; at: string; note: string } | null;
  plans: { text: string; rectifyBy: string; by: By; at: string; review: Review | null }[];
  feedbacks: { text: string; by: By; at: string; review: Review | null }[];
  escalations: { kind: EscalationKind; reason: string; by: By; at: string }[];
  leaderReports: { summary: string; by: By; at: string }[];
  deadlines: DeadlineRecord[];
  closure: { reason: CloseReason; text: string; evidence: unknown; by: By; at: string } | null;
  history: CaseHistoryEntry[];
}

/** The current case of a line, so timer events (which name no case) still move its revision. */
interface LineDoc {
  key: string;
}

export const caseKey = (planId: string, unitId: string, indicatorNo: number, caseNo: number) =>
  `${planId}/${unitId}/${String(indicatorNo).padStart(3, '0')}/${String(caseNo).padStart(4, '0')}`;

export const supervisionBoardProjection: Projection = {
  name: SUPERVISION_BOARD_PROJECTION,
  version: 1,
  eventTypes: [...SUPERVISION_EVENT_TYPES, ...TIMER_EVENT_TYPES],
  async apply(e, docs) {
    if (!e.streamId.startsWith('cases-')) return;
    if ((TIMER_EVENT_TYPES as readonly string[]).includes(e.type)) {
      const line = await docs.get<LineDoc>('lines', e.streamId);
      if (!line) return;
      const view = await docs.get<CaseView>('cases', line.key);
      if (view) docs.put('cases', line.key, { ...view, revision: e.revision });
      return;
    }
    const event = { type: e.type, data: e.data } as SupervisionEvent;
    const d = event.data;
    const key = caseKey(d.planId, d.unitId, d.indicatorNo, d.caseNo);
    const view = event.type === 'CaseOpened' ? opened(event.data, e) : await docs.get<CaseView>('cases', key);
    if (!view) return;
    docs.put('cases', key, applyToView(view, event, e));
    docs.put('lines', e.streamId, { key } satisfies LineDoc);
  },
};

function byOf(e: RecordedEvent): By {
  const a = e.metadata.actor;
  return { userId: a.userId, role: a.role, ...(a.name ? { name: a.name } : {}) };
}

function opened(d: Extract<SupervisionEvent, { type: 'CaseOpened' }>['data'], e: RecordedEvent): CaseView {
  return {
    planId: d.planId,
    unitId: d.unitId,
    unitName: d.unitName,
    indicatorNo: d.indicatorNo,
    indicatorName: d.indicatorName,
    caseNo: d.caseNo,
    status: 'open',
    revision: e.revision,
    openedAt: e.metadata.recordedAt,
    closedAt: null,
    step: 'acknowledge',
    next: null,
    warnings: [],
    acknowledged: null,
    plans: [],
    feedbacks: [],
    escalations: [],
    leaderReports: [],
    deadlines: [],
    closure: null,
    history: [],
  };
}

function applyToView(view: CaseView, event: SupervisionEvent, e: RecordedEvent): CaseView {
  const at = e.metadata.recordedAt;
  const by = byOf(e);
  const v: CaseView = { ...view, revision: e.revision };
  const next = 'next' in event.data ? event.data.next : undefined;
  v.history = [
    ...view.history,
    { type: event.type, at, by, ...(e.metadata.reason ? { reason: e.metadata.reason } : {}), position: e.position, ...(next !== undefined ? { next } : {}) },
  ];
  // A new deadline (or a closing) ends the step that was waiting.
  const finishCurrent = () => {
    v.deadlines = v.deadlines.map((d) => (d.doneAt === null ? { ...d, doneAt: at } : d));
  };
  const setNext = (n: StepDue | null) => {
    finishCurrent();
    v.next = n;
    if (n) {
      v.step = n.step;
      v.deadlines = [...v.deadlines, { ...n, setAt: at, remindedAt: null, overdueAt: null, doneAt: null }];
    }
  };
  switch (event.type) {
    case 'CaseOpened':
      v.warnings = event.data.warning ? [{ ...event.data.warning, linkedAt: at }] : [];
      v.ground = event.data.ground ?? null;
      setNext(event.data.next);
      break;
    case 'CaseWarningLinked':
      v.warnings = [...view.warnings, { ...event.data.warning, linkedAt: at }];
      break;
    case 'CaseAcknowledged':
      v.acknowledged = { by, at, note: event.data.note };
      setNext(event.data.next);
      break;
    case 'RectificationPlanSubmitted':
      v.plans = [...view.plans, { text: event.data.plan, rectifyBy: event.data.rectifyBy, by, at, review: null }];
      setNext(event.data.next);
      break;
    case 'RectificationFeedbackSubmitted':
      v.feedbacks = [...view.feedbacks, { text: event.data.feedback, by, at, review: null }];
      setNext(event.data.next);
      break;
    case 'CaseReviewed': {
      const review: Review = { decision: event.data.decision, comment: event.data.comment, by, at };
      if (event.data.subject === 'plan') v.plans = view.plans.map((p, i) => (i === view.plans.length - 1 ? { ...p, review } : p));
      else v.feedbacks = view.feedbacks.map((f, i) => (i === view.feedbacks.length - 1 ? { ...f, review } : f));
      if (event.data.next) setNext(event.data.next);
      else if (event.data.subject === 'feedback') {
        finishCurrent();
        v.next = null;
        v.step = 'close';
      }
      break;
    }
    case 'CaseEscalated':
      v.escalations = [...view.escalations, { kind: event.data.kind, reason: event.data.reason, by, at }];
      break;
    case 'CaseReportedToLeaders':
      v.leaderReports = [...view.leaderReports, { summary: event.data.summary, by, at }];
      break;
    case 'CaseStepReminderSent':
      v.deadlines = view.deadlines.map((d) => (d.seq === event.data.seq ? { ...d, remindedAt: at } : d));
      break;
    case 'CaseStepOverdue':
      v.deadlines = view.deadlines.map((d) => (d.seq === event.data.seq ? { ...d, overdueAt: at } : d));
      break;
    case 'CaseClosed':
      finishCurrent();
      v.status = 'closed';
      v.closedAt = at;
      v.next = null;
      v.closure = { reason: event.data.reason, text: event.data.text, evidence: event.data.evidence, by, at };
      break;
    default:
      break;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// The board: computed from the case documents at query time, so a case's age and whether its
// deadline has passed are as of the clock (or the asOf moment), not as of the last event.

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
  /** Whole days since opening (to closing, for a closed case). */
  ageDays: number;
  step: CaseStep;
  nextDeadline: { step: DeadlineStep; lastDay: string; dueAt: string } | null;
  /** The current step is past its deadline. */
  overdue: boolean;
  /** Every step that went overdue in this case. */
  overdueSteps: DeadlineStep[];
  escalations: { kind: EscalationKind; at: string }[];
  warnings: string[];
  /** The ground a case opened by the bureau rests on, null for a red warning's case. */
  ground: CaseGroundKind | null;
  closeReason: CloseReason | null;
  revision: number;
}

export interface BoardFilter {
  unitId?: string;
  indicatorNo?: number;
  status?: 'open' | 'closed' | 'all';
}

const DAY_MS = 86_400_000;

export function boardRow(c: CaseView, now: string): BoardRow {
  const end = c.closedAt ?? now;
  const current = c.deadlines.find((d) => d.doneAt === null && c.next?.seq === d.seq);
  return {
    planId: c.planId,
    unitId: c.unitId,
    unitName: c.unitName,
    indicatorNo: c.indicatorNo,
    indicatorName: c.indicatorName,
    caseNo: c.caseNo,
    status: c.status,
    openedAt: c.openedAt,
    closedAt: c.closedAt,
    ageDays: Math.max(0, Math.floor((Date.parse(end) - Date.parse(c.openedAt)) / DAY_MS)),
    step: c.step,
    nextDeadline: c.next ? { step: c.next.step, lastDay: c.next.lastDay, dueAt: c.next.dueAt } : null,
    overdue: c.status === 'open' && !!c.next && (!!current?.overdueAt || Date.parse(now) >= Date.parse(c.next.dueAt)),
    overdueSteps: c.deadlines.filter((d) => d.overdueAt).map((d) => d.step),
    escalations: c.escalations.map((x) => ({ kind: x.kind, at: x.at })),
    warnings: c.warnings.map((w) => w.quarter),
    ground: c.ground?.ground ?? null,
    closeReason: c.closure?.reason ?? null,
    revision: c.revision,
  };
}

/** Open cases first, soonest deadline first; then closed ones, most recently closed first. */
export async function supervisionBoard(docs: DocReader, planId: string, filter: BoardFilter, now: string): Promise<BoardRow[]> {
  const prefix = filter.unitId ? `${planId}/${filter.unitId}/` : `${planId}/`;
  const status = filter.status ?? 'open';
  const rows = (await docs.list<CaseView>('cases', prefix))
    .map((r) => r.doc)
    .filter((c) => (filter.indicatorNo === undefined || c.indicatorNo === filter.indicatorNo) && (status === 'all' || c.status === status))
    .map((c) => boardRow(c, now));
  const dueOf = (r: BoardRow) => (r.nextDeadline ? Date.parse(r.nextDeadline.dueAt) : Number.POSITIVE_INFINITY);
  return rows.sort((a, b) => {
    if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
    if (a.status === 'open') return dueOf(a) - dueOf(b) || b.ageDays - a.ageDays;
    return (b.closedAt ?? '').localeCompare(a.closedAt ?? '');
  });
}
