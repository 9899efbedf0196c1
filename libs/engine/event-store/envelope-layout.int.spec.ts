import Database from 'better-sqlite3';
import pg from 'pg';
import { verifyChains } from '../audit/verify-chains.js';
import { createPostgresDatabase, createSqliteDirectory } from '../testing/databases.js';
import { readEverything, testMetadata } from '../testing/fixtures.js';
import { newUuid } from '../ids.js';
import { chainHash, GENESIS_HASH } from './hash-chain.js';
import { openEventStore } from './open-event-store.js';

/**
 * A command's envelope is stored once per commit (table `commits`) and its events reference it.
 * Stores written before keep every envelope in its event's row: they open, read and verify as
 * they did, and take new appends in the new layout beside the old rows.
 */

/** The events table exactly as stores before the commits table were created (their SQL, kept here). */
const OLD_SQLITE = `
CREATE TABLE events (
  global_position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_id, revision)
);
CREATE UNIQUE INDEX events_event_id ON events (event_id);`;
const OLD_SQLITE_INSERT = 'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash) VALUES (?, ?, ?, ?, ?, ?, ?)';

const OLD_POSTGRES = `
CREATE TABLE events (
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  stream_id text COLLATE "C" NOT NULL,
  revision integer NOT NULL,
  event_id uuid NOT NULL,
  type text NOT NULL,
  data json NOT NULL,
  metadata json NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (transaction_id, global_position),
  CONSTRAINT events_stream_revision UNIQUE (stream_id, revision),
  CONSTRAINT events_event_id UNIQUE (event_id)
);`;
const OLD_POSTGRES_INSERT = 'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)';

interface Sql {
  exec(sql: string, params?: unknown[]): Promise<void>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const targets = [
  {
    name: 'SQLite',
    oldSchema: OLD_SQLITE,
    oldInsert: OLD_SQLITE_INSERT,
    asText: 'metadata',
    async create() {
      const dir = createSqliteDirectory('layout');
      const url = dir.url();
      const path = url.slice('sqlite:'.length);
      return {
        url,
        sql: async (): Promise<Sql> => {
          const db = new Database(path);
          return {
            exec: async (sql, params) => void (params ? db.prepare(sql).run(...params) : db.exec(sql)),
            rows: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
            close: async () => void db.close(),
          };
        },
        drop: async () => dir.drop(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    oldSchema: OLD_POSTGRES,
    oldInsert: OLD_POSTGRES_INSERT,
    asText: 'metadata::text',
    async create() {
      const db = await createPostgresDatabase('layout');
      return {
        url: db.url,
        sql: async (): Promise<Sql> => {
          const c = new pg.Client({ connectionString: db.url });
          await c.connect();
          return {
            exec: async (sql, params) => void (await c.query(sql, params)),
            rows: async (sql) => (await c.query(sql)).rows,
            close: () => c.end(),
          };
        },
        drop: () => db.drop(),
      };
    },
  },
];

describe.each(targets)('envelopes once per commit on $name', (target) => {
  let url: string;
  let sql: Sql;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const t = await target.create();
    url = t.url;
    drop = t.drop;
    sql = await t.sql();
  });
  afterEach(async () => {
    await sql.close();
    await drop();
  });

  it("stores a command's shared envelope once, and reads back the same events with the same hashes", async () => {
    const store = await openEventStore(url);
    try {
      const shared = testMetadata({ reason: '更正：单位填报有误' });
      const alone = testMetadata({ recordedAt: shared.recordedAt });
      await store.appendToStream('plan-1', [
        { type: 'A', data: { i: 0 }, metadata: shared },
        { type: 'B', data: { i: 1 }, metadata: shared },
        { type: 'C', data: { i: 2 }, metadata: alone },
        { type: 'D', data: { i: 3 }, metadata: { ...shared } },
      ]);
      await store.appendToStream('plan-2', [{ type: 'E', data: { i: 4 }, metadata: alone }]);

      const commits = await sql.rows(`SELECT ${target.asText} AS m FROM commits`);
      expect(commits).toHaveLength(1);
      expect(JSON.parse(commits[0]!.m as string)).toEqual(shared);
      const rows = await sql.rows(`SELECT stream_id, revision, commit_id, ${target.asText} AS m FROM events ORDER BY stream_id, revision`);
      // Shared: referenced, not repeated; alone: inline, as before.
      expect(rows.map((r) => [r.revision, r.commit_id === null, r.m === null || r.m === ''])).toEqual([
        [0, false, true],
        [1, false, true],
        [2, true, false],
        [3, false, true],
        [0, true, false],
      ]);

      const events = await store.readStream('plan-1');
      expect(events.map((e) => [e.type, e.metadata])).toEqual([
        ['A', shared],
        ['B', shared],
        ['C', alone],
        ['D', shared],
      ]);
      expect((await store.readStream('plan-1', { direction: 'backwards', maxCount: 2 })).map((e) => e.metadata.reason)).toEqual([shared.reason, undefined]);
      expect((await readEverything(store)).map((e) => e.metadata.commandId)).toEqual([shared, shared, alone, shared, alone].map((m) => m.commandId));
      // The hashes cover the envelope as they always did: recomputed from the envelope text.
      const stored = await store.storage.readStream('plan-1', 'forwards', undefined, 10);
      let previous = GENESIS_HASH;
      for (const e of stored) {
        expect(e.metadata).toBe(JSON.stringify(e.revision === 2 ? alone : shared));
        expect(chainHash(previous, e)).toBe(e.hash);
        previous = e.hash;
      }
      const found = await store.storage.findByIds(stored.map((e) => e.id));
      expect(found.map((e) => e.metadata).sort()).toEqual(stored.map((e) => e.metadata).sort());
      expect(await verifyChains(store.storage, { pageSize: 2 })).toMatchObject({ ok: true, events: 5, streams: 2 });

      // A large batch with two shared envelopes: the global order is the revision order still.
      const other = testMetadata({ recordedAt: shared.recordedAt, reason: 'the other command' });
      await store.appendToStream(
        'plan-3',
        Array.from({ length: 300 }, (_, i) => ({ type: 'F', data: { i }, metadata: i % 3 === 0 ? other : shared })),
      );
      const plan3 = (await readEverything(store)).filter((e) => e.streamId === 'plan-3');
      expect(plan3.map((e) => e.revision)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(plan3.map((e) => e.metadata.reason)).toEqual(Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? other.reason : shared.reason)));
      expect(await sql.rows('SELECT count(*) AS n FROM commits')).toEqual([{ n: target.name === 'SQLite' ? 3 : '3' }]);
    } finally {
      await store.close();
    }
  });

  it('opens a store written in the old layout (envelope in every row), reads and verifies it, and appends beside it', async () => {
    // Written with the old SQL: one envelope repeated in each row of a two-event command.
    await sql.exec(target.oldSchema);
    const old = testMetadata({ reason: 'written before' });
    let previous = GENESIS_HASH;
    for (let revision = 0; revision < 2; revision++) {
      const row = { streamId: 'plan-old', revision, id: newUuid(), type: 'Old', data: JSON.stringify({ revision }), metadata: JSON.stringify(old) };
      previous = chainHash(previous, row);
      await sql.exec(target.oldInsert, [row.streamId, row.revision, row.id, row.type, row.data, row.metadata, previous]);
    }

    const store = await openEventStore(url);
    try {
      expect((await store.readStream('plan-old')).map((e) => [e.revision, e.data, e.metadata])).toEqual([
        [0, { revision: 0 }, old],
        [1, { revision: 1 }, old],
      ]);
      expect(await verifyChains(store.storage)).toMatchObject({ ok: true, events: 2, streams: 1 });

      const next = testMetadata({ reason: 'written after', recordedAt: new Date(Date.parse(old.recordedAt) + 1000).toISOString() });
      await store.appendToStream(
        'plan-old',
        [
          { type: 'New', data: { revision: 2 }, metadata: next },
          { type: 'New', data: { revision: 3 }, metadata: next },
        ],
        { expectedRevision: 1 },
      );
      expect((await store.readStream('plan-old')).map((e) => e.metadata.reason)).toEqual(['written before', 'written before', 'written after', 'written after']);
      expect((await readEverything(store)).map((e) => e.metadata.reason)).toEqual(['written before', 'written before', 'written after', 'written after']);
      expect(await verifyChains(store.storage)).toMatchObject({ ok: true, events: 4, streams: 1, problems: [] });
      expect(await sql.rows('SELECT count(*) AS n FROM commits')).toEqual([{ n: target.name === 'SQLite' ? 1 : '1' }]);
    } finally {
      await store.close();
    }
    // And a second open (the column is there now) changes nothing.
    const again = await openEventStore(url);
    try {
      expect(await verifyChains(again.storage)).toMatchObject({ ok: true, events: 4 });
    } finally {
      await again.close();
    }
  });
});
