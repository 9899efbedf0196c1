/**
 * Errors the event store raises. Each carries a stable `code` so the HTTP layer can turn it into
 * problem details without string matching, and says what, where and why.
 */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** The stream's revision did not match the caller's expectation; nothing was written. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'wrong-expected-revision';
  constructor(
    readonly streamId: string,
    readonly expected: string,
    /** -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`Stream "${streamId}" was expected to be at ${expected} but is ${actual < 0 ? 'absent (no stream)' : `at revision ${actual}`}; nothing was written.`);
  }
}

/**
 * A stream the decision was made on (the plan, the official standings: `facts`) has moved since it
 * was read; nothing was written. The command is decided again on the facts as they are now.
 */
export class FactsMovedError extends EventStoreError {
  readonly code = 'facts-moved';
  constructor(
    /** The stream being appended to. */
    readonly streamId: string,
    /** The facts' streams, at the revisions the decision assumed. */
    readonly facts: readonly { streamId: string; revision: number }[],
  ) {
    super(
      `Stream "${streamId}" was not appended to: a stream the decision was made on (${facts.map((f) => f.streamId).join(', ')}) has moved since it was read; nothing was written.`,
    );
  }
}

/** An event id is already stored with other content (type, data or stream); nothing was written. */
export class EventIdConflictError extends EventStoreError {
  readonly code = 'event-id-conflict';
  constructor(
    readonly eventId: string,
    readonly why: string,
  ) {
    super(`Event id ${eventId} is already stored ${why}; an event id may only be re-sent with identical content.`);
  }
}

/** The request itself is malformed (stream name, event type, data, expected revision…); nothing was written. */
export class InvalidEventError extends EventStoreError {
  readonly code = 'invalid-event';
  constructor(
    /** Where: a JSON-path-like pointer, e.g. `events[2].data.values[3]`. */
    readonly where: string,
    readonly why: string,
  ) {
    super(`${where}: ${why}`);
  }
}

/** The global order could not be read up to its head in time: an older transaction held readers back. */
export class ReaderHorizonTimeoutError extends EventStoreError {
  readonly code = 'reader-horizon-timeout';
}

/**
 * PostgreSQL: the cluster's transaction counter is not above the largest transaction id stored
 * in `events` — a dump restored into another cluster without moving the counter past it. New
 * events would sort before events readers have already passed, and readers cannot see the
 * restored ones. The store refuses to open and to append; nothing was written.
 */
export class TransactionCounterBehindError extends EventStoreError {
  readonly code = 'transaction-counter-behind';
  constructor(
    /** The next transaction id the cluster will hand out. */
    readonly next: string,
    /** The largest transaction id stored in the events table. */
    readonly largestStored: string,
  ) {
    super(
      `The PostgreSQL cluster's next transaction id (${next}) is not above the largest transaction id stored in the events table (${largestStored}): ` +
        `this database was restored from a dump into a cluster whose transaction counter was not moved past the stored events. ` +
        `New events would sort before events that readers have already passed and be lost from every read model, and readers cannot see the restored events. ` +
        `Nothing was written. Stop the API and the worker and follow docs/deploy.md §3.3 ("Restoring into a new cluster: the transaction counter"); ` +
        `\`jixiao restore\` computes the pg_resetwal step from the dump and the cluster, and \`jixiao recover-writes\` repairs writes accepted before it.`,
    );
  }
}

/**
 * An event's recorded time is earlier than the last one of its stream (or of the events before it
 * in the same append); nothing was written. "As known at T" folds each stream up to T, so a stream
 * whose recorded times go back would show at some T a state that never existed.
 */
export class RecordedTimeRegressionError extends EventStoreError {
  readonly code = 'recorded-time-regression';
  constructor(
    readonly streamId: string,
    /** The revision the refused event would have had. */
    readonly revision: number,
    readonly recordedAt: string,
    readonly previousRecordedAt: string,
  ) {
    const seconds = (Date.parse(previousRecordedAt) - Date.parse(recordedAt)) / 1000;
    super(
      `Stream "${streamId}" at revision ${revision - 1} was recorded at ${previousRecordedAt}; an event recorded at ${recordedAt} (${seconds} s earlier) ` +
        `cannot follow it: recorded times never go back within a stream. Stamp the event when it is appended; nothing was written.`,
    );
  }
}
