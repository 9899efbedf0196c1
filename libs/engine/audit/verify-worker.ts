/**
 * One thread of parallel verification: opens the store by URL and verifies either the events in
 * the positions (after, upTo] — their chains and, from the same rows, what the seal checks need
 * (verify-range.ts) — or, without seal positions, the chains of the streams in [from, until).
 * Run by verify-parallel.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStorage } from '../event-store/open-event-store.js';
import type { ChainPosition, StorageAdapter } from '../event-store/storage.js';
import { verifyChains } from './verify-chains.js';
import { verifyRange } from './verify-range.js';

const { url, from, until, after, upTo, sealPositions } = workerData as {
  url: string;
  from?: string;
  until?: string;
  after?: ChainPosition;
  upTo?: ChainPosition;
  sealPositions?: string[];
};
// Each page of the log is read once: through a memory map, not a read() a page (SQLite).
const storage = await openStorage(url, { mappedReads: true });
try {
  if (sealPositions) {
    const report = await verifyRange(storage as StorageAdapter & Required<Pick<StorageAdapter, 'readChainRowsInOrder'>>, {
      ...(after !== undefined ? { after } : {}),
      ...(upTo !== undefined ? { upTo } : {}),
      sealPositions,
    });
    // Copied, not transferred: a small buffer may share its memory with others (Node's pool).
    parentPort!.postMessage(report);
  } else {
    const report = await verifyChains(storage, { ...(from !== undefined ? { fromStreamId: from } : {}), ...(until !== undefined ? { untilStreamId: until } : {}) });
    parentPort!.postMessage({ events: report.events, streams: report.streams, problems: report.problems });
  }
} finally {
  await storage.close();
}
