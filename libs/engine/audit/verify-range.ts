import { isUtf8 } from 'node:buffer';
import { hash as cryptoHash } from 'node:crypto';
import { GENESIS_HASH } from '../event-store/hash-chain.js';
import { CHAIN_BODY_ROOM, type ChainPosition, type ChainRow, type PackedChainRows, type StorageAdapter } from '../event-store/storage.js';
import { RangeTree, type RangeTreeState, type StreamHeadEntry } from './seals.js';
import { checkStream, type ChainProblem } from './verify-chains.js';

/**
 * One thread's share of `audit verify`: the events in a range of positions (after, upTo], read once
 * in global order — the order they are stored in. Each event's chain hash is checked against the
 * hash stored for the event before it in its stream, and what the seal checks need is taken from
 * the same rows: for every interval between two seals, its range tree (folded here, as the rows
 * pass) and, per stream, its highest event there, in the order the log first touched the streams.
 */
export interface SealInterval {
  /** The interval begins in this range (no event of it lies before): its range tree over the events here. */
  tree?: RangeTreeState;
  /** The interval began before this range: its leaves here, in global order, 32 bytes each, for the tree begun there. */
  leaves?: Uint8Array;
  /** Per stream touched in the interval in this range: its highest event, in the order the log first touched them. */
  heads: StreamHeadEntry[];
}

export interface RangeReport {
  events: number;
  /** Events at revision 0: one per stream (a stream has one event a revision), except a stream that lost it — found unusual. */
  firsts: number;
  /** Streams with anything unusual in this range; checkStream walks them (finishChains). */
  unusual: string[];
  /** One per seal, in position order: the events after the previous seal up to this one. */
  intervals: SealInterval[];
}

/** Rows a page (a ChainRow page, or a packed one). */
const PAGE = 1000;

interface StreamState {
  revision: number;
  hash: string;
  unusual: boolean;
}

/** A position as two numbers that order as the store orders positions (ChainRow's hi, lo). */
export function positionKey(p: string): [number, number] {
  const colon = p.indexOf(':');
  return colon < 0 ? [0, Number(p)] : [Number(p.slice(0, colon)), Number(p.slice(colon + 1))];
}

const after = (a: ChainPosition, b: ChainPosition) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);

/** Leaves of one interval as they come: into its tree, or kept to go on a tree begun elsewhere. Batched: pairs are hashed straight from the buffer. */
class LeafSink {
  readonly #tree: RangeTree | undefined;
  readonly #kept: Buffer[] = [];
  readonly #batch = Buffer.alloc(32 * 1024);
  #n = 0;
  constructor(folded: boolean) {
    this.#tree = folded ? new RangeTree() : undefined;
  }
  /** A leaf as crypto.hash gives it in 'binary' (latin1) (a byte a character): no buffer allocated a leaf (~4 µs of 6 under load). */
  add(leaf: string): void {
    this.#batch.write(leaf, this.#n, 'latin1');
    this.#n += 32;
    if (this.#n === this.#batch.length) this.#flush();
  }
  #flush(): void {
    const filled = this.#batch.subarray(0, this.#n);
    if (this.#tree) this.#tree.addLeaves(filled);
    else this.#kept.push(Buffer.from(filled));
    this.#n = 0;
  }
  done(heads: StreamHeadEntry[]): SealInterval {
    this.#flush();
    if (this.#tree) return { tree: this.#tree.state(), heads };
    const leaves = Buffer.concat(this.#kept);
    return { leaves: new Uint8Array(leaves.buffer, leaves.byteOffset, leaves.byteLength), heads };
  }
}

/** sha256, hex, over `previous` and the body (ChainRow): chainHash over the bytes as stored. */
class BodyHasher {
  #scratch = Buffer.alloc(64 * 1024);
  matches(previous: string, body: Uint8Array | string, stored: string): boolean {
    if (typeof body === 'string') return cryptoHash('sha256', previous + body, 'hex') === stored;
    const need = previous.length * 3 + body.length;
    if (need > this.#scratch.length) this.#scratch = Buffer.alloc(Math.max(need, this.#scratch.length * 2));
    const scratch = this.#scratch;
    const at = scratch.write(previous, 0, 'utf8');
    scratch.set(body, at);
    return cryptoHash('sha256', scratch.subarray(0, at + body.length), 'hex') === stored;
  }
  /** The same over a packed body (bodies[start, end)), hashed where it lies: `previous` written in the room before it when it fits there as it is (ASCII). */
  matchesPacked(previous: string, bodies: Buffer, start: number, end: number, stored: string): boolean {
    if (previous.length <= CHAIN_BODY_ROOM && ASCII.test(previous)) {
      bodies.write(previous, start - previous.length, 'latin1');
      return cryptoHash('sha256', bodies.subarray(start - previous.length, end), 'hex') === stored;
    }
    return this.matches(previous, bodies.subarray(start, end), stored);
  }
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The chain check in global order. A stream's events are checked as they come, each against the
 * hash stored for its stream's previous revision: the one this range passed last, or — for a
 * stream's first event here, if not at revision 0 — the one stored before this range, looked up.
 * An event that passes thus sits at the revision after its predecessor's and its hash fits that
 * predecessor's stored hash: every revision from 0 exists once (the store keeps one event a
 * revision), and verifyChains' walk in (stream, revision) order would pass over it too. Anything
 * else — a revision not the next, a predecessor missing, a hash that does not fit, a body that is
 * not valid UTF-8 (verifyChains would read it decoded, with replacement characters) or missing —
 * marks the stream unusual, and verifyChains' own walk of it (checkStream, in finishChains) names
 * its problem, if it has one, exactly as verifyChains does.
 */
export async function verifyRange(
  storage: StorageAdapter & Required<Pick<StorageAdapter, 'readChainRowsInOrder'>>,
  range: { after?: ChainPosition; upTo?: ChainPosition; sealPositions: readonly string[] },
): Promise<RangeReport> {
  const seals = range.sealPositions.map(positionKey);
  const from = range.after;
  // Interval k begins in this range when no event of it can lie before: the previous seal is at or past the range's start.
  const beginsHere = (k: number) => from === undefined || (k > 0 && !after(from, seals[k - 1]!));
  const intervals: SealInterval[] = [];
  let k = 0;
  let sink = new LeafSink(beginsHere(0));
  let heads = new Map<string, StreamHeadEntry>();
  let headList: StreamHeadEntry[] = [];
  const closeInterval = () => {
    intervals.push(sink.done(headList));
    k++;
    sink = new LeafSink(beginsHere(k));
    heads = new Map();
    headList = [];
  };
  /** Per stream seen: the revision and stored hash of its last event here (the next must follow it), or unusual. */
  const streams = new Map<string, StreamState>();
  const unusual: string[] = [];
  const hasher = new BodyHasher();
  let events = 0;
  let firsts = 0;

  /** What the seals need of an event: its range-tree leaf (seals.ts rangeLeaf) and its stream's highest event in the interval. */
  const sealStep = (hi: number, lo: number, streamId: string, revision: number, hash: string) => {
    // Seals: the interval is the first seal whose position is not before the event's.
    while (k < seals.length && (hi > seals[k]![0] || (hi === seals[k]![0] && lo > seals[k]![1]))) closeInterval();
    if (k === seals.length) return;
    sink.add(cryptoHash('sha256', `\0${streamId}\n${revision}\n${hash}`, 'binary'));
    const head = heads.get(streamId);
    if (head === undefined) {
      const h = { streamId, revision, hash };
      heads.set(streamId, h);
      headList.push(h);
    } else if (revision > head.revision) {
      head.revision = revision;
      head.hash = hash;
    }
  };
  /**
   * The chain state of each stream first met among these events, before any of them is walked (so
   * the walk itself never waits): from revision 0 its genesis, else the stored hash of the revision
   * before its first here — another thread's, or missing.
   */
  const meet = async (count: number, streamIdAt: (i: number) => string, revisionAt: (i: number) => number) => {
    for (let i = 0; i < count; i++) {
      const streamId = streamIdAt(i);
      if (streams.has(streamId)) continue;
      const revision = revisionAt(i);
      const s: StreamState = { revision: -1, hash: GENESIS_HASH, unusual: false };
      streams.set(streamId, s);
      if (revision > 0) {
        const [previous] = await storage.readStream(streamId, 'forwards', revision - 1, 1);
        if (previous?.revision === revision - 1) {
          s.revision = previous.revision;
          s.hash = previous.hash;
        }
      }
    }
  };
  const markUnusual = (s: StreamState, streamId: string) => {
    s.unusual = true;
    unusual.push(streamId);
  };

  /** A page read as ChainRows: each body checked as it is (a NULL, bytes not valid UTF-8). */
  const walkRows = async (page: readonly ChainRow[]) => {
    await meet(
      page.length,
      (i) => page[i]![2],
      (i) => page[i]![3],
    );
    for (const [hi, lo, streamId, revision, hash, body] of page) {
      events++;
      if (revision === 0) firsts++;
      sealStep(hi, lo, streamId, revision, hash);
      const s = streams.get(streamId)!;
      if (s.unusual) continue;
      if (revision !== s.revision + 1 || typeof hash !== 'string' || body === null || (typeof body !== 'string' && !isUtf8(body)) || !hasher.matches(s.hash, body, hash)) {
        markUnusual(s, streamId);
        continue;
      }
      s.revision = revision;
      s.hash = hash;
    }
  };
  /** A packed page whose bodies are all valid UTF-8 (checked at once: each body begins with a newline and is followed by ASCII room). */
  const walkPacked = async (p: PackedChainRows, bodies: Buffer) => {
    const count = p.ends.length;
    await meet(
      count,
      (i) => p.streamIds[i]!,
      (i) => p.revisions[i]!,
    );
    let start = CHAIN_BODY_ROOM;
    for (let i = 0; i < count; i++) {
      const streamId = p.streamIds[i]!;
      const revision = p.revisions[i]!;
      const hash = p.hashes.slice(i * CHAIN_BODY_ROOM, (i + 1) * CHAIN_BODY_ROOM);
      const end = p.ends[i]!;
      events++;
      if (revision === 0) firsts++;
      sealStep(p.hi[i]!, p.lo[i]!, streamId, revision, hash);
      const s = streams.get(streamId)!;
      if (!s.unusual) {
        if (revision !== s.revision + 1 || !hasher.matchesPacked(s.hash, bodies, start, end, hash)) markUnusual(s, streamId);
        else {
          s.revision = revision;
          s.hash = hash;
        }
      }
      start = end + CHAIN_BODY_ROOM;
    }
  };

  // Small pages: a page's rows are garbage once walked and die young, instead of being promoted
  // to the old generation (20,000-row pages spent 40 % of a thread in the collector).
  const readRows = (position: ChainPosition | undefined, upTo: ChainPosition | undefined, count: number) => storage.readChainRowsInOrder(position, upTo, count);
  type Page = { after: ChainPosition | undefined; count: number; last?: ChainPosition; rows?: PackedChainRows | ChainRow[] };
  const read = async (position: ChainPosition | undefined): Promise<Page> => {
    if (storage.readChainPageInOrder) {
      const page = await storage.readChainPageInOrder(position, range.upTo, PAGE);
      if (page.count === 0 || page.rows) return { after: position, ...page };
      // Something in the page is not as the store writes it: its rows as ChainRows.
      return { after: position, count: page.count, last: page.last!, rows: await readRows(position, page.last, page.count) };
    }
    const rows = await readRows(position, range.upTo, PAGE);
    const last = rows[rows.length - 1];
    return { after: position, count: rows.length, ...(last ? { last: [last[0], last[1]] as const } : {}), rows };
  };
  for (let next = read(from); ;) {
    const page = await next;
    if (page.count === 0) break;
    // The next page asked for before this one is walked: PostgreSQL reads it while this thread hashes.
    next = read(page.last);
    next.catch(() => undefined); // awaited in its turn
    const rows = page.rows!;
    if (Array.isArray(rows)) await walkRows(rows);
    else {
      const bodies = Buffer.from(rows.bodies.buffer, rows.bodies.byteOffset, rows.bodies.byteLength);
      if (isUtf8(bodies)) await walkPacked(rows, bodies);
      else await walkRows(await readRows(page.after, page.last, page.count));
    }
  }
  while (k < seals.length) closeInterval();
  return { events, firsts, unusual, intervals };
}

/**
 * The chains' report from the ranges' (all of the log, together), as verifyChains gives it: every
 * stream found unusual anywhere walked as verifyChains walks it (its first problem, if any), the
 * problems in stream order, the streams counted once.
 */
export async function finishChains(storage: StorageAdapter, reports: readonly RangeReport[]): Promise<{ events: number; streams: number; problems: ChainProblem[] }> {
  let streams = reports.reduce((n, r) => n + r.firsts, 0);
  const problems: ChainProblem[] = [];
  for (const streamId of new Set(reports.flatMap((r) => r.unusual))) {
    const { problem, startsAt } = await checkStream(storage, streamId);
    // A stream without an event at revision 0 was not counted by its first.
    if (startsAt !== undefined && startsAt !== 0) streams++;
    if (problem) problems.push(problem);
  }
  problems.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  return { events: reports.reduce((n, r) => n + r.events, 0), streams, problems };
}
