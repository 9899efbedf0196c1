import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ManualClock } from '../libs/engine/clock.js';
import { readConfig } from '../libs/engine/config.js';
import { openEventStore } from '../libs/engine/event-store/open-event-store.js';
import { demoClockFor, DemoClock } from '../libs/workflows/demo/demo-clock.js';
import { playDemoYear } from '../libs/workflows/demo/demo-year.js';
import { AppModule } from '../apps/api/src/app.module.js';
import { changePassword, loginAs, STORE_TARGETS, startApp, type RunningApp } from './support/app.js';

/** The newcomer's path: the demo played before the server starts, then the API shows it, labelled. */
describe.each(STORE_TARGETS)('the demo year over HTTP on $name', (target) => {
  let running: RunningApp;
  let empty: RunningApp;
  let clock: DemoClock | undefined;
  let simulatedTo: string;
  let office: { username: string; password: string };
  const drops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const db = await target.create();
    drops.push(db.drop);
    // As main.ts does: played in an application context without background work, closed, then served.
    const setup = await NestFactory.createApplicationContext(
      AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: db.storeUrl }), background: false, clock: new ManualClock('2022-12-31T00:00:00.000Z') }),
      { logger: ['error'] },
    );
    await setup.init();
    const outcome = await playDemoYear(setup, { months: 1, seed: 5 });
    await setup.close();
    office = outcome.createdUsers.find((u) => u.username === 'office')!;
    simulatedTo = outcome.simulated.to;
    // As main.ts does: a store holding the demo is served on the demo's clock.
    const store = await openEventStore(db.storeUrl);
    clock = await demoClockFor(store);
    await store.close();
    running = await startApp({ storeUrl: db.storeUrl, ...(clock ? { clock } : {}) });
    const other = await target.create();
    drops.push(other.drop);
    empty = await startApp({ storeUrl: other.storeUrl });
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    await empty?.close();
    for (const drop of drops) await drop();
  });

  it('GET /api/v1/demo says the store is synthetic, without a session (the sign-in page shows the banner); 404 on a store without the demo', async () => {
    const res = await fetch(`${running.url}/api/v1/demo`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ synthetic: true, status: 'played', label: '演示数据 / synthetic demo data', seed: 5, months: 1, counts: { ReportOpened: 21 } });
    const none = await fetch(`${empty.url}/api/v1/demo`);
    expect(none.status).toBe(404);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(await none.json()).toMatchObject({ status: 404, code: 'no-demo' });
  });

  it('a demo user signs in with the one-time password and sees the synthetic January in Annex 2 and on the compliance board', async () => {
    const session = await loginAs(running, office.username, office.password);
    await changePassword(running, session, office.password, 'Ye-County-2023!');
    const annex2 = await fetch(`${running.url}/api/v1/plans/ye-county-2023/annex2/2023-01`, { headers: session.headers });
    expect(annex2.status).toBe(200);
    const table = (await annex2.json()) as { summary: { rows: number; withResult: number; official: number } };
    expect(table.summary.rows).toBe(49);
    expect(table.summary.withResult).toBeGreaterThan(30);
    expect(table.summary.official).toBe(49);
    const board = await fetch(`${running.url}/api/v1/plans/ye-county-2023/reporting/compliance?from=2023-01&to=2023-01`, { headers: session.headers });
    const units = ((await board.json()) as { units: { cells: Record<string, { onTime: boolean | null } | null> }[] }).units;
    expect(units).toHaveLength(21);
    expect(units.filter((u) => u.cells['2023-01']?.onTime === false)).toHaveLength(1); // January's late report
  });

  it('is served on the demo’s clock: GET /demo says the date it stands at, and deadlines count from it, not from today (never "已超期 1154天")', async () => {
    expect(clock).toBeInstanceOf(DemoClock);
    // Stands a second after the demo's last recorded event, in the demo's year.
    expect(clock!.standsAt.getTime()).toBeGreaterThan(Date.parse(simulatedTo));
    expect(clock!.standsAt.getTime()).toBeLessThan(Date.parse(simulatedTo) + 86_400_000);
    const demo = (await (await fetch(`${running.url}/api/v1/demo`)).json()) as { clock: { now: string; date: string } };
    expect(demo.clock.date.slice(0, 4)).toBe('2023');
    expect(Date.parse(demo.clock.now)).toBeGreaterThanOrEqual(clock!.standsAt.getTime());
    expect(Date.parse(demo.clock.now) - clock!.standsAt.getTime()).toBeLessThan(10 * 60_000);

    // The office opens February on the served demo: its reports are due in March 2023, weeks ahead
    // of the demo's date (on the real clock they would be more than a thousand days overdue).
    const session = await loginAs(running, office.username, 'Ye-County-2023!');
    const opened = await fetch(`${running.url}/api/v1/plans/ye-county-2023/reporting/periods/2023-02/open`, { method: 'POST', headers: session.headers });
    expect(opened.status).toBe(200);
    const unitId = ((await opened.json()) as { opened: string[] }).opened[0]!;
    // Read the write (?minPosition=, as the UI does): projections apply it after the answer.
    const position = encodeURIComponent(opened.headers.get('x-position')!);
    const mine = await fetch(`${running.url}/api/v1/plans/ye-county-2023/reporting/units/${unitId}/reports?minPosition=${position}`, { headers: session.headers });
    expect(mine.status).toBe(200);
    const feb = ((await mine.json()) as { items: { period: string; minutesLeft: number | null; overdue: boolean }[] }).items.find((r) => r.period === '2023-02')!;
    expect(feb.overdue).toBe(false);
    expect(feb.minutesLeft).toBeGreaterThan(0);
    expect(feb.minutesLeft).toBeLessThan(60 * 24 * 60);
  });

  it('is refused on a running server: its timers would fire the demo’s deadlines on today’s date', async () => {
    await expect(playDemoYear(running.app)).rejects.toMatchObject({ code: 'demo-needs-quiet-engine' });
  });
});
