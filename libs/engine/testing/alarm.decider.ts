import { ForbiddenError, type Command, type Decider, type DomainEvent } from '../commands/command.js';
import { cancelTimer, scheduleTimer, type TimerEvent } from '../timers/timer-events.js';

/** A tiny workflow for engine tests: an alarm that rings at a time unless cancelled. */
export type AlarmCommand = Command<'alarm.Set', { alarmId: string; at: string }> | Command<'alarm.Cancel', { alarmId: string }> | Command<'alarm.Ring', { alarmId: string }>;
export type AlarmEvent = DomainEvent<'AlarmSet', { alarmId: string; at: string }> | DomainEvent<'AlarmRang', { alarmId: string; at: string }> | TimerEvent;
export interface AlarmState {
  set: boolean;
  rang: number;
}

export const alarmDecider: Decider<AlarmCommand, AlarmEvent, AlarmState> = {
  initialState: () => ({ set: false, rang: 0 }),
  evolve(s, e) {
    if (e.type === 'AlarmSet') return { ...s, set: true };
    if (e.type === 'AlarmRang') return { ...s, rang: s.rang + 1 };
    return s;
  },
  authorize(c) {
    if (c.type === 'alarm.Ring') {
      if (!c.meta.actor.roles.includes('system')) throw new ForbiddenError('only the timer rings an alarm');
      return 'system';
    }
    if (!c.meta.actor.roles.includes('office')) throw new ForbiddenError('only the office sets alarms');
    return 'office';
  },
  decide(c, s) {
    switch (c.type) {
      case 'alarm.Set':
        return [
          { type: 'AlarmSet', data: c.data },
          scheduleTimer({ timerId: `alarm-${c.data.alarmId}`, dueAt: c.data.at, command: { type: 'alarm.Ring', data: { alarmId: c.data.alarmId } }, purpose: 'ring' }),
        ];
      case 'alarm.Cancel':
        return [cancelTimer(`alarm-${c.data.alarmId}`, 'cancelled by the office')];
      case 'alarm.Ring':
        return s.set ? [{ type: 'AlarmRang', data: { alarmId: c.data.alarmId, at: c.meta.now } }] : [];
    }
  },
};
