import { chainHash, GENESIS_HASH } from '../event-store/hash-chain.js';
import type { StorageAdapter, StoredEvent } from '../event-store/storage.js';

export type ChainProblemKind = 'altered' | 'removed' | 'reordered' | 'inserted';

export interface ChainProblem {
  kind: ChainProblemKind;
  streamId: string;
  /** The revision at which the chain breaks. */
  revision: number;
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  events: number;
  streams: number;
  /** The first problem in each broken stream, in (stream, revision) order. */
  problems: ChainProblem[];
}

/**
 * Walks every stream in (stream, revision) order and recomputes each event's hash from the bytes
 * stored. A changed byte breaks the hash of that event; a removed event leaves a revision gap; two
 * events swapped carry hashes that fit each other's place. (Removing a stream's newest events or a
 * whole stream leaves no trace in the chains themselves: seals cover that.)
 */
export async function verifyChains(
  storage: StorageAdapter,
  options: {
    pageSize?: number;
    onProgress?: (events: number) => void;
    /** Only streams from this id (inclusive)… */
    fromStreamId?: string;
    /** …up to this one (exclusive): how parallel verification splits the work. */
    untilStreamId?: string;
    /** Every event walked, in (stream, revision) order: where the seal checks take what they need in the same read. */
    onRow?: (row: StoredEvent) => void;
  } = {},
): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 20_000;
  const problems: ChainProblem[] = [];
  let events = 0;
  let streams = 0;
  let current: string | undefined;
  let walk = newStreamWalk();

  const until = options.untilStreamId;
  let done = false;
  for (let after = options.fromStreamId !== undefined ? { streamId: options.fromStreamId, revision: -1 } : undefined; !done;) {
    const page = await storage.readAllByStream(after, pageSize);
    if (page.length === 0) break;
    for (const row of page) {
      if (until !== undefined && row.streamId >= until) {
        done = true;
        break;
      }
      events++;
      options.onRow?.(row);
      if (row.streamId !== current) {
        streams++;
        current = row.streamId;
        walk = newStreamWalk();
      }
      const problem = await step(storage, walk, row);
      if (problem) problems.push(problem);
    }
    const last = page[page.length - 1]!;
    after = { streamId: last.streamId, revision: last.revision };
    options.onProgress?.(events);
  }
  return { ok: problems.length === 0, events, streams, problems };
}

/** Where the walk of one stream is: the revision and previous hash the next event must have. */
interface StreamWalk {
  expectRevision: number;
  previous: string;
  /** A problem was found: the rest of the stream is walked past, not checked (one problem a stream). */
  broken: boolean;
}

const newStreamWalk = (): StreamWalk => ({ expectRevision: 0, previous: GENESIS_HASH, broken: false });

/** The next event of a stream, in revision order: the problem it shows, if any. */
async function step(storage: StorageAdapter, walk: StreamWalk, row: StoredEvent): Promise<ChainProblem | undefined> {
  let problem: ChainProblem | undefined;
  if (!walk.broken) {
    if (row.revision !== walk.expectRevision) {
      const expectRevision = walk.expectRevision;
      problem =
        row.revision > expectRevision
          ? {
              kind: 'removed',
              streamId: row.streamId,
              revision: expectRevision,
              detail: `revision ${expectRevision}${row.revision - expectRevision > 1 ? `–${row.revision - 1}` : ''} is missing; the stream jumps to ${row.revision}`,
            }
          : { kind: 'inserted', streamId: row.streamId, revision: row.revision, detail: `revision ${row.revision} appears twice` };
    } else if (chainHash(walk.previous, row) !== row.hash) {
      // Rare: read the whole stream to tell an alteration from an event moved within it.
      const stream = await storage.readStream(row.streamId, 'forwards', undefined, Number.MAX_SAFE_INTEGER);
      problem = diagnose(row, walk.previous, stream);
    }
    if (problem) walk.broken = true;
  }
  walk.expectRevision = row.revision + 1;
  walk.previous = row.hash;
  return problem;
}

/**
 * One stream walked as verifyChains walks it, from its rows as stored: its first problem, if any,
 * and the revision it starts at (undefined: no events). What a faster walk falls back on for a
 * stream it found anything unusual in (verify-range.ts), so what is reported is verifyChains' own.
 */
export async function checkStream(storage: StorageAdapter, streamId: string): Promise<{ problem?: ChainProblem; startsAt: number | undefined }> {
  const walk = newStreamWalk();
  const rows = await storage.readStream(streamId, 'forwards', undefined, Number.MAX_SAFE_INTEGER);
  for (const row of rows) {
    const problem = await step(storage, walk, row);
    if (problem) return { problem, startsAt: rows[0]!.revision };
  }
  return { startsAt: rows[0]?.revision };
}

/** Altered in place, or an event that belongs elsewhere in its stream (reordered)? */
function diagnose(row: StoredEvent, previous: string, stream: StoredEvent[]): ChainProblem {
  // An intact event moved to another revision still carries a hash that fits its original place:
  // after some event's hash (or the genesis), at some revision. Bounded: only for short streams.
  if (stream.length <= 300) {
    const maxRevision = stream.reduce((m, r) => Math.max(m, r.revision), 0);
    for (const prev of [GENESIS_HASH, ...stream.filter((r) => r.revision !== row.revision).map((r) => r.hash)]) {
      for (let revision = 0; revision <= maxRevision; revision++) {
        if (revision !== row.revision && chainHash(prev, { ...row, revision }) === row.hash) {
          return {
            kind: 'reordered',
            streamId: row.streamId,
            revision: row.revision,
            detail: `the event stored at revision ${row.revision} (${row.type}, id ${row.id}) was recorded at revision ${revision}`,
          };
        }
      }
    }
  }
  const recomputed = chainHash(previous, row);
  return {
    kind: 'altered',
    streamId: row.streamId,
    revision: row.revision,
    detail: `the stored content of ${row.type} (id ${row.id}) no longer matches its hash (stored ${row.hash.slice(0, 12)}…, recomputed ${recomputed.slice(0, 12)}…)`,
  };
}
