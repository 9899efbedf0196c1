import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { checkMetadata, type EventMetadata, type Upcasters } from './envelope.js';
import {
  EventIdConflictError,
  FactsMovedError,
  InvalidEventError,
  ReaderHorizonTimeoutError,
  RecordedTimeRegressionError,
  TransactionCounterBehindError,
  WrongExpectedRevisionError,
} from './errors.js';
import { chainHash, GENESIS_HASH } from './hash-chain.js';
import { newUuid } from '../ids.js';
import type { StorageAdapter, StoredEvent, StoredEventInput, StreamHead, StreamRevision } from './storage.js';
import { checkEventId, checkEventType, checkStreamId, toJsonText } from './validation.js';

/** EventStoreDB's four forms: the stream must not exist / anything / must exist / must be at exactly N. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

export interface NewEvent<D extends object = Record<string, unknown>> {
  /** A UUID. Send the same id again (a retry) and the store answers with the first result. */
  id?: string;
  type: string;
  data: D;
  metadata: EventMetadata;
}

export interface AppendResult {
  /** The stream's revision after the append: pass it as the next expected revision. */
  nextExpectedRevision: number;
  /** Global position of the last event appended; opaque, compare with comparePositions. */
  position: string;
  /**
   * With `recorded`: the events as a read would return them, where the adapter told every
   * event's position (not on a replay), so a caller keeping a stream's events need not read them back.
   */
  events?: RecordedEvent[];
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
  /**
   * Other streams the decision was made on, at the revisions it read (-1: no stream): nothing is
   * written unless each is still there (FactsMovedError), checked atomically with the head where
   * the adapter can (`checksFacts`). So a decision made on facts this process only believed
   * current (knownRevisions) is stored only if they were.
   */
  facts?: readonly StreamRevision[];
  /** Answer the appended events too (AppendResult.events). */
  recorded?: boolean;
}

/**
 * An event as read back. `metadata` is parsed on first access: most readers only fold data. So is
 * `data` when read from the store: a projection reads a few types, and a page of the log is handed
 * to it whole (a rebuild of the timeline parsed the data of ~38 % of the events only to skip them).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- readers narrow `data` by the event's type
export class RecordedEvent<D = any> {
  #metadataText: string;
  #metadata: EventMetadata | undefined;
  #data: D | undefined;
  /** The stored text and its upcasters, until `data` is first read. */
  #dataText: { text: string; upcast: ((data: D, metadata: EventMetadata) => D) | undefined } | undefined;
  constructor(
    readonly streamId: string,
    readonly revision: number,
    readonly position: string,
    readonly id: string,
    readonly type: string,
    data: D,
    metadataText: string,
    metadata?: EventMetadata,
  ) {
    this.#data = data;
    this.#metadataText = metadataText;
    this.#metadata = metadata;
  }

  /** An event whose data is parsed (and upcast) on first access, from the stored text. */
  static fromText<D>(
    streamId: string,
    revision: number,
    position: string,
    id: string,
    type: string,
    dataText: string,
    metadataText: string,
    upcast?: (data: D, metadata: EventMetadata) => D,
  ): RecordedEvent<D> {
    const e = new RecordedEvent<D>(streamId, revision, position, id, type, undefined as D, metadataText);
    e.#dataText = { text: dataText, upcast };
    return e;
  }

  get data(): D {
    const pending = this.#dataText;
    if (pending !== undefined) {
      // Cleared once parsed: a body that does not parse throws again on the next access.
      const parsed = JSON.parse(pending.text) as D;
      this.#data = pending.upcast ? pending.upcast(parsed, this.metadata) : parsed;
      this.#dataText = undefined;
    }
    return this.#data as D;
  }

  get metadata(): EventMetadata {
    return (this.#metadata ??= JSON.parse(this.#metadataText) as EventMetadata);
  }
  toJSON() {
    const { streamId, revision, position, id, type, data, metadata } = this;
    return { streamId, revision, position, id, type, data, metadata };
  }
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Default: the start (forwards) or the end (backwards). */
  fromRevision?: number;
  /** Default: everything. */
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. Default: from the beginning. */
  fromPosition?: string;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: the position of the last event already processed. */
  fromPosition?: string;
  pageSize?: number;
  /** How often to look for events written by other processes; local appends wake it at once. */
  pollIntervalMs?: number;
}

export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): void;
}

export interface EventStoreOptions {
  upcasters?: Upcasters;
  /** How many stream heads (revision + hash) to remember, to chain appends without a read. */
  headCacheSize?: number;
}

const READ_PAGE = 1000;

/** A stream head as the store chains on it, with its last event's recorded time (absent: no stream). */
interface KnownHead extends StreamHead {
  recordedAt?: string;
}

/**
 * The event store port, implemented once above the storage adapters. The adapters store and
 * read rows; this class owns the rules: validation, hash chains, the expected-revision forms,
 * idempotent appends, upcasting and catch-up subscriptions.
 */
export class EventStore {
  readonly #storage: StorageAdapter;
  readonly #upcasters: Upcasters;
  readonly #heads = new Map<string, KnownHead>();
  /** The revision each stream was last seen at by this process (its appends, its reads); see knownRevisions. */
  readonly #known = new Map<string, number>();
  readonly #headCacheSize: number;
  readonly #appended = new EventEmitter();
  #closed = false;

  constructor(storage: StorageAdapter, options: EventStoreOptions = {}) {
    this.#storage = storage;
    this.#upcasters = options.upcasters ?? {};
    this.#headCacheSize = options.headCacheSize ?? 50_000;
    this.#appended.setMaxListeners(0);
  }

  get kind(): string {
    return this.#storage.kind;
  }

  /** The adapter underneath, for audit verification and tests that must reach the raw rows. */
  get storage(): StorageAdapter {
    return this.#storage;
  }

  comparePositions(a: string, b: string): number {
    return this.#storage.comparePositions(a, b);
  }

  async appendToStream(streamId: string, events: readonly NewEvent<object>[], options: AppendOptions = {}): Promise<AppendResult> {
    const expected = options.expectedRevision ?? 'any';
    checkStreamId(streamId);
    checkExpectedRevision(expected);
    const facts = options.facts?.length ? options.facts : undefined;
    for (const f of facts ?? []) {
      checkStreamId(f.streamId);
      if (!(Number.isSafeInteger(f.revision) && f.revision >= -1)) throw new InvalidEventError('facts', `${JSON.stringify(f.revision)} is not a revision (-1 for no stream)`);
    }
    if (!Array.isArray(events) || events.length === 0) throw new InvalidEventError('events', 'at least one event is required');
    // The events of one command share one envelope object: check and serialise it once.
    const envelopes = new Map<object, string>();
    const prepared = events.map((e, i) => prepare(e, `events[${i}]`, envelopes));
    const seen = new Set<string>();
    for (const [i, e] of prepared.entries()) {
      if (seen.has(e.id)) throw new InvalidEventError(`events[${i}].id`, `event id ${e.id} appears twice in one append`);
      seen.add(e.id);
    }

    // Chain on the head we believe in (cached, or "absent" when the caller says no_stream), and let
    // the adapter's atomic check tell us if the stream moved. A cached head is never wrong about
    // the hash at its revision (stored events are immutable), only possibly behind.
    let head: KnownHead | undefined = this.#heads.get(streamId) ?? (expected === 'no_stream' ? { revision: -1, hash: GENESIS_HASH } : undefined);
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      if (!head) {
        head = await this.#headOf(streamId);
        fresh = true;
      }
      const violated = violates(expected, head.revision);
      if (violated) {
        if (!fresh) {
          head = undefined;
          continue;
        }
        const replay = await this.#replayOf(streamId, prepared);
        if (replay) return replay;
        throw new WrongExpectedRevisionError(streamId, describe(expected), head.revision);
      }
      // Recorded times never go back within a stream. Checked against the head the adapter will
      // confirm atomically (expectedHead below), so a writer that moved the stream meanwhile sends
      // us round again with the head as stored; a cached head may only be behind, never ahead.
      const regression = timeRegression(streamId, head, prepared);
      if (regression) {
        if (!fresh) {
          head = undefined;
          continue;
        }
        const replay = await this.#replayOf(streamId, prepared);
        if (replay) return replay;
        throw regression;
      }
      const rows = chain(streamId, head, prepared);
      // An adapter that cannot check the facts with the append has them checked just before: a
      // write landing in between goes unnoticed there (EventStoreDB), never on SQL stores.
      if (facts && !this.#storage.checksFacts && (await this.revisions(facts.map((f) => f.streamId))).some((r, i) => r !== facts[i]!.revision)) {
        throw this.#factsMoved(streamId, facts);
      }
      const outcome = await this.#storage.append(streamId, head.revision, rows, facts);
      if (outcome.kind === 'appended') {
        const last = rows[rows.length - 1]!;
        const revision = head.revision + rows.length;
        this.#remember(streamId, { revision, hash: last.hash, recordedAt: prepared[prepared.length - 1]!.recordedAt });
        this.#appended.emit('appended');
        const positions = outcome.positions;
        const recorded =
          options.recorded && positions?.length === rows.length
            ? rows.map((r, i) => this.#toRecorded({ ...r, streamId, revision: head!.revision + 1 + i, position: positions[i]! }))
            : undefined;
        return { nextExpectedRevision: revision, position: outcome.lastPosition, ...(recorded ? { events: recorded } : {}) };
      }
      if (outcome.kind === 'facts-moved') throw this.#factsMoved(streamId, facts ?? []);
      this.#heads.delete(streamId);
      this.#known.delete(streamId);
      if (outcome.kind === 'duplicate-id') {
        const replay = await this.#replayOf(streamId, prepared);
        if (replay) return replay;
        // Ids stored with different content would have thrown above; only a race remains.
      }
      if (attempt > 50) throw new Error(`append to "${streamId}" kept racing with other writers; gave up after ${attempt} attempts`);
      head = undefined;
      fresh = false;
    }
  }

  /** The stream's revision now (-1: no stream), without reading or parsing its events. */
  async revision(streamId: string): Promise<number> {
    const { revision } = await this.#storage.head(streamId);
    this.#see(streamId, revision);
    return revision;
  }

  /**
   * The revision each stream was at when this process last saw it (its own appends, reads and
   * revision queries; -1: no stream), undefined where it has not seen it — without asking the
   * store. Another process may have appended since: a decision made on these must pass them as
   * the append's `facts` (or its expected revision), which refuses it if they moved.
   */
  knownRevisions(streamIds: readonly string[]): (number | undefined)[] {
    return streamIds.map((id) => this.#known.get(id));
  }

  /**
   * Several streams' revisions at once (-1: no stream), in one round trip where the adapter can:
   * a command that checks a dozen streams for changes asks once instead of a dozen times.
   */
  async revisions(streamIds: readonly string[]): Promise<number[]> {
    for (const id of streamIds) checkStreamId(id);
    if (streamIds.length === 0) return [];
    const revisions = this.#storage.revisions ? await this.#storage.revisions(streamIds) : await Promise.all(streamIds.map(async (id) => (await this.#storage.head(id)).revision));
    streamIds.forEach((id, i) => this.#see(id, revisions[i]!));
    return revisions;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkStreamId(streamId);
    const direction = options.direction ?? 'forwards';
    if (direction !== 'forwards' && direction !== 'backwards') throw new InvalidEventError('direction', 'must be forwards or backwards');
    const { fromRevision, maxCount = Number.MAX_SAFE_INTEGER } = options;
    if (fromRevision !== undefined && !(Number.isSafeInteger(fromRevision) && fromRevision >= 0)) {
      throw new InvalidEventError('fromRevision', 'must be a non-negative integer');
    }
    if (!(Number.isSafeInteger(maxCount) && maxCount >= 0)) throw new InvalidEventError('maxCount', 'must be a non-negative integer');
    const rows = maxCount === 0 ? [] : await this.#storage.readStream(streamId, direction, fromRevision, maxCount);
    // A full forward read ends at the head: remember it so the next append chains without a read.
    if (direction === 'forwards' && fromRevision === undefined && rows.length > 0 && rows.length < maxCount) {
      const last = rows[rows.length - 1]!;
      this.#remember(streamId, { revision: last.revision, hash: last.hash, recordedAt: recordedAtOf(last.metadata) });
    } else if (direction === 'forwards' && rows.length > 0 && rows.length < maxCount) {
      this.#see(streamId, rows[rows.length - 1]!.revision);
    } else if (direction === 'forwards' && fromRevision === undefined && maxCount > 0 && rows.length === 0) {
      this.#see(streamId, -1);
    }
    return rows.map((r) => this.#toRecorded(r));
  }

  /** Every event of the given streams, in global order: in one round trip where the adapter can. */
  async readStreams(streamIds: readonly string[]): Promise<RecordedEvent[]> {
    for (const id of streamIds) checkStreamId(id);
    if (streamIds.length === 0) return [];
    if (this.#storage.readStreams) return (await this.#storage.readStreams([...new Set(streamIds)])).map((r) => this.#toRecorded(r));
    const events = (await Promise.all([...new Set(streamIds)].map((s) => this.readStream(s)))).flat();
    return events.sort((a, b) => this.comparePositions(a.position, b.position));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? READ_PAGE;
    if (!(Number.isSafeInteger(maxCount) && maxCount > 0)) throw new InvalidEventError('maxCount', 'must be a positive integer');
    const rows = await this.#storage.readAll(options.fromPosition, maxCount);
    return rows.map((r) => this.#toRecorded(r));
  }

  /**
   * Events before a position (exclusive; default: from the head), newest first, `maxCount` at most
   * (default 1,000): the tail of the log without reading it all. An adapter without a backward
   * read (EventStoreDB here) is read forwards up to the position.
   */
  async readAllBackwards(options: { beforePosition?: string; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? READ_PAGE;
    if (!(Number.isSafeInteger(maxCount) && maxCount > 0)) throw new InvalidEventError('maxCount', 'must be a positive integer');
    const before = options.beforePosition;
    if (this.#storage.readAllBackwards) return (await this.#storage.readAllBackwards(before, maxCount)).map((r) => this.#toRecorded(r));
    // The last maxCount rows seen, trimmed a page at a time (not one shift per row).
    let tail: StoredEvent[] = [];
    const newestFirst = () =>
      tail
        .slice(-maxCount)
        .reverse()
        .map((e) => this.#toRecorded(e));
    let at: string | undefined;
    for (;;) {
      const page = await this.#storage.readAll(at, READ_PAGE);
      const end = before === undefined ? -1 : page.findIndex((r) => this.comparePositions(r.position, before) >= 0);
      tail = [...tail.slice(-maxCount), ...(end < 0 ? page : page.slice(0, end))];
      if (end >= 0 || page.length < READ_PAGE) return newestFirst();
      at = page[page.length - 1]!.position;
    }
  }

  /** Position of the last committed event (readers may briefly trail it); undefined when empty. */
  headPosition(): Promise<string | undefined> {
    return this.#storage.headPosition();
  }

  /** Catch up from a checkpoint, then follow live, in global order; each event exactly once. */
  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const pageSize = options.pageSize ?? READ_PAGE;
    const pollIntervalMs = options.pollIntervalMs ?? 100;
    const stop = new AbortController();
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the generator below is a function, not a method
    const self = this;
    async function* run(): AsyncGenerator<RecordedEvent> {
      let checkpoint = options.fromPosition;
      while (!stop.signal.aborted && !self.#closed) {
        // Listen before reading, so an append that lands while we read is not slept through.
        const woken = self.appendSignal(pollIntervalMs, stop.signal);
        const page = await self.readAll({ fromPosition: checkpoint, maxCount: pageSize });
        for (const e of page) {
          if (stop.signal.aborted) break;
          checkpoint = e.position;
          yield e;
        }
        if (page.length < pageSize) await woken.promise;
        woken.cancel();
      }
    }
    const iterator = run();
    return {
      close: () => stop.abort(),
      [Symbol.asyncIterator]: () => iterator,
    };
  }

  /**
   * Resolves on the next append through this instance, after `timeoutMs` (to notice other
   * processes' appends by polling), or on abort. Arm it before reading so nothing slips between.
   */
  appendSignal(timeoutMs: number, signal?: AbortSignal): { promise: Promise<void>; cancel(): void } {
    return wake(this.#appended, timeoutMs, signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#appended.emit('appended');
    await this.#storage.close();
  }

  #toRecorded(r: StoredEvent): RecordedEvent {
    const chainFor = this.#upcasters[r.type];
    const upcast = chainFor
      ? (data: unknown, metadata: EventMetadata) => {
          let v = metadata.schemaVersion ?? 1;
          for (let up = chainFor[v]; up; up = chainFor[++v]) data = up(data);
          return data;
        }
      : undefined;
    return RecordedEvent.fromText(r.streamId, r.revision, r.position, r.id, r.type, r.data, r.metadata, upcast);
  }

  /** The stream's head as stored, with its last event's recorded time: one row read backwards. */
  async #headOf(streamId: string): Promise<KnownHead> {
    const [last] = await this.#storage.readStream(streamId, 'backwards', undefined, 1);
    return last ? { revision: last.revision, hash: last.hash, recordedAt: recordedAtOf(last.metadata) } : { revision: -1, hash: GENESIS_HASH };
  }

  #remember(streamId: string, head: KnownHead): void {
    const heads = this.#heads;
    heads.delete(streamId);
    heads.set(streamId, head);
    if (heads.size > this.#headCacheSize) heads.delete(heads.keys().next().value!);
    this.#see(streamId, head.revision);
  }

  #see(streamId: string, revision: number): void {
    const known = this.#known;
    known.delete(streamId);
    known.set(streamId, revision);
    if (known.size > this.#headCacheSize) known.delete(known.keys().next().value!);
  }

  /** The facts moved: forget what this process believed of them, so the next decision reads them. */
  #factsMoved(streamId: string, facts: readonly StreamRevision[]): FactsMovedError {
    for (const f of facts) this.#known.delete(f.streamId);
    return new FactsMovedError(streamId, facts);
  }

  /**
   * If these exact events are already stored (a client retry), answer as the first append did.
   * If some ids are stored with other content, that is a caller error.
   */
  async #replayOf(streamId: string, prepared: PreparedEvent[]): Promise<AppendResult | undefined> {
    const found = await this.#storage.findByIds(prepared.map((e) => e.id));
    if (found.length === 0) return undefined;
    const byId = new Map(found.map((f) => [f.id, f]));
    for (const e of prepared) {
      const stored = byId.get(e.id);
      if (!stored) {
        throw new EventIdConflictError(found[0]!.id, `but ${e.id}, sent with it in the same append, is not; a retry must re-send exactly the same events`);
      }
      if (stored.streamId !== streamId) throw new EventIdConflictError(e.id, `in stream "${stored.streamId}", not "${streamId}"`);
      if (stored.type !== e.type || !isDeepStrictEqual(JSON.parse(stored.data), JSON.parse(e.data))) {
        throw new EventIdConflictError(e.id, 'with a different type or data');
      }
    }
    const revisions = found.map((f) => f.revision).sort((a, b) => a - b);
    const first = revisions[0]!;
    if (revisions.some((r, i) => r !== first + i) || revisions.length !== prepared.length) {
      throw new EventIdConflictError(prepared[0]!.id, 'but not as one contiguous append of these events');
    }
    const last = found.reduce((a, b) => (a.revision > b.revision ? a : b));
    return { nextExpectedRevision: last.revision, position: last.position };
  }
}

interface PreparedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
  /** From the envelope (validated by checkMetadata); not stored separately, only compared. */
  recordedAt: string;
}

function recordedAtOf(metadataText: string): string | undefined {
  const at = (JSON.parse(metadataText) as Partial<EventMetadata>).recordedAt;
  return typeof at === 'string' ? at : undefined;
}

/** The first event recorded earlier than the one before it (the stream's head, then its own batch). */
function timeRegression(streamId: string, head: KnownHead, events: PreparedEvent[]): RecordedTimeRegressionError | undefined {
  let previous = head.recordedAt;
  for (const [i, e] of events.entries()) {
    if (previous !== undefined && Date.parse(e.recordedAt) < Date.parse(previous)) return new RecordedTimeRegressionError(streamId, head.revision + 1 + i, e.recordedAt, previous);
    previous = e.recordedAt;
  }
  return undefined;
}

function prepare(e: NewEvent<object>, where: string, envelopes: Map<object, string>): PreparedEvent {
  if (e === null || typeof e !== 'object') throw new InvalidEventError(where, 'must be an event object');
  const id = e.id ?? newUuid();
  checkEventId(id, `${where}.id`);
  checkEventType(e.type, `${where}.type`);
  let metadata = envelopes.get(e.metadata);
  if (metadata === undefined) {
    checkMetadata(e.metadata, `${where}.metadata`);
    metadata = toJsonText(e.metadata, `${where}.metadata`);
    envelopes.set(e.metadata, metadata);
  }
  return { id, type: e.type, data: toJsonText(e.data, `${where}.data`), metadata, recordedAt: e.metadata.recordedAt };
}

function chain(streamId: string, head: StreamHead, events: PreparedEvent[]): StoredEventInput[] {
  let previous = head.hash;
  return events.map(({ recordedAt: _, ...e }, i) => {
    const hash = chainHash(previous, { streamId, revision: head.revision + 1 + i, ...e });
    previous = hash;
    return { ...e, hash };
  });
}

function checkExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'no_stream' || expected === 'any' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidEventError('expectedRevision', `${JSON.stringify(expected)} is not an expected revision: use "no_stream", "any", "stream_exists" or a revision number ≥ 0`);
}

function violates(expected: ExpectedRevision, actual: number): boolean {
  switch (expected) {
    case 'any':
      return false;
    case 'no_stream':
      return actual !== -1;
    case 'stream_exists':
      return actual === -1;
    default:
      return actual !== expected;
  }
}

function describe(expected: ExpectedRevision): string {
  return typeof expected === 'number' ? `revision ${expected}` : expected;
}

function wake(emitter: EventEmitter, ms: number, signal?: AbortSignal): { promise: Promise<void>; cancel(): void } {
  let done!: () => void;
  const promise = new Promise<void>((resolve) => (done = resolve));
  const timer = setTimeout(() => done(), ms);
  const onAppend = () => done();
  const onAbort = () => done();
  emitter.once('appended', onAppend);
  if (signal?.aborted) done();
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    promise,
    cancel() {
      clearTimeout(timer);
      emitter.off('appended', onAppend);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Reads the global log in pages from `after` until the head as it stood when called — waiting out a
 * reader horizon that briefly trails it (PostgreSQL, while an older transaction runs) — so a walk
 * that must see everything committed so far (a seal, a verification) does.
 */
export async function readToHead(
  store: EventStore,
  after: string | undefined,
  onPage: (page: import('./storage.js').StoredEvent[]) => void | boolean,
  options: { pageSize?: number; timeoutMs?: number } = {},
): Promise<string | undefined> {
  return walkToHead(store, after, onPage, (at, n) => store.storage.readAll(at, n), options);
}

/** readToHead for walks that need only each event's place and hash (seals): far fewer bytes where the adapter can. */
export async function readHeadsToHead(
  store: EventStore,
  after: string | undefined,
  onPage: (page: Pick<import('./storage.js').StoredEvent, 'position' | 'streamId' | 'revision' | 'hash'>[]) => void | boolean,
  options: { pageSize?: number; timeoutMs?: number } = {},
): Promise<string | undefined> {
  const storage = store.storage;
  return walkToHead(store, after, onPage, (at, n) => (storage.readAllHeads ? storage.readAllHeads(at, n) : storage.readAll(at, n)), options);
}

/** readToHead for readers that need events as the store returns them (upcast, metadata parsed on access). */
export async function readRecordedToHead(
  store: EventStore,
  after: string | undefined,
  onPage: (page: RecordedEvent[]) => void | boolean,
  options: { pageSize?: number; timeoutMs?: number } = {},
): Promise<string | undefined> {
  return walkToHead(store, after, onPage, (at, n) => store.readAll({ fromPosition: at, maxCount: n }), options);
}

async function walkToHead<R extends { position: string }>(
  store: EventStore,
  after: string | undefined,
  onPage: (page: R[]) => void | boolean,
  read: (after: string | undefined, maxCount: number) => Promise<R[]>,
  options: { pageSize?: number; timeoutMs?: number },
): Promise<string | undefined> {
  const head = await store.headPosition();
  if (head === undefined) return after;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let at = after;
  let counterChecked = false;
  while (at === undefined || store.comparePositions(at, head) < 0) {
    const page = await read(at, options.pageSize ?? 5000);
    if (page.length === 0) {
      // Before waiting on an older transaction, rule out the cause no wait can cure: a restored
      // database whose transaction counter is behind its stored ids (PostgreSQL).
      if (!counterChecked && store.storage.transactionCounter) {
        counterChecked = true;
        const counter = await store.storage.transactionCounter();
        if (!counter.safe) throw new TransactionCounterBehindError(counter.next, counter.largestStored!);
      }
      if (Date.now() > deadline) throw new ReaderHorizonTimeoutError(`the log could not be read up to ${head}: an older transaction is holding readers back`);
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    if (onPage(page) === false) return page[page.length - 1]!.position;
    at = page[page.length - 1]!.position;
  }
  return at;
}
