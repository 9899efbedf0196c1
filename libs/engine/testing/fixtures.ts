import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../event-store/envelope.js';
import type { EventStore, NewEvent, RecordedEvent } from '../event-store/event-store.js';

/** A complete audit envelope for store-level tests, where no command produced the event. */
export function testMetadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  const id = randomUUID();
  return {
    actor: { userId: 'test-user', role: 'office' },
    commandId: id,
    correlationId: id,
    causationId: id,
    recordedAt: new Date().toISOString(),
    ...overrides,
  };
}

export function testEvent(type = 'Tested', data: Record<string, unknown> = {}, id: string = randomUUID()): NewEvent {
  return { id, type, data, metadata: testMetadata() };
}

/**
 * Every event committed so far, in global order. Reads until the store's head, since on
 * PostgreSQL a reader's horizon may briefly trail a commit while another transaction in the
 * cluster (another test's database) is open.
 */
export async function readEverything(store: EventStore, timeoutMs = 15_000): Promise<RecordedEvent[]> {
  const head = await store.headPosition();
  const out: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (head !== undefined && (out.length === 0 || store.comparePositions(out.at(-1)!.position, head) < 0)) {
    const page = await store.readAll({ fromPosition: out.at(-1)?.position, maxCount: 5000 });
    out.push(...page);
    if (page.length === 0) {
      if (Date.now() > deadline) throw new Error(`readers did not reach the head ${head} in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return out;
}
