import { assertNever, DomainError, type Command, type Decider } from '../../engine/commands/command.js';
import { authorize } from '../access/access.js';
import { isIsoDate } from '../plan/working-calendar.js';
import { recipientId, type AssessmentEvent, type MeetingRecorded, type NotificationRecipient, type QuarterNotificationSent, type QuarterSnapshot } from './assessment.events.js';

export interface QuarterRef {
  planId: string;
  /** YYYY-Qn */
  quarter: string;
}

export interface MeetingInput {
  /** YYYY-MM-DD, the day the leading group met. */
  date: string;
  attendees: string[];
  conclusions: string;
  nextSteps: string;
  suggestions: string;
}

/**
 * The handler supplies what is computed or looked up outside the decision: the snapshot (folded
 * from the ranking events) and the recipients (from the plan).
 */
export type AssessmentCommand =
  | Command<'assessment.Prepare', QuarterRef & { snapshot: QuarterSnapshot }>
  | Command<'assessment.RecordMeeting', QuarterRef & MeetingInput>
  | Command<'assessment.Publish', QuarterRef & { recipients: NotificationRecipient[] }>;

export const ASSESSMENT_COMMANDS = ['assessment.Prepare', 'assessment.RecordMeeting', 'assessment.Publish'] as const satisfies readonly AssessmentCommand['type'][];

export type AssessmentStatus = 'none' | 'prepared' | 'published';

export interface AssessmentState {
  status: AssessmentStatus;
  /** How many times the quarter was prepared. */
  preparations: number;
  prepared?: QuarterSnapshot;
  meeting?: MeetingRecorded['data'];
  /** The preparation the recorded meeting heard: publishing needs it to be the latest one. */
  meetingHeard?: number;
  published?: { snapshot: QuarterSnapshot; notified: string[] };
}

export function evolveAssessment(s: AssessmentState, e: AssessmentEvent): AssessmentState {
  switch (e.type) {
    case 'QuarterPrepared':
      return { ...s, status: 'prepared', preparations: s.preparations + 1, prepared: e.data.snapshot };
    case 'MeetingRecorded':
      return { ...s, meeting: e.data, meetingHeard: s.preparations };
    case 'QuarterPublished':
      return { ...s, status: 'published', published: { snapshot: e.data.snapshot, notified: e.data.notified } };
    case 'QuarterNotificationSent':
      return s;
    default:
      return assertNever(e, 'assessment event');
  }
}

export const assessmentDecider: Decider<AssessmentCommand, AssessmentEvent, AssessmentState> = {
  initialState: () => ({ status: 'none', preparations: 0 }),
  evolve: evolveAssessment,

  authorize(c) {
    switch (c.type) {
      case 'assessment.Prepare':
        return authorize(c.meta.actor, 'assessment.prepare');
      case 'assessment.RecordMeeting':
        return authorize(c.meta.actor, 'assessment.meeting');
      case 'assessment.Publish':
        return authorize(c.meta.actor, 'assessment.publish');
      default:
        return assertNever(c, 'assessment command');
    }
  },

  decide(c, s) {
    const ref = { planId: c.data.planId, quarter: c.data.quarter };
    if (s.status === 'published') {
      throw new DomainError(
        'quarter-published',
        `${ref.quarter} is published and frozen: later corrections show in "${ref.quarter} as known now", never in the published snapshot`,
        { params: { quarter: ref.quarter } },
      );
    }
    switch (c.type) {
      case 'assessment.Prepare': {
        const snapshot = c.data.snapshot;
        if (snapshot.planId !== ref.planId || snapshot.quarter !== ref.quarter) {
          throw new DomainError('snapshot-mismatch', `the snapshot is of ${snapshot.planId} ${snapshot.quarter}, not ${ref.planId} ${ref.quarter}`, { status: 422 });
        }
        // The meeting heard the figures prepared before: replacing them is a change to what was
        // presented, so it needs a reason, and the meeting must be recorded again before publishing.
        if (s.meeting && s.meetingHeard === s.preparations && !c.meta.reason?.trim()) {
          throw new DomainError(
            'reason-required',
            `the leading group’s meeting heard the ${ref.quarter} figures prepared before; preparing them again needs a reason (and the meeting must then be recorded again)`,
            {
              status: 422,
              fields: [{ field: 'reason', message: 'required once the meeting is recorded' }],
            },
          );
        }
        return [{ type: 'QuarterPrepared', data: { ...ref, snapshot } }];
      }

      case 'assessment.RecordMeeting': {
        if (!s.prepared)
          throw new DomainError('quarter-not-prepared', `prepare the ${ref.quarter} figures first: the meeting hears the prepared figures`, { params: { quarter: ref.quarter } });
        if (s.meeting && !c.meta.reason?.trim()) {
          throw new DomainError('reason-required', `the ${ref.quarter} meeting is recorded already; recording it again needs a reason`, {
            status: 422,
            fields: [{ field: 'reason', message: 'required to amend' }],
          });
        }
        const meeting = checkMeeting(c.data, ref.quarter, c.meta.now);
        return [{ type: 'MeetingRecorded', data: { ...ref, ...meeting, snapshotAsOfPosition: s.prepared.asOfPosition } }];
      }

      case 'assessment.Publish': {
        if (!s.prepared) throw new DomainError('quarter-not-prepared', `the ${ref.quarter} figures have not been prepared`, { params: { quarter: ref.quarter } });
        if (!s.meeting) throw new DomainError('meeting-not-recorded', `record the leading group’s ${ref.quarter} meeting before publishing`, { params: { quarter: ref.quarter } });
        if (s.meetingHeard !== s.preparations) {
          throw new DomainError(
            'meeting-before-latest-preparation',
            `the figures were prepared again after the meeting was recorded; record the meeting that heard these figures before publishing them`,
          );
        }
        if (!c.data.recipients.length)
          throw new DomainError('no-recipients', 'a published quarter goes to every responsible unit and the county leaders; none were given', { status: 422 });
        const snapshot = s.prepared;
        const notified = c.data.recipients.map(recipientId);
        const notifications: QuarterNotificationSent[] = c.data.recipients.map((to) => ({
          type: 'QuarterNotificationSent',
          data: {
            ...ref,
            recipient: recipientId(to),
            to,
            // A unit gets its own rows; a county leader the whole table, every colour: the bureau
            // supervises every unit, 特别要紧盯红色预警单位 but not only them (issue 12).
            rows: snapshot.rows
              .filter((r) => to.kind === 'leader' || r.units.includes(to.unitId))
              .map((r) => ({ indicatorNo: r.indicatorNo, name: r.name, value: r.value, rank: r.rank, warning: r.warning, score: r.score })),
            counts: snapshot.counts,
          },
        }));
        return [{ type: 'QuarterPublished', data: { ...ref, snapshot, notified } }, ...notifications];
      }

      default:
        return assertNever(c, 'assessment command');
    }
  },
};

function checkMeeting(m: MeetingInput, quarter: string, now: string): MeetingInput {
  const fields: { field: string; message: string }[] = [];
  const quarterStart = `${quarter.slice(0, 4)}-${String((Number(quarter.slice(6)) - 1) * 3 + 1).padStart(2, '0')}-01`;
  // A day of slack: `now` is UTC and the meeting date is local (UTC+8 at the earliest hours).
  const latest = new Date(Date.parse(now) + 86_400_000).toISOString().slice(0, 10);
  if (!isIsoDate(m.date)) {
    fields.push({ field: 'date', message: 'a date written YYYY-MM-DD' });
  } else if (m.date < quarterStart) fields.push({ field: 'date', message: `the ${quarter} meeting cannot be before the quarter began (${quarterStart})` });
  else if (m.date > latest) fields.push({ field: 'date', message: 'a meeting is recorded after it was held, not before' });
  const attendees = (m.attendees ?? []).map((a) => a.trim()).filter(Boolean);
  if (!attendees.length) fields.push({ field: 'attendees', message: 'name at least one attendee' });
  if (!m.conclusions?.trim()) fields.push({ field: 'conclusions', message: 'required' });
  if (!m.nextSteps?.trim()) fields.push({ field: 'nextSteps', message: 'required' });
  if (fields.length) {
    throw new DomainError('invalid-meeting', `the meeting record is incomplete: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { status: 422, fields });
  }
  return { date: m.date, attendees, conclusions: m.conclusions.trim(), nextSteps: m.nextSteps.trim(), suggestions: (m.suggestions ?? '').trim() };
}
