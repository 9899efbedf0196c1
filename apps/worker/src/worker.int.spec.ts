import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ManualClock } from '../../../libs/engine/clock.js';
import { readConfig } from '../../../libs/engine/config.js';
import { Engine } from '../../../libs/engine/nest/engine.js';
import { createSqliteDirectory } from '../../../libs/engine/testing/databases.js';
import { reportStream } from '../../../libs/workflows/reporting/reporting.events.js';
import { AppModule } from '../../api/src/app.module.js';
import { WorkerModule } from './worker.module.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const office = { userId: 'office-zhang', name: '张主任', roles: ['office'] };

/**
 * The deployment with Redis: an API replica that only enqueues (JIXIAO_PROCESS_JOBS=false) and the
 * worker application, its @nestjs/bullmq processor working the timer queue, on one store and one Redis.
 */
describe('the worker application works the timers an API replica enqueues (real Redis, real SQLite)', () => {
  const redisUrl = `${REDIS_URL}/${1 + Math.floor(Math.random() * 6)}`;
  const clock = new ManualClock('2023-07-01T01:00:00.000Z');
  let dir: ReturnType<typeof createSqliteDirectory>;
  let api: INestApplicationContext;
  let worker: INestApplicationContext;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    await redis.flushdb();
    dir = createSqliteDirectory('worker');
    const config = readConfig({ EVENT_STORE_URL: dir.url(), REDIS_URL: redisUrl, JIXIAO_PROCESS_JOBS: 'false' });
    api = await NestFactory.createApplicationContext(AppModule.forRoot({ config, clock }), { logger: ['error'] });
    await api.init();
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot({ ...config, redisUrl }, clock), { logger: ['error'] });
    await worker.init();
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await redis.flushdb();
    redis.disconnect();
    dir.drop();
  });

  it('a reminder falls due and the worker, not the API, sends it through the command bus', async () => {
    const engine = api.get(Engine);
    const opened = await engine.execute({
      type: 'reporting.Open',
      data: { planId: 'ye-county-2023', unitId: 'sthjj', period: '2023-06' },
      meta: { commandId: 'open-sthjj-june', actor: office, now: clock.now().toISOString() },
    });
    expect(opened.events.map((e) => e.type)).toEqual(['ReportOpened', 'TimerScheduled', 'TimerScheduled']);
    await engine.waitFor(opened.position);

    clock.set('2023-07-03T02:00:00.000Z'); // past the reminder (09:00 Beijing on the 3rd working day before the deadline)
    const stream = reportStream({ planId: 'ye-county-2023', unitId: 'sthjj', period: '2023-06' });
    const deadline = Date.now() + 20_000;
    let types: string[] = [];
    while (!types.includes('ReportReminderSent') && Date.now() < deadline) {
      await engine.timers.deliverDue(); // the replica's reconcile promotes the due job; it does not work it
      types = (await engine.store.readStream(stream)).map((e) => e.type);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(types).toContain('ReportReminderSent');
    const fired = (await engine.store.readStream(stream)).filter((e) => e.type === 'TimerFired');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.metadata.actor.userId).toBe('system');
  });
});
