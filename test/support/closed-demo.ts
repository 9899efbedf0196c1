import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ManualClock } from '../../libs/engine/clock.js';
import { readConfig } from '../../libs/engine/config.js';
import { createSqliteDirectory } from '../../libs/engine/testing/databases.js';
import { playDemoYear, type DemoOutcome } from '../../libs/workflows/demo/demo-year.js';
import { AppModule } from '../../apps/api/src/app.module.js';
import { changePassword, loginAs, startApp, testPassword, type RunningApp, type TestSession } from './app.js';

/**
 * The whole demo year with its year-end review closed (`demo --close-year`), played on a SQLite
 * store of its own, then the API on it with the clock a few days after the demo's end: the running
 * app from which the year-end documents and exports are made. close() stops it and drops the store.
 */
export async function startClosedDemoYear(): Promise<{ running: RunningApp; outcome: DemoOutcome; signIn(username: string): Promise<TestSession>; close(): Promise<void> }> {
  const dir = createSqliteDirectory('closed-demo');
  const storeUrl = dir.url();
  const setup = await NestFactory.createApplicationContext(
    AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: storeUrl }), background: false, clock: new ManualClock('2022-12-31T00:00:00.000Z') }),
    { logger: ['error'] },
  );
  await setup.init();
  let outcome: DemoOutcome;
  try {
    outcome = await playDemoYear(setup, { seed: 2023, closeYear: true });
  } finally {
    await setup.close();
  }
  const running = await startApp({ storeUrl, clock: new ManualClock(new Date(Date.parse(outcome.simulated.to) + 2 * 86_400_000).toISOString()) });
  return {
    running,
    outcome,
    async signIn(username) {
      const u = outcome.createdUsers.find((x) => x.username === username);
      if (!u) throw new Error(`the demo created no user ${username} (${outcome.createdUsers.map((x) => x.username).join(', ')})`);
      const s = await loginAs(running, u.username, u.password);
      await changePassword(running, s, u.password, testPassword());
      return s;
    },
    async close() {
      await running.close();
      dir.drop();
    },
  };
}
