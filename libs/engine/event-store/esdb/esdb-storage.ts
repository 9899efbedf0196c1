import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { EventIdConflictError } from '../errors.js';
import { redact } from '../redact.js';
import type { RawAppendOutcome, StorageAdapter, StoredEvent, StoredEventInput, StreamHead } from '../storage.js';
import {
  claimEvent,
  claimStreamName,
  comparePositions,
  comparePositionValues,
  decodeClaim,
  decodeEvent,
  encodeEvent,
  formatPosition,
  esdbStreamName,
  jixiaoStreamId,
  mapAppendError,
  parseEsdbUrl,
  parsePosition,
  sameStoredContent,
  StreamDeletedInStoreError,
  toExpectedRevision,
  type Claim,
} from './esdb-mapping.js';

/**
 * EventStoreDB / KurrentDB (gRPC, server 22.10 or later). Streams, expected revisions and the
 * global order map one to one; three rules of the port need more than ESDB gives, and this is how
 * each is kept (docs/eventstoredb.md has the long form):
 *
 * - Duplicate event ids. ESDB checks event ids only when the expected revision it is sent lies
 *   before the stream's head (the events there must carry the same ids) or, for ANY, against a
 *   cache of recent writes that a restart empties. An id already stored elsewhere in the stream, or
 *   in another stream, is written again. ESDB has no index by event id, and reading $all to find one
 *   is O(n). So every event id is *claimed* before the append: one system stream per id,
 *   `$jx-id-<id>`, whose latest event names the stream and revision the id is being written at. A
 *   claim only counts if the event at that place really has the id (no cross-stream transactions:
 *   an append can fail after its claim). Claims are compare-and-set on the claim stream's revision,
 *   and a claim is replaced only once its place holds another event, i.e. once its append can no
 *   longer succeed. That makes `duplicate-id` exact and `findByIds` two reads per id.
 * - The stored bytes. See esdb-mapping.ts: data and metadata round-trip byte for byte; the hash
 *   travels in the ESDB metadata. After each append the events are read back from the leader, which
 *   gives their $all positions and shows whether ESDB's own idempotence answered for events stored
 *   earlier with other content (then the port's answer is `duplicate-id`).
 * - Deleted streams. ESDB hides a soft-deleted stream from reads and lets a write with NO_STREAM
 *   "undelete" it, continuing at the old revision numbers, which would break revisions and hash
 *   chains. Jixiao never deletes, so a stream that is absent on read but has deletion or retention
 *   metadata is refused with StreamDeletedInStoreError instead of being treated as new.
 *
 * We never send ANY or STREAM_EXISTS: the port always passes the exact head it chained on.
 * No subscription is used: EventStore polls readAll, which on ESDB reads $all from a position.
 */
export class EsdbStorage implements StorageAdapter {
  readonly kind = 'esdb';
  #streamList: string[] | undefined;

  private constructor(
    readonly client: EventStoreDBClient,
    /** Streams of this store are `<namespace>/<streamId>`; undefined: the whole database is this store's. */
    readonly namespace: string | undefined,
  ) {}

  static async open(url: string, options: { probeTimeoutMs?: number } = {}): Promise<EsdbStorage> {
    const target = parseEsdbUrl(url);
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(target.connectionString);
    } catch (err) {
      throw new Error(`EVENT_STORE_URL "${redact(url)}" is not a valid EventStoreDB connection string: ${redact((err as Error).message)}`);
    }
    const storage = new EsdbStorage(client, target.namespace);
    try {
      await storage.probe(options.probeTimeoutMs ?? 10_000);
    } catch (err) {
      await client.dispose().catch(() => undefined);
      throw new Error(`EventStoreDB at ${redact(url)} cannot be used: ${redact((err as Error).message)}`);
    }
    return storage;
  }

  /**
   * The client connects lazily; fail at start-up rather than on the first command. Reads one event
   * of $all backwards, which also proves the account may read $all (admins only, by default).
   */
  async probe(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const read = (async () => {
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: timeoutMs })) void _;
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([read, timeout]);
    } finally {
      clearTimeout(timer);
      read.catch(() => undefined);
    }
  }

  async append(streamId: string, expectedHead: number, events: StoredEventInput[]): Promise<RawAppendOutcome> {
    const expectedRevision = toExpectedRevision(expectedHead);
    const [claims] = await Promise.all([
      mapLimit(events, 16, (e, i) => this.#claim(e.id, { streamId, revision: expectedHead + 1 + i })),
      expectedHead === -1 ? this.#refuseIfDeleted(streamId) : undefined,
    ]);
    if (claims.includes('stored')) return { kind: 'duplicate-id' };
    if (claims.includes('behind')) return { kind: 'head-moved' };

    let result;
    try {
      result = await this.client.appendToStream(esdbStreamName(this.namespace, streamId), events.map(encodeEvent), { expectedRevision });
    } catch (err) {
      return mapAppendError(err, streamId);
    }
    const last = expectedHead + events.length;
    // NO_STREAM on a stream soft-deleted since our check makes ESDB continue the old numbering.
    if (result.nextExpectedRevision !== BigInt(last)) {
      throw new StreamDeletedInStoreError(
        streamId,
        `had been deleted in EventStoreDB: the events sent for revisions ${expectedHead + 1}–${last} were stored up to revision ${result.nextExpectedRevision}`,
      );
    }
    const stored = await this.#readRange(streamId, expectedHead + 1, events.length);
    if (stored.length !== events.length || stored.some((s, i) => s.revision !== expectedHead + 1 + i || s.id !== events[i]!.id)) {
      throw new StreamDeletedInStoreError(streamId, `does not hold the events just appended at revisions ${expectedHead + 1}–${last}`);
    }
    // ESDB answers "success" for ids already at these revisions (its idempotence), whatever their content.
    if (stored.some((s, i) => !sameStoredContent(s, events[i]!))) return { kind: 'duplicate-id' };
    return { kind: 'appended', lastPosition: stored[stored.length - 1]!.position, positions: stored.map((s) => s.position) };
  }

  async head(streamId: string): Promise<StreamHead> {
    const [last] = await this.readStream(streamId, 'backwards', undefined, 1);
    return last ? { revision: last.revision, hash: last.hash } : { revision: -1, hash: '' };
  }

  async readStream(streamId: string, direction: 'forwards' | 'backwards', fromRevision: number | undefined, maxCount: number): Promise<StoredEvent[]> {
    const forwards = direction === 'forwards';
    return this.#read(streamId, {
      direction: forwards ? FORWARDS : BACKWARDS,
      fromRevision: fromRevision === undefined ? (forwards ? START : END) : BigInt(fromRevision),
      maxCount,
    });
  }

  /**
   * $all from a position, keeping this store's events. ESDB appends to one log on the leader and
   * serves $all only up to what is committed, in log order, so a position once returned is never
   * followed by an earlier event becoming visible: the prefix rule of the port holds as is.
   * The 6.x client's readAll takes no filter, so system events are skipped here.
   */
  async readAll(afterPosition: string | undefined, maxCount: number): Promise<StoredEvent[]> {
    let floor: Position | undefined = afterPosition === undefined ? undefined : parsePosition(afterPosition);
    const pageSize = Math.min(Math.max(maxCount, 256), 4096);
    const out: StoredEvent[] = [];
    for (;;) {
      let raw = 0;
      let last: Position | undefined;
      for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition: floor ?? START, maxCount: pageSize })) {
        raw++;
        const e = resolved.event;
        if (!e) continue;
        // Reading from a position includes the event at it; the port's position is exclusive.
        if (floor && comparePositionValues(e.position, floor) <= 0) continue;
        last = e.position;
        if (out.length >= maxCount) continue;
        const streamId = jixiaoStreamId(this.namespace, e.streamId, e.type);
        if (streamId !== undefined) out.push(decodeEvent(e, streamId));
      }
      if (out.length >= maxCount || raw < pageSize || !last) return out.slice(0, maxCount);
      floor = last;
    }
  }

  /** The newest event of this store in $all (system events and other namespaces skipped). */
  async headPosition(): Promise<string | undefined> {
    let from: Position | typeof END = END;
    for (;;) {
      let raw = 0;
      let last: Position | undefined;
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: 256 })) {
        raw++;
        const e = resolved.event;
        if (!e) continue;
        if (last && comparePositionValues(e.position, last) >= 0) continue;
        last = e.position;
        if (jixiaoStreamId(this.namespace, e.streamId, e.type) !== undefined) return formatPosition(e.position);
      }
      if (raw < 256 || !last) return undefined;
      from = last;
    }
  }

  /**
   * ESDB keeps no (stream, revision) order across streams. The stream names are collected by one
   * pass over $all when a verification starts (afterKey undefined), sorted by UTF-16 code units,
   * and then each stream is read in turn: one $all scan plus one read per stream and page. Streams
   * created after the pass started are left to the next verification.
   */
  async readAllByStream(afterKey: { streamId: string; revision: number } | undefined, maxCount: number): Promise<StoredEvent[]> {
    if (!afterKey || !this.#streamList) this.#streamList = await this.#listStreams();
    const streams = this.#streamList;
    let i = afterKey ? lowerBound(streams, afterKey.streamId) : 0;
    const out: StoredEvent[] = [];
    for (; i < streams.length && out.length < maxCount; i++) {
      const streamId = streams[i]!;
      const from = afterKey && streamId === afterKey.streamId ? afterKey.revision + 1 : 0;
      out.push(...(await this.readStream(streamId, 'forwards', from, maxCount - out.length)));
    }
    return out;
  }

  /** Two reads per id: the latest claim, and the event at the place it names (if that event has the id). */
  async findByIds(ids: string[]): Promise<StoredEvent[]> {
    const found = await mapLimit(ids, 16, async (id) => {
      const latest = await this.#latestClaim(id);
      if (!latest) return undefined;
      const there = await this.#eventAt(latest.claim);
      return there?.id === id ? there : undefined;
    });
    return found.filter((e): e is StoredEvent => e !== undefined);
  }

  comparePositions(a: string, b: string): number {
    return comparePositions(a, b);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  /**
   * Claims event id `eventId` for `place`. Answers 'claimed' (go ahead and append), 'stored' (the
   * id is already stored: duplicate-id) or 'behind' (a claim for a later revision of the same
   * stream is pending, so our head is stale: head-moved). Throws EventIdConflictError when another
   * stream's append holds the id and has not (yet) stored it.
   */
  async #claim(eventId: string, place: Claim): Promise<'claimed' | 'stored' | 'behind'> {
    const name = claimStreamName(this.namespace, eventId);
    const event = claimEvent(eventId, place);
    let expectedRevision: typeof NO_STREAM | bigint = NO_STREAM;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        // Sending the same claim again is idempotent in ESDB: its id is derived from (id, stream, revision).
        await this.client.appendToStream(name, event, { expectedRevision });
        return 'claimed';
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
      }
      const latest = await this.#latestClaim(eventId);
      if (!latest) {
        expectedRevision = NO_STREAM;
        continue;
      }
      const { claim, revision } = latest;
      if (claim.streamId === place.streamId && claim.revision === place.revision) return 'claimed';
      const there = await this.#eventAt(claim);
      if (there?.id === eventId) return 'stored';
      if (there) {
        // Its place holds another event, so that append failed and can never succeed: take over.
        expectedRevision = revision;
        continue;
      }
      if (claim.streamId === place.streamId) return 'behind';
      throw new EventIdConflictError(
        eventId,
        `as claimed for stream "${claim.streamId}" at revision ${claim.revision} by an append that has not stored it (still running, or failed); ` +
          'EventStoreDB has no transactions across streams, so another stream may not take this id meanwhile',
      );
    }
    throw new Error(`event id ${eventId}: its claim kept changing under concurrent appends; gave up after 20 attempts`);
  }

  async #latestClaim(eventId: string): Promise<{ claim: Claim; revision: bigint } | undefined> {
    try {
      for await (const r of this.client.readStream(claimStreamName(this.namespace, eventId), {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
        requiresLeader: true,
      })) {
        if (r.event) return { claim: decodeClaim(r.event), revision: r.event.revision };
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return undefined;
      throw err;
    }
    return undefined;
  }

  /** The event at a claimed place, or undefined if the stream has none there (or is gone). */
  async #eventAt(place: Claim): Promise<StoredEvent | undefined> {
    try {
      const [e] = await this.#readRange(place.streamId, place.revision, 1);
      return e && e.revision === place.revision ? e : undefined;
    } catch (err) {
      if (err instanceof StreamDeletedInStoreError) return undefined;
      throw err;
    }
  }

  /** From the leader: right after an append, a follower may not have it yet. */
  #readRange(streamId: string, from: number, count: number): Promise<StoredEvent[]> {
    return this.#read(streamId, { direction: FORWARDS, fromRevision: BigInt(from), maxCount: count, requiresLeader: true });
  }

  async #read(
    streamId: string,
    options: { direction: typeof FORWARDS | typeof BACKWARDS; fromRevision: typeof START | typeof END | bigint; maxCount: number; requiresLeader?: boolean },
  ): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    try {
      for await (const r of this.client.readStream(esdbStreamName(this.namespace, streamId), options)) {
        if (r.event && !r.event.type.startsWith('$')) out.push(decodeEvent(r.event as EsdbRecordedEvent, streamId));
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) {
        await this.#refuseIfDeleted(streamId);
        return [];
      }
      if (err instanceof StreamDeletedError) throw new StreamDeletedInStoreError(streamId, 'is deleted (tombstoned) in EventStoreDB');
      throw err;
    }
    return out;
  }

  /**
   * A stream ESDB reports absent is new only if nothing deleted or expired it: soft delete sets
   * truncate-before ($tb) in the stream's metadata, and $maxAge / $maxCount make events vanish.
   */
  async #refuseIfDeleted(streamId: string): Promise<void> {
    const { metadata } = await this.client.getStreamMetadata(esdbStreamName(this.namespace, streamId), { requiresLeader: true });
    if (!metadata) return;
    const settings = (['truncateBefore', 'maxAge', 'maxCount'] as const).filter((k) => metadata[k] !== undefined);
    if (settings.length > 0) {
      throw new StreamDeletedInStoreError(
        streamId,
        `reads as absent in EventStoreDB but its stream metadata sets ${settings.map((k) => `${k}=${String(metadata[k])}`).join(', ')} (soft delete or retention)`,
      );
    }
  }

  async #listStreams(): Promise<string[]> {
    const names = new Set<string>();
    for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition: START })) {
      const e = resolved.event;
      if (!e) continue;
      const streamId = jixiaoStreamId(this.namespace, e.streamId, e.type);
      if (streamId !== undefined) names.add(streamId);
    }
    return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** First index whose value is ≥ key (code-unit order), in a sorted array. */
function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
