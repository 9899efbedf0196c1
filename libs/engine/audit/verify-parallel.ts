import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EventStore } from '../event-store/event-store.js';
import { openStorage } from '../event-store/open-event-store.js';
import type { StorageAdapter } from '../event-store/storage.js';
import { RangeTree, SEALS_STREAM, SEAL_RECORDED, verifySeals, verifySealsWith, type ExportedSeal, type SealReport, type SealWalk, type VerifySealsOptions } from './seals.js';
import { verifyChains, type ChainProblem } from './verify-chains.js';
import { verifyRange, type RangeReport } from './verify-range.js';

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

function inThread<R>(workerData: { url: string; from: string | undefined; until: string | undefined; sealPositions?: readonly string[] }): Promise<R> {
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
 * The range tree of every interval between two seals: each thread's leaves are in position order
 * already; merged here (copies, no hashing), then folded in threads, intervals shared out by size.
 */
async function foldRanges(parts: readonly RangeReport[], intervals: number, threads: number): Promise<{ count: number; root: string }[]> {
  const merged: Uint8Array[] = [];
  for (let k = 0; k < intervals; k++) {
    const ivs = parts.map((p) => p.intervals[k]!);
    const srcs = ivs.map((iv) => iv.leaves);
    const total = ivs.reduce((n, iv) => n + iv.hi.length, 0);
    const leaves = new Uint8Array(total * 32);
    const at = ivs.map(() => 0);
    for (let o = 0; o < total; o++) {
      let best = -1;
      for (let t = 0; t < ivs.length; t++) {
        const i = at[t]!;
        if (i >= ivs[t]!.hi.length) continue;
        if (best < 0) {
          best = t;
          continue;
        }
        const j = at[best]!;
        const a = ivs[t]!;
        const b = ivs[best]!;
        if (a.hi[i]! < b.hi[j]! || (a.hi[i] === b.hi[j] && a.lo[i]! < b.lo[j]!)) best = t;
      }
      const i = at[best]!++;
      // 32 bytes copied in a loop: a Buffer.copy call costs more than the copy.
      const src = srcs[best]!;
      for (let b = 0, from = i * 32, to = o * 32; b < 32; b++) leaves[to + b] = src[from + b]!;
    }
    merged.push(leaves);
  }
  if (threads < 1) {
    return merged.map((leaves) => {
      const tree = new RangeTree();
      tree.addLeaves(Buffer.from(leaves.buffer));
      return { count: tree.count, root: tree.root() };
    });
  }
  // Share the intervals out: the largest first, each to the thread with the least so far.
  const loads = Array.from({ length: Math.min(threads, Math.max(1, intervals)) }, () => ({ bytes: 0, ks: [] as number[] }));
  for (const k of [...merged.keys()].sort((a, b) => merged[b]!.length - merged[a]!.length)) {
    const least = loads.reduce((m, l) => (l.bytes < m.bytes ? l : m));
    least.bytes += merged[k]!.length;
    least.ks.push(k);
  }
  const roots: { count: number; root: string }[] = new Array(intervals);
  await Promise.all(
    loads
      .filter((l) => l.ks.length > 0)
      .map(async (l) => {
        const ranges = l.ks.map((k) => merged[k]!);
        const folded = await new Promise<{ count: number; root: string }[]>((resolve, reject) => {
          const worker = new Worker(new URL('./range-fold-worker.js', import.meta.url), { workerData: { ranges }, transferList: ranges.map((r) => r.buffer as ArrayBuffer) });
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => code !== 0 && reject(new Error(`range folding thread exited ${code}`)));
        });
        l.ks.forEach((k, i) => (roots[k] = folded[i]!));
      }),
  );
  return roots;
}

/**
 * `audit verify`'s chains and seals with the log read once: the chain threads take what the seal
 * checks need from the rows they read (verify-range.ts), and this thread puts it back in global
 * order — the heads each stream reached between two seals, and the leaves of each range tree,
 * merged by position — and checks every seal as verifySeals does (the same checks, the same
 * report). With `threads` below 2, all of it in this thread (no workers). A store that cannot say where to split is verified as before: chains in one thread,
 * seals by a walk of the global log.
 */
export async function verifyLogInParallel(
  url: string,
  store: EventStore,
  exported?: ExportedSeal,
  options: VerifySealsOptions = {},
  threads = defaultThreads(),
): Promise<{ chains: ParallelChainReport; seals: SealReport }> {
  const storage = store.storage;
  if (!storage.streamIdsAt) {
    const [chains, seals] = await Promise.all([verifyChainsInParallel(url, threads), verifySeals(store, exported, options)]);
    return { chains, seals };
  }
  const ranges = threads < 2 ? [{ from: undefined, until: undefined }] : await streamRanges(storage, threads);
  // The seals' positions, in position order, as verifySealsWith will ask for them; read here so
  // the threads can start at once (the seals stream is short: one seal a day).
  const sealEvents = await storage.readStream(SEALS_STREAM, 'forwards', undefined, Number.MAX_SAFE_INTEGER);
  const sealPositions = sealEvents
    .filter((e) => e.type === SEAL_RECORDED)
    .map((e) => (JSON.parse(e.data) as { position: string }).position)
    .sort((a, b) => store.comparePositions(a, b));
  // One thread: the same walk, in this one (no worker to start).
  const reports =
    threads < 2 ? verifyRange(storage, { sealPositions }).then((r) => [r]) : Promise.all(ranges.map((range) => inThread<RangeReport>({ url, ...range, sealPositions })));
  reports.catch(() => undefined); // awaited below, in the walk or after it
  const walk: SealWalk = async (positions, step) => {
    if (positions.length !== sealPositions.length || positions.some((p, i) => p !== sealPositions[i])) {
      throw new Error('the seals stream changed while it was being verified; run the verification again');
    }
    const parts = await reports;
    const roots = await foldRanges(parts, positions.length, threads < 2 ? 0 : ranges.length);
    for (let k = 0; k < positions.length; k++) {
      // Heads: per stream its highest event in the interval, in the order the log first touched them.
      const heads = parts.flatMap((p) => p.intervals[k]!.heads).sort((a, b) => a.hi - b.hi || a.lo - b.lo);
      for (const h of heads) step.apply(h);
      const { count, root } = roots[k]!;
      step.setRange({ count, root: () => root });
      step.sealReached();
    }
  };
  const seals = await verifySealsWith(store, exported, options, walk, sealEvents);
  return { chains: chainReport(await reports), seals };
}
