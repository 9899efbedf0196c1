/**
 * Runs the counter projection until killed: the projection tests SIGKILL it mid-batch to show
 * that a crash never applies an event twice or loses one.
 * Usage: node crash-worker.js EVENT_STORE_URL READ_MODEL_URL
 */
import { openEventStore } from '../../event-store/open-event-store.js';
import { ProjectionRunner } from '../projection-runner.js';
import { openReadModelStore } from '../read-model-store.js';
import { counterProjection } from './counter.projection.js';

const [storeUrl, readModelUrl] = process.argv.slice(2);
const store = await openEventStore(storeUrl);
const readModels = await openReadModelStore(readModelUrl!);
const runner = new ProjectionRunner(store, readModels, [counterProjection('counter', 1, { slow: true })], { pageSize: 50 });
process.stdout.write('ready\n');
await runner.catchUp();
process.stdout.write('done\n');
await store.close();
await readModels.close();
