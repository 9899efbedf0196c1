import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { besideStore } from '../audit/seal-key.js';
import { parseS3Url, redactS3Url, S3BlobStore } from './s3-blob-store.js';

/**
 * Where attachments' bytes live, addressed by their SHA-256: the events hold the name, type, size
 * and hash, the store holds the bytes once. Writing the same bytes twice stores one blob; nothing
 * here changes or deletes a blob (an event may refer to it). Verification (`audit verify`) reads
 * each referenced blob and recomputes its hash.
 */
export interface BlobStore {
  readonly kind: 'directory' | 'postgres' | 's3';
  /** Where, for the log (no credentials). */
  readonly location: string;
  /** Stores the bytes under their hash; `created` is false when the blob was there already. */
  put(bytes: Buffer): Promise<{ sha256: string; size: number; created: boolean }>;
  /** The bytes stored under `sha256`, as they are now (verify them: storage can be altered). */
  get(sha256: string): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const HASH = /^[0-9a-f]{64}$/;
function checkHash(sha256: string): void {
  if (!HASH.test(sha256)) throw new Error(`"${sha256}" is not a SHA-256 written in lower-case hex`);
}

/**
 * A directory (by default `blobs/` beside the SQLite file): `ab/abcdef…` per blob, written whole to
 * a file of our own and linked into place, so a reader never sees half a blob and a second writer of
 * the same bytes finds it there (link fails with EEXIST). Blobs are made read-only (0444).
 */
export class DirectoryBlobStore implements BlobStore {
  readonly kind = 'directory';
  constructor(readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  pathOf(sha256: string): string {
    checkHash(sha256);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Buffer): Promise<{ sha256: string; size: number; created: boolean }> {
    const sha256 = sha256Of(bytes);
    const file = this.pathOf(sha256);
    if (existsSync(file)) return { sha256, size: bytes.length, created: false };
    mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o444 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return { sha256, size: bytes.length, created: false };
    } finally {
      unlinkSync(tmp);
    }
    chmodSync(file, 0o444);
    return { sha256, size: bytes.length, created: true };
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const file = this.pathOf(sha256);
    try {
      return readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async close(): Promise<void> {}
}

/**
 * A table in the PostgreSQL database (the event store's, by default). A trigger refuses UPDATE and
 * DELETE, so the application — or a mistaken script — cannot change or remove a blob; only an
 * owner who disables the trigger can, and `audit verify` then finds it altered or missing.
 */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  #ready: Promise<void> | undefined;

  constructor(
    url: string,
    readonly table = 'jixiao_blobs',
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`"${table}" is not a plain table name`);
    this.#pool = new pg.Pool({ connectionString: url, max: 4 });
    this.location = `postgres table ${table}`;
  }

  readonly location: string;

  #schema(): Promise<void> {
    const t = this.table;
    return (this.#ready ??= (async () => {
      const c = await this.#pool.connect();
      try {
        // One creator at a time across processes (two API instances starting together).
        await c.query('BEGIN');
        await c.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [t]);
        await c.query(`CREATE TABLE IF NOT EXISTS ${t} (sha256 text PRIMARY KEY, size bigint NOT NULL, bytes bytea NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())`);
        await c.query(`CREATE OR REPLACE FUNCTION ${t}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'blobs are never changed or deleted (%)', TG_OP; END $$`);
        await c.query(`DROP TRIGGER IF EXISTS ${t}_immutable ON ${t}`);
        await c.query(`CREATE TRIGGER ${t}_immutable BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${t}_immutable()`);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        this.#ready = undefined;
        throw err;
      } finally {
        c.release();
      }
    })());
  }

  async put(bytes: Buffer): Promise<{ sha256: string; size: number; created: boolean }> {
    await this.#schema();
    const sha256 = sha256Of(bytes);
    const r = await this.#pool.query(`INSERT INTO ${this.table} (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`, [sha256, bytes.length, bytes]);
    return { sha256, size: bytes.length, created: r.rowCount === 1 };
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    checkHash(sha256);
    await this.#schema();
    const r = await this.#pool.query<{ bytes: Buffer }>(`SELECT bytes FROM ${this.table} WHERE sha256 = $1`, [sha256]);
    return r.rows[0]?.bytes;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/**
 * The blob store of a deployment: BLOB_STORE_URL when set (`file:DIR`, `postgres://…` or
 * `s3://BUCKET[/PREFIX]?endpoint=…&region=…`), else the PostgreSQL database of the event store (or
 * of the read models, beside EventStoreDB), else the `blobs/` directory beside the SQLite file.
 */
export function blobStoreUrlFor(options: { eventStoreUrl: string; readModelUrl?: string; blobStoreUrl?: string }): string {
  if (options.blobStoreUrl) return options.blobStoreUrl;
  for (const url of [options.eventStoreUrl, options.readModelUrl]) if (url && /^postgres(ql)?:\/\//.test(url)) return url;
  const sqlite = [options.eventStoreUrl, options.readModelUrl].find((u) => u?.startsWith('sqlite:')) ?? options.eventStoreUrl;
  return `file:${besideStore(sqlite, 'blobs')}`;
}

export function openBlobStore(url: string, env: NodeJS.ProcessEnv = process.env): BlobStore {
  if (url.startsWith('file:')) return new DirectoryBlobStore(resolve(url.slice('file:'.length)));
  if (/^postgres(ql)?:\/\//.test(url)) return new PostgresBlobStore(url);
  if (url.startsWith('s3://')) return new S3BlobStore(parseS3Url(url, env));
  throw new Error(`BLOB_STORE_URL "${redactS3Url(url).replace(/\/\/[^@/]*@/, '//…@')}" is neither file:DIR, postgres://… nor s3://BUCKET[/PREFIX]?endpoint=…&region=…`);
}

/** The blob store a deployment keeps attachments in: BLOB_STORE_URL, else beside the event store (blobStoreUrlFor). */
export function blobStoreFromEnv(config: { eventStoreUrl: string; readModelUrl?: string }, env: NodeJS.ProcessEnv = process.env): BlobStore {
  return openBlobStore(blobStoreUrlFor({ ...config, ...(env.BLOB_STORE_URL ? { blobStoreUrl: env.BLOB_STORE_URL } : {}) }), env);
}
