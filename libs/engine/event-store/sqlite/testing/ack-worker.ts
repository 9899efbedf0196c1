/**
 * Appends until killed, printing each acknowledged event as soon as its append resolves: the crash
 * test (wal-sync.int.spec.ts) SIGKILLs it mid-load and checks every printed event is stored.
 * Checkpoints every few pages, so the WAL is copied back and restarted under the load too.
 * Usage: node ack-worker.js PATH WRITERS
 */
import { EventStore } from '../../event-store.js';
import { testEvent } from '../../../testing/fixtures.js';
import { SqliteStorage } from '../sqlite-storage.js';

const [path, writers] = process.argv.slice(2);
const storage = new SqliteStorage(path!);
storage.db.pragma('wal_autocheckpoint = 8');
const store = new EventStore(storage);
process.stdout.write('ready\n');
await Promise.all(
  Array.from({ length: Number(writers) }, async (_, w) => {
    for (let i = 0; ; i++) {
      const e = testEvent('Acked', { w, i, pad: 'x'.repeat(300) });
      await store.appendToStream(`writer-${w}`, [e, testEvent('Second', { w, i })], { expectedRevision: i === 0 ? 'no_stream' : 2 * i - 1 });
      process.stdout.write(`${w} ${2 * i + 1} ${e.id}\n`);
    }
  }),
);
