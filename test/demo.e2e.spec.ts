import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ManualClock } from '../libs/engine/clock.js';
import { readConfig } from '../libs/engine/config.js';
import { playDemoYear } from '../libs/workflows/demo/demo-year.js';
import { AppModule } from '../apps/api/src/app.module.js';
import { changePassword, loginAs, STORE_TARGETS, startApp, type RunningApp } from './support/app.js';

/** The newcomer's path: the demo played before the server starts, then the API shows it, labelled. */
describe.each(STORE_TARGETS)('the demo year over HTTP on $name', (target) => {
  let running: RunningApp;
  let empty: RunningApp;
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
    running = await startApp({ storeUrl: db.storeUrl });
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
    const board = await fetch(`${running.url}/api/v1/reporting/ye-county-2023/compliance?from=2023-01&to=2023-01`, { headers: session.headers });
    const units = ((await board.json()) as { units: { cells: Record<string, { onTime: boolean | null } | null> }[] }).units;
    expect(units).toHaveLength(21);
    expect(units.filter((u) => u.cells['2023-01']?.onTime === false)).toHaveLength(1); // January's late report
  });

  it('is refused on a running server: its timers would fire the demo’s deadlines on today’s date', async () => {
    await expect(playDemoYear(running.app)).rejects.toMatchObject({ code: 'demo-needs-quiet-engine' });
  });
});
