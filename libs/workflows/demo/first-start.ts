import type { INestApplicationContext } from '@nestjs/common';
import { Engine } from '../../engine/nest/engine.js';
import { SYSTEM_PRINCIPAL } from '../../engine/timers/timer-scheduler.js';
import { ensureDemoUsers, type DemoUser } from '../accounts/demo-users.js';
import { PlanService } from '../plan/plan.service.js';
import { holdsOnlyPlans, surveyStore } from './demo-store.js';
import { playDemoYear, type DemoOptions, type DemoOutcome } from './demo-year.js';

export interface FirstStartOptions {
  env?: NodeJS.ProcessEnv;
  /** Where progress goes (the server's log). The caller prints the users it returns (usersTable), once. */
  log?: (line: string) => void;
  /** Overrides for the demo (tests play fewer months). */
  demo?: Omit<DemoOptions, 'operator' | 'progress'>;
}

export interface FirstStartOutcome {
  users: DemoUser[];
  demo?: DemoOutcome;
  /** Why the demo was not played, when it was not. */
  skipped?: string;
}

/**
 * What `npm start` does before serving, outside production: on a store with no user, the demo
 * users (returned with their one-time passwords, for the caller to print once); on a store holding nothing but the
 * published plan (the very first start), the demo year too, unless JIXIAO_DEMO=off. Run on an
 * application context whose background work has not started (see main.ts): the demo moves its own
 * clock through the plan year.
 */
export async function firstStart(app: INestApplicationContext, options: FirstStartOptions = {}): Promise<FirstStartOutcome> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const engine = app.get(Engine);
  if (engine.options.config.production) return { users: [], skipped: 'production' };

  // Read only as far as it takes to tell: the first event that is not a published plan says no.
  const survey = await surveyStore(engine.store, (s) => !holdsOnlyPlans(s));
  const planId = (env.JIXIAO_PLANS ?? 'ye-county-2023').split(',')[0]!.trim();
  let outcome: FirstStartOutcome;
  if (!holdsOnlyPlans(survey)) {
    outcome = { users: await ensureDemoUsers(engine, await app.get(PlanService).get(planId)), skipped: 'the store holds data already' };
  } else if ((env.JIXIAO_DEMO ?? '').toLowerCase() === 'off') {
    outcome = { users: await ensureDemoUsers(engine, await app.get(PlanService).get(planId)), skipped: 'JIXIAO_DEMO=off' };
  } else {
    log('First start: playing the demo year, a synthetic 2023 (演示数据 / synthetic demo data), before the server starts. Set JIXIAO_DEMO=off to start empty.');
    // JIXIAO_DEMO=closed: the year-end review is closed too (proposal approved and published).
    const closeYear = (env.JIXIAO_DEMO ?? '').toLowerCase() === 'closed';
    const demo = await playDemoYear(app, { planId, ...(closeYear ? { closeYear } : {}), ...options.demo, operator: SYSTEM_PRINCIPAL, progress: log });
    log(
      `First start: the demo year is played (${demo.commands} commands, ${Object.values(demo.counts).reduce((a, b) => a + b, 0)} events, ${(demo.durationMs / 1000).toFixed(1)} s).`,
    );
    outcome = { users: demo.createdUsers, demo };
  }
  return outcome;
}

/** The demo users with their one-time passwords, as a table to print once. */
export function usersTable(users: readonly DemoUser[], signInAt?: string): string[] {
  const rows = users.map((u) => [u.username, u.password, u.role, u.unitId ?? '', u.name]);
  const head = ['username', 'one-time password', 'role', 'unit', 'name'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(width[i]!) : c)).join('  ');
  return [
    `Demo users (outside production only)${signInAt ? `: sign in at ${signInAt}` : ''}. Each password works once, must be changed at the first sign-in, and is shown only now:`,
    line(head),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
}
