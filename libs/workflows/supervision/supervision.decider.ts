import { assertNever, DomainError, type Command, type Decider } from '../../engine/commands/command.js';
import { cancelTimer, pendingTimers, scheduleTimer, type TimerScheduled } from '../../engine/timers/timer-events.js';
import { authorize } from '../access/access.js';
import { isIsoDate } from '../plan/working-calendar.js';
import { deadlineAfter, deadlineOn, localDate, type DeadlineDates, type Schedule } from './supervision.deadlines.js';
import {
  CASE_GROUNDS,
  caseLineStream,
  CLOSE_REASONS,
  ESCALATION_KINDS,
  type CaseLineEvent,
  type CaseGroundKind,
  type CaseLineRef,
  type CaseRef,
  type CaseStep,
  type CloseReason,
  type DeadlineStep,
  type EscalationKind,
  type RedWarning,
  type StandingFact,
  type StepDue,
  type SupervisionEvent,
} from './supervision.events.js';

/** What the plan says about a case, looked up by the handler and recorded in the events it causes. */
export interface CaseContext {
  unitName: string;
  indicatorName: string;
}

/** The standings the handler read from the ranking events for a closing decision. */
export interface ClosingStanding {
  /** The indicator's latest known standing (the latest period with a standing), null if none. */
  latest: StandingFact | null;
  /** Every period of the indicator with a standing, as known now (the decision picks the case's periods). */
  byPeriod: StandingFact[];
}

export type SupervisionCommand =
  | Command<'supervision.Open', CaseLineRef & { warning: RedWarning; context: CaseContext; schedule: Schedule }>
  | Command<
      'supervision.OpenOnGround',
      CaseLineRef & { ground: CaseGroundKind; period: string; note: string; context: CaseContext; schedule: Schedule; standing: StandingFact | null }
    >
  | Command<'supervision.Acknowledge', CaseRef & { note?: string; schedule: Schedule }>
  | Command<'supervision.SubmitRectificationPlan', CaseRef & { plan: string; rectifyBy: string; schedule: Schedule }>
  | Command<'supervision.SubmitFeedback', CaseRef & { feedback: string; schedule: Schedule }>
  | Command<'supervision.Review', CaseRef & { decision: 'accept' | 'request-more'; comment?: string; schedule: Schedule }>
  | Command<'supervision.Escalate', CaseRef & { kind: EscalationKind }>
  | Command<'supervision.ReportToLeaders', CaseRef & { summary: string }>
  | Command<'supervision.Close', CaseRef & { reason: CloseReason; text: string; standing: ClosingStanding }>
  | Command<'supervision.RemindStep', CaseRef & { step: DeadlineStep; seq: number }>
  | Command<'supervision.MarkStepOverdue', CaseRef & { step: DeadlineStep; seq: number }>;

export const SUPERVISION_COMMANDS = [
  'supervision.Open',
  'supervision.OpenOnGround',
  'supervision.Acknowledge',
  'supervision.SubmitRectificationPlan',
  'supervision.SubmitFeedback',
  'supervision.Review',
  'supervision.Escalate',
  'supervision.ReportToLeaders',
  'supervision.Close',
  'supervision.RemindStep',
  'supervision.MarkStepOverdue',
] as const satisfies readonly SupervisionCommand['type'][];

export interface CaseState {
  caseNo: number;
  status: 'open' | 'closed';
  warnings: RedWarning[];
  step: CaseStep;
  /** The current step's deadline; null while waiting for the bureau to close. */
  due: StepDue | null;
  /** Deadlines set so far in this case. */
  seq: number;
  /** Deadline seqs that passed: overdue steps. */
  overdue: number[];
  plan: { text: string; rectifyBy: string; accepted: boolean } | null;
  feedback: { text: string; accepted: boolean } | null;
}

/** The line of cases of one unit for one indicator. */
export interface CaseLineState {
  cases: number;
  current: CaseState | null;
  timers: TimerScheduled['data'][];
}

const initialState = (): CaseLineState => ({ cases: 0, current: null, timers: [] });

export function evolveCaseLine(s: CaseLineState, e: CaseLineEvent): CaseLineState {
  const c = s.current;
  const withCase = (patch: Partial<CaseState>): CaseLineState => (c ? { ...s, current: { ...c, ...patch } } : s);
  switch (e.type) {
    case 'CaseOpened':
      return {
        ...s,
        cases: e.data.caseNo,
        current: {
          caseNo: e.data.caseNo,
          status: 'open',
          warnings: e.data.warning ? [e.data.warning] : [],
          step: 'acknowledge',
          due: e.data.next,
          seq: e.data.next.seq,
          overdue: [],
          plan: null,
          feedback: null,
        },
      };
    case 'CaseWarningLinked':
      return withCase({ warnings: [...(c?.warnings ?? []), e.data.warning] });
    case 'CaseAcknowledged':
      return withCase({ step: 'plan', due: e.data.next, seq: e.data.next.seq });
    case 'RectificationPlanSubmitted':
      return withCase({ step: 'feedback', due: e.data.next, seq: e.data.next.seq, plan: { text: e.data.plan, rectifyBy: e.data.rectifyBy, accepted: false } });
    case 'RectificationFeedbackSubmitted':
      return withCase({ step: 'review', due: e.data.next, seq: e.data.next.seq, feedback: { text: e.data.feedback, accepted: false } });
    case 'CaseReviewed': {
      if (!c) return s;
      const { subject, decision, next } = e.data;
      const seq = next ? next.seq : c.seq;
      if (subject === 'plan') {
        return decision === 'accepted' ? withCase({ plan: c.plan && { ...c.plan, accepted: true } }) : withCase({ step: 'plan', due: next, seq });
      }
      return decision === 'accepted'
        ? withCase({ step: 'close', due: null, feedback: c.feedback && { ...c.feedback, accepted: true } })
        : withCase({ step: 'feedback', due: next, seq, feedback: null });
    }
    case 'CaseStepOverdue':
      return withCase({ overdue: [...(c?.overdue ?? []), e.data.seq] });
    case 'CaseClosed':
      return withCase({ status: 'closed', due: null });
    case 'CaseEscalated':
    case 'CaseReportedToLeaders':
    case 'CaseStepReminderSent':
      return s;
    case 'TimerScheduled':
    case 'TimerFired':
    case 'TimerCancelled':
      return { ...s, timers: pendingTimers([...s.timers.map((data) => ({ type: 'TimerScheduled', data })), e]) };
    default:
      return assertNever(e, 'supervision event');
  }
}

const STEP_WORDS: Record<CaseStep, string> = {
  acknowledge: 'waiting for the unit to acknowledge the case',
  plan: 'waiting for the unit’s rectification plan',
  feedback: 'waiting for the unit’s rectification feedback',
  review: 'waiting for the bureau to review the feedback',
  close: 'waiting for the bureau to close it (the feedback was accepted)',
};

export const supervisionDecider: Decider<SupervisionCommand, CaseLineEvent, CaseLineState> = {
  initialState,
  evolve: evolveCaseLine,

  authorize(c) {
    switch (c.type) {
      case 'supervision.Open':
        return authorize(c.meta.actor, 'supervision.open');
      case 'supervision.OpenOnGround':
        // A judgement of the bureau's own (督查局): never the system, the office or a unit.
        return authorize(c.meta.actor, 'supervision.open-on-ground');
      case 'supervision.Acknowledge':
      case 'supervision.SubmitRectificationPlan':
      case 'supervision.SubmitFeedback':
        // Unit-scoped: only the head or a reporter of the case's own unit.
        return authorize(c.meta.actor, 'supervision.respond', c.data.unitId);
      case 'supervision.Review':
      case 'supervision.Escalate':
      case 'supervision.ReportToLeaders':
      case 'supervision.Close':
        return authorize(c.meta.actor, 'supervision.review');
      case 'supervision.RemindStep':
      case 'supervision.MarkStepOverdue':
        return authorize(c.meta.actor, 'supervision.deadline');
      default:
        return assertNever(c, 'supervision command');
    }
  },

  decide(c, s) {
    const now = c.meta.now;
    switch (c.type) {
      case 'supervision.Open': {
        const { warning } = c.data;
        const line = { planId: c.data.planId, unitId: c.data.unitId, indicatorNo: c.data.indicatorNo };
        if (warning.warning !== 'red') {
          throw new DomainError('warning-not-red', `a supervision case is opened for a red warning; indicator ${line.indicatorNo} is ${warning.warning} for ${warning.quarter}`, {
            params: { indicatorNo: line.indicatorNo, period: warning.quarter, warning: warning.warning },
            status: 422,
          });
        }
        const open = s.current?.status === 'open' ? s.current : null;
        if (open) {
          // A repeated red: the open case takes it on, once per period.
          if (open.warnings.some((w) => w.quarter === warning.quarter)) return [];
          return [{ type: 'CaseWarningLinked', data: { ...line, caseNo: open.caseNo, warning } }];
        }
        const ref = { ...line, caseNo: s.cases + 1 };
        const next = due('acknowledge', 1, deadlineAfter(c.data.schedule.rules.acknowledgeWorkingDays, c.data.schedule, now));
        return [{ type: 'CaseOpened', data: { ...ref, unitName: c.data.context.unitName, indicatorName: c.data.context.indicatorName, warning, next } }, ...timersFor(ref, next)];
      }

      case 'supervision.OpenOnGround': {
        // "对行动不力、工作滞后、成效不明显的，视情形予以通报、约谈": whatever the colour, with the ground recorded.
        const line = { planId: c.data.planId, unitId: c.data.unitId, indicatorNo: c.data.indicatorNo };
        if (!(CASE_GROUNDS as readonly string[]).includes(c.data.ground)) {
          throw new DomainError('invalid-ground', `a case is opened on one of the document's grounds: ${CASE_GROUNDS.join(', ')} (行动不力、工作滞后、成效不明显)`, {
            status: 422,
            fields: [{ field: 'ground', message: CASE_GROUNDS.join(' | ') }],
          });
        }
        const note = (c.data.note ?? c.meta.reason ?? '').trim();
        if (!note) throw reasonRequired('say what the unit did or failed to do', 'note');
        if (s.current?.status === 'open') {
          throw new DomainError(
            'case-already-open',
            `case ${s.current.caseNo} of unit ${line.unitId} for indicator ${line.indicatorNo} is open: follow it up (or escalate it) rather than open another`,
            { params: { indicatorNo: line.indicatorNo }, caseNo: s.current.caseNo },
          );
        }
        const ref = { ...line, caseNo: s.cases + 1 };
        const next = due('acknowledge', 1, deadlineAfter(c.data.schedule.rules.acknowledgeWorkingDays, c.data.schedule, now));
        const ground = { ground: c.data.ground, period: c.data.period, note, standing: c.data.standing };
        return [
          { type: 'CaseOpened', data: { ...ref, unitName: c.data.context.unitName, indicatorName: c.data.context.indicatorName, warning: null, ground, next } },
          ...timersFor(ref, next),
        ];
      }

      case 'supervision.Acknowledge': {
        const k = openCase(s, c.data);
        expectStep(k, 'acknowledge', 'acknowledge');
        const next = due('plan', k.seq + 1, deadlineAfter(c.data.schedule.rules.planWorkingDays, c.data.schedule, now));
        return [
          { type: 'CaseAcknowledged', data: { ...refOf(c.data), note: (c.data.note ?? '').trim(), next } },
          ...moveTimers(s, refOf(c.data), next, 'the case was acknowledged'),
        ];
      }

      case 'supervision.SubmitRectificationPlan': {
        const k = openCase(s, c.data);
        expectStep(k, 'plan', 'submit a rectification plan');
        const plan = required(c.data.plan, 'plan', 'the rectification plan (整改方案) is required');
        const today = localDate(now, c.data.schedule.timeZone);
        if (!isIsoDate(c.data.rectifyBy) || c.data.rectifyBy <= today) {
          throw new DomainError('invalid-rectify-by', `rectifyBy must be a date written YYYY-MM-DD after today (${today}): the day the unit commits to finish rectifying`, {
            params: { notAfter: c.data.schedule.calendar.covers.to },
            status: 422,
            fields: [{ field: 'rectifyBy', message: `a date after ${today}` }],
          });
        }
        // Past the working calendars the plan ships, no deadline can be counted: a 422, not the calendar's RangeError (a 500).
        const covered = c.data.schedule.calendar.covers.to;
        if (c.data.rectifyBy > covered) {
          throw new DomainError('invalid-rectify-by', `rectifyBy must be on or before ${covered}, the end of the working calendars the plan has`, {
            params: { notAfter: covered },
            status: 422,
            fields: [{ field: 'rectifyBy', message: `a date on or before ${covered}` }],
          });
        }
        const next = due('feedback', k.seq + 1, deadlineOn(c.data.rectifyBy, c.data.schedule, now));
        return [
          { type: 'RectificationPlanSubmitted', data: { ...refOf(c.data), plan, rectifyBy: c.data.rectifyBy, next } },
          ...moveTimers(s, refOf(c.data), next, 'the rectification plan was submitted'),
        ];
      }

      case 'supervision.SubmitFeedback': {
        const k = openCase(s, c.data);
        expectStep(k, 'feedback', 'submit rectification feedback');
        const feedback = required(c.data.feedback, 'feedback', 'the rectification feedback (整改反馈) is required');
        const next = due('review', k.seq + 1, deadlineAfter(c.data.schedule.rules.reviewWorkingDays, c.data.schedule, now));
        return [
          { type: 'RectificationFeedbackSubmitted', data: { ...refOf(c.data), feedback, next } },
          ...moveTimers(s, refOf(c.data), next, 'the rectification feedback was submitted'),
        ];
      }

      case 'supervision.Review': {
        const k = openCase(s, c.data);
        const subject = k.step === 'review' ? 'feedback' : k.step === 'feedback' && k.plan && !k.plan.accepted ? 'plan' : null;
        if (!subject) {
          throw new DomainError('nothing-to-review', `case ${k.caseNo} has nothing to review: it is ${STEP_WORDS[k.step]}`, { params: { caseNo: k.caseNo, step: k.step } });
        }
        const ref = refOf(c.data);
        const comment = (c.data.comment ?? c.meta.reason ?? '').trim();
        if (c.data.decision === 'accept') {
          return [
            { type: 'CaseReviewed', data: { ...ref, subject, decision: 'accepted', comment, next: null } },
            // Accepting the plan leaves the feedback deadline running; accepting the feedback ends the unit's part.
            ...(subject === 'feedback' ? s.timers.map((t) => cancelTimer(t.timerId, 'the rectification feedback was accepted')) : []),
          ];
        }
        if (c.data.decision !== 'request-more') {
          throw new DomainError('invalid-decision', 'decision must be accept or request-more', { status: 422, fields: [{ field: 'decision', message: 'accept | request-more' }] });
        }
        if (!comment) throw reasonRequired('say what more the unit must do');
        const next = due(subject, k.seq + 1, deadlineAfter(c.data.schedule.rules.resubmitWorkingDays, c.data.schedule, now));
        return [
          { type: 'CaseReviewed', data: { ...ref, subject, decision: 'more-requested', comment, next } },
          ...moveTimers(s, ref, next, `the ${subject === 'plan' ? 'rectification plan' : 'feedback'} was sent back for more`),
        ];
      }

      case 'supervision.Escalate': {
        openCase(s, c.data);
        if (!(ESCALATION_KINDS as readonly string[]).includes(c.data.kind)) {
          throw new DomainError('invalid-escalation', 'an escalation is a public notice (public-notice, 通报) or an admonitory talk (admonitory-talk, 约谈)', {
            status: 422,
            fields: [{ field: 'kind', message: ESCALATION_KINDS.join(' | ') }],
          });
        }
        const reason = c.meta.reason?.trim();
        if (!reason) throw reasonRequired(`a ${c.data.kind === 'public-notice' ? 'public notice (通报)' : 'admonitory talk (约谈)'} needs a reason`);
        return [{ type: 'CaseEscalated', data: { ...refOf(c.data), kind: c.data.kind, reason } }];
      }

      case 'supervision.ReportToLeaders': {
        // The result of a case, closed or not, is reported to the county leaders (督查结果及时上报).
        existingCase(s, c.data);
        const summary = required(c.data.summary, 'summary', 'a report to the leaders needs its summary');
        return [{ type: 'CaseReportedToLeaders', data: { ...refOf(c.data), summary } }];
      }

      case 'supervision.Close': {
        const k = openCase(s, c.data);
        if (!(CLOSE_REASONS as readonly string[]).includes(c.data.reason)) {
          throw new DomainError('invalid-close-reason', `a case closes only for one of: ${CLOSE_REASONS.join(', ')}`, {
            status: 422,
            fields: [{ field: 'reason', message: CLOSE_REASONS.join(' | ') }],
          });
        }
        const text = (c.data.text ?? c.meta.reason ?? '').trim();
        if (!text) throw reasonRequired('closing a case needs an explanation', 'text');
        const evidence = closingEvidence(k, c.data.reason, c.data.standing);
        return [{ type: 'CaseClosed', data: { ...refOf(c.data), reason: c.data.reason, text, evidence } }, ...s.timers.map((t) => cancelTimer(t.timerId, 'the case was closed'))];
      }

      case 'supervision.RemindStep': {
        const k = s.current;
        if (!k || k.caseNo !== c.data.caseNo || k.status !== 'open' || k.due?.seq !== c.data.seq || k.due.step !== c.data.step) return [];
        return [{ type: 'CaseStepReminderSent', data: { ...refOf(c.data), step: k.due.step, seq: k.due.seq, dueAt: k.due.dueAt } }];
      }

      case 'supervision.MarkStepOverdue': {
        const k = s.current;
        if (!k || k.caseNo !== c.data.caseNo || k.status !== 'open' || k.due?.seq !== c.data.seq || k.due.step !== c.data.step || k.overdue.includes(k.due.seq)) return [];
        return [{ type: 'CaseStepOverdue', data: { ...refOf(c.data), step: k.due.step, seq: k.due.seq, dueAt: k.due.dueAt } }];
      }

      default:
        return assertNever(c, 'supervision command');
    }
  },
};

function refOf(d: CaseRef): CaseRef {
  return { planId: d.planId, unitId: d.unitId, indicatorNo: d.indicatorNo, caseNo: d.caseNo };
}

function due(step: DeadlineStep, seq: number, dates: DeadlineDates): StepDue {
  return { step, seq, lastDay: dates.lastDay, dueAt: dates.dueAt, reminderAt: dates.reminderAt };
}

function existingCase(s: CaseLineState, ref: CaseRef): CaseState {
  if (!s.current || ref.caseNo < 1 || ref.caseNo > s.cases) {
    throw new DomainError('case-not-found', `unit ${ref.unitId} has no case ${ref.caseNo} for indicator ${ref.indicatorNo}`, {
      params: { indicatorNo: ref.indicatorNo, caseNo: ref.caseNo },
      status: 404,
    });
  }
  if (ref.caseNo !== s.current.caseNo) {
    throw new DomainError('case-superseded', `case ${ref.caseNo} is closed; case ${s.current.caseNo} is the current one for unit ${ref.unitId} and indicator ${ref.indicatorNo}`, {
      params: { caseNo: ref.caseNo, currentCaseNo: s.current.caseNo },
    });
  }
  return s.current;
}

function openCase(s: CaseLineState, ref: CaseRef): CaseState {
  const k = existingCase(s, ref);
  if (k.status !== 'open')
    throw new DomainError('case-closed', `case ${k.caseNo} of unit ${ref.unitId} for indicator ${ref.indicatorNo} is closed`, { params: { caseNo: k.caseNo } });
  return k;
}

function expectStep(k: CaseState, step: CaseStep, what: string): void {
  if (k.step !== step) throw new DomainError('step-out-of-order', `cannot ${what} now: case ${k.caseNo} is ${STEP_WORDS[k.step]}`, { params: { caseNo: k.caseNo }, step: k.step });
}

function required(text: string | undefined, field: string, message: string): string {
  const t = (text ?? '').trim();
  if (!t) throw new DomainError(`${field}-required`, message, { status: 422, fields: [{ field, message: 'required' }] });
  return t;
}

function reasonRequired(message: string, field = 'reason'): DomainError {
  return new DomainError('reason-required', message, { status: 422, fields: [{ field, message: 'required' }] });
}

function timersFor(ref: CaseRef, next: StepDue): CaseLineEvent[] {
  const id = `${caseLineStream(ref)}-${ref.caseNo}-${next.seq}-${next.step}`;
  const data = { ...ref, step: next.step, seq: next.seq };
  return [
    ...(next.reminderAt
      ? [
          scheduleTimer({
            timerId: `${id}-reminder`,
            dueAt: next.reminderAt,
            command: { type: 'supervision.RemindStep', data },
            purpose: `reminder before the ${next.step} deadline (${next.lastDay})`,
          }),
        ]
      : []),
    scheduleTimer({
      timerId: `${id}-due`,
      dueAt: next.dueAt,
      command: { type: 'supervision.MarkStepOverdue', data },
      purpose: `the ${next.step} deadline: after ${next.lastDay} the step is overdue`,
    }),
  ];
}

/** The old step's timers leave the schedule with a reason; the new step's are set. */
function moveTimers(s: CaseLineState, ref: CaseRef, next: StepDue, why: string): CaseLineEvent[] {
  return [...s.timers.map((t) => cancelTimer(t.timerId, why)), ...timersFor(ref, next)];
}

function closingEvidence(k: CaseState, reason: CloseReason, standing: ClosingStanding): Extract<SupervisionEvent, { type: 'CaseClosed' }>['data']['evidence'] {
  switch (reason) {
    case 'warning-improved': {
      const latest = standing.latest;
      if (!latest || (latest.warning !== 'green' && latest.warning !== 'yellow')) {
        throw new DomainError(
          'warning-still-red',
          latest
            ? `the latest known warning for the indicator (${latest.period}) is ${latest.warning ?? 'not known'}: the case cannot close as improved`
            : 'no standing is known for the indicator: the case cannot close as improved',
          { latest },
        );
      }
      return { latest };
    }
    case 'rectification-accepted':
      if (!k.feedback?.accepted) {
        throw new DomainError('rectification-not-accepted', `the rectification is accepted by reviewing the unit’s feedback first; case ${k.caseNo} is ${STEP_WORDS[k.step]}`, {
          params: { caseNo: k.caseNo, step: k.step },
        });
      }
      return { acceptedFeedback: k.feedback.text };
    case 'cleared-by-correction': {
      if (!k.warnings.length) {
        throw new DomainError('no-red-warning', `case ${k.caseNo} was opened on a ground, not a red warning: there is no red a correction could clear`, {
          params: { caseNo: k.caseNo },
        });
      }
      const linked = k.warnings.map((w) => standing.byPeriod.find((l) => l.period === w.figuresPeriod) ?? { period: w.figuresPeriod, rank: null, warning: null });
      const stillRed = k.warnings.filter((w) => {
        const now = standing.byPeriod.find((l) => l.period === w.figuresPeriod);
        return !now || now.warning === 'red';
      });
      if (stillRed.length) {
        throw new DomainError(
          'warning-not-cleared',
          `no correction has cleared the red warning of ${stillRed.map((w) => `${w.quarter} (${w.figuresPeriod})`).join(', ')}: it is still red as known now`,
          {
            periods: stillRed.map((w) => w.figuresPeriod),
          },
        );
      }
      return { linked };
    }
    default:
      return assertNever(reason, 'close reason');
  }
}
