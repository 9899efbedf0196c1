/**
 * What a storage adapter must do. Adapters are thin mappings onto one database; every rule that
 * can be stated once (validation, serialisation, hash chains, idempotency, the four
 * expected-revision forms, subscriptions) lives in EventStore above them.
 *
 * Records cross this boundary as stored text, exactly as hashed, so audit verification can
 * recompute hashes from what the database holds.
 */
export interface StoredEventInput {
  id: string;
  type: string;
  /** JSON text */
  data: string;
  /** JSON text */
  metadata: string;
  hash: string;
}

export interface StoredEvent extends StoredEventInput {
  streamId: string;
  revision: number;
  /** Adapter-specific, opaque to callers; ordered by the adapter's comparePositions. */
  position: string;
}

/**
 * One event as audit verification reads it (readChainRowsInOrder): its position as two numbers that order
 * as the store orders positions (SQLite: 0 and the row id), its stream, revision and stored hash,
 * and `body`: the UTF-8 bytes its chain hash covers after the previous hash — `\n` stream `\n`
 * revision `\n` id `\n` type `\n` data `\n` metadata (hash-chain.ts), joined by the database
 * from the text it stores, so the bytes are hashed as stored, not decoded and encoded again (or,
 * where the database keeps its text valid UTF-8, as that one string: PostgreSQL). Null when the
 * database cannot join them (a column tampered to NULL).
 */
export type ChainRow = [hi: number, lo: number, streamId: string, revision: number, hash: string, body: Uint8Array | string | null];

/** A position as a ChainRow carries it: two numbers that order as the store orders positions. */
export type ChainPosition = readonly [hi: number, lo: number];

/** Bytes left before each body in a PackedChainRows' `bodies`: room for the previous hash (hex), so the chain hash's input is hashed where it lies. */
export const CHAIN_BODY_ROOM = 64;

/**
 * A page of ChainRows packed by the database (readChainPageInOrder): a few arrays and one buffer
 * for the page instead of an array, two strings and a buffer a row. Row i: its position (hi[i],
 * lo[i]), stream, revision, stored hash (`hashes`, characters 64 i to 64 i + 64) and body: the
 * bytes of `bodies` from CHAIN_BODY_ROOM past the end of the one before (or from CHAIN_BODY_ROOM,
 * for the first) up to ends[i], as ChainRow's body.
 */
export interface PackedChainRows {
  hi: number[];
  lo: number[];
  streamIds: string[];
  revisions: number[];
  hashes: string;
  bodies: Uint8Array;
  ends: number[];
}

/**
 * What readChainPageInOrder gives: how many rows the page holds (0: none left), the last one's
 * position and, when every row is as the store writes it (a stream id without a newline, an
 * integer revision, a hash of 64 ASCII characters, a body), the rows packed; otherwise none, and the
 * caller reads the page's rows as ChainRows (readChainRowsInOrder up to `last`).
 */
export interface ChainPage {
  count: number;
  last?: ChainPosition;
  rows?: PackedChainRows;
}

export interface StreamHead {
  /** -1 when the stream does not exist */
  revision: number;
  hash: string;
}

/** A stream a decision was made on, at the revision it was read at (-1: no stream). */
export interface StreamRevision {
  streamId: string;
  revision: number;
}

export type RawAppendOutcome =
  /** `positions`: every event's, in order, where the adapter knows them (the last is `lastPosition`). */
  | { kind: 'appended'; lastPosition: string; positions?: string[] }
  /** The stream was not at `expectedHead`. Nothing was written. */
  | { kind: 'head-moved' }
  /** One of the `facts` streams was not at its revision. Nothing was written. */
  | { kind: 'facts-moved' }
  /** An event id is already stored (in any stream). Nothing was written. */
  | { kind: 'duplicate-id' };

export interface StorageAdapter {
  readonly kind: string;
  /**
   * Atomically: if the stream's last revision is `expectedHead` (-1: the stream does not exist),
   * store `events` at revisions expectedHead+1… in order; otherwise write nothing. With `facts`
   * (where `checksFacts`): also only if each of those streams is at its revision (else
   * 'facts-moved'), checked in the same statement or transaction as the head.
   */
  append(streamId: string, expectedHead: number, events: StoredEventInput[], facts?: readonly StreamRevision[]): Promise<RawAppendOutcome>;
  /** True if `append` checks `facts` atomically; otherwise EventStore checks them just before (not atomic). */
  readonly checksFacts?: boolean;
  head(streamId: string): Promise<StreamHead>;
  /** Optional: the last revision of each stream (-1 for none), in one round trip. */
  revisions?(streamIds: readonly string[]): Promise<number[]>;
  /**
   * Optional: every event of the given streams, in global order, in one round trip — what a view
   * "as known at T" folds (an Annex 2 reads ~400 streams, most of them empty).
   */
  readStreams?(streamIds: readonly string[]): Promise<StoredEvent[]>;
  readStream(
    streamId: string,
    direction: 'forwards' | 'backwards',
    /** inclusive; undefined means from the start (forwards) or the end (backwards) */
    fromRevision: number | undefined,
    maxCount: number,
  ): Promise<StoredEvent[]>;
  /**
   * Events after `afterPosition` (exclusive; undefined = from the beginning) in global order.
   * Must never return an event that sorts below one it has returned before to any reader: only a
   * prefix that can no longer grow in the middle may be returned.
   */
  readAll(afterPosition: string | undefined, maxCount: number): Promise<StoredEvent[]>;
  /**
   * Events before `beforePosition` (exclusive; undefined = from the head), newest first: the tail
   * of the log without reading it all (the demo's clock, demo-clock.ts). Optional: EventStore reads
   * forwards where an adapter has no backward read.
   */
  readAllBackwards?(beforePosition: string | undefined, maxCount: number): Promise<StoredEvent[]>;
  /** Every stream's events in (stream, revision) order; for audit verification. */
  readAllByStream(afterKey: { streamId: string; revision: number } | undefined, maxCount: number): Promise<StoredEvent[]>;
  findByIds(ids: string[]): Promise<StoredEvent[]>;
  /**
   * Position of the last committed event in global order, whether or not readAll may return it
   * yet (on PostgreSQL a reader waits while an older transaction runs). Undefined when empty.
   * Readers that must have seen everything acknowledged so far read until they reach it.
   */
  headPosition(): Promise<string | undefined>;
  comparePositions(a: string, b: string): number;
  /**
   * Optional: how many events come after a position in global order (all, for undefined): a
   * projection's lag. With `limit`, counting stops there (a health probe polled every second must
   * not count a million rows per projection: it starved the projections it was reporting on).
   */
  countAfter?(position: string | undefined, limit?: number): Promise<number>;
  /**
   * Optional: like readAll, but only what a seal needs (position, stream, revision, hash) — no data,
   * no metadata — so walking a million events to check seals reads a fraction of the bytes.
   */
  readAllHeads?(afterPosition: string | undefined, maxCount: number): Promise<Pick<StoredEvent, 'position' | 'streamId' | 'revision' | 'hash'>[]>;
  /**
   * Optional: every event as audit verification reads it (ChainRow), in global order — after `after` (exclusive; undefined: from the first event)
   * up to `upTo` (inclusive; undefined: to the last), both as a ChainRow's (hi, lo). How `audit
   * verify` reads the log: in the order it is stored, each thread a contiguous range of positions.
   */
  readChainRowsInOrder?(after: ChainPosition | undefined, upTo: ChainPosition | undefined, maxCount: number): Promise<ChainRow[]>;
  /**
   * Optional, with readChainRowsInOrder: the same rows, packed (ChainPage) — how `audit verify`
   * reads them where the store can pack them: per row no array, no buffer, no strings but its stream's.
   */
  readChainPageInOrder?(after: ChainPosition | undefined, upTo: ChainPosition | undefined, maxCount: number): Promise<ChainPage>;
  /** Optional: for each fraction, a position (as a ChainRow's hi, lo) about that far through the global order; where verification splits the log. */
  positionsAt?(fractions: readonly number[]): Promise<(ChainPosition | undefined)[]>;
  /**
   * Optional: for each fraction, the stream id that far through (stream, revision) order, to split
   * verification across threads. All at once, so the events are counted once.
   */
  streamIdsAt?(fractions: readonly number[]): Promise<(string | undefined)[]>;
  /**
   * Optional (PostgreSQL): whether the cluster's transaction counter is above every stored
   * transaction id, as the global order needs (a dump restored into another cluster may not be).
   */
  transactionCounter?(): Promise<TransactionCounterStatus>;
  close(): Promise<void>;
}

export interface TransactionCounterStatus {
  /** The next transaction id the cluster hands out (xid8, decimal). */
  next: string;
  /** The largest transaction id stored (xid8, decimal); null on an empty store. */
  largestStored: string | null;
  /** next > largestStored: appends sort after every stored event and readers can reach them all. */
  safe: boolean;
}
