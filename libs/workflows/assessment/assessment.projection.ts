import type { RecordedEvent } from '../../engine/event-store/event-store.js';
import type { Projection } from '../../engine/projections/docs.js';
import {
  ASSESSMENT_EVENT_TYPES,
  type AssessmentEvent,
  type MeetingRecorded,
  type NotificationRecipient,
  type QuarterNotificationSent,
  type QuarterSnapshot,
} from './assessment.events.js';
import type { AssessmentStatus } from './assessment.decider.js';

export const ASSESSMENT_PROJECTION = 'assessment';

export interface AssessmentStep {
  type: string;
  at: string;
  by: { userId: string; role: string; name?: string };
  reason?: string;
  position: string;
}

/** A quarter's assessment as the office, the leaders and the units read it. */
export interface QuarterView {
  planId: string;
  quarter: string;
  status: AssessmentStatus;
  /** The stream revision: the If-Match for the next command on this quarter. */
  revision: number;
  /** The latest prepared snapshot (before publishing, what the meeting is to hear). */
  prepared: (QuarterSnapshot & { preparedAt: string; preparedBy: string }) | null;
  preparations: { at: string; by: string; asOfPosition: string; totalScore: number; counts: QuarterSnapshot['counts']; reason?: string }[];
  meeting: (Omit<MeetingRecorded['data'], 'planId' | 'quarter'> & { recordedAt: string; recordedBy: string; heardLatestPreparation: boolean }) | null;
  /** Frozen: "as presented at the meeting". */
  published: { snapshot: QuarterSnapshot; notified: string[]; at: string; by: string; position: string } | null;
  steps: AssessmentStep[];
}

/** What one recipient was sent; a unit's dashboard lists its own. */
export interface NotificationView {
  planId: string;
  quarter: string;
  recipient: string;
  to: NotificationRecipient;
  rows: QuarterNotificationSent['data']['rows'];
  counts: QuarterSnapshot['counts'];
  at: string;
  position: string;
}

export const quarterKey = (planId: string, quarter: string) => `${planId}/${quarter}`;
/** Keyed by recipient first, so one unit's notifications are one prefix. */
export const notificationKey = (planId: string, recipient: string, quarter: string) => `${planId}/${recipient}/${quarter}`;

export const assessmentProjection: Projection = {
  name: ASSESSMENT_PROJECTION,
  version: 1,
  eventTypes: ASSESSMENT_EVENT_TYPES,
  async apply(e, docs) {
    const event = { type: e.type, data: e.data } as AssessmentEvent;
    const { planId, quarter } = event.data;
    const at = e.metadata.recordedAt;
    if (event.type === 'QuarterNotificationSent') {
      const n: NotificationView = {
        planId,
        quarter,
        recipient: event.data.recipient,
        to: event.data.to,
        rows: event.data.rows,
        counts: event.data.counts,
        at,
        position: e.position,
      };
      docs.put('notifications', notificationKey(planId, event.data.recipient, quarter), n);
    }
    const key = quarterKey(planId, quarter);
    const view = (await docs.get<QuarterView>('quarters', key)) ?? empty(planId, quarter);
    docs.put('quarters', key, applyToView(view, event, e));
  },
};

function empty(planId: string, quarter: string): QuarterView {
  return { planId, quarter, status: 'none', revision: -1, prepared: null, preparations: [], meeting: null, published: null, steps: [] };
}

function applyToView(view: QuarterView, event: AssessmentEvent, e: RecordedEvent): QuarterView {
  const m = e.metadata;
  const by = m.actor.userId;
  const v: QuarterView = { ...view, revision: e.revision };
  if (event.type !== 'QuarterNotificationSent') {
    v.steps = [
      ...view.steps,
      {
        type: event.type,
        at: m.recordedAt,
        by: { userId: by, role: m.actor.role, ...(m.actor.name ? { name: m.actor.name } : {}) },
        ...(m.reason ? { reason: m.reason } : {}),
        position: e.position,
      },
    ];
  }
  switch (event.type) {
    case 'QuarterPrepared': {
      const s = event.data.snapshot;
      v.status = 'prepared';
      v.prepared = { ...s, preparedAt: m.recordedAt, preparedBy: by };
      v.preparations = [
        ...view.preparations,
        { at: m.recordedAt, by, asOfPosition: s.asOfPosition, totalScore: s.totalScore, counts: s.counts, ...(m.reason ? { reason: m.reason } : {}) },
      ];
      if (v.meeting) v.meeting = { ...v.meeting, heardLatestPreparation: false };
      break;
    }
    case 'MeetingRecorded': {
      const { planId: _p, quarter: _q, ...meeting } = event.data;
      v.meeting = { ...meeting, recordedAt: m.recordedAt, recordedBy: by, heardLatestPreparation: true };
      break;
    }
    case 'QuarterPublished':
      v.status = 'published';
      v.published = { snapshot: event.data.snapshot, notified: event.data.notified, at: m.recordedAt, by, position: e.position };
      break;
    case 'QuarterNotificationSent':
      break;
    default:
      break;
  }
  return v;
}
