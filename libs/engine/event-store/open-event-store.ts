import { EventStore, type EventStoreOptions } from './event-store.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import { redact } from './redact.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { StorageAdapter } from './storage.js';

export { redact };

export const DEFAULT_EVENT_STORE_URL = 'sqlite:./data/jixiao.db';

/**
 * `sqlite:PATH` (embedded, the default), `postgres://…` / `postgresql://…`, or EventStoreDB / KurrentDB:
 * `esdb://…`, `esdb+discover://…`, `kurrentdb://…`, `kurrentdb+discover://…` (see docs/eventstoredb.md).
 */
export interface OpenOptions {
  /**
   * PostgreSQL: refuse a database whose cluster's transaction counter is behind the stored ids (a
   * dump restored without the step in docs/deploy.md §3.3). On by default; only the backup and
   * restore tools turn it off, to inspect and repair such a database.
   */
  transactionGuard?: boolean;
  /**
   * SQLite: read the file through a memory map (SQLite's mmap_size, up to its 2 GB limit), for a
   * connection that reads the whole log once: audit verify's threads. Every page was otherwise a
   * read() into SQLite's small cache — 1.0–1.4 µs of system CPU an event (200 k events, 2026-12-04).
   */
  mappedReads?: boolean;
}

export async function openStorage(url: string, options: OpenOptions = {}): Promise<StorageAdapter> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!path) throw new Error('EVENT_STORE_URL "sqlite:" needs a file path, e.g. sqlite:./data/jixiao.db');
    return new SqliteStorage(path, options.mappedReads ? { mappedReads: true } : {});
  }
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresStorage.open(url, options.transactionGuard === false ? { transactionGuard: false } : {});
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//i.test(url)) {
    // Loaded on demand: the gRPC client is heavy and only this adapter needs it.
    const { EsdbStorage } = await import('./esdb/esdb-storage.js');
    return EsdbStorage.open(url);
  }
  throw new Error(`EVENT_STORE_URL "${redact(url)}" is not understood: use sqlite:PATH, postgres://…, esdb://… or kurrentdb://…`);
}

export async function openEventStore(url: string = DEFAULT_EVENT_STORE_URL, options?: EventStoreOptions & OpenOptions): Promise<EventStore> {
  return new EventStore(await openStorage(url, options), options);
}
