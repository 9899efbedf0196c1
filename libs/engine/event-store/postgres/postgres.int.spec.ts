import pg from 'pg';
import { eventStoreConformance } from '../conformance/event-store.conformance.js';
import { EventStore } from '../event-store.js';
import { openEventStore } from '../open-event-store.js';
import { createPostgresDatabase } from '../../testing/databases.js';
import { testMetadata } from '../../testing/fixtures.js';
import { APPEND_MANY, APPEND_ONE, PostgresStorage, READ_STREAMS } from './postgres-storage.js';

eventStoreConformance({
  name: 'PostgreSQL',
  serializedWriters: false,
  async create() {
    const db = await createPostgresDatabase('conformance');
    const store = await openEventStore(db.url);
    return {
      store,
      url: db.url,
      async dispose() {
        await store.close();
        await db.drop();
      },
    };
  },
  async openTransaction(url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('BEGIN');
    const end = async (sql: string) => {
      await client.query(sql);
      await client.end();
    };
    return {
      store: new EventStore(new PostgresStorage(client, false)),
      commit: () => end('COMMIT'),
      rollback: () => end('ROLLBACK'),
    };
  },
});

/**
 * Why the store orders by transaction id: the same A/B interleaving against the naive design (a
 * bigserial position and `position > checkpoint`) loses A's event for ever.
 */
describe('a naive bigserial event table (the design this store avoids)', () => {
  it('fails the ordering test: a reader passes a position whose transaction commits later, and never sees that event', async () => {
    const db = await createPostgresDatabase('naive');
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    try {
      await pool.query('CREATE TABLE naive_events (global_position bigserial PRIMARY KEY, stream_id text NOT NULL, data json NOT NULL)');
      let checkpoint = 0;
      const seen: string[] = [];
      const poll = async () => {
        const r = await pool.query('SELECT global_position, stream_id FROM naive_events WHERE global_position > $1 ORDER BY global_position', [checkpoint]);
        for (const row of r.rows) {
          seen.push(row.stream_id);
          checkpoint = Number(row.global_position);
        }
      };
      const a = await pool.connect();
      await a.query('BEGIN');
      await a.query(`INSERT INTO naive_events (stream_id, data) VALUES ('A', '{}')`); // takes position 1
      await pool.query(`INSERT INTO naive_events (stream_id, data) VALUES ('B', '{}')`); // takes 2, commits first
      await poll(); // sees B, checkpoint = 2
      await a.query('COMMIT');
      a.release();
      await poll();
      await pool.query(`INSERT INTO naive_events (stream_id, data) VALUES ('C', '{}')`);
      await poll();
      expect(seen).toEqual(['B', 'C']); // A is lost for ever
      const stored = await pool.query('SELECT stream_id FROM naive_events ORDER BY global_position');
      expect(stored.rows.map((r) => r.stream_id)).toEqual(['A', 'B', 'C']);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});

/**
 * An as-of view reads a few hundred streams of a large table (issue 17). The plan must probe the
 * (stream_id, revision) index once a stream whatever the statistics say: `stream_id = ANY($1)` on a
 * table loaded without ANALYZE (this server runs without autovacuum) was planned as a parallel scan
 * of every row, and with statistics still started a parallel worker per question.
 */
describe('PostgreSQL readStreams on a large table', () => {
  it('probes the stream index once a stream (no scan of the table, no parallel workers), without statistics and with them', async () => {
    const db = await createPostgresDatabase('read_streams_plan');
    const store = await openEventStore(db.url);
    const pool = (store.storage as PostgresStorage).pool;
    try {
      await loadWithoutStatistics(pool);
      const streams = [...Array.from({ length: 200 }, (_, i) => `s-${i * 97}`), ...Array.from({ length: 20 }, (_, i) => `none-${i}`)];
      const nodes = () => planNodes(pool, READ_STREAMS, [streams]);
      for (const statistics of [false, true]) {
        if (statistics) await pool.query('ANALYZE events');
        const plan = await nodes();
        // The events table is reached only through the stream index (an index scan, or a bitmap
        // of it): no sequential scan, no walk of the primary key.
        expect({ statistics, seqScans: plan.filter((n) => n.type === 'Seq Scan' && n.relation === 'events').length }).toEqual({ statistics, seqScans: 0 });
        expect({ statistics, indexes: [...new Set(plan.filter((n) => n.index?.startsWith('events_')).map((n) => n.index))] }).toEqual({
          statistics,
          indexes: ['events_stream_revision'],
        });
        expect(plan.map((n) => n.type)).not.toContain('Gather');
        expect(plan.map((n) => n.type)).not.toContain('Gather Merge');
        // And the answer: every event of the 200 streams, in global order.
        const read = await store.readStreams(streams);
        expect(read).toHaveLength(1000);
        expect(read.map((e) => (e.data as { g: number }).g)).toEqual(
          Array.from({ length: 200 }, (_, i) => [0, 1, 2, 3, 4].map((k) => i * 97 * 5 + k))
            .flat()
            .sort((a, b) => a - b),
        );
      }
    } finally {
      await store.close();
      await db.drop();
    }
  }, 60_000);
});

/**
 * Every append asks whether the cluster's transaction counter is ahead of the stored ids (the guard
 * after a restore into a new cluster). Asked as "a row at or above xmax?", a table not yet analysed
 * was scanned whole on every append — 31 ms an append at 7,500 events, and the store benchmark's
 * appends ran at 0.06–0.2 of the raw driver's. The guard reads the largest id off the primary key.
 */
describe('PostgreSQL appends on a large table not yet analysed', () => {
  it('never scan the events table: the stream index and the primary key are probed', async () => {
    const db = await createPostgresDatabase('append_plan');
    const store = await openEventStore(db.url);
    const pool = (store.storage as PostgresStorage).pool;
    try {
      await loadWithoutStatistics(pool);
      // The guard and the head are the insert's InitPlans and SubPlans: nodes of its plan.
      const scans = async (text: string, values: unknown[]) => (await planNodes(pool, text, values)).filter((n) => n.type === 'Seq Scan' && n.relation === 'events');
      const envelope = JSON.stringify({ recordedAt: '2023-01-01T00:00:00.000Z' });
      expect(await scans(APPEND_ONE, ['s-7', 4, '00000000-0000-4000-8000-000000000001', 'Happened', '{}', envelope, 'h'])).toEqual([]);
      expect(
        await scans(APPEND_MANY, [
          's-new',
          -1,
          ['00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'],
          ['Happened', 'Happened'],
          ['{}', '{}'],
          [null, null],
          ['h', 'h'],
          [1, 1],
          [envelope],
        ]),
      ).toEqual([]);
      // And they append.
      await store.appendToStream('s-7', [{ type: 'Happened', data: { g: -1 }, metadata: testMetadata() }], { expectedRevision: 4 });
      expect((await store.readStream('s-7')).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await store.close();
      await db.drop();
    }
  }, 60_000);
});

/** 100,000 events in 20,000 streams of five, written as a bulk load writes them (no ANALYZE: this server runs without autovacuum). */
async function loadWithoutStatistics(pool: Pick<pg.Pool, 'query'>): Promise<void> {
  await pool.query(`INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash)
    SELECT 's-' || (g / 5), g % 5, gen_random_uuid(), 'Happened', json_build_object('g', g), json_build_object('recordedAt', '2023-01-01T00:00:00.000Z'), 'h'
    FROM generate_series(0, 99999) AS g`);
}

/** Every node of a statement's plan (EXPLAIN, not run), subplans included. */
async function planNodes(pool: Pick<pg.Pool, 'query'>, text: string, values: unknown[]): Promise<{ type: string; relation?: string; index?: string }[]> {
  const r = await pool.query({ text: `EXPLAIN (FORMAT JSON) ${text}`, values });
  const out: { type: string; relation?: string; index?: string }[] = [];
  const walk = (n: { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: unknown[] }) => {
    out.push({ type: n['Node Type'], relation: n['Relation Name'], index: n['Index Name'] });
    for (const c of n.Plans ?? []) walk(c as typeof n);
  };
  walk((r.rows[0] as { 'QUERY PLAN': { Plan: Parameters<typeof walk>[0] }[] })['QUERY PLAN'][0]!.Plan);
  return out;
}
