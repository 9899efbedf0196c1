import { deepFreeze } from '../deep-freeze.js';
import { hash } from 'node:crypto';
import type { EventMetadata } from '../event-store/envelope.js';
import type { Clock } from '../clock.js';
import { FactsMovedError, RecordedTimeRegressionError, WrongExpectedRevisionError } from '../event-store/errors.js';
import type { EventStore, RecordedEvent } from '../event-store/event-store.js';
import type { StreamRevision } from '../event-store/storage.js';
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
  /**
   * The other streams the command's facts were read from (the plan, the official standings), at
   * the revisions read: the append is refused if any has moved (FactsMovedError), so a decision on
   * stale facts is never stored. See decideOnFacts.
   */
  facts?: readonly StreamRevision[];
  /**
   * False when some `facts` are revisions this process only believed current (knownRevisions), not
   * asked of the store: then only an append (which checks them) is final, and any other answer is
   * FactsUnverifiedError, for the caller to decide again on facts read from the store. Default true.
   */
  factsVerified?: boolean;
}

/**
 * The command was refused or answered without an append, on facts this process only believed
 * current: decide it again on facts read from the store (decideOnFacts does).
 */
export class FactsUnverifiedError extends Error {
  readonly streamId: string;
  constructor(streamId: string) {
    // Control flow between executeCommand and decideOnFacts, which catches it (a repeated command
    // answered without an append meets it every time): no stack worth capturing.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`the command on "${streamId}" was refused or answered on facts not read from the store; decide it again on fresh facts`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.streamId = streamId;
  }
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
  // The first attempt decides on the stream's events as this process last knew them when nothing
  // says they moved (EventStore.knownRevisions), without asking the store: the append's expected
  // revision refuses it if another writer got in between. Only an append is final on what was not
  // read from the store; any other answer (a refusal, nothing to do, a replay) is given only once
  // the stream, then the facts, have been read from the store.
  let fresh = false;
  for (let attempt = 1; ; attempt++) {
    const { history, read } = await readHistory(store, streamId, fresh);
    const verified = read && options.factsVerified !== false;
    let step: Step;
    try {
      step = await decideOnce(history, attempt);
    } catch (err) {
      if (verified || err instanceof FactsMovedError) throw err;
      step = { kind: 'unverified' };
    }
    if (step.kind === 'appended') return step.result;
    if (step.kind === 'retry') {
      fresh = true;
      continue;
    }
    if (step.kind === 'answered' && verified) return step.result;
    if (!read) {
      fresh = true;
      continue;
    }
    throw new FactsUnverifiedError(streamId);
  }

  async function decideOnce(history: readonly RecordedEvent[], attempt: number): Promise<Step> {
    const revision = history.length - 1;
    const state = foldState(store, decider, streamId, history);
    // Who may send this is decided first, on the state as it is now: a replay answers no one who
    // could not send the command itself.
    const role = decider.authorize(command, state);

    const earlier = history.filter((e) => e.metadata.commandId === command.meta.commandId && e.metadata.actor.userId === command.meta.actor.userId);
    if (earlier.length > 0) {
      const stored = (earlier[0]!.metadata as EventMetadata & { commandDigest?: string }).commandDigest;
      // Events written before digests were recorded carry none: they are answered as before.
      if (stored !== undefined && stored !== digest) throw new IdempotencyKeyReusedError(command.meta.commandId, earlier[0]!.type);
      return { kind: 'answered', result: answer(streamId, earlier) };
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
      return { kind: 'answered', result: { streamId, revision, events: [] } };
    }
    events = decider.decide(command, state);
    if (timerId !== undefined) {
      const fired: TimerFired = { type: TIMER_FIRED, data: { timerId, outcome: events.length ? 'acted' : 'nothing to do' } };
      events = [...events, fired];
    }
    if (events.length === 0) return { kind: 'answered', result: { streamId, revision, events: [] } };

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
        { expectedRevision: revision < 0 ? 'no_stream' : revision, recorded: true, ...(options.facts?.length ? { facts: options.facts } : {}) },
      );
      // The next command on this stream starts from these events without reading them back.
      if (appended.events) keep(store, streamId, history, appended.events);
      return { kind: 'appended', result: { streamId, revision: appended.nextExpectedRevision, position: appended.position, events } };
    } catch (err) {
      // The stream holds an event recorded after this command read the clock (another writer got in
      // between): the append happens now, so stamp it now — never earlier than that event — and
      // decide again on the state as it is.
      if (err instanceof RecordedTimeRegressionError && attempt < MAX_ATTEMPTS) {
        command = { ...command, meta: { ...command.meta, now: restamp(err.previousRecordedAt, options.clock) } } as C;
        return { kind: 'retry' };
      }
      // Someone else wrote to the stream between our read and our append. Without If-Match the
      // client asked for the command on the current state: decide again on it.
      if (err instanceof WrongExpectedRevisionError && options.expectedRevision === undefined && attempt < MAX_ATTEMPTS) return { kind: 'retry' };
      if (err instanceof WrongExpectedRevisionError && options.expectedRevision !== undefined) {
        throw new PreconditionFailedError(options.expectedRevision, err.actual);
      }
      throw err;
    }
  }
}

/** One attempt's outcome: final, final once verified, or decide again on the stream as stored. */
type Step = { kind: 'appended'; result: CommandResult } | { kind: 'answered'; result: CommandResult } | { kind: 'retry' } | { kind: 'unverified' };

/**
 * The decider's command with the facts it needs (the plan, the standings), read by `prepare`:
 * from what this process already knows of their streams on the first attempt (`fresh` false),
 * from the store on the next. The command is executed with those streams' revisions as `facts`:
 * if one moved, nothing is written and the command is prepared and decided again on the facts
 * as stored — so a cached fact saves its round trip, but a decision on a stale one is never stored.
 */
export async function decideOnFacts<C extends Command, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamId: string,
  prepare: (facts: FactsReader) => Promise<C>,
  options: ExecuteOptions = {},
): Promise<CommandResult> {
  for (let attempt = 1; ; attempt++) {
    const facts = new FactsReader(store, attempt > 1);
    let command: C;
    try {
      command = await prepare(facts);
    } catch (err) {
      // Refused on facts this process only believed current: ask the store before answering.
      if (!facts.verified && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
    try {
      return await executeCommand(store, decider, streamId, command, { ...options, facts: facts.read, factsVerified: facts.verified });
    } catch (err) {
      if ((err instanceof FactsMovedError || err instanceof FactsUnverifiedError) && attempt < MAX_ATTEMPTS) continue;
      if (err instanceof FactsUnverifiedError) throw new Error(`${err.message} (gave up after ${attempt} attempts)`);
      throw err;
    }
  }
}

/**
 * What a command's preparation reads of other streams, and at which revisions: from what this
 * process knows (EventStore.knownRevisions) unless `fresh` or unknown, else asked of the store.
 */
export class FactsReader {
  readonly #read = new Map<string, number>();
  #verified = true;

  constructor(
    readonly store: EventStore,
    readonly fresh: boolean,
  ) {}

  /** The streams' revisions (-1: no stream), recorded as facts of the decision. */
  async revisions(streamIds: readonly string[]): Promise<number[]> {
    const known = this.fresh ? undefined : this.store.knownRevisions(streamIds);
    let revisions: number[];
    if (known && known.every((r) => r !== undefined)) {
      revisions = known as number[];
      if (revisions.length > 0) this.#verified = false;
    } else revisions = await this.store.revisions(streamIds);
    streamIds.forEach((id, i) => this.#read.set(id, revisions[i]!));
    return revisions;
  }

  /** The decision used the stream at this revision (e.g. its events were read up to it). */
  use(streamId: string, revision: number): void {
    this.#read.set(streamId, revision);
  }

  get read(): StreamRevision[] {
    return [...this.#read].map(([streamId, revision]) => ({ streamId, revision }));
  }

  /** True if every revision was asked of the store for this decision. */
  get verified(): boolean {
    return this.#verified;
  }
}

/** Streams' events kept between commands, per store: at most this many streams, least recently used first out. */
const MAX_KEPT_STREAMS = 2_000;
const keptStreams = new WeakMap<EventStore, Map<string, readonly RecordedEvent[]>>();

/**
 * A stream's events, for a command. Stored events never change, so the events a previous command
 * read (or appended) are kept and only those after them are read: a stream's every command
 * otherwise reads and parses its whole history again. Unless `fresh`, when the store last saw the
 * stream at the kept events' last revision (its own appends and reads: knownRevisions), the kept
 * events are answered without a read (`read` false): the command's append, at their revision,
 * refuses if another process wrote meanwhile. Kept events are frozen, data included, so a decider
 * that mutated one would fail loudly instead of changing what the next command sees.
 */
async function readHistory(store: EventStore, streamId: string, fresh: boolean): Promise<{ history: readonly RecordedEvent[]; read: boolean }> {
  let kept = keptStreams.get(store);
  if (!kept) keptStreams.set(store, (kept = new Map()));
  const before = kept.get(streamId) ?? [];
  if (!fresh && store.knownRevisions([streamId])[0] === before.length - 1) {
    kept.delete(streamId); // re-inserted last: the least recently used stream is the first in the Map
    if (before.length > 0) kept.set(streamId, before);
    return { history: before, read: false };
  }
  // From the last kept event on, which must still be there: a stream rewritten behind the store's
  // back (tampering, a restore of an older copy) is read whole again, not decided on as kept.
  const rows = await store.readStream(streamId, before.length > 0 ? { fromRevision: before.length - 1 } : {});
  const overlap = before.length > 0 ? rows[0] : undefined;
  const after = before.length > 0 ? rows.slice(1) : rows;
  // A stream read whole starts at revision 0; anything else (never expected) is not kept.
  if ((before.length > 0 && overlap?.id !== before[before.length - 1]!.id) || after.some((e, i) => e.revision !== before.length + i)) {
    kept.delete(streamId);
    return { history: keep(store, streamId, [], await store.readStream(streamId)), read: true };
  }
  return { history: keep(store, streamId, before, after), read: true };
}

/** Keeps `before` and the events after it (read, or just appended) as the stream's events. */
function keep(store: EventStore, streamId: string, before: readonly RecordedEvent[], after: readonly RecordedEvent[]): readonly RecordedEvent[] {
  let kept = keptStreams.get(store);
  if (!kept) keptStreams.set(store, (kept = new Map()));
  const history = after.length === 0 ? before : [...before, ...after.map(deepFreeze)];
  kept.delete(streamId); // re-inserted last: the least recently used stream is the first in the Map
  if (history.length > 0 && history.every((e, i) => e.revision === i)) kept.set(streamId, history);
  if (kept.size > MAX_KEPT_STREAMS) kept.delete(kept.keys().next().value!);
  return history;
}

/** A stream's state as a decider last folded it, per store: at most MAX_KEPT_STREAMS streams, least recently used first out. */
const foldedStates = new WeakMap<EventStore, Map<string, { decider: object; length: number; last: RecordedEvent | undefined; state: unknown }>>();

/**
 * The decider's state after `history`. Every command on a stream used to fold its whole history
 * again (a report saved as a draft twenty times folds twenty drafts per save); the state folded
 * for the previous command is taken up where it stopped when `history` still holds the very events
 * it was folded from (the kept events are the same objects), else it is folded from the start.
 * States are frozen like the kept events, so a decider that changed one fails loudly instead of
 * changing what the next command on the stream decides on.
 */
function foldState<C extends Command, E extends DomainEvent, S>(store: EventStore, decider: Decider<C, E, S>, streamId: string, history: readonly RecordedEvent[]): S {
  let folded = foldedStates.get(store);
  if (!folded) foldedStates.set(store, (folded = new Map()));
  const kept = folded.get(streamId);
  const resume = kept !== undefined && kept.decider === decider && kept.length <= history.length && (kept.length === 0 || history[kept.length - 1] === kept.last);
  let state = resume ? (kept.state as S) : decider.initialState();
  for (let i = resume ? kept.length : 0; i < history.length; i++) state = decider.evolve(state, { type: history[i]!.type, data: history[i]!.data } as E);
  folded.delete(streamId); // re-inserted last: the least recently used stream is the first in the Map
  folded.set(streamId, { decider, length: history.length, last: history[history.length - 1], state: deepFreeze(state) });
  if (folded.size > MAX_KEPT_STREAMS) folded.delete(folded.keys().next().value!);
  return state;
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
