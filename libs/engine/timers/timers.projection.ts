import type { Projection } from '../projections/docs.js';
import { TIMER_CANCELLED, TIMER_EVENT_TYPES, TIMER_FIRED, TIMER_SCHEDULED, type TimerScheduled } from './timer-events.js';

export interface PendingTimer {
  timerId: string;
  dueAt: string;
  streamId: string;
  command: { type: string; data: unknown };
  purpose: string;
  /** The event that scheduled it: the fired command's causation. */
  scheduledBy: string;
  correlationId: string;
}

export const TIMERS_PROJECTION = 'timers';

/** The timers not yet fired or cancelled, which schedulers deliver and the reconciler re-enqueues. */
export const timersProjection: Projection = {
  name: TIMERS_PROJECTION,
  version: 1,
  eventTypes: TIMER_EVENT_TYPES,
  apply(e, docs) {
    const data = e.data as { timerId: string };
    if (e.type === TIMER_SCHEDULED) {
      const d = e.data as TimerScheduled['data'];
      const pending: PendingTimer = {
        timerId: d.timerId,
        dueAt: d.dueAt,
        streamId: e.streamId,
        command: d.command,
        purpose: d.purpose,
        scheduledBy: e.id,
        correlationId: e.metadata.correlationId,
      };
      docs.put('pending', d.timerId, pending);
    } else if (e.type === TIMER_FIRED || e.type === TIMER_CANCELLED) {
      docs.delete('pending', data.timerId);
    }
  },
};
