import { deepFreeze } from '../deep-freeze.js';
import { hash } from 'node:crypto';
import type { EventMetadata } from '../event-store/envelope.js';
import type { Clock } from '../clock.js';
import { RecordedTimeRegressionError, WrongExpectedRevisionError } from '../event-store/errors.js';
import type { EventStore, RecordedEvent } from '../event-store/event-store.js';
import { orderedUuid } from '../ids.js';
import { TIMER_FIRED, isTimerSettled, type TimerFired } from '../timers/timer-events.js';
import { IdempotencyKeyReusedError, PreconditionFailedError, type Command, type Decider, type DomainEvent } from './command.js';
import { canonicalJson, checkClaim, claim, type RequestKey } from './idempotency-claims.js';

export interface CommandResult {
  streamId: string;
  /** The stream's revision after the command: the next If-Match. -1 if the stream is still empty. */
  revision: number;
  /** Global position of the last event written (or of the earlier answer to a retry); wait on it to read your writes. */
  position?: string;
  events: DomainEvent[];
  /** True when this was a retry of a command already done: the first answer is returned. */
  replayed?: boolean;
}

export interface ExecuteOptions {
  /** From If-Match: refuse unless the stream is at exactly this revision. */
  expectedRevision?: number;
  /** Read again if the stream moved past the command's time, so the events are stamped when appended. */
  clock?: Clock;
}

const MAX_ATTEMPTS = 5;

/**
 * Load, authorize, decide, append with the expected revision: the whole of a command handler.
 * Every event gets the audit envelope from the command, and an id derived from the command's id,
 * actor and time.
 *
 * Idempotency (the Idempotency-Key, issue 13): a command id is bound to its actor, the command's
 * type, the target stream and a digest of its content (`commandDigest` in every event's metadata).
 * The actor is authorised against the stream's current state before anything is answered, a
 * replay included. Then a retry — same id, same actor, same digest — is answered from the stream's
 * history with its first result; the same id with another command, content or target is refused
 * (`IdempotencyKeyReusedError`, 422) and writes nothing; the same id sent by another actor is that
 * actor's own, fresh command. Two deliveries racing meet at the expected revision, and the second
 * is answered the same way. The same key on another stream is caught by the key's claim
 * (idempotency-claims.ts), written just before the first events a keyed request writes.
 */
export async function executeCommand<C extends Command, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  command: C,
  options: ExecuteOptions = {},
): Promise<CommandResult> {
  const digest = commandDigest(streamId, command);
  for (let attempt = 1; ; attempt++) {
    const history = await readHistory(store, streamId);
    const revision = history.length - 1;
    const state = history.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), decider.initialState());
    // Who may send this is decided first, on the state as it is now: a replay answers no one who
    // could not send the command itself.
    const role = decider.authorize(command, state);

    const earlier = history.filter((e) => e.metadata.commandId === command.meta.commandId && e.metadata.actor.userId === command.meta.actor.userId);
    if (earlier.length > 0) {
      const stored = (earlier[0]!.metadata as EventMetadata & { commandDigest?: string }).commandDigest;
      // Events written before digests were recorded carry none: they are answered as before.
      if (stored !== undefined && stored !== digest) throw new IdempotencyKeyReusedError(command.meta.commandId, earlier[0]!.type);
      return answer(streamId, earlier);
    }

    const keyed = command.meta.requestKey ? (command.meta as typeof command.meta & { requestKey: RequestKey }) : undefined;
    const claimed = keyed ? await checkClaim(store, keyed) : undefined;

    if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
      throw new PreconditionFailedError(options.expectedRevision, revision);
    }

    let events: DomainEvent[];
    const timerId = command.meta.timerId;
    if (timerId !== undefined && isTimerSettled(history, timerId)) {
      // Fired or cancelled already (a duplicate delivery, or cancelled after it was queued).
      return { streamId, revision, events: [] };
    }
    events = decider.decide(command, state);
    if (timerId !== undefined) {
      const fired: TimerFired = { type: TIMER_FIRED, data: { timerId, outcome: events.length ? 'acted' : 'nothing to do' } };
      events = [...events, fired];
    }
    if (events.length === 0) return { streamId, revision, events: [] };

    const metadata = { ...envelope(command, role), commandDigest: digest };
    if (keyed && claimed === 'free') await claim(store, keyed, streamId, envelope(command, role));
    try {
      const appended = await store.appendToStream(
        streamId,
        events.map((e, i) => ({
          id: orderedUuid(Date.parse(command.meta.now), `${command.meta.commandId}\n${command.meta.actor.userId}\n${streamId}\n${i}`),
          type: e.type,
          data: e.data as object,
          metadata,
        })),
        { expectedRevision: revision < 0 ? 'no_stream' : revision },
      );
      return { streamId, revision: appended.nextExpectedRevision, position: appended.position, events };
    } catch (err) {
      // The stream holds an event recorded after this command read the clock (another writer got in
      // between): the append happens now, so stamp it now — never earlier than that event — and
      // decide again on the state as it is.
      if (err instanceof RecordedTimeRegressionError && attempt < MAX_ATTEMPTS) {
        command = { ...command, meta: { ...command.meta, now: restamp(err.previousRecordedAt, options.clock) } } as C;
        continue;
      }
      // Someone else wrote to the stream between our read and our append. Without If-Match the
      // client asked for the command on the current state: decide again on it.
      if (err instanceof WrongExpectedRevisionError && options.expectedRevision === undefined && attempt < MAX_ATTEMPTS) continue;
      if (err instanceof WrongExpectedRevisionError && options.expectedRevision !== undefined) {
        throw new PreconditionFailedError(options.expectedRevision, err.actual);
      }
      throw err;
    }
  }
}

/** Streams' events kept between commands, per store: at most this many streams, least recently used first out. */
const MAX_KEPT_STREAMS = 2_000;
const keptStreams = new WeakMap<EventStore, Map<string, readonly RecordedEvent[]>>();

/**
 * A stream's events, for a command. Stored events never change, so the events a previous command
 * read are kept and only those after them are read: a stream's every command otherwise reads and
 * parses its whole history again. Kept events are frozen, data included, so a decider that
 * mutated one would fail loudly instead of changing what the next command sees.
 */
async function readHistory(store: EventStore, streamId: string): Promise<readonly RecordedEvent[]> {
  let kept = keptStreams.get(store);
  if (!kept) keptStreams.set(store, (kept = new Map()));
  const before = kept.get(streamId) ?? [];
  const after = await store.readStream(streamId, before.length > 0 ? { fromRevision: before.length } : {});
  // A stream read whole starts at revision 0; anything else (never expected) is not kept.
  if (after.some((e, i) => e.revision !== before.length + i)) {
    kept.delete(streamId);
    return store.readStream(streamId);
  }
  const history = after.length === 0 ? before : [...before, ...after.map(deepFreeze)];
  kept.delete(streamId); // re-inserted last: the least recently used stream is the first in the Map
  if (history.length > 0) kept.set(streamId, history);
  if (kept.size > MAX_KEPT_STREAMS) kept.delete(kept.keys().next().value!);
  return history;
}

function restamp(previous: string, clock: Clock | undefined): string {
  const now = clock?.now();
  return now && now.getTime() >= Date.parse(previous) ? now.toISOString() : new Date(previous).toISOString();
}

export function envelope(command: Command, role: string): EventMetadata {
  const m = command.meta;
  return {
    actor: { userId: m.actor.userId, role, ...(m.actor.unitId ? { unitId: m.actor.unitId } : {}), ...(m.actor.name ? { name: m.actor.name } : {}) },
    ...(m.onBehalfOf ? { onBehalfOf: m.onBehalfOf } : {}),
    commandId: m.commandId,
    correlationId: m.correlationId ?? m.commandId,
    causationId: m.causationId ?? m.commandId,
    recordedAt: m.now,
    ...(m.reason ? { reason: m.reason } : {}),
  };
}

/**
 * What a command id is bound to besides its actor: the command's type, its target stream and its
 * content, as the SHA-256 of their canonical JSON (keys sorted, undefined left out).
 */
export function commandDigest(streamId: string, command: Pick<Command, 'type' | 'data'>): string {
  return hash('sha256', canonicalJson({ type: command.type, stream: streamId, data: command.data }), 'hex');
}

function answer(streamId: string, earlier: RecordedEvent[]): CommandResult {
  const last = earlier[earlier.length - 1]!;
  return {
    streamId,
    revision: last.revision,
    position: last.position,
    events: earlier.map((e) => ({ type: e.type, data: e.data })),
    replayed: true,
  };
}
