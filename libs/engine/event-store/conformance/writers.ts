import { randomUUID } from 'node:crypto';
import type { EventStore } from '../event-store.js';
import { testEvent } from '../../testing/fixtures.js';

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
        await store.appendToStream(plan.shared, [f], { expectedRevision: 'any' });
        acked.push(f.id!);
      }
    }),
  );
  return acked;
}

