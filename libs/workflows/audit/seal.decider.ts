import { DomainError, type Command, type Decider, type DomainEvent } from '../../engine/commands/command.js';
import { HEADS_PER_CHUNK, SEAL_HEADS_RECORDED, SEAL_RECORDED, type SealHeadsRecordedData, type SealRecordedData, type StreamHeadEntry } from '../../engine/audit/seals.js';
import { scheduleTimer, TIMER_CANCELLED, TIMER_FIRED, TIMER_SCHEDULED, type TimerEvent, type TimerScheduled } from '../../engine/timers/timer-events.js';
import { authorize } from '../access/access.js';

export type SealEvent = DomainEvent<typeof SEAL_RECORDED, SealRecordedData> | DomainEvent<typeof SEAL_HEADS_RECORDED, SealHeadsRecordedData> | TimerEvent;

/** What the seal timer sends when due: the handler computes the seal, then decides with it. */
export const SCHEDULED_SEAL = 'audit.ScheduledSeal';

/**
 * The handler computes the heads and the range from the record; the decision checks it sealed on
 * top of the latest seal. `seal` is null when a scheduled round finds nothing new. `next`: the
 * frequent seals are an engine timer in this stream, and each round schedules the one after it.
 */
export type SealCommand =
  | Command<'audit.Seal', { seal: Omit<SealRecordedData, 'chunks'> | null; changed: StreamHeadEntry[]; next?: { dueAt: string; everyMs: number } }>
  | Command<'audit.ScheduleSeals', { dueAt: string; everyMs: number }>;

export interface SealState {
  last: SealRecordedData | null;
  /** Seal timers scheduled here and not yet fired or cancelled. */
  timers: TimerScheduled['data'][];
}

export const sealTimerId = (dueAt: string) => `seal-${dueAt.replace(/[^0-9]/g, '')}`;

function sealTimer(dueAt: string, everyMs: number): TimerScheduled {
  return scheduleTimer({
    timerId: sealTimerId(dueAt),
    dueAt,
    command: { type: SCHEDULED_SEAL, data: { everyMs } },
    purpose: `seal the record every ${Math.round(everyMs / 60_000) || everyMs / 60_000} minute(s) when new events exist`,
  });
}

export const sealDecider: Decider<SealCommand, SealEvent, SealState> = {
  initialState: () => ({ last: null, timers: [] }),
  evolve(s, e) {
    if (e.type === SEAL_RECORDED) return { ...s, last: e.data };
    if (e.type === TIMER_SCHEDULED) return { ...s, timers: [...s.timers, e.data] };
    if (e.type === TIMER_FIRED || e.type === TIMER_CANCELLED) return { ...s, timers: s.timers.filter((t) => t.timerId !== e.data.timerId) };
    return s;
  },
  authorize: (c) => authorize(c.meta.actor, 'audit.seal'),
  decide(c, s) {
    // The timer firing now is settled by this very append (the executor adds its TimerFired).
    const otherTimers = s.timers.filter((t) => t.timerId !== c.meta.timerId);
    if (c.type === 'audit.ScheduleSeals') return otherTimers.length > 0 ? [] : [sealTimer(c.data.dueAt, c.data.everyMs)];
    const { seal, changed, next } = c.data;
    const events: SealEvent[] = [];
    if (seal) {
      if ((s.last?.sealId ?? null) !== (seal.previous?.sealId ?? null)) {
        // Another seal was recorded while this one was computed: compute again on top of it.
        throw new DomainError('seal-raced', `seal ${seal.sealId} was computed on ${seal.previous?.sealId ?? 'no seal'} but the latest is ${s.last?.sealId}`);
      }
      for (let i = 0; i < changed.length; i += HEADS_PER_CHUNK) {
        events.push({ type: SEAL_HEADS_RECORDED, data: { sealId: seal.sealId, chunk: events.length, heads: changed.slice(i, i + HEADS_PER_CHUNK) } });
      }
      events.push({ type: SEAL_RECORDED, data: { ...seal, chunks: events.length } });
    }
    if (next && otherTimers.length === 0) events.push(sealTimer(next.dueAt, next.everyMs));
    return events;
  },
};
