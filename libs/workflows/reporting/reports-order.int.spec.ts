import { openEventStore } from '../../engine/event-store/open-event-store.js';
import { ProjectionRunner } from '../../engine/projections/projection-runner.js';
import { openReadModelStore } from '../../engine/projections/read-model-store.js';
import { createSqliteDirectory } from '../../engine/testing/databases.js';
import { testEvent } from '../../engine/testing/fixtures.js';
import { REPORTS_PROJECTION, reportsProjection } from './reports.projection.js';
import { reportStream } from './reporting.events.js';

/**
 * Out-of-order arrivals (a restore's low transaction ids put a report's later events before its
 * ReportOpened in the global order) must stop the projection with a clear message: a skipped event
 * would be lost from the read model for good, and a rebuild would lose it again.
 */
describe('the reports projection on a report event that arrives before its ReportOpened', () => {
  it('stops with a message naming the event and the cause, on a rebuild and when following', async () => {
    const dir = createSqliteDirectory('reports-order');
    const store = await openEventStore(dir.url());
    const readModels = await openReadModelStore(dir.url());
    const runner = new ProjectionRunner(store, readModels, [reportsProjection]);
    try {
      await runner.catchUp(); // the serving generation, on the empty store
      const report = { planId: 'ye-county-2023', unitId: 'sthjj', period: '2023-01' };
      const stream = reportStream(report);
      await store.appendToStream(stream, [testEvent('ReportReminderSent', { ...report })]);
      await expect(runner.rebuild(REPORTS_PROJECTION)).rejects.toThrow(
        new RegExp(
          `rebuilding reports .* stopped; the old generation keeps serving: projection reports: ReportReminderSent of report ye-county-2023/sthjj/2023-01 \\(stream "${stream}" revision 0, position 1\\) arrived before its ReportOpened`,
        ),
      );
      await runner.catchUp(2_000).catch(() => undefined);
      const status = runner.status().find((s) => s.name === REPORTS_PROJECTION)!;
      expect(status.error).toContain('arrived before its ReportOpened');
      expect(status.error).toContain('docs/deploy.md §3.4');
      // Its checkpoint did not move past the event: nothing was skipped.
      expect(status.checkpoint).toBeUndefined();
    } finally {
      await runner.stop();
      await store.close();
      await readModels.close();
      dir.drop();
    }
  });
});
