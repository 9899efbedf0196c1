import { randomUUID } from 'node:crypto';
import { RecordedTimeRegressionError } from '../errors.js';
import type { EventStore, NewEvent } from '../event-store.js';
import { testEvent, testMetadata } from '../../testing/fixtures.js';

export interface WriterPlan {
  writers: number;
  perWriter: number;
  prefix: string;
  /** A stream every writer of every process also appends to (expected revision "any"). */
  shared: string;
}

/** Many async writers in this process: each appends to its own stream (exact revisions) and to the shared one. */
export async function runWriters(store: EventStore, plan: WriterPlan): Promise<string[]> {
  const acked: string[] = [];
  await Promise.all(
    Array.from({ length: plan.writers }, async (_, w) => {
      const own = `${plan.prefix}-${w}-${randomUUID()}`;
      for (let i = 0; i < plan.perWriter; i++) {
        const e = testEvent('Own', { w, i, p: plan.prefix });
        await store.appendToStream(own, [e], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
        acked.push(e.id!);
        const f = testEvent('Shared', { w, i, p: plan.prefix });
        await appendStampedNow(store, plan.shared, f);
        acked.push(f.id!);
      }
    }),
  );
  return acked;
}

/**
 * Writers racing on one stream: each stamps its event just before appending, yet another may stamp
 * later and land first. The store then refuses the earlier stamp; stamping again (the time of
 * this append) and retrying is what an application does (the command executor re-stamps).
 */
async function appendStampedNow(store: EventStore, stream: string, e: NewEvent): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await store.appendToStream(stream, [{ ...e, metadata: testMetadata({ ...e.metadata, recordedAt: new Date().toISOString() }) }], { expectedRevision: 'any' });
      return;
    } catch (err) {
      if (!(err instanceof RecordedTimeRegressionError) || attempt > 50) throw err;
    }
  }
}
