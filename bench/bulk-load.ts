/**
 * The bulk of `bench --audit` / `--scale`: replicas of the demo year's plan written as rows, many
 * streams to a transaction, in the storage adapter's own layout (issue 17: "then by the store's
 * batch path"). Through `EventStore.appendToStream` every stream batch is its own transaction —
 * about 2.3 million of them for ten million events, hours on this machine; here a replica (about
 * 4,700 events) is one.
 *
 * Nothing is faked: each row carries the hash `chainHash` gives it on the head of its stream, the
 * events of one stream batch share their envelope through a `commits` row exactly as the adapters'
 * append does (`sharedEnvelopes`), revisions follow each stream's head and the global order keeps
 * every stream's revision order. `audit verify` at the end of the bench recomputes every chain and
 * checks every seal on these rows, so a row this writer got wrong fails the run.
 */
import { chainHash, GENESIS_HASH } from '../libs/engine/event-store/hash-chain.js';
import type { EventStore } from '../libs/engine/event-store/event-store.js';
import type { PostgresStorage } from '../libs/engine/event-store/postgres/postgres-storage.js';
import { sharedEnvelopes, type SqliteStorage } from '../libs/engine/event-store/sqlite/sqlite-storage.js';
import type { StoredEvent, StoredEventInput } from '../libs/engine/event-store/storage.js';
import { orderedUuid } from '../libs/engine/ids.js';
import type { Pool } from 'pg';

interface Row extends StoredEventInput {
  streamId: string;
  revision: number;
  /** Index of the shared envelope in the chunk's `envelopes`, or -1: inline. */
  envelope: number;
}

interface Chunk {
  rows: Row[];
  envelopes: string[];
}

/**
 * Rows of one replica: the plan's events under `planId` (stream ids and data rewritten), in the
 * template's order, consecutive events of a stream grouped (≤ 100) as the one-by-one replica did.
 * `heads` holds the heads of streams whose id does not change (shared with the template), updated.
 */
export function replicaRows(template: readonly StoredEvent[], planFrom: string, planId: string, salt: string, heads: Map<string, { revision: number; hash: string }>): Chunk {
  const rename = (text: string) => text.split(planFrom).join(planId);
  const recordedAt = new Map<string, number>();
  const rows: Row[] = [];
  const envelopes: string[] = [];
  for (let i = 0; i < template.length;) {
    const from = template[i]!.streamId;
    let j = i;
    while (j < template.length && template[j]!.streamId === from && j - i < 100) j++;
    const streamId = rename(from);
    const head = heads.get(streamId) ?? { revision: -1, hash: GENESIS_HASH };
    const batch: Row[] = [];
    for (let k = i; k < j; k++) {
      const e = template[k]!;
      let at = recordedAt.get(e.metadata);
      if (at === undefined) recordedAt.set(e.metadata, (at = Date.parse((JSON.parse(e.metadata) as { recordedAt: string }).recordedAt)));
      const row: Row = {
        streamId,
        revision: head.revision + 1,
        id: orderedUuid(at, `${salt}/${planId}/${e.id}`),
        type: e.type,
        data: rename(e.data),
        metadata: e.metadata,
        hash: '',
        envelope: -1,
      };
      row.hash = chainHash(head.hash, row);
      head.revision = row.revision;
      head.hash = row.hash;
      batch.push(row);
    }
    heads.set(streamId, head);
    if (batch.length > 1) {
      const shared = sharedEnvelopes(batch);
      const base = envelopes.length;
      envelopes.push(...shared.keys());
      for (const row of batch) row.envelope = shared.has(row.metadata) ? base + shared.get(row.metadata)! : -1;
    }
    rows.push(...batch);
    i = j;
  }
  // Streams renamed for this replica are new and never written again: keep only the shared heads.
  for (const key of [...heads.keys()]) if (key.includes(planId)) heads.delete(key);
  return { rows, envelopes };
}

/** Writes chunks (one transaction each) through the store's own connection. */
export async function writeChunk(store: EventStore, chunk: Chunk): Promise<void> {
  const storage = store.storage;
  if (storage.kind === 'sqlite') return writeSqlite(storage as unknown as SqliteStorage, chunk);
  if (storage.kind === 'postgres') return writePostgres(storage as unknown as PostgresStorage, chunk);
  throw new Error(`no bulk path for a ${storage.kind} store`);
}

/**
 * Statistics for PostgreSQL's planner after a bulk load, as PostgreSQL's "Populating a Database"
 * asks and autovacuum would do in time. Without them a table written in one go has none (this
 * machine's server runs with autovacuum off), and the planner guessed that 219 streams asked for
 * by name meant all 200,000 rows: an Annex 2 as of a moment read the whole events index (340 ms
 * instead of 8). SQLite's planner needs none for these queries.
 */
export async function analyzeAfterBulkLoad(store: EventStore): Promise<void> {
  if (store.storage.kind === 'postgres') await ((store.storage as unknown as PostgresStorage).pool as Pool).query('ANALYZE');
}

function writeSqlite(storage: SqliteStorage, { rows, envelopes }: Chunk): void {
  const db = storage.db;
  const insertCommit = db.prepare('INSERT INTO commits (metadata) VALUES (?)');
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash, commit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    const ids = envelopes.map((m) => insertCommit.run(m).lastInsertRowid);
    for (const r of rows) {
      if (r.envelope < 0) insert.run(r.streamId, r.revision, r.id, r.type, r.data, r.metadata, r.hash, null);
      else insert.run(r.streamId, r.revision, r.id, r.type, r.data, '', r.hash, ids[r.envelope]!);
    }
  }).immediate();
}

async function writePostgres(storage: PostgresStorage, { rows, envelopes }: Chunk): Promise<void> {
  const client = await (storage.pool as Pool).connect();
  try {
    await client.query('BEGIN');
    const ids = (await client.query<{ id: string }>("SELECT nextval('commit_ids')::text AS id FROM generate_series(1, $1)", [envelopes.length])).rows.map((r) => r.id);
    if (ids.length) await client.query('INSERT INTO commits (commit_id, metadata) SELECT * FROM unnest($1::bigint[], $2::json[])', [ids, envelopes]);
    // COPY, in the rows' order: global positions follow the template's order, so every stream's
    // revisions ascend with position. (An INSERT … SELECT FROM unnest of the same rows ran at
    // about a third of the rate: every JSON text escaped into an array literal and parsed back.)
    const lines: string[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const inline = r.envelope < 0;
      lines[i] =
        `${r.streamId}\t${r.revision}\t${r.id}\t${r.type}\t${copyText(r.data)}\t${inline ? copyText(r.metadata) : '\\N'}\t${r.hash}\t${inline ? '\\N' : ids[r.envelope]!}\n`;
    }
    await new Promise<void>((resolve, reject) =>
      client.query(
        new CopyIn('COPY events (stream_id, revision, event_id, type, data, metadata, hash, commit_id) FROM STDIN', Buffer.from(lines.join(''), 'utf8'), resolve, reject) as never,
      ),
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** COPY's text format: a backslash doubled (JSON text carries no raw tab, newline or carriage return). */
const copyText = (s: string) => (s.includes('\\') ? s.replaceAll('\\', '\\\\') : s);

/** A COPY … FROM STDIN of one buffer, as a node-postgres submittable (the protocol's CopyIn exchange). */
class CopyIn {
  #error: Error | undefined;
  constructor(
    readonly text: string,
    readonly payload: Buffer,
    readonly resolve: () => void,
    readonly reject: (err: Error) => void,
  ) {}
  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }): void {
    for (let i = 0; i < this.payload.length; i += 1 << 16) connection.sendCopyFromChunk(this.payload.subarray(i, i + (1 << 16)));
    connection.endCopyFrom();
  }
  handleCommandComplete(): void {}
  handleError(err: Error): void {
    this.#error = err;
  }
  handleReadyForQuery(): void {
    if (this.#error) this.reject(this.#error);
    else this.resolve();
  }
}
