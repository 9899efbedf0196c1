import Database from 'better-sqlite3';
import pg from 'pg';
import { WrongExpectedRevisionError } from '../libs/engine/event-store/errors.js';
import type { EventStore } from '../libs/engine/event-store/event-store.js';
import { openEventStore } from '../libs/engine/event-store/open-event-store.js';
import type { BenchEvent, IndicatorValueRecorded } from './data.js';

export type StoreKind = 'sqlite' | 'postgres';
export type ImplKind = 'raw' | 'jixiao';

export const PAGE = 1000;

/** Called once per event read, after deserialising. */
export type Visit = (streamId: string, version: number, data: IndicatorValueRecorded) => void;

/**
 * What every phase needs from an implementation. `appendOne` and `appendNew` resolve false on a
 * refused append (wrong expected revision / an existing version) and throw on anything else.
 */
export interface Impl {
  readonly impl: ImplKind;
  readonly store: StoreKind;
  appendOne(e: BenchEvent): Promise<boolean>;
  /** The events of one new stream in one append (expected: no stream). */
  appendNew(events: BenchEvent[]): Promise<boolean>;
  /** One page of the global read after `cursor` (undefined: from the start); returns how many and the next cursor. */
  readPage(cursor: string | undefined, visit: Visit): Promise<{ count: number; cursor: string | undefined }>;
  /** Loads and deserialises one stream; returns its length. */
  loadStream(streamId: string): Promise<number>;
  close(): Promise<void>;
}

/** Where a fresh, empty store lives: a PostgreSQL URL or a SQLite file path. */
export async function openImpl(impl: ImplKind, store: StoreKind, location: string): Promise<Impl> {
  if (impl === 'jixiao') return new JixiaoImpl(store, await openEventStore(store === 'sqlite' ? `sqlite:${location}` : location));
  return store === 'sqlite' ? new RawSqlite(location) : RawPostgres.open(location);
}

/** The store as an application uses it: one EventStore shared by every client. */
class JixiaoImpl implements Impl {
  readonly impl = 'jixiao';
  constructor(
    readonly store: StoreKind,
    readonly es: EventStore,
  ) {}

  async appendOne(e: BenchEvent): Promise<boolean> {
    try {
      await this.es.appendToStream(e.streamId, [e], { expectedRevision: e.version === 0 ? 'no_stream' : e.version - 1 });
      return true;
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) return false;
      throw err;
    }
  }

  async appendNew(events: BenchEvent[]): Promise<boolean> {
    try {
      await this.es.appendToStream(events[0]!.streamId, events, { expectedRevision: 'no_stream' });
      return true;
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) return false;
      throw err;
    }
  }

  async readPage(cursor: string | undefined, visit: Visit) {
    const page = await this.es.readAll(cursor === undefined ? { maxCount: PAGE } : { fromPosition: cursor, maxCount: PAGE });
    for (let i = 0; i < page.length; i++) {
      const e = page[i]!;
      visit(e.streamId, e.revision, e.data as IndicatorValueRecorded);
    }
    return { count: page.length, cursor: page.length ? page[page.length - 1]!.position : cursor };
  }

  async loadStream(streamId: string): Promise<number> {
    return (await this.es.readStream(streamId)).length;
  }

  close(): Promise<void> {
    return this.es.close();
  }
}

export const RAW_POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position bigserial PRIMARY KEY,
  stream_id text NOT NULL,
  version integer NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, version)
)`;

/** The driver alone: a store without Jixiao's guarantees (no envelope, no hash chain, bigserial order). */
class RawPostgres implements Impl {
  readonly impl = 'raw';
  readonly store = 'postgres';
  constructor(readonly pool: pg.Pool) {}

  static async open(url: string): Promise<RawPostgres> {
    // The same pool size as the Jixiao adapter's default.
    const pool = new pg.Pool({ connectionString: url, max: 16 });
    pool.on('error', () => undefined);
    await pool.query(RAW_POSTGRES_SCHEMA);
    return new RawPostgres(pool);
  }

  async appendOne(e: BenchEvent): Promise<boolean> {
    try {
      await this.pool.query({
        name: 'raw_append_one',
        text: 'INSERT INTO events (stream_id, version, type, data) VALUES ($1, $2, $3, $4)',
        values: [e.streamId, e.version, e.type, JSON.stringify(e.data)],
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return false;
      throw err;
    }
  }

  async appendNew(events: BenchEvent[]): Promise<boolean> {
    try {
      await this.pool.query({
        name: 'raw_append_many',
        text: `INSERT INTO events (stream_id, version, type, data)
               SELECT $1, e.version, $2, e.data FROM unnest($3::int[], $4::jsonb[]) AS e(version, data)`,
        values: [events[0]!.streamId, events[0]!.type, events.map((e) => e.version), events.map((e) => JSON.stringify(e.data))],
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return false;
      throw err;
    }
  }

  async readPage(cursor: string | undefined, visit: Visit) {
    const r = await this.pool.query({
      name: 'raw_read_all',
      text: 'SELECT global_position, stream_id, version, type, data FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2',
      values: [cursor ?? '0', PAGE],
      rowMode: 'array',
    });
    const rows = r.rows as [string, string, number, string, IndicatorValueRecorded][];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      visit(row[1], row[2], row[4]); // jsonb: the driver has parsed it
    }
    return { count: rows.length, cursor: rows.length ? rows[rows.length - 1]![0] : cursor };
  }

  async loadStream(streamId: string): Promise<number> {
    const r = await this.pool.query({
      name: 'raw_read_stream',
      text: 'SELECT global_position, stream_id, version, type, data FROM events WHERE stream_id = $1 ORDER BY version',
      values: [streamId],
      rowMode: 'array',
    });
    return r.rows.length;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export const RAW_SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (stream_id, version)
)`;

/** better-sqlite3 alone, with the durability settings the Jixiao adapter uses. One transaction per append. */
class RawSqlite implements Impl {
  readonly impl = 'raw';
  readonly store = 'sqlite';
  readonly db: Database.Database;
  readonly #insert;
  readonly #insertMany;
  readonly #readAll;
  readonly #readStream;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(RAW_SQLITE_SCHEMA);
    this.#insert = this.db.prepare<[string, number, string, string]>('INSERT INTO events (stream_id, version, type, data) VALUES (?, ?, ?, ?)');
    const insert = this.#insert;
    this.#insertMany = this.db.transaction((events: BenchEvent[]) => {
      for (const e of events) insert.run(e.streamId, e.version, e.type, JSON.stringify(e.data));
    });
    this.#readAll = this.db
      .prepare<[number, number]>('SELECT global_position, stream_id, version, type, data FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?')
      .raw(true);
    this.#readStream = this.db.prepare<[string]>('SELECT global_position, stream_id, version, type, data FROM events WHERE stream_id = ? ORDER BY version').raw(true);
  }

  async appendOne(e: BenchEvent): Promise<boolean> {
    try {
      // A single statement in autocommit is its own transaction.
      this.#insert.run(e.streamId, e.version, e.type, JSON.stringify(e.data));
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw err;
    }
  }

  async appendNew(events: BenchEvent[]): Promise<boolean> {
    try {
      this.#insertMany(events);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw err;
    }
  }

  async readPage(cursor: string | undefined, visit: Visit) {
    const rows = this.#readAll.all(cursor === undefined ? 0 : Number(cursor), PAGE) as [number, string, number, string, string][];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      visit(row[1], row[2], JSON.parse(row[4]) as IndicatorValueRecorded);
    }
    return { count: rows.length, cursor: rows.length ? String(rows[rows.length - 1]![0]) : cursor };
  }

  async loadStream(streamId: string): Promise<number> {
    const rows = this.#readStream.all(streamId) as [number, string, number, string, string][];
    for (const row of rows) JSON.parse(row[4]);
    return rows.length;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
