import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SEAL_RECORDED, SEALS_STREAM } from '../../engine/audit/seals.js';
import { readConfig } from '../../engine/config.js';
import { Engine } from '../../engine/nest/engine.js';
import { createSqliteDirectory } from '../../engine/testing/databases.js';
import { AppModule } from '../../../apps/api/src/app.module.js';
import { AUDIT_QUEUE } from './audit.service.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the daily seal as a BullMQ job (worker mode) against the real Redis', () => {
  const db = 7 + Math.floor(Math.random() * 8);
  const redisUrl = `${REDIS_URL}/${db}`;
  let dir: ReturnType<typeof createSqliteDirectory>;
  let app: INestApplicationContext;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    await redis.flushdb();
    dir = createSqliteDirectory('daily-seal');
    app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: dir.url(), REDIS_URL: redisUrl }) }), { logger: ['error'] });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await redis.flushdb();
    redis.disconnect();
    dir.drop();
  });

  it('schedules one job a day, and a delivered job seals the record', async () => {
    const queue = new Queue(AUDIT_QUEUE, { connection: { url: redisUrl, maxRetriesPerRequest: null } });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: 'daily-seal', pattern: '0 2 * * *', tz: 'Asia/Shanghai' })]);
      await queue.add('daily-seal', {}); // as the scheduler would at 02:00
      const engine = app.get(Engine);
      const deadline = Date.now() + 15_000;
      let seals: string[] = [];
      while (seals.length === 0 && Date.now() < deadline) {
        seals = (await engine.store.readStream(SEALS_STREAM)).filter((e) => e.type === SEAL_RECORDED).map((e) => e.metadata.reason ?? '');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seals).toEqual(['daily']);
    } finally {
      await queue.close();
    }
  });
});
