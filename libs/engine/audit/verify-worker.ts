/**
 * One thread of parallel verification: opens the store by URL and verifies the streams in
 * [from, until) — their chains and, when seal positions are given, what the seal checks need from
 * the same rows (verify-range.ts). Run by verify-parallel.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStorage } from '../event-store/open-event-store.js';
import { verifyChains } from './verify-chains.js';
import { verifyRange } from './verify-range.js';

const { url, from, until, sealPositions } = workerData as { url: string; from?: string; until?: string; sealPositions?: string[] };
const storage = await openStorage(url);
try {
  if (sealPositions) {
    const report = await verifyRange(storage, { ...(from !== undefined ? { from } : {}), ...(until !== undefined ? { until } : {}), sealPositions });
    const buffers = report.intervals.flatMap((i) => [i.hi.buffer, i.lo.buffer, i.leaves.buffer]) as ArrayBuffer[];
    parentPort!.postMessage(report, buffers);
  } else {
    const report = await verifyChains(storage, { ...(from !== undefined ? { fromStreamId: from } : {}), ...(until !== undefined ? { untilStreamId: until } : {}) });
    parentPort!.postMessage({ events: report.events, streams: report.streams, problems: report.problems });
  }
} finally {
  await storage.close();
}
