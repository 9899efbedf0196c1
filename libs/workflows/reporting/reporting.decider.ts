import { assertNever, DomainError, ForbiddenError, type Command, type Decider } from '../../engine/commands/command.js';
import { cancelTimer, pendingTimers, scheduleTimer, type TimerScheduled } from '../../engine/timers/timer-events.js';
import { authorize } from '../access/access.js';
import type { WarningTier } from '../plan/plan-file.js';
import { contentHash, isLagging, minutesBetween, withRankSource, type OfficialStanding, type ReportIndicator, type ReportLine } from './report-content.js';
import { reportStream, type ReportOpened, type ReportRef, type ReportingEvent } from './reporting.events.js';

/**
 * What the plan says about this report, looked up by the handler when the command arrives and
 * recorded in the events it causes: the decision never reads the plan itself.
 */
export interface ReportContext extends ReportRef {
  unitName: string;
  indicators: ReportIndicator[];
  warningTiers: Pick<WarningTier, 'tier' | 'fromRank' | 'toRank'>[];
  dueAt: string;
  reminderAt: string;
  /** When the month ends (local midnight starting the next month): its figures are "as of month end". */
  periodEndsAt?: string;
  /**
   * Our county's latest known standing per indicator, read from the ranking workflow's events by the
   * handler (drafts and submissions). An indicator missing here has no official peer figures.
   * Absent: not looked up (opening a month), and lines keep the rank they carry.
   */
  standings?: OfficialStanding[];
}

export type ReportingCommand =
  | Command<'reporting.Open', { context: ReportContext }>
  | Command<'reporting.SaveDraft', { context: ReportContext; lines: ReportLine[] }>
  | Command<'reporting.Submit', { context: ReportContext }>
  | Command<'reporting.Sign', ReportRef & { contentHash: string }>
  | Command<'reporting.Receive', ReportRef>
  | Command<'reporting.RecordPaperCopies', ReportRef & { copies: number }>
  | Command<'reporting.Return', ReportRef>
  | Command<'reporting.Correct', ReportRef & { indicatorNo: number; field: 'value' | 'rank'; corrected: number | null }>
  | Command<'reporting.SendReminder', ReportRef>
  | Command<'reporting.MarkOverdue', ReportRef>;

export const REPORTING_COMMANDS = [
  'reporting.Open',
  'reporting.SaveDraft',
  'reporting.Submit',
  'reporting.Sign',
  'reporting.Receive',
  'reporting.RecordPaperCopies',
  'reporting.Return',
  'reporting.Correct',
  'reporting.SendReminder',
  'reporting.MarkOverdue',
] as const satisfies readonly ReportingCommand['type'][];

export type ReportStatus = 'none' | 'open' | 'draft' | 'submitted' | 'signed' | 'received' | 'returned';

export interface ReportState {
  status: ReportStatus;
  opened?: ReportOpened['data'];
  lines: ReportLine[];
  submittedBy?: string;
  contentHash?: string;
  /** The first submission (kept for reading older streams). */
  everSubmitted: boolean;
  /**
   * The first signature decides timeliness: the signed and sealed report is what is due. A return
   * and a second signature do not make an on-time report late.
   */
  everSigned: boolean;
  overdue: boolean;
  /** Paper copies recorded as received, with the content they carry. */
  paperCopies?: { copies: number; contentHash: string };
  /** Figures as corrected by the office, per indicator. */
  corrected: Record<number, { value?: number | null; rank?: number | null }>;
  timers: TimerScheduled['data'][];
}

const initialState = (): ReportState => ({ status: 'none', lines: [], everSubmitted: false, everSigned: false, overdue: false, corrected: {}, timers: [] });

export function evolveReport(s: ReportState, e: ReportingEvent): ReportState {
  switch (e.type) {
    case 'ReportOpened':
      return { ...s, status: 'open', opened: e.data };
    case 'ReportDraftSaved':
      return { ...s, status: 'draft', lines: e.data.lines };
    case 'ReportSubmitted':
      return { ...s, status: 'submitted', lines: e.data.lines, contentHash: e.data.contentHash, submittedBy: e.data.submittedBy, everSubmitted: true };
    case 'ReportSigned':
      return { ...s, status: 'signed', everSigned: true };
    case 'ReportReceived':
      return { ...s, status: 'received' };
    case 'ReportPaperCopiesReceived':
      return { ...s, paperCopies: { copies: e.data.copies, contentHash: e.data.contentHash } };
    case 'ReportReturned': {
      const { contentHash: _voided, submittedBy: _by, ...rest } = s;
      return { ...rest, status: 'returned' };
    }
    case 'ReportOverdue':
      return { ...s, overdue: true };
    case 'FigureCorrected':
      return { ...s, corrected: { ...s.corrected, [e.data.indicatorNo]: { ...s.corrected[e.data.indicatorNo], [e.data.field]: e.data.corrected } } };
    case 'ReportReminderSent':
      return s;
    case 'TimerScheduled':
    case 'TimerFired':
    case 'TimerCancelled':
      return { ...s, timers: pendingTimers([...s.timers.map((data) => ({ type: 'TimerScheduled', data })), e]) };
    default:
      return assertNever(e, 'reporting event');
  }
}

/** The report a command is about. */
export function refOf(c: ReportingCommand): ReportRef {
  const d = 'context' in c.data ? c.data.context : c.data;
  return { planId: d.planId, unitId: d.unitId, period: d.period };
}

export const reportingDecider: Decider<ReportingCommand, ReportingEvent, ReportState> = {
  initialState,
  evolve: evolveReport,

  authorize(c, s) {
    const unit = refOf(c).unitId;
    switch (c.type) {
      case 'reporting.Open':
        return authorize(c.meta.actor, 'report.open', unit);
      case 'reporting.SaveDraft':
        return forUnit(c, 'report.draft', unit);
      case 'reporting.Submit':
        return forUnit(c, 'report.submit', unit);
      case 'reporting.Sign': {
        const role = authorize(c.meta.actor, 'report.sign', unit);
        // Four eyes: whoever submitted the report may not also sign it.
        if (s.submittedBy !== undefined && s.submittedBy === c.meta.actor.userId) {
          throw new ForbiddenError('the person who submitted a report may not sign it: the unit head signs another person’s submission');
        }
        return role;
      }
      case 'reporting.Receive':
      case 'reporting.RecordPaperCopies':
        return authorize(c.meta.actor, 'report.receive');
      case 'reporting.Return':
        return authorize(c.meta.actor, 'report.return');
      case 'reporting.Correct':
        return authorize(c.meta.actor, 'report.correct');
      case 'reporting.SendReminder':
      case 'reporting.MarkOverdue':
        return authorize(c.meta.actor, 'report.deadline');
      default:
        return assertNever(c, 'reporting command');
    }
  },

  decide(c, s) {
    const ref = refOf(c);
    switch (c.type) {
      case 'reporting.Open':
        return s.status === 'none' ? open(c.data.context) : [];

      case 'reporting.SaveDraft': {
        if (s.status === 'submitted' || s.status === 'signed' || s.status === 'received') {
          throw new DomainError('report-locked', `the ${ref.period} report of ${ref.unitId} is ${s.status}; it can be changed only after the office returns it`, {
            params: { period: ref.period, status: s.status },
          });
        }
        const lines = checkLines(c.data.lines, c.data.context);
        return [...(s.status === 'none' ? open(c.data.context) : []), { type: 'ReportDraftSaved', data: { ...ref, lines } }];
      }

      case 'reporting.Submit': {
        if (s.status === 'submitted' || s.status === 'signed' || s.status === 'received') {
          throw new DomainError('report-already-submitted', `the ${ref.period} report of ${ref.unitId} is already ${s.status}`, {
            params: { period: ref.period, status: s.status },
          });
        }
        if (s.status === 'none' || s.status === 'open') throw new DomainError('report-empty', 'save the report’s lines before submitting it');
        const ctx = c.data.context;
        // Its figures are "as of month end" (截至本月底): a month cannot be reported before it has ended.
        const endsAt = ctx.periodEndsAt ?? s.opened?.periodEndsAt;
        if (endsAt && Date.parse(c.meta.now) < Date.parse(endsAt)) {
          throw new DomainError('period-not-ended', `the ${ref.period} report gives figures as of the month’s end; it can be submitted from ${endsAt}`, {
            params: { period: ref.period, periodEndsAt: endsAt },
            status: 422,
            periodEndsAt: endsAt,
          });
        }
        const lines = checkLines(s.lines, ctx);
        const missing = ctx.indicators.filter((i) => !lines.some((l) => l.indicatorNo === i.no));
        if (missing.length) {
          throw new DomainError('report-incomplete', `the report needs a line for every indicator of the unit; missing: ${missing.map((i) => `${i.no} ${i.name}`).join('; ')}`, {
            params: { missing: missing.map((i) => `${i.no} ${i.name}`) },
            status: 422,
            fields: missing.map((i) => ({ field: `lines[indicatorNo=${i.no}]`, message: 'missing' })),
          });
        }
        const lagging = ctx.indicators.filter((i) =>
          isLagging(
            lines.find((l) => l.indicatorNo === i.no)!,
            i,
            ctx.warningTiers,
            ctx.standings?.find((x) => x.indicatorNo === i.no),
          ),
        );
        const unexplained = lagging.filter((i) => {
          const l = lines.find((x) => x.indicatorNo === i.no)!;
          return !l.analysis?.trim() || !l.countermeasures?.trim();
        });
        if (unexplained.length) {
          throw new DomainError(
            'lagging-without-analysis',
            `lagging indicators need an analysis of causes and countermeasures before the report can be submitted: ${unexplained.map((i) => `${i.no} ${i.name}`).join('; ')}`,
            {
              params: { lagging: unexplained.map((i) => `${i.no} ${i.name}`) },
              status: 422,
              indicators: unexplained.map((i) => i.no),
              fields: unexplained.flatMap((i) => [
                { field: `lines[indicatorNo=${i.no}].analysis`, message: 'required for a lagging indicator' },
                { field: `lines[indicatorNo=${i.no}].countermeasures`, message: 'required for a lagging indicator' },
              ]),
            },
          );
        }
        // Timeliness is not decided here: the deadline is met by the signed and sealed report, so the
        // reminder (now to the head) and the deadline timers stay until the head signs.
        return [{ type: 'ReportSubmitted', data: { ...ref, lines, contentHash: contentHash(lines), submittedBy: c.meta.actor.userId, lagging: lagging.map((i) => i.no) } }];
      }

      case 'reporting.Sign': {
        if (s.status !== 'submitted') {
          throw new DomainError(
            'report-not-signable',
            s.status === 'signed' || s.status === 'received' ? 'the report is signed already' : 'only a submitted report can be signed',
            { params: { status: s.status } },
          );
        }
        if (c.data.contentHash !== s.contentHash) {
          throw new DomainError('content-changed', 'the report changed since you opened it: the signature must cover exactly the submitted content; reload and sign again', {
            expected: s.contentHash,
          });
        }
        const unitName = s.opened?.unitName ?? ref.unitId;
        // 经主要负责人签字并加盖单位印章后，于次月6日前报送: the first signature decides timeliness.
        const dueAt = s.opened?.dueAt;
        const late = dueAt && !s.everSigned && Date.parse(c.meta.now) >= Date.parse(dueAt) ? { dueAt, byMinutes: minutesBetween(dueAt, c.meta.now) } : null;
        return [
          {
            type: 'ReportSigned',
            data: {
              ...ref,
              contentHash: s.contentHash,
              signedBy: { userId: c.meta.actor.userId, name: c.meta.actor.name ?? c.meta.actor.userId },
              seal: { unitId: ref.unitId, unitName },
              late,
            },
          },
          // Timers that no longer matter are cancelled, so they leave the schedule with a reason.
          ...s.timers.map((t) => cancelTimer(t.timerId, 'the report was signed and sealed')),
        ];
      }

      case 'reporting.Receive':
        if (s.status === 'received') return [];
        if (s.status !== 'signed') {
          throw new DomainError(
            'report-not-signed',
            s.status === 'submitted' ? 'the report awaits the unit head’s signature and seal' : `a ${s.status === 'none' ? 'missing' : s.status} report cannot be received`,
            { params: { status: s.status } },
          );
        }
        return [{ type: 'ReportReceived', data: { ...ref, contentHash: s.contentHash! } }];

      case 'reporting.RecordPaperCopies': {
        // 纸质版一式两份: the paper copies of the signed content; recorded once per signed content.
        if (s.status !== 'signed' && s.status !== 'received') {
          throw new DomainError('report-not-signed', 'paper copies are recorded for a signed and sealed report', { params: { status: s.status } });
        }
        const copies = c.data.copies;
        if (!Number.isInteger(copies) || copies < 1 || copies > 10) {
          throw new DomainError('invalid-value', 'copies is a whole number from 1 to 10', {
            params: { field: 'copies' },
            status: 422,
            fields: [{ field: 'copies', message: '1..10' }],
          });
        }
        if (s.paperCopies && s.paperCopies.contentHash === s.contentHash && s.paperCopies.copies === copies) return [];
        return [{ type: 'ReportPaperCopiesReceived', data: { ...ref, copies, contentHash: s.contentHash! } }];
      }

      case 'reporting.Return':
        if (s.status !== 'submitted' && s.status !== 'signed') {
          throw new DomainError('report-not-returnable', `only a submitted or signed report that is not yet received can be returned (it is ${s.status})`, {
            params: { status: s.status },
          });
        }
        return [{ type: 'ReportReturned', data: { ...ref, reason: requireReason(c.meta.reason) } }];

      case 'reporting.Correct': {
        if (s.status !== 'received') throw new DomainError('report-not-received', 'figures are corrected after the office has received the report');
        const line = s.lines.find((l) => l.indicatorNo === c.data.indicatorNo);
        if (!line)
          throw new DomainError('indicator-not-in-report', `the report has no line for indicator ${c.data.indicatorNo}`, {
            params: { indicatorNo: c.data.indicatorNo },
            status: 422,
          });
        const { field, corrected } = c.data;
        if (corrected !== null && !Number.isFinite(corrected)) throw new DomainError('invalid-value', `${field} must be a number or null`, { params: { field }, status: 422 });
        if (field === 'rank' && corrected !== null && !(Number.isInteger(corrected) && corrected >= 1 && corrected <= 6)) {
          throw new DomainError('invalid-value', 'a rank is a whole number from 1 to 6', {
            params: { field: 'corrected' },
            status: 422,
            fields: [{ field: 'corrected', message: '1..6' }],
          });
        }
        const current = s.corrected[c.data.indicatorNo]?.[field];
        const previous = current !== undefined ? current : line[field];
        if (previous === corrected) return [];
        return [{ type: 'FigureCorrected', data: { ...ref, indicatorNo: c.data.indicatorNo, field, previous, corrected, reason: requireReason(c.meta.reason) } }];
      }

      case 'reporting.SendReminder': {
        // Never before the month has ended: there is nothing to report yet.
        if (!s.opened || (s.opened.periodEndsAt && Date.parse(c.meta.now) < Date.parse(s.opened.periodEndsAt))) return [];
        const dueAt = s.opened.dueAt;
        if (s.status === 'open' || s.status === 'draft' || s.status === 'returned') return [{ type: 'ReportReminderSent', data: { ...ref, dueAt, to: 'unit' } }];
        // Submitted but unsigned: what is due is the signed report, so the head is reminded.
        if (s.status === 'submitted') return [{ type: 'ReportReminderSent', data: { ...ref, dueAt, to: 'head' } }];
        return [];
      }

      case 'reporting.MarkOverdue':
        // Overdue unless signed: a report submitted to the head but not signed has not been reported.
        return !s.everSigned && !s.overdue && s.opened ? [{ type: 'ReportOverdue', data: { ...ref, dueAt: s.opened.dueAt } }] : [];

      default:
        return assertNever(c, 'reporting command');
    }
  },
};

function open(ctx: ReportContext): ReportingEvent[] {
  const ref = { planId: ctx.planId, unitId: ctx.unitId, period: ctx.period };
  const id = reportStream(ctx);
  const reminderAt = ctx.periodEndsAt && Date.parse(ctx.reminderAt) < Date.parse(ctx.periodEndsAt) ? ctx.periodEndsAt : ctx.reminderAt;
  return [
    {
      type: 'ReportOpened',
      data: {
        ...ref,
        unitName: ctx.unitName,
        indicators: ctx.indicators,
        dueAt: ctx.dueAt,
        reminderAt: ctx.reminderAt,
        ...(ctx.periodEndsAt ? { periodEndsAt: ctx.periodEndsAt } : {}),
      },
    },
    // A reminder never fires before the month has ended (when holidays pull the reminder day into the month).
    scheduleTimer({ timerId: `${id}-reminder`, dueAt: reminderAt, command: { type: 'reporting.SendReminder', data: ref }, purpose: 'reminder before the monthly deadline' }),
    scheduleTimer({
      timerId: `${id}-deadline`,
      dueAt: ctx.dueAt,
      command: { type: 'reporting.MarkOverdue', data: ref },
      purpose: 'the monthly deadline: unsubmitted reports become overdue',
    }),
  ];
}

function checkLines(lines: readonly ReportLine[], ctx: ReportContext): ReportLine[] {
  const seen = new Set<number>();
  return lines.map((l, i) => {
    if (!ctx.indicators.some((x) => x.no === l.indicatorNo)) {
      throw new DomainError('indicator-not-owned', `lines[${i}]: indicator ${l.indicatorNo} is not one of ${ctx.unitName}’s indicators`, {
        params: { indicatorNo: l.indicatorNo, unitName: ctx.unitName },
        status: 422,
        fields: [{ field: `lines[${i}].indicatorNo`, message: `not an indicator of unit ${ctx.unitId}` }],
      });
    }
    if (seen.has(l.indicatorNo))
      throw new DomainError('duplicate-line', `lines[${i}]: indicator ${l.indicatorNo} appears twice`, { params: { indicatorNo: l.indicatorNo }, status: 422 });
    seen.add(l.indicatorNo);
    // The official rank replaces whatever was typed: lagging is decided from the county's standing.
    return withRankSource(
      {
        indicatorNo: l.indicatorNo,
        value: l.value,
        rank: l.rank,
        problems: l.problems ?? '',
        nextSteps: l.nextSteps ?? '',
        ...(l.analysis ? { analysis: l.analysis } : {}),
        ...(l.countermeasures ? { countermeasures: l.countermeasures } : {}),
        ...(l.rankSource ? { rankSource: l.rankSource } : {}),
        ...(l.rankPeriod ? { rankPeriod: l.rankPeriod } : {}),
      },
      ctx.standings,
    );
  });
}

/**
 * The unit's own people, or the office entering the unit's paper report on its behalf: only with
 * an explicit onBehalfOf naming this unit, which the envelope records beside who typed it.
 */
function forUnit(c: ReportingCommand, permission: 'report.draft' | 'report.submit', unit: string) {
  const onBehalfOf = c.meta.onBehalfOf;
  if (onBehalfOf === undefined) return authorize(c.meta.actor, permission, unit);
  if (onBehalfOf !== unit) throw new ForbiddenError(`a report of unit ${unit} cannot be entered on behalf of ${onBehalfOf}`);
  return authorize(c.meta.actor, 'report.enterOnBehalf', unit);
}

function requireReason(reason: string | undefined): string {
  if (!reason?.trim()) throw new DomainError('reason-required', 'a reason is required', { status: 422, fields: [{ field: 'reason', message: 'required' }] });
  return reason.trim();
}
