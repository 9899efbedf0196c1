import { EventStore, type EventStoreOptions } from './event-store.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { StorageAdapter } from './storage.js';

export const DEFAULT_EVENT_STORE_URL = 'sqlite:./data/jixiao.db';

/**
 * `sqlite:PATH` (embedded, the default) or `postgres://…` / `postgresql://…`.
 */
export async function openStorage(url: string): Promise<StorageAdapter> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (!path) throw new Error('EVENT_STORE_URL "sqlite:" needs a file path, e.g. sqlite:./data/jixiao.db');
    return new SqliteStorage(path);
  }
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresStorage.open(url);
  throw new Error(`EVENT_STORE_URL "${redact(url)}" is not understood: use sqlite:PATH or postgres://…`);
}

export async function openEventStore(url: string = DEFAULT_EVENT_STORE_URL, options?: EventStoreOptions): Promise<EventStore> {
  return new EventStore(await openStorage(url), options);
}

/** For messages and logs: never print a password from a connection string. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
