import type { EventStore, RecordedEvent } from '../event-store/event-store.js';
import { MemoryDocs, type Projection } from './docs.js';

/**
 * "As known at" a moment (transaction time): a time, as recorded on the events, or a position in
 * the global order. Either bounds which events count.
 */
export interface AsOf {
  time?: string;
  position?: string;
}

/** A moment asked for that is not an ISO-8601 date-time: the client's input, a 400 `invalid-as-of` naming the parameter. */
export class InvalidAsOfError extends Error {
  readonly code = 'invalid-as-of';
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`${field}: "${value}" is not an ISO-8601 date-time`);
  }
}

/** `field` names the parameter in the error (asOf, t1, from, …). */
export function parseAsOf(time: string | undefined, position: string | undefined, field = 'asOf'): AsOf | undefined {
  if (time === undefined && position === undefined) return undefined;
  if (time !== undefined && Number.isNaN(Date.parse(time))) throw new InvalidAsOfError(field, time);
  return { ...(time !== undefined ? { time: new Date(time).toISOString() } : {}), ...(position !== undefined ? { position } : {}) };
}

/**
 * Whether an event was known at the moment: recorded by `asOf.time` and at or before
 * `asOf.position` (each bound only when given; without a moment, every event was).
 */
export function knownAt(store: Pick<EventStore, 'comparePositions'>, asOf: AsOf | undefined): (e: RecordedEvent) => boolean {
  return (e) => (asOf?.time === undefined || e.metadata.recordedAt <= asOf.time) && (asOf?.position === undefined || store.comparePositions(e.position, asOf.position) <= 0);
}

/** The given streams' events known at the moment, in global order. */
export async function readStreamsAsOf(store: EventStore, asOf: AsOf | undefined, streams: readonly string[]): Promise<RecordedEvent[]> {
  return (await store.readStreams(streams)).filter(knownAt(store, asOf));
}

/**
 * Re-derives a view from the events themselves, never from a stored copy: reads the given streams
 * (or, without them, the whole log), keeps the events recorded up to the moment, and folds them in
 * global order with the view's own projection code.
 */
export async function foldAsOf(store: EventStore, projection: Projection, asOf: AsOf, streams?: readonly string[]): Promise<MemoryDocs> {
  if (streams) return foldKnownAt(store, projection, asOf, await store.readStreams(streams));
  const handled = (e: RecordedEvent) => !projection.eventTypes || projection.eventTypes.includes(e.type);
  const known = knownAt(store, asOf);
  const within = (e: RecordedEvent) => handled(e) && known(e);
  const events: RecordedEvent[] = [];
  const head = await store.headPosition();
  let at: string | undefined;
  while (head !== undefined && (at === undefined || store.comparePositions(at, head) < 0)) {
    const page = await store.readAll({ fromPosition: at, maxCount: 5000 });
    if (page.length === 0) break; // the horizon trails the head: what is readable now is what was known
    for (const e of page) if (within(e)) events.push(e);
    at = page.at(-1)!.position;
    if (asOf.position !== undefined && store.comparePositions(at, asOf.position) >= 0) break;
  }
  return new MemoryDocs().fold(events, projection);
}

/**
 * foldAsOf over events already read (in global order): a question that looks at the same streams
 * at two moments reads them once.
 */
export function foldKnownAt(store: Pick<EventStore, 'comparePositions'>, projection: Projection, asOf: AsOf, events: readonly RecordedEvent[]): Promise<MemoryDocs> {
  const known = knownAt(store, asOf);
  return new MemoryDocs().fold(
    events.filter((e) => (!projection.eventTypes || projection.eventTypes.includes(e.type)) && known(e)),
    projection,
  );
}
