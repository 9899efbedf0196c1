import 'reflect-metadata';
import { ManualClock } from '../../libs/engine/clock.js';
import type { DemoOutcome } from '../../libs/workflows/demo/demo-year.js';
import { demoStore } from './demo-store.js';
import { changePassword, loginAs, startApp, testPassword, type RunningApp, type TestSession } from './app.js';

/**
 * The whole demo year with its year-end review closed (`demo --close-year`), on a SQLite store of
 * its own (a copy of the one played once per run, demo-store.ts), then the API on it with the clock a few days after the demo's end: the running
 * app from which the year-end documents and exports are made. close() stops it and drops the store.
 */
export async function startClosedDemoYear(): Promise<{ running: RunningApp; outcome: DemoOutcome; signIn(username: string): Promise<TestSession>; close(): Promise<void> }> {
  const dir = await demoStore('closed');
  const { outcome } = dir;
  const running = await startApp({ storeUrl: dir.url, clock: new ManualClock(new Date(Date.parse(outcome.simulated.to) + 2 * 86_400_000).toISOString()) });
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
