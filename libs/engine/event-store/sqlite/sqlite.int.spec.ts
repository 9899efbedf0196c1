import Database from 'better-sqlite3';
import { eventStoreConformance } from '../conformance/event-store.conformance.js';
import { EventStore } from '../event-store.js';
import { openEventStore } from '../open-event-store.js';
import { createSqliteDirectory } from '../../testing/databases.js';
import { SqliteStorage } from './sqlite-storage.js';

eventStoreConformance({
  name: 'SQLite',
  serializedWriters: true,
  async create() {
    const dir = createSqliteDirectory('conformance');
    const url = dir.url();
    const store = await openEventStore(url);
    return {
      store,
      url,
      async dispose() {
        await store.close();
        dir.drop();
      },
    };
  },
  async openTransaction(url) {
    const path = url.slice('sqlite:'.length);
    const storage = new SqliteStorage(path);
    storage.db.exec('BEGIN IMMEDIATE');
    return {
      store: new EventStore(storage),
      async commit() {
        storage.db.exec('COMMIT');
        await storage.close();
      },
      async rollback() {
        storage.db.exec('ROLLBACK');
        await storage.close();
      },
      async otherWriterCanWrite() {
        const probe = new Database(path, { timeout: 0 });
        try {
          probe.exec('BEGIN IMMEDIATE');
          probe.exec('ROLLBACK');
          return true;
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
          throw err;
        } finally {
          probe.close();
        }
      },
    };
  },
});
