import pg from 'pg';
import { InvalidEventError, TransactionCounterBehindError } from '../errors.js';
import { sharedEnvelopes } from '../sqlite/sqlite-storage.js';
import type { ChainPosition, ChainRow, RawAppendOutcome, StorageAdapter, StoredEvent, StoredEventInput, StreamHead, StreamRevision, TransactionCounterStatus } from '../storage.js';

/**
 * PostgreSQL. Sequence values commit out of order: a reader paging on `global_position >
 * checkpoint` can pass a position whose transaction commits later and lose that event forever.
 * So, as Emmett (PR #336), Marten and message-db do, each row records the id of the transaction
 * that wrote it, the global order is (transaction_id, global_position), and a reader only returns
 * rows whose transaction id is below the oldest transaction still running
 * (`pg_snapshot_xmin(pg_current_snapshot())`). No transaction below that horizon can still commit,
 * so the prefix a reader returns never grows in the middle.
 *
 * Every append is one statement in autocommit, so a transaction id is taken only after the
 * statement has seen its stream's head: within a stream, revision order and transaction order agree.
 */
export const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  -- Byte order (as SQLite): verification walks streams in order and splits the walk by stream id.
  stream_id text COLLATE "C" NOT NULL,
  revision integer NOT NULL,
  event_id uuid NOT NULL,
  type text NOT NULL,
  data json NOT NULL,
  -- The envelope, or NULL when it is stored once for its commit (commit_id).
  metadata json,
  hash text NOT NULL,
  commit_id bigint,
  PRIMARY KEY (transaction_id, global_position),
  CONSTRAINT events_stream_revision UNIQUE (stream_id, revision),
  CONSTRAINT events_event_id UNIQUE (event_id)
);
-- A command's envelope, stored once for the events of its append that share it (sharedEnvelopes).
CREATE TABLE IF NOT EXISTS commits (
  commit_id bigint PRIMARY KEY,
  metadata json NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS commit_ids;
-- Stores from before: their rows keep their envelope inline, as readers accept; no row moves.
-- Guarded, so an up-to-date store takes no ACCESS EXCLUSIVE lock on every start.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'events' AND column_name = 'commit_id') THEN
    ALTER TABLE events ADD COLUMN commit_id bigint;
    ALTER TABLE events ALTER COLUMN metadata DROP NOT NULL;
  END IF;
END $$;
`;

/**
 * A long-open transaction holds every reader's horizon back; the store's own sessions never need one.
 * No JIT: the store's queries are short index probes and pages, and a plan the planner over-estimates
 * (a table not yet analysed after a bulk load) paid 1.8 s of compiling for a read of milliseconds.
 */
const SESSION_OPTIONS = '-c idle_in_transaction_session_timeout=15000 -c jit=off';

export function createPool(url: string, max = 16): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, options: SESSION_OPTIONS });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** DDL under an advisory lock: two processes starting at once must not race on CREATE TABLE. */
export async function migrate(pool: pg.Pool, ddl: string, lockKey: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
    await client.query(ddl);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The append guard, part of every append statement: no visible row may carry a transaction id at
 * or above the snapshot's xmax. In a healthy cluster that cannot happen (a visible row was written
 * by a transaction that completed before the snapshot); it happens when a dump was restored into a
 * cluster whose counter is behind the stored ids. Then the append writes nothing, and the adapter
 * says why. One probe of the primary key's leading column: the largest id, read backwards off the
 * index. Asked as "is there a row at or above xmax?", the planner scanned the whole table on a store
 * not yet analysed (it takes a third of the rows to match a range it cannot estimate) — every
 * append, until autovacuum's first ANALYZE: 31 ms an append at 7,500 events, and the store
 * benchmark's appends on PostgreSQL ran at 0.06–0.2 of the raw driver's.
 */
const COUNTER_AHEAD = `coalesce((SELECT transaction_id FROM events ORDER BY transaction_id DESC LIMIT 1) < pg_snapshot_xmax(pg_current_snapshot()), true)`;

const COUNTER_STATUS = `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next,
  (SELECT transaction_id::text FROM events ORDER BY transaction_id DESC LIMIT 1) AS largest`;

const COLUMNS = `transaction_id::text AS tx, global_position::text AS pos, stream_id, revision, event_id::text AS id, type, data::text AS data_text, metadata::text AS metadata_text, hash, commit_id`;

/**
 * A page's rows, with each commit's envelope sent once: on the first row of the commit in the
 * page's order (its events are adjacent in every order the store reads in); the reader copies it
 * to the rest (rowsToStored). `inner` selects COLUMNS under `order`; the outer query keeps it.
 */
const withEnvelopes = (inner: string, order: string) => `
SELECT tx, pos, stream_id, revision, id, type, data_text,
  CASE WHEN commit_id IS NULL THEN metadata_text
       WHEN commit_id IS DISTINCT FROM lag(commit_id) OVER (ORDER BY ${order}) THEN (SELECT c.metadata::text FROM commits c WHERE c.commit_id = page.commit_id)
  END AS metadata_text,
  hash, commit_id
FROM (${inner}) page
ORDER BY ${order}`;

/**
 * The facts guard (AppendOptions.facts), for appends that pass them: each stream ($streams) is at
 * its revision ($revisions, -1: no stream), as the statement sees them. That is the statement's
 * snapshot: a write to a fact committing while the append runs is ordered after it, as if it had
 * come a moment later; a later plan change is the rule-change reactor's (and the ranking
 * handler's re-check), exactly as with facts read before the append. One index probe per fact.
 */
const factsAt = (streams: string, revisions: string) => `NOT EXISTS (
  SELECT 1 FROM unnest(${streams}::text[], ${revisions}::int[]) AS f(stream_id, revision)
  WHERE coalesce((SELECT max(x.revision) FROM events x WHERE x.stream_id = f.stream_id), -1) <> f.revision)`;

/**
 * One event: a plain INSERT, the commonest append. The row at the expected revision must exist
 * (none for -1), and UNIQUE (stream_id, revision) refuses the next one if another writer got there
 * first; revisions have no gaps, so together that is "the head is exactly the expected revision".
 */
const appendOne = (facts: boolean) => `
INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash)
SELECT $1, $2::int + 1, $3::uuid, $4, $5::json, $6::json, $7
WHERE ($2::int = -1 OR EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND revision = $2::int)) AND ${COUNTER_AHEAD}${facts ? ` AND ${factsAt('$8', '$9')}` : ''}
RETURNING transaction_id::text || ':' || global_position AS position`;
export const APPEND_ONE = appendOne(false);
const APPEND_ONE_FACTS = appendOne(true);

/**
 * Several events in one statement. The envelopes they share ($9, see sharedEnvelopes) are stored
 * once each in `commits`, under ids taken from the sequence first, so the events can name them;
 * an event whose envelope is not shared ($8 null) carries it inline ($6).
 */
const appendMany = (facts: boolean) => `
WITH head AS (SELECT coalesce(max(revision), -1) AS rev FROM events WHERE stream_id = $1),
ok AS (SELECT head.rev FROM head WHERE head.rev = $2 AND ${COUNTER_AHEAD}${facts ? ` AND ${factsAt('$10', '$11')}` : ''}),
env AS (SELECT nextval('commit_ids') AS commit_id, m.metadata, m.ord FROM ok, unnest($9::json[]) WITH ORDINALITY AS m(metadata, ord)),
env_ins AS (INSERT INTO commits (commit_id, metadata) SELECT commit_id, metadata FROM env),
ids AS (SELECT array_agg(commit_id ORDER BY ord) AS a FROM env),
-- No join against the unnest: rows go in, and take their global positions, in revision order.
ins AS (
  INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash, commit_id)
  SELECT $1, ok.rev + e.ord, e.id, e.type, e.data, e.metadata, e.hash, ids.a[e.envelope]
  FROM ok, ids, unnest($3::uuid[], $4::text[], $5::json[], $6::json[], $7::text[], $8::int[]) WITH ORDINALITY AS e(id, type, data, metadata, hash, envelope, ord)
  ORDER BY e.ord
  RETURNING transaction_id, global_position)
SELECT (SELECT transaction_id::text || ':' || global_position FROM ins ORDER BY global_position DESC LIMIT 1) AS position,
  (SELECT array_agg(transaction_id::text || ':' || global_position ORDER BY global_position) FROM ins) AS positions`;
export const APPEND_MANY = appendMany(false);
const APPEND_MANY_FACTS = appendMany(true);

const READ_ALL = withEnvelopes(
  `SELECT ${COLUMNS}, transaction_id, global_position FROM events
WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY transaction_id, global_position
LIMIT $3`,
  'transaction_id, global_position',
);
/**
 * The events of the given streams (as-of folds: the ~220 streams behind an Annex 2), in global
 * order: one index probe of (stream_id, revision) per stream, then a sort of the few rows found.
 * Not `stream_id = ANY($1)`: for that the planner weighs a bitmap scan against walking the primary
 * key in order, and chose a parallel plan (a worker started per question: 60–80 ms of its ~100 ms
 * under load, for 855 rows) or, on a table without statistics, the walk of every row (issue 17).
 * A probe per stream is the cheapest plan whatever the statistics say, and its cost follows the
 * rows asked for, not the table. `OFFSET 0` keeps the per-stream subquery from being flattened into
 * a join, which without statistics became a hash join over a scan of every row.
 */
export const READ_STREAMS = withEnvelopes(
  `SELECT ${COLUMNS}, transaction_id, global_position
FROM unnest($1::text[]) AS wanted(sid) CROSS JOIN LATERAL (SELECT * FROM events WHERE events.stream_id = wanted.sid OFFSET 0) AS events
ORDER BY transaction_id, global_position`,
  'transaction_id, global_position',
);
/**
 * The tail of the log, newest first (readAllBackwards): everything committed, without READ_ALL's
 * horizon — that keeps a forward reader from passing an event that commits later below it; a
 * reader of the tail wants the latest commits, which the horizon would hide while any other
 * transaction in the cluster is open.
 */
const READ_ALL_BACKWARDS = withEnvelopes(
  `SELECT ${COLUMNS}, transaction_id, global_position FROM events
WHERE (transaction_id, global_position) < ($1::xid8, $2::bigint)
ORDER BY transaction_id DESC, global_position DESC
LIMIT $3`,
  'transaction_id DESC, global_position DESC',
);

/**
 * audit verify's rows (ChainRow), in global order: the position as two numbers, and the text each
 * chain hash covers after the previous hash joined by the database as rowsToStored and chainHash
 * join them — the envelope its commit's (none if the commit row is gone: ''), or its own: one
 * string a row instead of five. As text, not bytes (bytea): its hex form cost the database and
 * this process more than decoding the text (which PostgreSQL keeps valid UTF-8) and encoding it again.
 */
const CHAIN_IN_ORDER = `SELECT transaction_id::text::float8, global_position::float8, stream_id, revision, hash,
  E'\\n' || stream_id || E'\\n' || revision || E'\\n' || event_id::text || E'\\n' || type || E'\\n' || data::text || E'\\n' ||
    coalesce(CASE WHEN commit_id IS NULL THEN metadata::text ELSE (SELECT c.metadata::text FROM commits c WHERE c.commit_id = e.commit_id) END, '')
FROM events e
WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND (e.transaction_id, e.global_position) <= ($3::xid8, $4::bigint)
-- Qualified: unqualified, the names would be the output columns' (the casts to float8), and sort every row.
ORDER BY e.transaction_id, e.global_position
LIMIT $5`;

/** A pool, or one client inside a transaction (tests use that to hold a commit back). */
type Queryable = Pick<pg.Pool, 'query'> & { end?: () => Promise<void> };

export class PostgresStorage implements StorageAdapter {
  readonly kind = 'postgres';
  readonly checksFacts = true;

  constructor(
    readonly pool: Queryable,
    readonly ownsPool = true,
  ) {}

  /**
   * Refuses (TransactionCounterBehindError) a database whose cluster's transaction counter is not
   * above the stored transaction ids, unless `transactionGuard` is false (backup and restore tools,
   * which must look at such a database to repair it).
   */
  static async open(url: string, options: { poolSize?: number; transactionGuard?: boolean } = {}): Promise<PostgresStorage> {
    const pool = createPool(url, options.poolSize);
    try {
      await migrate(pool, POSTGRES_SCHEMA, 0x6a78_0001);
      const storage = new PostgresStorage(pool);
      if (options.transactionGuard !== false) {
        const counter = await storage.transactionCounter();
        if (!counter.safe) throw new TransactionCounterBehindError(counter.next, counter.largestStored!);
      }
      return storage;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  async transactionCounter(): Promise<TransactionCounterStatus> {
    const r = await this.pool.query<{ next: string; largest: string | null }>({ name: 'jx_counter_status', text: COUNTER_STATUS });
    const { next, largest } = r.rows[0]!;
    return { next, largestStored: largest, safe: largest === null || BigInt(next) > BigInt(largest) };
  }

  /** Nothing was inserted: the head or a fact moved, or the guard refused. Only the rare first cases cost these probes. */
  async #refusedOrMoved(facts: readonly StreamRevision[] | undefined): Promise<RawAppendOutcome> {
    const counter = await this.transactionCounter();
    if (!counter.safe) throw new TransactionCounterBehindError(counter.next, counter.largestStored!);
    if (facts && (await this.revisions(facts.map((f) => f.streamId))).some((r, i) => r !== facts[i]!.revision)) return { kind: 'facts-moved' };
    return { kind: 'head-moved' };
  }

  async append(streamId: string, expectedHead: number, events: StoredEventInput[], facts?: readonly StreamRevision[]): Promise<RawAppendOutcome> {
    const guard = facts?.length ? [facts.map((f) => f.streamId), facts.map((f) => f.revision)] : undefined;
    try {
      const result =
        events.length === 1
          ? await this.pool.query({
              name: guard ? 'jx_append_one_facts' : 'jx_append_one',
              text: guard ? APPEND_ONE_FACTS : APPEND_ONE,
              values: [streamId, expectedHead, events[0]!.id, events[0]!.type, events[0]!.data, events[0]!.metadata, events[0]!.hash, ...(guard ?? [])],
            })
          : await this.#appendMany(streamId, expectedHead, events, guard);
      const row = result.rows[0] as { position: string | null; positions?: string[] | null } | undefined;
      // Nothing inserted: the stream is not at the expected revision, or a fact moved.
      if (!row || row.position === null) return this.#refusedOrMoved(guard && facts);
      return { kind: 'appended', lastPosition: row.position, positions: row.positions ?? [row.position] };
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23505' && e.constraint === 'events_event_id') return { kind: 'duplicate-id' };
      // Another writer inserted the same revision after our statement read the head.
      if (e.code === '23505' && e.constraint === 'events_stream_revision') return { kind: 'head-moved' };
      throw err;
    }
  }

  #appendMany(streamId: string, expectedHead: number, events: StoredEventInput[], guard: unknown[] | undefined) {
    const shared = sharedEnvelopes(events);
    // 1-based: the ordinality of the envelope in $9.
    const envelope = events.map((e) => {
      const i = shared.get(e.metadata);
      return i === undefined ? null : i + 1;
    });
    return this.pool.query({
      name: guard ? 'jx_append_many_facts' : 'jx_append_many',
      text: guard ? APPEND_MANY_FACTS : APPEND_MANY,
      values: [
        streamId,
        expectedHead,
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.data),
        events.map((e, i) => (envelope[i] === null ? e.metadata : null)),
        events.map((e) => e.hash),
        envelope,
        [...shared.keys()],
        ...(guard ?? []),
      ],
    });
  }

  async head(streamId: string): Promise<StreamHead> {
    const r = await this.pool.query({
      name: 'jx_head',
      text: 'SELECT revision, hash FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1',
      values: [streamId],
    });
    return r.rows[0] ?? { revision: -1, hash: '' };
  }

  async revisions(streamIds: readonly string[]): Promise<number[]> {
    const r = await this.pool.query<{ stream_id: string; revision: number }>({
      name: 'jx_revisions',
      text: 'SELECT s.id AS stream_id, (SELECT max(revision) FROM events WHERE stream_id = s.id) AS revision FROM unnest($1::text[]) AS s(id)',
      values: [streamIds],
    });
    const found = new Map(r.rows.map((row) => [row.stream_id, row.revision]));
    return streamIds.map((id) => found.get(id) ?? -1);
  }

  async readStream(streamId: string, direction: 'forwards' | 'backwards', from: number | undefined, maxCount: number) {
    const forwards = direction === 'forwards';
    const bound = from === undefined ? '' : forwards ? 'AND revision >= $3' : 'AND revision <= $3';
    const order = `revision ${forwards ? 'ASC' : 'DESC'}`;
    const text = withEnvelopes(`SELECT ${COLUMNS} FROM events WHERE stream_id = $1 ${bound} ORDER BY ${order} LIMIT $2`, order);
    const limit = maxCount >= Number.MAX_SAFE_INTEGER ? null : maxCount;
    const r = await this.pool.query({
      name: `jx_read_${direction}_${from === undefined ? 'all' : 'from'}`,
      text,
      values: from === undefined ? [streamId, limit] : [streamId, limit, from],
      rowMode: 'array',
    });
    return rowsToStored(r.rows);
  }

  async readStreams(streamIds: readonly string[]): Promise<StoredEvent[]> {
    const r = await this.pool.query({ name: 'jx_read_streams', text: READ_STREAMS, values: [streamIds], rowMode: 'array' });
    return rowsToStored(r.rows);
  }

  async readAll(after: string | undefined, maxCount: number): Promise<StoredEvent[]> {
    const [tx, pos] = after === undefined ? ['0', '0'] : splitPosition(after);
    const r = await this.pool.query({ name: 'jx_read_all', text: READ_ALL, values: [tx, pos, maxCount], rowMode: 'array' });
    return rowsToStored(r.rows);
  }

  async readAllBackwards(before: string | undefined, maxCount: number): Promise<StoredEvent[]> {
    const [tx, pos] = before === undefined ? ['18446744073709551615', '9223372036854775807'] : splitPosition(before);
    const r = await this.pool.query({ name: 'jx_read_all_backwards', text: READ_ALL_BACKWARDS, values: [tx, pos, maxCount], rowMode: 'array' });
    return rowsToStored(r.rows);
  }

  async readAllByStream(after: { streamId: string; revision: number } | undefined, maxCount: number) {
    const order = 'stream_id, revision';
    const r = after
      ? await this.pool.query({
          name: 'jx_by_stream_after',
          text: withEnvelopes(`SELECT ${COLUMNS} FROM events WHERE (stream_id, revision) > ($1, $2) ORDER BY ${order} LIMIT $3`, order),
          values: [after.streamId, after.revision, maxCount],
          rowMode: 'array',
        })
      : await this.pool.query({
          name: 'jx_by_stream',
          text: withEnvelopes(`SELECT ${COLUMNS} FROM events ORDER BY ${order} LIMIT $1`, order),
          values: [maxCount],
          rowMode: 'array',
        });
    return rowsToStored(r.rows);
  }

  async readChainRowsInOrder(after: ChainPosition | undefined, upTo: ChainPosition | undefined, maxCount: number): Promise<ChainRow[]> {
    const r = await this.pool.query({
      name: 'jx_chain_in_order',
      text: CHAIN_IN_ORDER,
      values: [...(after ? after.map(String) : ['0', '0']), ...(upTo ? upTo.map(String) : ['18446744073709551615', '9223372036854775807']), maxCount],
      rowMode: 'array',
    });
    return r.rows as ChainRow[];
  }

  /** Positions sampled (TABLESAMPLE SYSTEM: a few thousand rows from random pages) in a large table, else counted: cut at each fraction. */
  async positionsAt(fractions: readonly number[]): Promise<(ChainPosition | undefined)[]> {
    const estimate = Number((await this.pool.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'events'::regclass")).rows[0]?.n ?? -1);
    const position = (row: unknown[] | undefined): ChainPosition | undefined => (row ? [Number(row[0]), Number(row[1])] : undefined);
    if (estimate > 200_000) {
      const percent = Math.min(100, (100 * 20_000) / estimate);
      const sampled = (
        await this.pool.query({
          text: `SELECT e.transaction_id::text::float8, e.global_position::float8 FROM events e TABLESAMPLE SYSTEM (${percent.toFixed(6)}) ORDER BY e.transaction_id, e.global_position`,
          rowMode: 'array',
        })
      ).rows as unknown[][];
      if (sampled.length >= 1000) return fractions.map((fraction) => position(sampled[Math.min(sampled.length - 1, Math.floor(sampled.length * fraction))]));
    }
    const count = Number((await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
    const out: (ChainPosition | undefined)[] = [];
    for (const fraction of fractions) {
      const r = await this.pool.query({
        text: 'SELECT e.transaction_id::text::float8, e.global_position::float8 FROM events e ORDER BY e.transaction_id, e.global_position OFFSET $1 LIMIT 1',
        values: [Math.floor(count * fraction)],
        rowMode: 'array',
      });
      out.push(position(r.rows[0] as unknown[] | undefined));
    }
    return out;
  }

  async findByIds(ids: string[]): Promise<StoredEvent[]> {
    const r = await this.pool.query({
      text: withEnvelopes(`SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[])`, 'commit_id, revision'),
      values: [ids],
      rowMode: 'array',
    });
    return rowsToStored(r.rows);
  }

  async countAfter(position: string | undefined, limit?: number): Promise<number> {
    const [tx, pos] = position === undefined ? ['0', '0'] : splitPosition(position);
    const r = await this.pool.query<{ n: string }>(
      limit === undefined
        ? { name: 'jx_count_after', text: 'SELECT count(*) AS n FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)', values: [tx, pos] }
        : {
            name: 'jx_count_after_up_to',
            text: 'SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) LIMIT $3) AS t',
            values: [tx, pos, limit],
          },
    );
    return Number(r.rows[0]!.n);
  }

  async readAllHeads(after: string | undefined, maxCount: number) {
    const [tx, pos] = after === undefined ? ['0', '0'] : splitPosition(after);
    const r = await this.pool.query({
      name: 'jx_read_all_heads',
      text: `SELECT transaction_id::text AS tx, global_position::text AS pos, stream_id, revision, hash FROM events
             WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY transaction_id, global_position LIMIT $3`,
      values: [tx, pos, maxCount],
      rowMode: 'array',
    });
    return (r.rows as [string, string, string, number, string][]).map((x) => ({ position: `${x[0]}:${x[1]}`, streamId: x[2], revision: x[3], hash: x[4] }));
  }

  /** The stream ids fractions of the way through all events in (stream, revision) order: where parallel verification splits. */
  async streamIdsAt(fractions: readonly number[]): Promise<(string | undefined)[]> {
    // A large table is sampled (a few thousand rows from random pages, TABLESAMPLE SYSTEM) rather
    // than counted and walked to an OFFSET, which at ten million events costs seconds before any
    // verification thread starts; the sampled stream ids, sorted, taken at each fraction.
    const estimate = Number((await this.pool.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'events'::regclass")).rows[0]?.n ?? -1);
    if (estimate > 200_000) {
      const percent = Math.min(100, (100 * 20_000) / estimate);
      const ids = (await this.pool.query<{ stream_id: string }>(`SELECT stream_id FROM events TABLESAMPLE SYSTEM (${percent.toFixed(6)}) ORDER BY stream_id`)).rows.map(
        (r) => r.stream_id,
      );
      if (ids.length >= 1000) return fractions.map((fraction) => ids[Math.min(ids.length - 1, Math.floor(ids.length * fraction))]);
    }
    const count = Number((await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n);
    const out: (string | undefined)[] = [];
    for (const fraction of fractions) {
      const r = await this.pool.query<{ stream_id: string }>('SELECT stream_id FROM events ORDER BY stream_id, revision OFFSET $1 LIMIT 1', [Math.floor(count * fraction)]);
      out.push(r.rows[0]?.stream_id);
    }
    return out;
  }

  async headPosition(): Promise<string | undefined> {
    const r = await this.pool.query<{ tx: string; pos: string }>({
      name: 'jx_head_position',
      text: 'SELECT transaction_id::text AS tx, global_position::text AS pos FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    });
    return r.rows[0] ? `${r.rows[0].tx}:${r.rows[0].pos}` : undefined;
  }

  comparePositions(a: string, b: string): number {
    const [ta, pa] = splitPosition(a).map(BigInt) as [bigint, bigint];
    const [tb, pb] = splitPosition(b).map(BigInt) as [bigint, bigint];
    return ta !== tb ? (ta < tb ? -1 : 1) : pa < pb ? -1 : pa > pb ? 1 : 0;
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end?.();
  }
}

function splitPosition(p: string): [string, string] {
  const m = typeof p === 'string' ? /^(\d{1,20}):(\d{1,19})$/.exec(p) : null;
  if (!m) throw new InvalidEventError('position', `"${p}" is not a position of this PostgreSQL store (transaction:sequence)`);
  return [m[1]!, m[2]!];
}

/** Rows of withEnvelopes as stored events: a commit's envelope, sent on its first row, copied to the rest. */
function rowsToStored(rows: unknown[][]): StoredEvent[] {
  const out = new Array<StoredEvent>(rows.length);
  let commit: unknown = null;
  let envelope = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    let metadata = r[7] as string | null;
    if (r[9] !== null) {
      if (r[9] !== commit) {
        commit = r[9];
        // A commit row that is gone leaves the metadata empty, which no longer matches the hash.
        envelope = metadata ?? '';
      }
      metadata = envelope;
    }
    out[i] = {
      position: `${r[0]}:${r[1]}`,
      streamId: r[2] as string,
      revision: r[3] as number,
      id: r[4] as string,
      type: r[5] as string,
      data: r[6] as string,
      metadata: metadata ?? '',
      hash: r[8] as string,
    };
  }
  return out;
}
