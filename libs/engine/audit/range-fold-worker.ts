/**
 * Folds range trees for parallel verification (verify-parallel.ts): each message's leaves, already
 * in global order, 32 bytes each, into their RFC 9162 root.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RangeTree } from './seals.js';

const { ranges } = workerData as { ranges: Uint8Array[] };
parentPort!.postMessage(
  ranges.map((leaves) => {
    const tree = new RangeTree();
    tree.addLeaves(Buffer.from(leaves.buffer, leaves.byteOffset, leaves.byteLength));
    return { count: tree.count, root: tree.root() };
  }),
);
