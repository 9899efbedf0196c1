import Database from 'better-sqlite3';
import { eventStoreConformance } from '../conformance/event-store.conformance.js';
import { EventStore } from '../event-store.js';
import { openEventStore } from '../open-event-store.js';
import { createSqliteDirectory } from '../../testing/databases.js';
import { SqliteStorage } from './sqlite-storage.js';
import { testEvent } from '../../testing/fixtures.js';

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

describe('SQLite group commit', () => {
  it('writes concurrent appends in one transaction, each checked on its own: a conflict or a duplicate id refuses only that append', async () => {
    const dir = createSqliteDirectory('group-commit');
    const storage = new SqliteStorage(dir.url().slice('sqlite:'.length));
    const store = new EventStore(storage);
    try {
      await store.appendToStream('contested', [testEvent()], { expectedRevision: 'no_stream' });
      const stored = testEvent('Stored');
      await store.appendToStream('earlier', [stored], { expectedRevision: 'no_stream' });
      const count = storage.db.prepare('SELECT count(*) FROM events').pluck();
      const eventsBefore = count.get() as number;
      const transactionsBefore = storage.appendTransactions;
      const results = await Promise.allSettled([
        ...Array.from({ length: 10 }, (_, i) => store.appendToStream(`fresh-${i}`, [testEvent(), testEvent()], { expectedRevision: 'no_stream' })),
        store.appendToStream('contested', [testEvent()], { expectedRevision: 0 }),
        store.appendToStream('contested', [testEvent()], { expectedRevision: 0 }),
        // Another stream reusing an event id already stored: refused on its own (EventIdConflictError).
        store.appendToStream('reused', [{ ...stored, type: 'Other' }], { expectedRevision: 'no_stream' }),
      ]);
      const fulfilled = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ position: string }>[];
      expect(fulfilled).toHaveLength(11);
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(refused.map((r) => (r.reason as Error).constructor.name).sort()).toEqual(['EventIdConflictError', 'WrongExpectedRevisionError']);
      expect((count.get() as number) - eventsBefore).toBe(10 * 2 + 1);
      // All thirteen went in one transaction (one fsync); the two refused were answered from what
      // it committed, without another write.
      expect(storage.appendTransactions - transactionsBefore).toBe(1);
      for (let i = 0; i < 10; i++) expect(await store.readStream(`fresh-${i}`)).toHaveLength(2);
      expect(await store.readStream('contested')).toHaveLength(2);
      expect(await store.revision('reused')).toBe(-1);
    } finally {
      await store.close();
      dir.drop();
    }
  });
});
