import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Makes a file's written data durable: `fdatasync` by default (tests inject a counting one). */
export type SyncFile = (file: FileHandle) => Promise<void>;

const datasync: SyncFile = (file) => file.datasync();

/**
 * Durable commits without an fsync on the event loop (issue 17). better-sqlite3 commits
 * synchronously: with `synchronous = FULL` every commit's fsync of the WAL stalls every request
 * for its duration. A connection that uses this commits with `synchronous = NORMAL` instead
 * (SQLite writes the commit's WAL frames and returns, without syncing them) and, before anything
 * that depends on the commit is answered, awaits `afterCommit()`: an `fdatasync` of the WAL file,
 * run on libuv's thread pool while the loop keeps serving. Why that is as durable as FULL:
 *
 * - FULL does exactly this sync, inside the commit: the WAL's frames up to the commit's frame,
 *   synced. fsync/fdatasync flushes the file (the inode), whichever descriptor asks, so a sync
 *   through our own descriptor covers the frames SQLite wrote through its own.
 * - A sync started after commit N returned covers N (and every commit before it, this process's
 *   or another's: they share the WAL). One that was already running when N committed may not, so
 *   a commit arriving meanwhile waits for the next sync, which every such commit shares.
 * - Until then, a power loss can only take back a suffix of the commits: recovery reads the WAL's
 *   frames in order while their checksums chain (each frame's checksum covers the ones before it,
 *   salted per WAL generation) and stops at the first that does not, so later frames — another
 *   commit, a projection's batch in the same database — are lost with the earlier ones, never
 *   kept without them. The database stays consistent; nothing acknowledged is lost, because
 *   nothing is acknowledged before its sync.
 * - A checkpoint (wal_autocheckpoint runs one inside a commit) syncs under NORMAL as under FULL:
 *   the WAL before copying frames into the database, the database after. A WAL restart (writing
 *   from the file's start again once a checkpoint has copied everything) only happens after that
 *   checkpoint's syncs, and SQLite syncs the new WAL header even under NORMAL (wal.c, ticket
 *   ff5be73dee), so a restart's new frames can never be mixed with stale ones.
 * - The WAL stays the same file (inode) while a connection is open: a restart overwrites it in
 *   place, `journal_size_limit` and `wal_checkpoint(TRUNCATE)` truncate it in place. It is deleted
 *   only when the last connection closes (after a full, synced checkpoint: nothing is left in it),
 *   and the connection using this is open for as long as this is; close() closes our descriptor first.
 * - On creation SQLite syncs the WAL's directory on the file's first sync (the header's); the first
 *   sync here also syncs the directory, so the WAL's name is durable whatever the VFS did.
 * - Only the `-wal` file is opened here, never the database or `-shm`: closing a descriptor drops
 *   every POSIX lock the process holds on that file, and SQLite's locks are on those two.
 * - A failed sync is final (fail-stop, as PostgreSQL PANICs on one): after an EIO the kernel may
 *   have dropped the dirty pages and a retry could succeed without them, so every later call fails
 *   too; the process must be restarted, and recovery reads what the disk holds.
 */
export class WalSync {
  readonly #walPath: string;
  readonly #sync: SyncFile;
  #file: Promise<FileHandle> | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #failed: unknown;
  #closed = false;
  /** Syncs completed: how well commits share them. */
  syncs = 0;

  constructor(databasePath: string, options: { sync?: SyncFile } = {}) {
    this.#walPath = `${databasePath}-wal`;
    this.#sync = options.sync ?? datasync;
  }

  /** The error a sync failed with, once one has: nothing written since can be acknowledged. */
  get failed(): unknown {
    return this.#failed;
  }

  /**
   * Resolves once a sync of the WAL that started after this call has completed: everything
   * committed to the database before the call is then durable.
   */
  afterCommit(): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#closed) return Promise.reject(new Error('the WAL sync is closed'));
    if (!this.#running) return this.#start();
    // A sync is running, perhaps started before this commit: the next one, shared by every commit
    // that arrives meanwhile.
    return (this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        if (this.#failed !== undefined) throw this.#failed;
        return this.#start();
      }));
  }

  #start(): Promise<void> {
    const run = this.#syncOnce().then(
      () => {
        this.syncs++;
        if (this.#running === run) this.#running = undefined;
      },
      (err: unknown) => {
        this.#failed ??= err;
        if (this.#running === run) this.#running = undefined;
        throw err;
      },
    );
    this.#running = run;
    return run;
  }

  async #syncOnce(): Promise<void> {
    const first = !this.#file;
    const file = await (this.#file ??= open(this.#walPath, 'r+'));
    await this.#sync(file);
    if (first) await syncDirectory(dirname(this.#walPath));
  }

  /** Waits for the syncs under way, then closes the descriptor (before the connection closes). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([this.#running, this.#queued]);
    const file = this.#file;
    this.#file = undefined;
    if (file) await (await file.catch(() => undefined))?.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory to sync it (and needs no directory sync).
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
