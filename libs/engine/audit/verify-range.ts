import { isUtf8 } from 'node:buffer';
import { hash as cryptoHash } from 'node:crypto';
import { GENESIS_HASH } from '../event-store/hash-chain.js';
import type { ChainRow, StorageAdapter } from '../event-store/storage.js';
import { checkStream, verifyChains, type ChainProblem } from './verify-chains.js';

/**
 * One thread's share of `audit verify`: the streams in [from, until), read once in (stream,
 * revision) order. Each event's chain hash is checked, and what the seal checks need is taken from
 * the same rows: for every interval between two seals, the leaves of its range tree (with their
 * global positions, to put them back in global order) and, per stream, its highest event there
 * (with the position of its first, to name streams in the order the log touched them).
 */
export interface SealInterval {
  /** Positions of the leaves in global order: (hi, lo) — SQLite (0, rowid), PostgreSQL (transaction, sequence). */
  hi: Float64Array;
  lo: Float64Array;
  /** 32 bytes per leaf, in the same order. */
  leaves: Uint8Array;
  /** Per stream touched in the interval: its highest event, and where the stream was first touched in it; ordered by that. */
  heads: { streamId: string; revision: number; hash: string; hi: number; lo: number }[];
}

export interface RangeReport {
  events: number;
  streams: number;
  problems: ChainProblem[];
  /** One per seal, in position order: the events after the previous seal up to this one. */
  intervals: SealInterval[];
}

/** A position as two numbers that order as the store orders positions. */
export function positionKey(p: string): [number, number] {
  const colon = p.indexOf(':');
  return colon < 0 ? [0, Number(p)] : [Number(p.slice(0, colon)), Number(p.slice(colon + 1))];
}

export async function verifyRange(storage: StorageAdapter, range: { from?: string; until?: string; sealPositions: readonly string[] }): Promise<RangeReport> {
  const seals = range.sealPositions.map(positionKey);
  const open = seals.map(() => ({ hi: [] as number[], lo: [] as number[], leaves: [] as string[], heads: [] as SealInterval['heads'] }));
  let stream: string | undefined;
  let k = 0;
  let head: SealInterval['heads'][number] | undefined;
  const onRow = (streamId: string, revision: number, hash: string, hi: number, lo: number) => {
    if (streamId !== stream) {
      stream = streamId;
      k = 0;
      head = undefined;
    }
    // The interval: the first seal whose position is not before the event's.
    while (k < seals.length && (hi > seals[k]![0] || (hi === seals[k]![0] && lo > seals[k]![1]))) {
      k++;
      head = undefined;
    }
    if (k === seals.length) return; // after the newest seal: no seal covers it yet
    const into = open[k]!;
    into.hi.push(hi);
    into.lo.push(lo);
    // The range tree's leaf (seals.ts rangeLeaf) as a one-byte string: far lighter to keep than a Buffer.
    into.leaves.push(cryptoHash('sha256', `\0${streamId}\n${revision}\n${hash}`, 'binary'));
    if (head === undefined) {
      head = { streamId, revision, hash, hi, lo };
      into.heads.push(head);
    } else if (revision > head.revision) {
      head.revision = revision;
      head.hash = hash;
    }
  };
  const bounds = { ...(range.from !== undefined ? { fromStreamId: range.from } : {}), ...(range.until !== undefined ? { untilStreamId: range.until } : {}) };
  const report = storage.readChainRows
    ? await walkChainRows(storage as StorageAdapter & Required<Pick<StorageAdapter, 'readChainRows'>>, bounds, onRow)
    : await verifyChains(storage, {
        ...bounds,
        // Small pages: a page's rows are garbage once walked and die young, instead of being promoted
        // to the old generation (20,000-row pages spent 40 % of the thread in the collector).
        pageSize: 1000,
        onRow: (row) => {
          const [hi, lo] = positionKey(row.position);
          onRow(row.streamId, row.revision, row.hash, hi, lo);
        },
      });
  const intervals = open.map((o): SealInterval => {
    const n = o.hi.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => o.hi[a]! - o.hi[b]! || o.lo[a]! - o.lo[b]!);
    const hi = new Float64Array(n);
    const lo = new Float64Array(n);
    const leaves = new Uint8Array(n * 32);
    const out = Buffer.from(leaves.buffer);
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      hi[i] = o.hi[j]!;
      lo[i] = o.lo[j]!;
      out.write(o.leaves[j]!, i * 32, 32, 'latin1');
    }
    o.heads.sort((a, b) => a.hi - b.hi || a.lo - b.lo);
    return { hi, lo, leaves, heads: o.heads };
  });
  return { events: report.events, streams: report.streams, problems: report.problems, intervals };
}

/** sha256, hex, over `previous` and the body (ChainRow): chainHash over the bytes as stored. */
class BodyHasher {
  #scratch = Buffer.alloc(64 * 1024);
  matches(previous: string, body: Uint8Array, stored: string): boolean {
    const need = previous.length * 3 + body.length;
    if (need > this.#scratch.length) this.#scratch = Buffer.alloc(Math.max(need, this.#scratch.length * 2));
    const scratch = this.#scratch;
    const at = scratch.write(previous, 0, 'utf8');
    scratch.set(body, at);
    return cryptoHash('sha256', scratch.subarray(0, at + body.length), 'hex') === stored;
  }
}

/**
 * verifyChains over ChainRows (what readChainRows returns), for the same rows, reporting the same:
 * each event's hash recomputed from the bytes stored (no event objects, no strings decoded and
 * encoded again). Anything unusual in a stream — a revision out of step, a hash that does not fit,
 * a body that is not valid UTF-8 (which verifyChains would read decoded, with replacement
 * characters) or missing — sends that stream to verifyChains' own walk (checkStream), which names
 * the problem, if there is one, exactly as verifyChains does: this walk only passes over what
 * verifyChains would pass over too.
 */
async function walkChainRows(
  storage: StorageAdapter & Required<Pick<StorageAdapter, 'readChainRows'>>,
  options: { fromStreamId?: string; untilStreamId?: string },
  onRow: (streamId: string, revision: number, hash: string, hi: number, lo: number) => void,
): Promise<{ events: number; streams: number; problems: ChainProblem[] }> {
  const problems: ChainProblem[] = [];
  const hasher = new BodyHasher();
  let events = 0;
  let streams = 0;
  let current: string | undefined;
  let expectRevision = 0;
  let previous = GENESIS_HASH;
  /** Something unusual in the current stream: checkStream walks it when it ends. */
  let unusual = false;
  const streamEnded = async () => {
    if (!unusual || current === undefined) return;
    const problem = await checkStream(storage, current);
    if (problem) problems.push(problem);
  };
  const until = options.untilStreamId;
  let done = false;
  for (let after = options.fromStreamId !== undefined ? { streamId: options.fromStreamId, revision: -1 } : undefined; !done;) {
    // Small pages, as verifyChains' in verifyRange: garbage that dies young.
    const page: ChainRow[] = await storage.readChainRows(after, 1000);
    if (page.length === 0) break;
    for (const row of page) {
      const [hi, lo, streamId, revision, hash, body] = row;
      if (until !== undefined && streamId >= until) {
        done = true;
        break;
      }
      events++;
      onRow(streamId, revision, hash, hi, lo);
      if (streamId !== current) {
        await streamEnded();
        streams++;
        current = streamId;
        expectRevision = 0;
        previous = GENESIS_HASH;
        unusual = false;
      }
      if (unusual) continue;
      if (revision !== expectRevision || typeof hash !== 'string' || body === null || !isUtf8(body) || !hasher.matches(previous, body, hash)) {
        unusual = true;
        continue;
      }
      expectRevision = revision + 1;
      previous = hash;
    }
    const last = page[page.length - 1]!;
    after = { streamId: last[2], revision: last[3] };
  }
  await streamEnded();
  return { events, streams, problems };
}
