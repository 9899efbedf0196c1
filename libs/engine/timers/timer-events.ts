import type { RecordedEvent } from '../event-store/event-store.js';
import type { DomainEvent } from '../commands/command.js';

/**
 * Durable timers are events in the stream of the workflow that set them: scheduled with the
 * command to send when due, then fired (by that command, in the same append) or cancelled. A
 * scheduler only delivers them; the record of what happened is the stream.
 */
export const TIMER_SCHEDULED = 'TimerScheduled';
export const TIMER_FIRED = 'TimerFired';
export const TIMER_CANCELLED = 'TimerCancelled';
export const TIMER_EVENT_TYPES = [TIMER_SCHEDULED, TIMER_FIRED, TIMER_CANCELLED] as const;

export type TimerScheduled = DomainEvent<
  typeof TIMER_SCHEDULED,
  {
    /** Also the BullMQ job id, hence no ':' (BullMQ refuses it). */
    timerId: string;
    dueAt: string;
    /** What to send when due; its meta is filled in at delivery. */
    command: { type: string; data: unknown };
    /** Why this timer exists, for the record (e.g. 'reminder two working days before the deadline'). */
    purpose: string;
  }
>;
export type TimerFired = DomainEvent<typeof TIMER_FIRED, { timerId: string; outcome: string }>;
export type TimerCancelled = DomainEvent<typeof TIMER_CANCELLED, { timerId: string; reason: string }>;
export type TimerEvent = TimerScheduled | TimerFired | TimerCancelled;

const TIMER_ID = /^[A-Za-z0-9_.-]{1,200}$/;

export function scheduleTimer(data: TimerScheduled['data']): TimerScheduled {
  if (!TIMER_ID.test(data.timerId)) throw new Error(`timer id "${data.timerId}" may use only letters, digits, _ . -`);
  if (Number.isNaN(Date.parse(data.dueAt))) throw new Error(`timer ${data.timerId}: dueAt "${data.dueAt}" is not a time`);
  return { type: TIMER_SCHEDULED, data };
}

export function cancelTimer(timerId: string, reason: string): TimerCancelled {
  return { type: TIMER_CANCELLED, data: { timerId, reason } };
}

/** True once the timer has fired or been cancelled in this stream's history. */
export function isTimerSettled(history: readonly RecordedEvent[], timerId: string): boolean {
  return history.some((e) => (e.type === TIMER_FIRED || e.type === TIMER_CANCELLED) && (e.data as { timerId: string }).timerId === timerId);
}

/** Timers scheduled in a history and not yet settled, e.g. to cancel them when a report is submitted. */
export function pendingTimers(history: readonly DomainEvent[]): TimerScheduled['data'][] {
  const pending = new Map<string, TimerScheduled['data']>();
  for (const e of history) {
    if (e.type === TIMER_SCHEDULED) pending.set((e.data as TimerScheduled['data']).timerId, e.data as TimerScheduled['data']);
    else if (e.type === TIMER_FIRED || e.type === TIMER_CANCELLED) pending.delete((e.data as { timerId: string }).timerId);
  }
  return [...pending.values()];
}
