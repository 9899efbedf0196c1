/**
 * One thread of parallel chain verification: opens the store by URL and verifies the streams in
 * [from, until). Run by verify-parallel.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStorage } from '../event-store/open-event-store.js';
import { verifyChains } from './verify-chains.js';

const { url, from, until } = workerData as { url: string; from?: string; until?: string };
const storage = await openStorage(url);
try {
  const report = await verifyChains(storage, { ...(from !== undefined ? { fromStreamId: from } : {}), ...(until !== undefined ? { untilStreamId: until } : {}) });
  parentPort!.postMessage({ events: report.events, streams: report.streams, problems: report.problems });
} finally {
  await storage.close();
}
