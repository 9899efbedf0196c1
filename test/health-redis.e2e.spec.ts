import { WorkerHeartbeat } from '../apps/api/src/health/worker-heartbeat.js';
import { TestRedisServer } from '../libs/engine/testing/redis-server.js';
import { STORE_TARGETS, startAppOn, type RunningApp } from './support/app.js';

/**
 * Issue 13, "Health tells the truth": an API instance beside a worker (REDIS_URL set,
 * JIXIAO_PROCESS_JOBS=false), with a redis-server of the test's own that the test stops (a real
 * outage) and starts again. The worker's heartbeat is the one apps/worker beats.
 */
describe('health with Redis and the worker', () => {
  let redis: TestRedisServer;
  let running: RunningApp;
  let heartbeat: WorkerHeartbeat | undefined;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    running = await startAppOn(STORE_TARGETS[0]!, { env: { REDIS_URL: redis.url, JIXIAO_PROCESS_JOBS: 'false' } });
  });
  afterAll(async () => {
    await heartbeat?.stop();
    await running?.close();
    await redis?.stop();
  });

  const health = async () => {
    const res = await fetch(`${running.url}/api/v1/health`);
    return { status: res.status, body: (await res.json()) as any };
  };

  it('is degraded, saying why, while no worker beats; ok once one does', async () => {
    const without = await health();
    expect(without.status).toBe(200);
    expect(without.body.status).toBe('degraded');
    expect(without.body.reasons).toEqual([expect.stringMatching(/^worker: no heartbeat/)]);
    expect(without.body.info.redis).toMatchObject({ status: 'up' });
    expect(without.body.error.worker).toMatchObject({ status: 'down', expected: true });

    heartbeat = new WorkerHeartbeat(redis.url, { id: 'test-worker', intervalMs: 200 });
    heartbeat.start();
    await eventually(async () => (await health()).body.status === 'ok');
    const ok = await health();
    expect(ok.status).toBe(200);
    expect(ok.body.info.worker).toMatchObject({ status: 'up', workers: [{ id: 'test-worker', lastBeatMsAgo: expect.any(Number) }] });
    expect(ok.body.info.eventStore.status).toBe('up');
  });

  it('is degraded while Redis is down, saying so, and ok again within seconds of its return', async () => {
    await redis.stop();
    const down = await health();
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('degraded');
    expect(down.body.reasons).toEqual([expect.stringMatching(/^redis: unreachable/)]);
    expect(down.body.error.redis).toMatchObject({ status: 'down' });
    // The event store and projections still answer: this instance serves.
    expect(down.body.info.eventStore.status).toBe('up');

    await redis.start();
    const back = Date.now();
    // The clients retry every 500 ms at most (redis-connection.ts); 4 s leaves room for a loaded
    // machine's health calls (CI runs four suites at once) while still failing a back-off like
    // BullMQ's default (up to 20 s) or a client that never came back.
    await eventually(async () => (await health()).body.status === 'ok', 8_000);
    expect(Date.now() - back).toBeLessThan(4_000);
  });

  it('is degraded again when the worker stops beating', async () => {
    await heartbeat!.stop();
    heartbeat = undefined;
    const r = await health();
    expect(r.body.status).toBe('degraded');
    expect(r.body.reasons).toEqual([expect.stringMatching(/^worker: /)]);
  });
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
