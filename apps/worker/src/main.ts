import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { readConfig } from '../../../libs/engine/config.js';
import { redact } from '../../../libs/engine/event-store/open-event-store.js';
import { AppModule } from '../../api/src/app.module.js';

/**
 * The worker: no HTTP, the same modules as the API, and all the background work — projections,
 * BullMQ timers (deadlines, reminders, case steps, the seal timer). API replicas beside it set
 * JIXIAO_PROCESS_JOBS=false and only enqueue.
 */
const config = readConfig();
if (!config.redisUrl) {
  console.error('the worker needs REDIS_URL: without Redis, the API runs timers and seals in its own process (npm start)');
  process.exit(2);
}
const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: { ...config, processJobs: true } }), { logger: new ConsoleLogger({ json: config.production }) });
app.enableShutdownHooks();
await app.init();
new Logger('Worker').log(`working BullMQ jobs from ${redact(config.redisUrl)} for the store ${redact(config.eventStoreUrl)}`);
