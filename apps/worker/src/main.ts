import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readConfig } from '../../../libs/engine/config.js';
import { redact } from '../../../libs/engine/event-store/open-event-store.js';
import { WorkerModule } from './worker.module.js';
import { WorkerHeartbeat } from '../../api/src/health/worker-heartbeat.js';

/**
 * The worker: its own Nest application without HTTP, running all the background work — projections,
 * reactors and the BullMQ timers (deadlines, reminders, case steps, seals). API replicas beside it
 * set JIXIAO_PROCESS_JOBS=false and only enqueue.
 */
const config = readConfig();
if (!config.redisUrl) {
  console.error('the worker needs REDIS_URL: without Redis, the API runs timers and seals in its own process (npm start)');
  process.exit(2);
}
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...config, redisUrl: config.redisUrl }), { logger: new ConsoleLogger({ json: config.production }) });
app.enableShutdownHooks();
await app.init();
const log = new Logger('Worker');
// The API instances' /health reports "degraded" while no worker beats (JIXIAO_PROCESS_JOBS=false).
const heartbeat = new WorkerHeartbeat(config.redisUrl, { log: (line) => log.warn(line) });
heartbeat.start();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void heartbeat.stop());
log.log(`working BullMQ jobs from ${redact(config.redisUrl)} for the store ${redact(config.eventStoreUrl)}; heartbeat as ${heartbeat.id}`);
