import 'reflect-metadata';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readConfig } from '../../../libs/engine/config.js';
import { ManualClock } from '../../../libs/engine/clock.js';
import { openEventStore, redact } from '../../../libs/engine/event-store/open-event-store.js';
import { localMidnightToUtc } from '../../../libs/workflows/plan/working-calendar.js';
import { loadPlanFile } from '../../../libs/workflows/plan/plans.js';
import { PlanService } from '../../../libs/workflows/plan/plan.service.js';
import type { DemoUser } from '../../../libs/workflows/accounts/demo-users.js';
import { demoClockFor, type DemoClock } from '../../../libs/workflows/demo/demo-clock.js';
import { holdsOnlyPlans, surveyStore } from '../../../libs/workflows/demo/demo-store.js';
import { firstStart, usersTable } from '../../../libs/workflows/demo/first-start.js';
import { AppModule } from './app.module.js';
import { configureApp } from './setup.js';

const config = readConfig();
// Its own logger: the setup context below quietens Nest's shared one to errors and warnings.
const log = new ConsoleLogger('Jixiao', { json: config.production });

// Outside production, the demo users and (on the very first start) the demo year come first, in
// an application context of their own without background work: the demo moves its own clock
// through 2023, and the engine's timers, on today's date, would fire every deadline of that year
// at once. The server starts once it is done. On a restart (the store holds more than plans, so
// the demo will not play) that second application is not built: the served one makes sure of the
// demo users before it listens.
let demoUsers: DemoUser[] = [];
const store = config.production ? undefined : await lookAtStore();
if (store?.demoMayPlay) {
  const setup = await NestFactory.createApplicationContext(AppModule.forRoot({ config, background: false, ...demoClock(store.empty) }), { logger: ['error', 'warn'] });
  await setup.init();
  try {
    demoUsers = (await firstStart(setup, { log: (line) => log.log(line) })).users;
  } catch (err) {
    log.error(`first start: ${(err as Error).message}; the server starts all the same`, (err as Error).stack);
  } finally {
    await setup.close();
  }
}

// A store holding the demo year is served on the demo's clock, standing at the demo's date (in
// 2024, not today's year): a report the demo left open is due in days, not 1,154 days overdue.
// Sessions keep the real time.
const served = !store ? undefined : store.demoMayPlay ? await servedDemoClock() : store.served;
if (served) log.log(`the store holds the demo year: its clock stands at ${served.standsAt.toISOString()} (演示数据 / synthetic demo data)`);

// In production, JSON lines (one object per log entry) for the log collector; readable text otherwise.
const app = await NestFactory.create(AppModule.forRoot({ config, ...(served ? { clock: served } : {}) }), {
  bufferLogs: false,
  logger: new ConsoleLogger({ json: config.production }),
});
configureApp(app);
if (store && !store.demoMayPlay) {
  await app.init();
  try {
    demoUsers = (await firstStart(app, { log: (line) => log.log(line) })).users;
  } catch (err) {
    log.error(`first start: ${(err as Error).message}; the server starts all the same`, (err as Error).stack);
  }
}
await app.listen(config.port);
// The port listened on (PORT=0 asks the system for a free one).
const url = `http://localhost:${(app.getHttpServer().address() as { port: number }).port}`;
log.log(`listening on ${url} (store ${redact(config.eventStoreUrl)}); API docs at /api/docs`);
if (demoUsers.length) console.log(['', ...usersTable(demoUsers, url), ''].join('\n'));

/**
 * What a start outside production needs to know of the store, read with one connection and at
 * the ends of the log only (a restart of a large store reads no more than that): whether it is
 * empty, whether the demo may play on it (nothing but published plans: firstStart decides, in
 * the setup context), and the demo's clock when it holds the played demo.
 */
async function lookAtStore(): Promise<{ empty: boolean; demoMayPlay: boolean; served?: DemoClock }> {
  const opened = await openEventStore(config.eventStoreUrl);
  try {
    const empty = (await opened.headPosition()) === undefined;
    if (empty || holdsOnlyPlans(await surveyStore(opened, (s) => !holdsOnlyPlans(s)))) return { empty, demoMayPlay: true };
    const served = await demoClockFor(opened);
    return { empty, demoMayPlay: false, ...(served ? { served } : {}) };
  } finally {
    await opened.close();
  }
}

/**
 * On the very first start, when the demo year will be played, the plan and the demo users are
 * recorded on the eve of the plan year, before the demo's 2023 events: "as known at" a day of the
 * synthetic year then shows the plan, as it would have been known.
 */
function demoClock(empty: boolean): { clock?: ManualClock } {
  if ((process.env.JIXIAO_DEMO ?? '').toLowerCase() === 'off') return {};
  if (!empty) return {};
  const plan = loadPlanFile(PlanService.builtinPlanPaths()[0]!);
  return { clock: new ManualClock(new Date(Date.parse(localMidnightToUtc(`${plan.year}-01-01`, plan.monthlyReport.timeZone)) - 86_400_000)) };
}

/** The demo's clock when the store holds the demo year (demo-clock.ts), else undefined: the real one. */
async function servedDemoClock(): Promise<DemoClock | undefined> {
  const opened = await openEventStore(config.eventStoreUrl);
  try {
    return await demoClockFor(opened);
  } finally {
    await opened.close();
  }
}
