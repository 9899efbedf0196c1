import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SEAL_RECORDED, SEALS_STREAM, type SealRecordedData } from '../../engine/audit/seals.js';
import { ManualClock } from '../../engine/clock.js';
import { readConfig } from '../../engine/config.js';
import { Engine } from '../../engine/nest/engine.js';
import { createSqliteDirectory } from '../../engine/testing/databases.js';
import { TIMER_FIRED, TIMER_SCHEDULED } from '../../engine/timers/timer-events.js';
import { AppModule } from '../../../apps/api/src/app.module.js';
import { AuditService } from './audit.service.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Frequent seals are an engine timer: a TimerScheduled in the seals stream, fired by the engine's
 * timer scheduler (in-process, or BullMQ with Redis) as a seal command that seals when anything new
 * was recorded and schedules the next round. No queue or interval of its own.
 */
describe.each([
  { mode: 'in-process timers (no Redis)', redis: false },
  { mode: 'BullMQ timers against the real Redis', redis: true },
])('the seal timer with $mode', ({ redis: withRedis }) => {
  const db = 7 + Math.floor(Math.random() * 8);
  let dir: ReturnType<typeof createSqliteDirectory>;
  let app: INestApplicationContext;
  let engine: Engine;
  let redis: Redis | undefined;
  const clock = new ManualClock('2023-09-30T08:00:00Z');

  beforeAll(async () => {
    if (withRedis) {
      redis = new Redis(`${REDIS_URL}/${db}`, { maxRetriesPerRequest: null });
      await redis.flushdb();
    }
    dir = createSqliteDirectory('seal-timer');
    const config = readConfig({ EVENT_STORE_URL: dir.url(), ...(withRedis ? { REDIS_URL: `${REDIS_URL}/${db}` } : {}) });
    app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, clock }), { logger: ['error'] });
    await app.init();
    engine = app.get(Engine);
  });
  afterAll(async () => {
    await app.close();
    await redis?.flushdb();
    redis?.disconnect();
    dir.drop();
  });

  const sealEvents = () => engine.store.readStream(SEALS_STREAM);
  const seals = async () => (await sealEvents()).filter((e) => e.type === SEAL_RECORDED).map((e) => e.data as SealRecordedData);
  async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not reached in time`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('schedules the first round at start, five minutes on, as an event', async () => {
    const events = await sealEvents();
    expect(events.map((e) => e.type)).toEqual([TIMER_SCHEDULED]);
    expect(events[0]!.data).toMatchObject({ dueAt: '2023-09-30T08:05:00.000Z', command: { type: 'audit.ScheduledSeal' } });
    expect(await seals()).toEqual([]);
  });

  it('when due, seals what is new (signed, written to the witness) and schedules the next round', async () => {
    clock.set('2023-09-30T08:05:00Z');
    const [seal] = await until(async () => ((await seals()).length ? seals() : undefined), 'the first scheduled seal');
    expect(seal).toMatchObject({ occasion: 'every 5 minute(s)', sealedAt: '2023-09-30T08:05:00.000Z', version: 2, signature: { alg: 'ed25519' } });
    const types = (await sealEvents()).map((e) => e.type);
    expect(types.slice(-3)).toEqual([SEAL_RECORDED, TIMER_SCHEDULED, TIMER_FIRED]);
    expect((await sealEvents()).at(-2)!.data).toMatchObject({ dueAt: '2023-09-30T08:10:00.000Z' });
    const witness = join(dir.dir, 'seal-witness.jsonl');
    expect(existsSync(witness)).toBe(true);
    expect(readFileSync(witness, 'utf8')).toContain(seal!.sealId);
    expect(existsSync(join(dir.dir, 'seal-key.pem'))).toBe(true);
    const report = await app.get(AuditService).verify();
    expect(report).toMatchObject({ ok: true, sealProblems: [] });
  });

  it('a round with nothing new seals nothing, yet keeps the timer going', async () => {
    const before = (await seals()).length;
    clock.set('2023-09-30T08:10:00Z');
    await until(
      async () => ((await sealEvents()).some((e) => e.type === TIMER_SCHEDULED && (e.data as { dueAt: string }).dueAt === '2023-09-30T08:15:00.000Z') ? true : undefined),
      'the next round',
    );
    expect((await seals()).length).toBe(before);
  });
});
