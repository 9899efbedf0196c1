import { Redis } from 'ioredis';
import { TestRedisServer } from '../../../../libs/engine/testing/redis-server.js';
import { liveWorkers, WorkerHeartbeat } from './worker-heartbeat.js';

/**
 * The heartbeat against a real redis-server of the test's own. stop() says "gone" at once, even
 * when a beat is on its way: its TIME was sent before the ZREM, and its ZADD must not land after
 * it (CI saw /health say "ok" after the worker had stopped).
 */
describe('WorkerHeartbeat', () => {
  let server: TestRedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await TestRedisServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  const ready = (beat: WorkerHeartbeat) => (beat.redis.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => beat.redis.once('ready', () => resolve())));

  it('beats, and is gone at once when stopped with a beat in flight', async () => {
    for (let round = 0; round < 20; round++) {
      const beat = new WorkerHeartbeat(server.url, { id: `w-${round}`, intervalMs: 60_000 });
      await ready(beat);
      await beat.beat();
      expect((await liveWorkers(redis)).map((w) => w.id)).toContain(`w-${round}`);
      void beat.beat(); // in flight: TIME sent, ZADD not yet
      await beat.stop();
      expect((await liveWorkers(redis)).map((w) => w.id)).not.toContain(`w-${round}`);
    }
  });

  it('does not beat after stop()', async () => {
    const beat = new WorkerHeartbeat(server.url, { id: 'late', intervalMs: 60_000 });
    await ready(beat);
    await beat.stop();
    await beat.beat();
    expect((await liveWorkers(redis)).map((w) => w.id)).not.toContain('late');
  });
});
