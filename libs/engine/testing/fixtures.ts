import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../event-store/envelope.js';
import { readRecordedToHead, type EventStore, type NewEvent, type RecordedEvent } from '../event-store/event-store.js';

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
  const out: RecordedEvent[] = [];
  await readRecordedToHead(store, undefined, (page) => void out.push(...page), { pageSize: 5000, timeoutMs });
  return out;
}
