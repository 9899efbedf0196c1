import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EventStore } from '../event-store/event-store.js';
import { openStorage } from '../event-store/open-event-store.js';
import type { ChainPosition, StorageAdapter } from '../event-store/storage.js';
import { RangeTree, SEALS_STREAM, SEAL_RECORDED, verifySeals, verifySealsWith, type ExportedSeal, type SealReport, type SealWalk, type VerifySealsOptions } from './seals.js';
import { verifyChains, type ChainProblem } from './verify-chains.js';
import { finishChains, verifyRange, type RangeReport } from './verify-range.js';

export interface ParallelChainReport {
  ok: boolean;
  events: number;
  streams: number;
  problems: ChainProblem[];
  threads: number;
}

/**
 * Hash chains are independent per stream, so verification splits by stream id across threads,
 * each with its own connection: hashing a million events is CPU work, and there are cores for it.
 * A store that cannot say where to split is verified in one thread.
 */
export async function verifyChainsInParallel(url: string, threads = defaultThreads()): Promise<ParallelChainReport> {
  const storage = await openStorage(url);
  let ranges: StreamRange[];
  try {
    if (threads < 2 || !storage.streamIdsAt) {
      const r = await verifyChains(storage);
      return { ok: r.ok, events: r.events, streams: r.streams, problems: r.problems, threads: 1 };
    }
    ranges = await streamRanges(storage, threads);
  } finally {
    await storage.close();
  }
  const reports = await Promise.all(ranges.map((range) => inThread<{ events: number; streams: number; problems: ChainProblem[] }>({ url, ...range })));
  return chainReport(reports);
}

const defaultThreads = () => Math.min(4, availableParallelism());

interface StreamRange {
  from: string | undefined;
  until: string | undefined;
}

/** Where the threads split the streams: stream ids (a stream is never cut in two), about evenly by events. */
async function streamRanges(storage: StorageAdapter, threads: number): Promise<StreamRange[]> {
  const fractions = [];
  for (let i = 1; i < threads; i++) fractions.push(i / threads);
  const points = await storage.streamIdsAt!(fractions);
  const splits = [...new Set(points.filter((p): p is string => p !== undefined))].sort();
  return [undefined, ...splits].map((from, i) => ({ from, until: splits[i] }));
}

function inThread<R>(workerData: {
  url: string;
  from?: string | undefined;
  until?: string | undefined;
  after?: ChainPosition;
  upTo?: ChainPosition;
  sealPositions?: readonly string[];
}): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(new URL('./verify-worker.js', import.meta.url), { workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`verification thread exited ${code}`)));
  });
}

function chainReport(reports: readonly { events: number; streams: number; problems: ChainProblem[] }[]): ParallelChainReport {
  const problems = reports.flatMap((r) => r.problems).sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  return {
    ok: problems.length === 0,
    events: reports.reduce((n, r) => n + r.events, 0),
    streams: reports.reduce((n, r) => n + r.streams, 0),
    problems,
    threads: reports.length,
  };
}

/**
 * `audit verify`'s chains and seals with the log read once: the log split into ranges of positions,
 * one a thread, each read in global order (verify-range.ts): every chain checked, and what the
 * seal checks need taken from the same rows — each interval's range tree folded as its events pass
 * (carried on from the range where it began) and each stream's highest event there. This thread
 * puts the heads back in global order (the ranges are in order) and checks every seal as
 * verifySeals does (the same checks, the same report). With `threads` below 2, all of it in this
 * thread (no workers). A store that cannot read its log so is verified as before: chains in
 * threads split by stream, seals by a walk of the global log.
 */
export async function verifyLogInParallel(
  url: string,
  store: EventStore,
  exported?: ExportedSeal,
  options: VerifySealsOptions = {},
  threads = defaultThreads(),
): Promise<{ chains: ParallelChainReport; seals: SealReport }> {
  const storage = store.storage;
  if (!storage.positionsAt || !storage.readChainRowsInOrder) {
    const [chains, seals] = await Promise.all([verifyChainsInParallel(url, threads), verifySeals(store, exported, options)]);
    return { chains, seals };
  }
  const ranges = threads < 2 ? [{}] : await positionRanges(storage as StorageAdapter & Required<Pick<StorageAdapter, 'positionsAt'>>, threads);
  // The seals' positions, in position order, as verifySealsWith will ask for them; read here so
  // the threads can start at once (the seals stream is short: one seal a day).
  const sealEvents = await storage.readStream(SEALS_STREAM, 'forwards', undefined, Number.MAX_SAFE_INTEGER);
  const sealPositions = sealEvents
    .filter((e) => e.type === SEAL_RECORDED)
    .map((e) => (JSON.parse(e.data) as { position: string }).position)
    .sort((a, b) => store.comparePositions(a, b));
  // One thread: the same walk, in this one (no worker to start).
  const reports =
    threads < 2
      ? verifyRange(storage as StorageAdapter & Required<Pick<StorageAdapter, 'readChainRowsInOrder'>>, { sealPositions }).then((r) => [r])
      : Promise.all(ranges.map((range) => inThread<RangeReport>({ url, ...range, sealPositions })));
  reports.catch(() => undefined); // awaited below, in the walk or after it
  const walk: SealWalk = async (positions, step) => {
    if (positions.length !== sealPositions.length || positions.some((p, i) => p !== sealPositions[i])) {
      throw new Error('the seals stream changed while it was being verified; run the verification again');
    }
    const parts = await reports;
    for (let k = 0; k < positions.length; k++) {
      // Heads: per stream its highest event in the interval, in the order the log first touched them.
      for (const p of parts) for (const h of p.intervals[k]!.heads) step.apply(h);
      // The range tree: begun in the last range the interval begins in (those before hold none of
      // its events), carried on with the leaves of the ranges after.
      let tree = new RangeTree();
      for (const p of parts) {
        const iv = p.intervals[k]!;
        if (iv.tree) {
          if (tree.count > 0) throw new Error(`interval ${k}: a range tree begun twice`);
          tree = RangeTree.resume(iv.tree);
        } else tree.addLeaves(Buffer.from(iv.leaves!.buffer, iv.leaves!.byteOffset, iv.leaves!.byteLength));
      }
      step.setRange(tree);
      step.sealReached();
    }
  };
  const seals = await verifySealsWith(store, exported, options, walk, sealEvents);
  const parts = await reports;
  const chains = await finishChains(storage, parts);
  return { chains: { ok: chains.problems.length === 0, ...chains, threads: parts.length }, seals };
}

/** Where the threads split the log: positions about evenly through it; each thread reads (after, upTo]. */
async function positionRanges(
  storage: StorageAdapter & Required<Pick<StorageAdapter, 'positionsAt'>>,
  threads: number,
): Promise<{ after?: ChainPosition; upTo?: ChainPosition }[]> {
  const fractions = [];
  for (let i = 1; i < threads; i++) fractions.push(i / threads);
  const splits: ChainPosition[] = [];
  for (const p of (await storage.positionsAt(fractions)).sort((a, b) => (a && b ? a[0] - b[0] || a[1] - b[1] : 0))) {
    const last = splits[splits.length - 1];
    if (p && (!last || p[0] > last[0] || (p[0] === last[0] && p[1] > last[1]))) splits.push(p);
  }
  return [undefined, ...splits].map((after, i) => ({ ...(after ? { after } : {}), ...(i < splits.length ? { upTo: splits[i]! } : {}) }));
}
