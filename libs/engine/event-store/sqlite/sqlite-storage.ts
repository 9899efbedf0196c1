import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidEventError } from '../errors.js';
import {
  CHAIN_BODY_ROOM,
  type ChainPage,
  type ChainPosition,
  type ChainRow,
  type RawAppendOutcome,
  type StorageAdapter,
  type StoredEvent,
  type StoredEventInput,
  type StreamHead,
  type StreamRevision,
} from '../storage.js';
import { WalSync, type SyncFile } from './wal-sync.js';

/**
 * SQLite, the embedded store. A row id is a global position: SQLite admits one writer at a time
 * and a transaction's rows become visible at once, so row ids commit in order and a reader that
 * pages on `global_position > checkpoint` can never skip an event that commits later.
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  -- The envelope (JSON text), or '' when it is stored once for its commit (commit_id).
  metadata TEXT NOT NULL,
  hash TEXT NOT NULL,
  commit_id INTEGER,
  UNIQUE (stream_id, revision)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events (event_id);
CREATE TABLE IF NOT EXISTS commits (
  commit_id INTEGER PRIMARY KEY,
  metadata TEXT NOT NULL
);
`;

/**
 * Stores written before envelopes were stored once per commit have no commit_id column: add it.
 * Their rows keep their envelope inline, which readers accept as they always did; no row moves.
 */
function migrateSqlite(db: Database.Database): void {
  const columns = db.pragma('table_info(events)') as { name: string }[];
  if (columns.length > 0 && !columns.some((c) => c.name === 'commit_id')) db.exec('ALTER TABLE events ADD COLUMN commit_id INTEGER');
  db.exec(SQLITE_SCHEMA);
}

/**
 * Opens a better-sqlite3 connection the way every part of Jixiao uses SQLite (WAL, durable commits).
 * `rebuildable`: for what can be rebuilt from the events. `walSynced`: the caller makes every commit
 * durable itself, with a `WalSync`, before acknowledging it.
 */
export function openSqlite(path: string, options: { readonly?: boolean; rebuildable?: boolean; walSynced?: boolean } = {}): Database.Database {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false, timeout: 10_000 });
  if (!options.readonly) db.pragma('journal_mode = WAL');
  // FULL: an acknowledged commit survives power loss, not only a process crash; its fsync runs
  // inside the commit, on the event loop. NORMAL (WAL) commits without syncing: a commit survives
  // a process crash, and a power loss can only take back the last commits whole (wal-sync.ts).
  // That is enough as it is for what can be rebuilt from the events (read models: each batch
  // carries its own checkpoint, so the projection re-applies them from the events on start), and
  // durable for the event store, which syncs the WAL off the loop before answering (WalSync).
  db.pragma(options.rebuildable || options.walSynced ? 'synchronous = NORMAL' : 'synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Events sampled to find verification's split points in a large store (streamIdsAt). */
const SAMPLE = 2048;

const COLUMNS = 'global_position, stream_id, revision, event_id, type, data, metadata, hash, commit_id';

/**
 * What audit verification reads of each event (ChainRow): the bytes its chain hash covers after the
 * previous hash, joined here as #toStored and chainHash would join them — the envelope its commit's
 * (none if the commit row is gone: '', which no longer matches the hash), or its own — and cast to a
 * blob: one buffer a row, hashed as stored, instead of four strings decoded from UTF-8 and encoded
 * again to be hashed (the data is mostly Chinese: two-byte strings).
 */
const CHAIN_COLUMNS =
  "0, e.global_position, e.stream_id, e.revision, e.hash, CAST(char(10) || e.stream_id || char(10) || e.revision || char(10) || e.event_id || char(10) || e.type || char(10) || e.data || char(10) || CASE WHEN e.commit_id IS NULL THEN e.metadata ELSE coalesce((SELECT c.metadata FROM commits c WHERE c.commit_id = e.commit_id), '') END AS BLOB)";

/**
 * The same rows packed, a page at a time (readChainPageInOrder): SQLite joins each row's body as
 * CHAIN_COLUMNS does (the commit's envelope by a join instead of a subquery a row: the same text)
 * after CHAIN_BODY_ROOM bytes of room, with concat() (one allocation a row, not one a `||`), then the
 * page's into one blob, the positions, revisions and lengths into one string, the stream ids into
 * another and the hashes into a third. Per row that spares a buffer (an allocation outside the heap),
 * an array and a string. `x` marks a row the packing could misplace or that could read otherwise as a
 * ChainRow (a NULL, which concat() would take for '' where `||` gives a NULL body; a stream id with a
 * newline; a revision not an integer; a hash not of 64 ASCII characters): its page is read as ChainRows.
 */
const CHAIN_PAGE = `SELECT count(*), max(p), sum(x),
  group_concat(concat(p, ' ', r, ' ', octet_length(b)), ' '), group_concat(s, char(10)), group_concat(h, ''), CAST(group_concat(b, '') AS BLOB)
FROM (SELECT e.global_position AS p, e.stream_id AS s, e.revision AS r, e.hash AS h,
    concat('${'.'.repeat(CHAIN_BODY_ROOM)}', char(10), e.stream_id, char(10), e.revision, char(10), e.event_id, char(10), e.type, char(10), e.data, char(10),
      CASE WHEN e.commit_id IS NULL THEN e.metadata ELSE c.metadata END) AS b,
    (typeof(e.stream_id) <> 'text' OR instr(e.stream_id, char(10)) > 0 OR typeof(e.revision) <> 'integer' OR e.revision NOT BETWEEN -9007199254740991 AND 9007199254740991
      OR typeof(e.hash) <> 'text' OR length(e.hash) <> ${CHAIN_BODY_ROOM} OR octet_length(e.hash) <> ${CHAIN_BODY_ROOM}
      OR e.event_id IS NULL OR e.type IS NULL OR e.data IS NULL OR (e.commit_id IS NULL AND e.metadata IS NULL)) AS x
  FROM events e LEFT JOIN commits c ON c.commit_id = e.commit_id
  WHERE e.global_position > ? AND e.global_position <= ? ORDER BY e.global_position LIMIT ?)`;

/**
 * The envelope of an append whose events share one (a command's events) is stored once, in
 * `commits`, and its events reference it; an envelope only one event carries stays in that
 * event's row (a commit row would only add a write). Readers rebuild the same metadata text either
 * way, so records and hashes are the same as when every row carried its envelope.
 */
export function sharedEnvelopes(events: readonly StoredEventInput[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.metadata, (counts.get(e.metadata) ?? 0) + 1);
  const shared = new Map<string, number>();
  for (const [metadata, n] of counts) if (n > 1) shared.set(metadata, shared.size);
  return shared;
}

export class SqliteStorage implements StorageAdapter {
  readonly kind = 'sqlite';
  readonly checksFacts = true;
  readonly db: Database.Database;
  readonly #headStmt;
  readonly #insert;
  readonly #insertCommit;
  readonly #commitById;
  readonly #appendTx;
  readonly #groupTx;
  #pending: PendingAppend[] = [];
  /** Syncs the WAL after commits, off the event loop (none for an in-memory database). */
  readonly wal: WalSync | undefined;
  /**
   * Every event up to this position is known durable (synced after it was read or committed). Zero
   * on open: a process killed before its sync leaves committed events in the OS cache only, so the
   * first read past it waits for a sync as any other would.
   */
  #durableHead = 0;
  /** Append transactions committed by this connection (a group counts once): how well appends are grouped. */
  appendTransactions = 0;
  readonly #readAllStmt;
  readonly #readAllFromStart;
  readonly #readBackwards;
  readonly #fwd;
  readonly #ofStreams;
  readonly #fwdFrom;
  readonly #bwd;
  readonly #bwdFrom;
  readonly #byStreamStart;
  readonly #byStreamAfter;
  readonly #readHeads;
  readonly #chainInOrder;
  readonly #chainPage;
  readonly #byId;
  readonly #countAfter;
  readonly #countAfterUpTo;
  readonly #count;
  readonly #streamIdAtOffset;
  readonly #streamIdFrom;
  readonly #headPosition;

  /** `sync`: how the WAL is synced (tests count calls; fdatasync otherwise). `mappedReads`: see OpenOptions. */
  constructor(
    readonly path: string,
    options: { sync?: SyncFile; mappedReads?: boolean } = {},
  ) {
    const memory = path === ':memory:' || path === '';
    this.db = openSqlite(path, { walSynced: !memory });
    // SQLite keeps it to its compile-time limit (2 GB): past that, pages are read as before.
    if (options.mappedReads && !memory) this.db.pragma(`mmap_size = ${2 ** 40}`);
    this.wal = memory ? undefined : new WalSync(path, options);
    if (memory) this.#durableHead = Number.MAX_SAFE_INTEGER;
    migrateSqlite(this.db);
    this.#headStmt = this.db.prepare<[string], { revision: number; hash: string; p: number }>(
      'SELECT revision, hash, global_position AS p FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
    );
    this.#insert = this.db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash, commit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#insertCommit = this.db.prepare('INSERT INTO commits (metadata) VALUES (?)');
    this.#commitById = this.db.prepare<[number], { metadata: string }>('SELECT metadata FROM commits WHERE commit_id = ?');
    const readAll = `SELECT ${COLUMNS} FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?`;
    this.#readAllStmt = this.db.prepare(readAll).raw(true);
    this.#readAllFromStart = this.db.prepare(`SELECT ${COLUMNS} FROM events ORDER BY global_position LIMIT ?`).raw(true);
    this.#readBackwards = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE global_position < ? ORDER BY global_position DESC LIMIT ?`).raw(true);
    this.#ofStreams = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id IN (SELECT value FROM json_each(?)) ORDER BY global_position`).raw(true);
    this.#fwd = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY revision LIMIT ?`).raw(true);
    this.#fwdFrom = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`).raw(true);
    this.#bwd = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT ?`).raw(true);
    this.#bwdFrom = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).raw(true);
    this.#readHeads = this.db.prepare('SELECT global_position, stream_id, revision, hash FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?').raw(true);
    this.#byStreamStart = this.db.prepare(`SELECT ${COLUMNS} FROM events ORDER BY stream_id, revision LIMIT ?`).raw(true);
    this.#byStreamAfter = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE (stream_id, revision) > (?, ?) ORDER BY stream_id, revision LIMIT ?`).raw(true);
    // By row id: the table read as it is laid out (no index walked, no page visited twice).
    this.#chainInOrder = this.db
      .prepare(`SELECT ${CHAIN_COLUMNS} FROM events e WHERE e.global_position > ? AND e.global_position <= ? ORDER BY e.global_position LIMIT ?`)
      .raw(true);
    this.#chainPage = this.db.prepare(CHAIN_PAGE).raw(true);
    this.#byId = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE event_id = ?`).raw(true);
    this.#countAfter = this.db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM events WHERE global_position > ?');
    this.#countAfterUpTo = this.db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE global_position > ? LIMIT ?)');
    this.#count = this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events');
    this.#streamIdAtOffset = this.db.prepare<[number], { stream_id: string }>('SELECT stream_id FROM events ORDER BY stream_id, revision LIMIT 1 OFFSET ?');
    this.#streamIdFrom = this.db.prepare<[number], { stream_id: string }>('SELECT stream_id FROM events WHERE global_position >= ? ORDER BY global_position LIMIT 1');
    this.#headPosition = this.db.prepare<[], { p: number | null }>('SELECT max(global_position) AS p FROM events');

    // One append: the head check and the inserts. Run on its own with IMMEDIATE (the write lock
    // taken up front, so the check and the insert see the same state even with other processes
    // writing to the same file), or nested in a group commit, where better-sqlite3 wraps it in a
    // savepoint: an append that fails rolls back alone.
    const appendOne = this.db.transaction((streamId: string, expectedHead: number, events: StoredEventInput[], facts?: readonly StreamRevision[]): RawAppendOutcome => {
      const actual = this.#headStmt.get(streamId)?.revision ?? -1;
      if (actual !== expectedHead) return { kind: 'head-moved' };
      // The facts the decision was made on, under the same write lock: exactly as they are now.
      if (facts?.some((f) => (this.#headStmt.get(f.streamId)?.revision ?? -1) !== f.revision)) return { kind: 'facts-moved' };
      let rowid: number | bigint = 0;
      const positions: string[] = [];
      const shared = events.length > 1 ? sharedEnvelopes(events) : undefined;
      const commitIds: (number | bigint)[] = [];
      if (shared) for (const metadata of shared.keys()) commitIds.push(this.#insertCommit.run(metadata).lastInsertRowid);
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const envelope = shared?.get(e.metadata);
        rowid =
          envelope === undefined
            ? this.#insert.run(streamId, expectedHead + 1 + i, e.id, e.type, e.data, e.metadata, e.hash, null).lastInsertRowid
            : this.#insert.run(streamId, expectedHead + 1 + i, e.id, e.type, e.data, '', e.hash, commitIds[envelope]!).lastInsertRowid;
        positions.push(String(rowid));
      }
      return { kind: 'appended', lastPosition: String(rowid), positions };
    });
    this.#appendTx = appendOne.immediate;
    this.#groupTx = this.db.transaction((group: PendingAppend[]): RawAppendOutcome[] =>
      group.map((a) => {
        try {
          return appendOne(a.streamId, a.expectedHead, a.events, a.facts);
        } catch (err) {
          const refused = constraintOutcome(err);
          // Anything else (I/O, a full disk) may have ended the whole transaction: give up the
          // group, and let each append run and answer on its own.
          if (!refused) throw err;
          return refused;
        }
      }),
    ).immediate;
  }

  /**
   * Group commit. Appends that arrive in the same turn of the event loop (concurrent commands) are
   * written in one transaction, with one fsync: better-sqlite3 commits synchronously, so one fsync
   * a command also stalls every other request for its duration. Each append keeps its own head
   * check and its own savepoint — a conflict or a duplicate id refuses only that append — and none
   * is answered before the transaction holding it has committed durably: the commit itself does
   * not sync (synchronous = NORMAL); the group's answers wait for a sync of the WAL started after it
   * (WalSync, on libuv's thread pool), shared with every group that commits while one runs, so the
   * loop serves other requests meanwhile and the next group can commit. A refusal waits too: it may
   * have been decided on an event not yet durable. A transaction order is a row-id order, so global
   * positions still commit in order.
   */
  append(streamId: string, expectedHead: number, events: StoredEventInput[], facts?: readonly StreamRevision[]): Promise<RawAppendOutcome> {
    // After a failed sync nothing can be acknowledged any more (WalSync: fail-stop).
    if (this.wal?.failed !== undefined) return Promise.reject(this.wal.failed);
    return new Promise((resolve, reject) => {
      this.#pending.push({ streamId, expectedHead, events, ...(facts?.length ? { facts } : {}), resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const group = this.#pending;
    this.#pending = [];
    if (group.length > 1) {
      let outcomes: RawAppendOutcome[] | undefined;
      try {
        outcomes = this.#groupTx(group);
      } catch {
        // Nothing of the group was committed: each append runs alone below and answers for itself.
      }
      if (outcomes) {
        this.appendTransactions++;
        this.#answerWhenDurable(group.map((a, i) => [a, outcomes[i]!]));
        return;
      }
    }
    const answered: [PendingAppend, RawAppendOutcome][] = [];
    for (const a of group) {
      try {
        const outcome = this.#appendTx(a.streamId, a.expectedHead, a.events, a.facts);
        this.appendTransactions++;
        answered.push([a, outcome]);
      } catch (err) {
        const refused = constraintOutcome(err);
        if (refused) answered.push([a, refused]);
        // Nothing of it was committed: answered now.
        else a.reject(err);
      }
    }
    this.#answerWhenDurable(answered);
  }

  #answerWhenDurable(answers: [PendingAppend, RawAppendOutcome][]): void {
    if (answers.length === 0) return;
    const resolveAll = () => {
      for (const [a, outcome] of answers) {
        if (outcome.kind === 'appended') this.#durableHead = Math.max(this.#durableHead, Number(outcome.lastPosition));
        a.resolve(outcome);
      }
    };
    if (!this.wal) return resolveAll();
    this.wal.afterCommit().then(resolveAll, (err: unknown) => {
      for (const [a] of answers) a.reject(err);
    });
  }

  /**
   * Rows read are answered only once durable: a reader (a projection, a command deciding on its
   * stream) must not build what it acknowledges on an event that a power loss could still take
   * back — one another append committed and is syncing, or another process committed. Rows past
   * the known durable head wait for a sync started after the read (usually the append's own,
   * already under way); it covers every row read, whoever wrote it (one WAL).
   */
  async #durable(rows: unknown[][]): Promise<void> {
    let max = 0;
    for (const r of rows) if ((r[0] as number) > max) max = r[0] as number;
    if (max <= this.#durableHead || !this.wal) return;
    await this.wal.afterCommit();
    if (max > this.#durableHead) this.#durableHead = max;
  }

  async head(streamId: string): Promise<StreamHead> {
    const row = this.#headStmt.get(streamId);
    if (!row) return { revision: -1, hash: '' };
    await this.#durable([[row.p]]);
    return { revision: row.revision, hash: row.hash };
  }

  async revisions(streamIds: readonly string[]): Promise<number[]> {
    const rows = streamIds.map((id) => this.#headStmt.get(id));
    await this.#durable(rows.map((r) => [r?.p ?? 0]));
    return rows.map((r) => r?.revision ?? -1);
  }

  async readStream(streamId: string, direction: 'forwards' | 'backwards', from: number | undefined, maxCount: number) {
    const limit = Math.min(maxCount, Number.MAX_SAFE_INTEGER);
    const rows =
      direction === 'forwards'
        ? from === undefined
          ? this.#fwd.all(streamId, limit)
          : this.#fwdFrom.all(streamId, from, limit)
        : from === undefined
          ? this.#bwd.all(streamId, limit)
          : this.#bwdFrom.all(streamId, from, limit);
    await this.#durable(rows as unknown[][]);
    return this.#toStored(rows as unknown[][]);
  }

  async readStreams(streamIds: readonly string[]): Promise<StoredEvent[]> {
    const rows = this.#ofStreams.all(JSON.stringify(streamIds)) as unknown[][];
    await this.#durable(rows);
    return this.#toStored(rows);
  }

  async readAll(after: string | undefined, maxCount: number): Promise<StoredEvent[]> {
    const rows = after === undefined ? this.#readAllFromStart.all(maxCount) : this.#readAllStmt.all(parsePosition(after), maxCount);
    await this.#durable(rows as unknown[][]);
    return this.#toStored(rows as unknown[][]);
  }

  async readAllBackwards(before: string | undefined, maxCount: number): Promise<StoredEvent[]> {
    const rows = this.#readBackwards.all(before === undefined ? Number.MAX_SAFE_INTEGER : parsePosition(before), maxCount);
    await this.#durable(rows as unknown[][]);
    return this.#toStored(rows as unknown[][]);
  }

  async readAllByStream(after: { streamId: string; revision: number } | undefined, maxCount: number) {
    const rows = after ? this.#byStreamAfter.all(after.streamId, after.revision, maxCount) : this.#byStreamStart.all(maxCount);
    await this.#durable(rows as unknown[][]);
    return this.#toStored(rows as unknown[][]);
  }

  async readChainRowsInOrder(after: ChainPosition | undefined, upTo: ChainPosition | undefined, maxCount: number): Promise<ChainRow[]> {
    const rows = this.#chainInOrder.all(after?.[1] ?? 0, upTo?.[1] ?? Number.MAX_SAFE_INTEGER, maxCount) as ChainRow[];
    if (rows.length > 0) await this.#durable([[rows[rows.length - 1]![1]]]);
    return rows;
  }

  async readChainPageInOrder(after: ChainPosition | undefined, upTo: ChainPosition | undefined, maxCount: number): Promise<ChainPage> {
    const [count, last, odd, meta, streams, hashes, bodies] = this.#chainPage.get(after?.[1] ?? 0, upTo?.[1] ?? Number.MAX_SAFE_INTEGER, maxCount) as [
      number,
      number | null,
      number | null,
      string,
      string,
      string,
      Buffer,
    ];
    if (count === 0 || last === null) return { count: 0 };
    await this.#durable([[last]]);
    if (odd !== 0) return { count, last: [0, last] };
    const fields = meta.split(' ');
    const hi = new Array<number>(count).fill(0);
    const lo = new Array<number>(count);
    const revisions = new Array<number>(count);
    const ends = new Array<number>(count);
    for (let i = 0, end = 0; i < count; i++) {
      lo[i] = Number(fields[3 * i]);
      revisions[i] = Number(fields[3 * i + 1]);
      end += Number(fields[3 * i + 2]); // the room and the body
      ends[i] = end;
    }
    return { count, last: [0, last], rows: { hi, lo, streamIds: streams.split('\n'), revisions, hashes, bodies, ends } };
  }

  /** Row ids run from 1 to the newest with few gaps (none but rolled-back appends'): the newest, cut at each fraction. */
  async positionsAt(fractions: readonly number[]): Promise<(ChainPosition | undefined)[]> {
    const last = this.#headPosition.get()!.p;
    return fractions.map((fraction) => (last === null ? undefined : ([0, Math.floor(last * fraction)] as const)));
  }

  async findByIds(ids: string[]): Promise<StoredEvent[]> {
    const rows: unknown[][] = [];
    for (const id of ids) {
      const row = this.#byId.get(id) as unknown[] | undefined;
      if (row) rows.push(row);
    }
    await this.#durable(rows);
    return rows.flatMap((row) => this.#toStored([row]));
  }

  async countAfter(position: string | undefined, limit?: number): Promise<number> {
    const after = position === undefined ? 0 : parsePosition(position);
    return (limit === undefined ? this.#countAfter.get(after) : this.#countAfterUpTo.get(after, limit))!.n;
  }

  async readAllHeads(after: string | undefined, maxCount: number) {
    const rows = this.#readHeads.all(after === undefined ? 0 : parsePosition(after), maxCount) as [number, string, number, string][];
    await this.#durable(rows);
    return rows.map((r) => ({ position: String(r[0]), streamId: r[1], revision: r[2], hash: r[3] }));
  }

  /**
   * The stream ids fractions of the way through all events in (stream, revision) order: where
   * parallel verification splits. A large store is sampled — the stream ids of SAMPLE events at
   * evenly spaced positions, sorted, taken at each fraction — instead of counting and walking the
   * (stream, revision) index to an OFFSET (0.65 s of the main thread at 143 k events, before any
   * verification thread could start); a split a few per mille off even costs nothing measurable.
   */
  async streamIdsAt(fractions: readonly number[]): Promise<(string | undefined)[]> {
    const last = this.#headPosition.get()!.p ?? 0;
    if (last < SAMPLE * 20) {
      const { n } = this.#count.get()!;
      return fractions.map((fraction) => this.#streamIdAtOffset.get(Math.floor(n * fraction))?.stream_id);
    }
    const ids: string[] = [];
    for (let i = 0; i < SAMPLE; i++) {
      const row = this.#streamIdFrom.get(Math.floor(((i + 0.5) * last) / SAMPLE));
      if (row) ids.push(row.stream_id);
    }
    ids.sort();
    return fractions.map((fraction) => ids[Math.min(ids.length - 1, Math.floor(ids.length * fraction))]);
  }

  async headPosition(): Promise<string | undefined> {
    const row = this.#headPosition.get()!;
    if (row.p === null) return undefined;
    await this.#durable([[row.p]]);
    return String(row.p);
  }

  comparePositions(a: string, b: string): number {
    const x = parsePosition(a);
    const y = parsePosition(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  async close(): Promise<void> {
    // Appends already handed over are written (or refused) and synced before the connection goes.
    if (this.#pending.length > 0 && this.db.open) this.#flush();
    await this.wal?.close();
    if (this.db.open) this.db.close();
  }

  /**
   * Rows as stored events, each with its envelope: its own, or its commit's (read once per commit
   * in a page: a commit's events are adjacent in every order the store reads in). A commit row
   * that is gone leaves the metadata empty, which no longer matches the event's hash.
   */
  #toStored(rows: unknown[][]): StoredEvent[] {
    const out = new Array<StoredEvent>(rows.length);
    let commitId: number | undefined;
    let envelope = '';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      let metadata = r[6] as string;
      const commit = r[8] as number | null;
      if (commit !== null) {
        if (commit !== commitId) {
          commitId = commit;
          envelope = this.#commitById.get(commit)?.metadata ?? '';
        }
        metadata = envelope;
      }
      out[i] = {
        position: String(r[0]),
        streamId: r[1] as string,
        revision: r[2] as number,
        id: r[3] as string,
        type: r[4] as string,
        data: r[5] as string,
        metadata,
        hash: r[7] as string,
      };
    }
    return out;
  }
}

function parsePosition(p: string): number {
  if (typeof p !== 'string' || !/^\d{1,15}$/.test(p)) throw new InvalidEventError('position', `"${p}" is not a position of this SQLite store`);
  return Number(p);
}

interface PendingAppend {
  streamId: string;
  expectedHead: number;
  events: StoredEventInput[];
  facts?: readonly StreamRevision[];
  resolve(outcome: RawAppendOutcome): void;
  reject(err: unknown): void;
}

/** An append refused by a unique index: its event id is stored already, or another writer took its revision. */
function constraintOutcome(err: unknown): RawAppendOutcome | undefined {
  if (isUniqueViolation(err, 'events.event_id')) return { kind: 'duplicate-id' };
  if (isUniqueViolation(err, 'events.stream_id')) return { kind: 'head-moved' };
  return undefined;
}

function isUniqueViolation(err: unknown, column: string): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && (e.message ?? '').includes(column);
}
