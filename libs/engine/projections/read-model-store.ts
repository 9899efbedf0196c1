import type Database from 'better-sqlite3';
import type pg from 'pg';
import { createPool, migrate } from '../event-store/postgres/postgres-storage.js';
import { openSqlite } from '../event-store/sqlite/sqlite-storage.js';
import type { DocSource } from './docs.js';

/**
 * Where projections keep their documents and checkpoints: SQLite or PostgreSQL, usually the same
 * database as the events. A projection may have several generations: the active one serves
 * queries while a new one is built from the start, then they swap.
 */
export interface GenerationState {
  projection: string;
  generation: number;
  version: number;
  /** Position of the last event applied; undefined before the first. */
  checkpoint: string | undefined;
  active: boolean;
}

export interface Batch {
  projection: string;
  generation: number;
  /** The checkpoint this batch was computed from: the commit is refused if it moved (another runner). */
  from: string | undefined;
  to: string;
  /** Whether the runner believes this generation serves: refused too if another process swapped it meanwhile. */
  active: boolean;
  changes: { collection: string; key: string; doc: string | null }[];
}

export interface ReadModelStore {
  readonly kind: string;
  generations(): Promise<GenerationState[]>;
  /** A new, empty generation, active only if the projection has none yet. */
  createGeneration(projection: string, version: number): Promise<GenerationState>;
  /** The active generation, created (empty, active) if there is none: two runners starting at once get the same one. */
  ensureActiveGeneration(projection: string, version: number): Promise<GenerationState>;
  source(projection: string, generation: number): DocSource;
  /** All batches in one transaction; returns the batches refused because their checkpoint moved. */
  commit(batches: Batch[]): Promise<Batch[]>;
  /**
   * Make `generation` the one that serves. The generation it replaces is kept until the next swap,
   * so a process that has not noticed the swap yet still reads a whole (if stale) copy; older ones
   * are dropped, and generations still being built are left alone.
   */
  activate(projection: string, generation: number): Promise<void>;
  close(): Promise<void>;
}

const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_generations (
  projection TEXT NOT NULL,
  generation INTEGER NOT NULL,
  version INTEGER NOT NULL,
  checkpoint TEXT,
  active INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (projection, generation)
);
CREATE TABLE IF NOT EXISTS projection_docs (
  projection TEXT NOT NULL,
  generation INTEGER NOT NULL,
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (projection, generation, collection, key)
) WITHOUT ROWID;
`;

const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_generations (
  projection text NOT NULL,
  generation integer NOT NULL,
  version integer NOT NULL,
  checkpoint text,
  active boolean NOT NULL DEFAULT false,
  PRIMARY KEY (projection, generation)
);
CREATE TABLE IF NOT EXISTS projection_docs (
  projection text NOT NULL,
  generation integer NOT NULL,
  collection text NOT NULL,
  -- Byte order, as in SQLite: both stores list and page keys identically, along the index.
  key text COLLATE "C" NOT NULL,
  doc text NOT NULL,
  PRIMARY KEY (projection, generation, collection, key)
);
`;

interface GenerationRow {
  projection: string;
  generation: number;
  version: number;
  checkpoint: string | null;
  active: number | boolean;
}

const toState = (r: GenerationRow): GenerationState => ({
  projection: r.projection,
  generation: r.generation,
  version: r.version,
  checkpoint: r.checkpoint ?? undefined,
  active: Boolean(r.active),
});

function prepareSqlite(db: Database.Database) {
  const pageWhere = `SELECT key, doc FROM projection_docs WHERE projection = ? AND generation = ? AND collection = ? AND key >= ? AND key < ?`;
  type PageArgs = [string, number, string, string, string, string, number];
  return {
    get: db.prepare<[string, number, string, string], { doc: string }>('SELECT doc FROM projection_docs WHERE projection = ? AND generation = ? AND collection = ? AND key = ?'),
    getMany: db.prepare<[string, number, string, string], { key: string; doc: string }>(
      'SELECT key, doc FROM projection_docs WHERE projection = ? AND generation = ? AND collection = ? AND key IN (SELECT value FROM json_each(?))',
    ),
    list: db.prepare<[string, number, string, string, string], { key: string; doc: string }>(
      `SELECT key, doc FROM projection_docs WHERE projection = ? AND generation = ? AND collection = ?
       AND key >= ? AND key < ? ORDER BY key`,
    ),
    pageAsc: db.prepare<PageArgs, { key: string; doc: string }>(`${pageWhere} AND key > ? ORDER BY key LIMIT ?`),
    pageDesc: db.prepare<PageArgs, { key: string; doc: string }>(`${pageWhere} AND key < ? ORDER BY key DESC LIMIT ?`),
    move: db.prepare('UPDATE projection_generations SET checkpoint = ? WHERE projection = ? AND generation = ? AND checkpoint IS ? AND active = ?'),
    put: db.prepare(
      `INSERT INTO projection_docs (projection, generation, collection, key, doc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (projection, generation, collection, key) DO UPDATE SET doc = excluded.doc`,
    ),
    del: db.prepare('DELETE FROM projection_docs WHERE projection = ? AND generation = ? AND collection = ? AND key = ?'),
  };
}

export class SqliteReadModelStore implements ReadModelStore {
  readonly kind = 'sqlite';
  readonly db: Database.Database;

  // Prepared once: source() runs on every read (a signed-in request reads its session's user) and
  // commit() on every page a projection applies; every value is a bound parameter.
  readonly #sql: ReturnType<typeof prepareSqlite>;

  #durable: Database.Database | undefined;

  constructor(readonly path: string) {
    this.db = openSqlite(path, { rebuildable: true });
    this.db.exec(SQLITE_SCHEMA);
    this.#sql = prepareSqlite(this.db);
  }

  async generations(): Promise<GenerationState[]> {
    return (this.db.prepare('SELECT * FROM projection_generations ORDER BY projection, generation').all() as GenerationRow[]).map(toState);
  }

  async createGeneration(projection: string, version: number): Promise<GenerationState> {
    return this.db
      .transaction(() => {
        const max = this.db.prepare('SELECT max(generation) AS g, sum(active) AS a FROM projection_generations WHERE projection = ?').get(projection) as {
          g: number | null;
          a: number | null;
        };
        const generation = (max.g ?? 0) + 1;
        const active = !max.a;
        this.db
          .prepare('INSERT INTO projection_generations (projection, generation, version, checkpoint, active) VALUES (?, ?, ?, NULL, ?)')
          .run(projection, generation, version, active ? 1 : 0);
        return { projection, generation, version, checkpoint: undefined, active };
      })
      .immediate();
  }

  async ensureActiveGeneration(projection: string, version: number): Promise<GenerationState> {
    return this.db
      .transaction(() => {
        const active = this.db.prepare('SELECT * FROM projection_generations WHERE projection = ? AND active = 1').get(projection) as GenerationRow | undefined;
        if (active) return toState(active);
        const max = this.db.prepare('SELECT max(generation) AS g FROM projection_generations WHERE projection = ?').get(projection) as { g: number | null };
        const generation = (max.g ?? 0) + 1;
        this.db.prepare('INSERT INTO projection_generations (projection, generation, version, checkpoint, active) VALUES (?, ?, ?, NULL, 1)').run(projection, generation, version);
        return { projection, generation, version, checkpoint: undefined, active: true };
      })
      .immediate();
  }

  source(projection: string, generation: number): DocSource {
    const { get, getMany, list, pageAsc, pageDesc } = this.#sql;
    // Keys of a prefix run from the prefix itself up to (not including) prefix + U+FFFF, in byte order.
    const end = (prefix: string) => prefix + '\uffff';
    return {
      get: async (collection, key) => get.get(projection, generation, collection, key)?.doc,
      getMany: async (collection, keys) => inOrder(keys, getMany.all(projection, generation, collection, JSON.stringify(keys))),
      list: async (collection, prefix) => list.all(projection, generation, collection, prefix, end(prefix)),
      page: async (collection, prefix, { after, limit, reverse }) =>
        reverse
          ? pageDesc.all(projection, generation, collection, prefix, end(prefix), after ?? end(prefix), limit)
          : pageAsc.all(projection, generation, collection, prefix, end(prefix), after ?? '', limit),
    };
  }

  async commit(batches: Batch[]): Promise<Batch[]> {
    const { move, put, del } = this.#sql;
    return this.db
      .transaction(() => {
        const refused: Batch[] = [];
        for (const b of batches) {
          if (move.run(b.to, b.projection, b.generation, b.from ?? null, b.active ? 1 : 0).changes !== 1) {
            refused.push(b);
            continue;
          }
          for (const c of b.changes) {
            if (c.doc === null) del.run(b.projection, b.generation, c.collection, c.key);
            else put.run(b.projection, b.generation, c.collection, c.key, c.doc);
          }
        }
        return refused;
      })
      .immediate();
  }

  async activate(projection: string, generation: number): Promise<void> {
    this.db
      .transaction(() => {
        const active = (this.db.prepare('SELECT generation FROM projection_generations WHERE projection = ? AND active = 1').get(projection) as { generation: number } | undefined)
          ?.generation;
        // Already serving (another runner promoted it first): keep the generation it replaced.
        if (active === generation) return;
        const previous = active ?? generation;
        this.db.prepare('UPDATE projection_generations SET active = (generation = ?) WHERE projection = ?').run(generation, projection);
        this.db.prepare('DELETE FROM projection_docs WHERE projection = ? AND generation < ? AND generation <> ?').run(projection, generation, previous);
        this.db.prepare('DELETE FROM projection_generations WHERE projection = ? AND generation < ? AND generation <> ?').run(projection, generation, previous);
      })
      .immediate();
  }

  /**
   * A connection to the same database that commits durably (FULL), for what lives beside the
   * projections but cannot be rebuilt from the events: credentials and sessions (a revoked session
   * or a used one-time password must stay so after a power loss).
   */
  durable(): Database.Database {
    if (this.path === ':memory:') return this.db;
    return (this.#durable ??= openSqlite(this.path));
  }

  async close(): Promise<void> {
    if (this.#durable?.open) this.#durable.close();
    if (this.db.open) this.db.close();
  }
}

export class PostgresReadModelStore implements ReadModelStore {
  readonly kind = 'postgres';
  private constructor(readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresReadModelStore> {
    const pool = createPool(url, 8);
    await migrate(pool, POSTGRES_SCHEMA, 0x6a78_0002);
    return new PostgresReadModelStore(pool);
  }

  async generations(): Promise<GenerationState[]> {
    const r = await this.pool.query<GenerationRow>('SELECT * FROM projection_generations ORDER BY projection, generation');
    return r.rows.map(toState);
  }

  async createGeneration(projection: string, version: number): Promise<GenerationState> {
    return this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`jx-projection:${projection}`]);
      const r = await c.query<{ g: number | null; a: boolean | null }>('SELECT max(generation) AS g, bool_or(active) AS a FROM projection_generations WHERE projection = $1', [
        projection,
      ]);
      const generation = (r.rows[0]!.g ?? 0) + 1;
      const active = !r.rows[0]!.a;
      await c.query('INSERT INTO projection_generations (projection, generation, version, checkpoint, active) VALUES ($1, $2, $3, NULL, $4)', [
        projection,
        generation,
        version,
        active,
      ]);
      return { projection, generation, version, checkpoint: undefined, active };
    });
  }

  async ensureActiveGeneration(projection: string, version: number): Promise<GenerationState> {
    return this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`jx-projection:${projection}`]);
      const active = await c.query<GenerationRow>('SELECT * FROM projection_generations WHERE projection = $1 AND active', [projection]);
      if (active.rows[0]) return toState(active.rows[0]);
      const max = await c.query<{ g: number | null }>('SELECT max(generation) AS g FROM projection_generations WHERE projection = $1', [projection]);
      const generation = (max.rows[0]!.g ?? 0) + 1;
      await c.query('INSERT INTO projection_generations (projection, generation, version, checkpoint, active) VALUES ($1, $2, $3, NULL, true)', [projection, generation, version]);
      return { projection, generation, version, checkpoint: undefined, active: true };
    });
  }

  source(projection: string, generation: number): DocSource {
    return {
      get: async (collection, key) =>
        (
          await this.pool.query<{ doc: string }>({
            name: 'jx_doc_get',
            text: 'SELECT doc FROM projection_docs WHERE projection = $1 AND generation = $2 AND collection = $3 AND key = $4',
            values: [projection, generation, collection, key],
          })
        ).rows[0]?.doc,
      getMany: async (collection, keys) =>
        inOrder(
          keys,
          (
            await this.pool.query<{ key: string; doc: string }>({
              name: 'jx_doc_get_many',
              // One index lookup per key, whatever the planner estimates: `key = ANY($4)` was planned as a scan
              // of the whole collection, filtered, on a table not analyzed since a rebuild filled it (~1 s a page).
              text: `SELECT d.key, d.doc FROM unnest($4::text[]) AS k(key) CROSS JOIN LATERAL
                     (SELECT key, doc FROM projection_docs WHERE projection = $1 AND generation = $2 AND collection = $3 AND key = k.key LIMIT 1) d`,
              values: [projection, generation, collection, keys],
            })
          ).rows,
        ),
      list: async (collection, prefix) =>
        (
          await this.pool.query<{ key: string; doc: string }>({
            name: 'jx_doc_list',
            text: `SELECT key, doc FROM projection_docs WHERE projection = $1 AND generation = $2 AND collection = $3
                   AND key >= $4 AND key < $4 || U&'\\FFFF' ORDER BY key`,
            values: [projection, generation, collection, prefix],
          })
        ).rows,
      page: async (collection, prefix, { after, limit, reverse }) =>
        (
          await this.pool.query<{ key: string; doc: string }>({
            name: reverse ? 'jx_doc_page_desc' : 'jx_doc_page_asc',
            text: `SELECT key, doc FROM projection_docs WHERE projection = $1 AND generation = $2 AND collection = $3
                   AND key >= $4 AND key < $4 || U&'\\FFFF' AND ($5::text IS NULL OR key ${reverse ? '<' : '>'} $5::text)
                   ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT $6`,
            values: [projection, generation, collection, prefix, after ?? null, limit],
          })
        ).rows,
    };
  }

  /**
   * Three statements whatever the number of projections (a page moves every projection's
   * checkpoint): the checkpoints that still are where the batches started, then every document
   * of those batches written, then every one deleted. A round trip per projection was most of a
   * command's cost on PostgreSQL. Rows are locked in (projection, generation) order, as another
   * runner locks them, so two runners committing at once wait rather than deadlock.
   */
  async commit(batches: Batch[]): Promise<Batch[]> {
    if (batches.length === 0) return [];
    return this.#tx(async (c) => {
      const moved = await c.query<{ projection: string; generation: number }>(
        `WITH u AS (SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bool[]) AS u(projection, generation, from_, to_, active)),
         locked AS (
           SELECT g.projection, g.generation FROM projection_generations g JOIN u USING (projection, generation)
           ORDER BY g.projection, g.generation FOR UPDATE OF g
         )
         UPDATE projection_generations g SET checkpoint = u.to_ FROM u, locked l
         WHERE g.projection = u.projection AND g.generation = u.generation AND l.projection = g.projection AND l.generation = g.generation
           AND g.checkpoint IS NOT DISTINCT FROM u.from_ AND g.active = u.active
         RETURNING g.projection, g.generation`,
        [batches.map((b) => b.projection), batches.map((b) => b.generation), batches.map((b) => b.from ?? null), batches.map((b) => b.to), batches.map((b) => b.active)],
      );
      const ok = new Set(moved.rows.map((r) => `${r.projection}\u0000${r.generation}`));
      const refused = batches.filter((b) => !ok.has(`${b.projection}\u0000${b.generation}`));
      const dels: [string, number, string, string][] = [];
      for (const b of batches) {
        if (!ok.has(`${b.projection}\u0000${b.generation}`)) continue;
        const puts: string[] = [];
        for (const x of b.changes) {
          if (x.doc === null) dels.push([b.projection, b.generation, x.collection, x.key]);
          else puts.push(x.collection, x.key, x.doc);
        }
        // A parameter each, not arrays: a text[] parameter is sent as an array literal, every quote of
        // every document escaped in JavaScript (escapeElement), and that one string measured and
        // written whole: a third of a PostgreSQL rebuild's CPU in this process (issue 17).
        for (let i = 0; i < puts.length; i += PUT_ROWS * 3) {
          const rows = puts.slice(i, i + PUT_ROWS * 3);
          const values = Array.from({ length: rows.length / 3 }, (_, r) => `($1, $2, $${3 * r + 3}, $${3 * r + 4}, $${3 * r + 5})`).join(', ');
          // Keys are unique within a batch (one map of changes per projection generation), as ON CONFLICT requires.
          await c.query(
            `INSERT INTO projection_docs (projection, generation, collection, key, doc) VALUES ${values}
             ON CONFLICT (projection, generation, collection, key) DO UPDATE SET doc = EXCLUDED.doc`,
            [b.projection, b.generation, ...rows],
          );
        }
      }
      if (dels.length) {
        await c.query(
          `DELETE FROM projection_docs WHERE (projection, generation, collection, key) IN
           (SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]))`,
          [0, 1, 2, 3].map((k) => dels.map((r) => r[k])),
        );
      }
      return refused;
    });
  }

  async activate(projection: string, generation: number): Promise<void> {
    await this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`jx-projection:${projection}`]);
      const active = (await c.query<{ generation: number }>('SELECT generation FROM projection_generations WHERE projection = $1 AND active', [projection])).rows[0]?.generation;
      // Already serving (another runner promoted it first): keep the generation it replaced.
      if (active === generation) return;
      const previous = active ?? generation;
      await c.query('UPDATE projection_generations SET active = (generation = $2) WHERE projection = $1', [projection, generation]);
      await c.query('DELETE FROM projection_docs WHERE projection = $1 AND generation < $2 AND generation <> $3', [projection, generation, previous]);
      await c.query('DELETE FROM projection_generations WHERE projection = $1 AND generation < $2 AND generation <> $3', [projection, generation, previous]);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async #tx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await work(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
}

/** Documents written by one INSERT on PostgreSQL: three parameters each, under its 65,535. */
const PUT_ROWS = 20_000;

/** Rows found for `keys`, in the order of `keys` (undefined where none was). */
function inOrder(keys: readonly string[], rows: readonly { key: string; doc: string }[]): (string | undefined)[] {
  const found = new Map(rows.map((r) => [r.key, r.doc]));
  return keys.map((k) => found.get(k));
}

export async function openReadModelStore(url: string): Promise<ReadModelStore> {
  if (url.startsWith('sqlite:')) return new SqliteReadModelStore(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresReadModelStore.open(url);
  throw new Error('READ_MODEL_URL must be sqlite:PATH or postgres://… (projections need a SQL store beside the events)');
}
