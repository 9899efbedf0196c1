import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../event-store/envelope.js';
import type { NewEvent } from '../event-store/event-store.js';

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
