import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { EventStore } from '../event-store.js';
import { chainHash, GENESIS_HASH } from '../hash-chain.js';
import { createSqliteDirectory } from '../../testing/databases.js';
import { testEvent } from '../../testing/fixtures.js';
import { SqliteStorage } from './sqlite-storage.js';

const ACK_WORKER = join(process.cwd(), 'dist/libs/engine/event-store/sqlite/testing/ack-worker.js');

/** A real fdatasync that waits for the test's go-ahead before it starts: each call is counted and held. */
function heldSync() {
  const held: (() => void)[] = [];
  let calls = 0;
  const sync = async (file: FileHandle) => {
    calls++;
    await new Promise<void>((go) => held.push(go));
    await file.datasync();
  };
  return {
    sync,
    calls: () => calls,
    /** Lets the oldest held sync run. */
    release: () => held.shift()!(),
  };
}

/** Turns of the event loop until `check` holds (the WAL file is opened on the thread pool first). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

function tracked<T>(p: Promise<T>) {
  const t = { settled: false, promise: p };
  p.then(
    () => (t.settled = true),
    () => (t.settled = true),
  );
  return t;
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('SQLite: commits synced off the event loop (synchronous = NORMAL, then fdatasync of the WAL)', () => {
  let dir: ReturnType<typeof createSqliteDirectory>;
  let path: string;
  beforeEach(() => {
    dir = createSqliteDirectory('wal-sync');
    path = join(dir.dir, 'jixiao.db');
  });
  afterEach(() => dir.drop());

  it('answers an append only after a sync of the WAL that started after its commit', async () => {
    const held = heldSync();
    const storage = new SqliteStorage(path, { sync: held.sync });
    const store = new EventStore(storage);
    const other = new Database(path, { readonly: true });
    try {
      expect(storage.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      const append = tracked(store.appendToStream('s', [testEvent()], { expectedRevision: 'no_stream' }));
      await until(() => held.calls() === 1, 'the sync');
      // Committed (another connection reads it), not yet answered: its sync is held.
      expect(other.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
      await settle();
      expect(append.settled).toBe(false);
      held.release();
      await expect(append.promise).resolves.toMatchObject({ position: '1' });
      expect(storage.wal!.syncs).toBe(1);
    } finally {
      other.close();
      await store.close();
    }
  });

  it('appends that commit while a sync runs share the next one, and none is answered before it', async () => {
    const held = heldSync();
    const storage = new SqliteStorage(path, { sync: held.sync });
    const store = new EventStore(storage);
    try {
      const first = tracked(store.appendToStream('a', [testEvent()], { expectedRevision: 'no_stream' }));
      await until(() => held.calls() === 1, 'the first sync');
      const transactions = storage.appendTransactions;
      // Three more appends, each in a turn of its own: three transactions, committed while the first sync runs.
      const later = [];
      for (const id of ['b', 'c', 'd']) {
        later.push(tracked(store.appendToStream(id, [testEvent()], { expectedRevision: 'no_stream' })));
        await settle();
      }
      expect(storage.appendTransactions - transactions).toBe(3);
      expect(first.settled).toBe(false);
      held.release();
      await first.promise;
      // The running sync may have started before they committed: they wait for the next, one for all three.
      await until(() => held.calls() === 2, 'the second sync');
      await settle();
      expect(later.map((l) => l.settled)).toEqual([false, false, false]);
      held.release();
      await Promise.all(later.map((l) => l.promise));
      expect(held.calls()).toBe(2);
      expect(storage.wal!.syncs).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('a reader gets an event only once it is durable (no projection or answer is built on one a power loss could take back)', async () => {
    const held = heldSync();
    const storage = new SqliteStorage(path, { sync: held.sync });
    const store = new EventStore(storage);
    try {
      const append = tracked(store.appendToStream('r', [testEvent('Written')], { expectedRevision: 'no_stream' }));
      await until(() => held.calls() === 1, 'the sync');
      const read = tracked(store.readAll());
      const stream = tracked(store.readStream('r'));
      const revision = tracked(store.revision('r'));
      const head = tracked(storage.headPosition());
      await settle();
      expect([append.settled, read.settled, stream.settled, revision.settled, head.settled]).toEqual([false, false, false, false, false]);
      held.release(); // the append's sync, which may have started before the reads
      await until(() => held.calls() === 2, 'the readers’ sync');
      held.release();
      expect((await read.promise).map((e) => e.type)).toEqual(['Written']);
      expect(await stream.promise).toHaveLength(1);
      expect(await revision.promise).toBe(0);
      expect(await head.promise).toBe('1');
      // Known durable now: reading it again needs no sync.
      await store.readAll();
      expect(held.calls()).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('a failed sync fails the appends waiting on it and every later one (fail-stop: the disk may have dropped the pages)', async () => {
    let calls = 0;
    const storage = new SqliteStorage(path, {
      sync: async () => {
        calls++;
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      },
    });
    const store = new EventStore(storage);
    try {
      await expect(store.appendToStream('f', [testEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow('EIO');
      await expect(store.appendToStream('g', [testEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow('EIO');
      expect(calls).toBe(1);
    } finally {
      await store.close().catch(() => undefined);
    }
  });

  it('the WAL stays the same file through checkpoints and restarts (the descriptor synced is the one SQLite writes)', async () => {
    const storage = new SqliteStorage(path);
    const store = new EventStore(storage);
    try {
      await store.appendToStream('w', [testEvent()], { expectedRevision: 'no_stream' });
      const inode = statSync(`${path}-wal`).ino;
      storage.db.pragma('wal_checkpoint(TRUNCATE)');
      expect(statSync(`${path}-wal`).size).toBe(0);
      await store.appendToStream('w', [testEvent()], { expectedRevision: 0 });
      storage.db.pragma('journal_size_limit = 0');
      storage.db.pragma('wal_checkpoint(RESTART)');
      await store.appendToStream('w', [testEvent()], { expectedRevision: 1 });
      expect(statSync(`${path}-wal`).ino).toBe(inode);
    } finally {
      await store.close();
    }
  });

  it('a crash (SIGKILL mid-load) loses no acknowledged event, and every stream’s hash chain verifies on reopening', async () => {
    if (!existsSync(ACK_WORKER)) throw new Error(`${ACK_WORKER} is missing: run "npm run build" first (npm test does).`);
    const acked = await new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, [ACK_WORKER, path, '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => {
        out += d;
        // Killed mid-load, once a few hundred appends are acknowledged (several checkpoints in).
        if (out.split('\n').length > 402) child.kill('SIGKILL');
      });
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      // After "ready", the whole lines (the last may be cut).
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(out.split('\n').slice(1, -1)) : reject(new Error(`ack worker exited ${code}: ${err}`))));
    });
    expect(acked.length).toBeGreaterThanOrEqual(400);

    const storage = new SqliteStorage(path);
    const store = new EventStore(storage);
    try {
      const lastAcked = new Map<string, number>();
      const ids: string[] = [];
      for (const line of acked) {
        const [w, revision, id] = line.split(' ') as [string, string, string];
        lastAcked.set(`writer-${w}`, Math.max(lastAcked.get(`writer-${w}`) ?? -1, Number(revision)));
        ids.push(id);
      }
      expect((await storage.findByIds(ids)).length).toBe(ids.length);
      for (const [streamId, revision] of lastAcked) {
        const rows = await storage.readStream(streamId, 'forwards', undefined, Number.MAX_SAFE_INTEGER);
        // Every acknowledged event, perhaps one append more (committed, not yet answered when killed).
        expect(rows.length).toBeGreaterThanOrEqual(revision + 1);
        let previous = GENESIS_HASH;
        for (const [i, r] of rows.entries()) {
          expect(r.revision).toBe(i);
          expect(r.hash).toBe(chainHash(previous, r));
          previous = r.hash;
        }
      }
      expect(storage.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      await store.close();
    }
  });
});
