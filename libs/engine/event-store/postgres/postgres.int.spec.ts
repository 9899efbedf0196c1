import pg from 'pg';
import { eventStoreConformance } from '../conformance/event-store.conformance.js';
import { EventStore } from '../event-store.js';
import { openEventStore } from '../open-event-store.js';
import { createPostgresDatabase } from '../../testing/databases.js';
import { PostgresStorage } from './postgres-storage.js';

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
