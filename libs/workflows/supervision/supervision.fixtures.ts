import type { Engine } from '../../engine/nest/engine.js';
import type { PlanDefinition } from '../plan/plan-file.js';
import type { WorkingCalendar } from '../plan/working-calendar.js';
import { SUPERVISION_DEADLINES, type Schedule } from './supervision.deadlines.js';
import { caseLineStream } from './supervision.events.js';

/** For the specs: the part of Ye County's 2023 calendar around National Day, Beijing time. */
export const calendar2023: WorkingCalendar = {
  covers: { from: '2023-01-01', to: '2024-01-31' },
  weekendDays: [6, 7],
  holidays: [{ name: '中秋节、国庆节', from: '2023-09-29', to: '2023-10-06' }],
  workingWeekendDays: [
    { date: '2023-10-07', holiday: '中秋节、国庆节' },
    { date: '2023-10-08', holiday: '中秋节、国庆节' },
  ],
};

export const schedule2023: Schedule = { timeZone: 'Asia/Shanghai', calendar: calendar2023, rules: SUPERVISION_DEADLINES };

/**
 * For the integration tests: waits until `after` is applied, then until the board has applied the
 * last event of every case line (the reactor's and the timers' commands land after what caused
 * them; on PostgreSQL the global order reaches them a moment after their commit).
 */
export async function settleCases(engine: Engine, plan: PlanDefinition, after?: string): Promise<void> {
  if (after) await engine.waitFor(after);
  let last: string | undefined;
  for (const i of plan.indicators) {
    for (const unitId of i.units) {
      const [e] = await engine.store.readStream(caseLineStream({ planId: plan.id, unitId, indicatorNo: i.no }), { direction: 'backwards', maxCount: 1 });
      if (e && (last === undefined || engine.store.comparePositions(e.position, last) > 0)) last = e.position;
    }
  }
  await engine.waitFor(last);
}
