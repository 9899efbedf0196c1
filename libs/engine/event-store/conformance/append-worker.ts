/**
 * The second OS process of the conformance suite's concurrency test: opens the store by URL,
 * runs many async writers, and prints the ids of every acknowledged event as JSON.
 * Usage: node append-worker.js URL '{"writers":6,"perWriter":40,"prefix":"child","shared":"…"}'
 */
import { openEventStore } from '../open-event-store.js';
import { runWriters, type WriterPlan } from './writers.js';

const [url, planJson] = process.argv.slice(2);
const store = await openEventStore(url);
try {
  const acked = await runWriters(store, JSON.parse(planJson!) as WriterPlan);
  process.stdout.write(JSON.stringify(acked));
} finally {
  await store.close();
}
