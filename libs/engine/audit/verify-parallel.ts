import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { openStorage } from '../event-store/open-event-store.js';
import { verifyChains, type ChainProblem } from './verify-chains.js';

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
export async function verifyChainsInParallel(url: string, threads = Math.min(4, availableParallelism())): Promise<ParallelChainReport> {
  const storage = await openStorage(url);
  let splits: (string | undefined)[];
  try {
    if (threads < 2 || !storage.streamIdsAt) {
      const r = await verifyChains(storage);
      return { ok: r.ok, events: r.events, streams: r.streams, problems: r.problems, threads: 1 };
    }
    const fractions = [];
    for (let i = 1; i < threads; i++) fractions.push(i / threads);
    const points = await storage.streamIdsAt(fractions);
    // Distinct, ordered split points; a stream is never cut in two (splits are stream ids).
    splits = [...new Set(points.filter((p): p is string => p !== undefined))].sort();
  } finally {
    await storage.close();
  }
  const ranges = [undefined, ...splits].map((from, i) => ({ from, until: splits[i] }));
  const reports = await Promise.all(
    ranges.map(
      ({ from, until }) =>
        new Promise<{ events: number; streams: number; problems: ChainProblem[] }>((resolve, reject) => {
          const worker = new Worker(new URL('./verify-worker.js', import.meta.url), { workerData: { url, from, until } });
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.once('exit', (code) => code !== 0 && reject(new Error(`verification thread exited ${code}`)));
        }),
    ),
  );
  const problems = reports.flatMap((r) => r.problems).sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  return {
    ok: problems.length === 0,
    events: reports.reduce((n, r) => n + r.events, 0),
    streams: reports.reduce((n, r) => n + r.streams, 0),
    problems,
    threads: ranges.length,
  };
}
