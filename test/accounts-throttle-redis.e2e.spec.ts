import { Redis } from 'ioredis';
import { bootstrapAdmin, createUserViaApi, STORE_TARGETS, startApp, startAppOn, type RunningApp, type TestSession } from './support/app.js';
import { TestRedisServer } from '../libs/engine/testing/redis-server.js';

/**
 * Issue 13, "Sign-in across instances": two API instances over one PostgreSQL store and one Redis
 * (a redis-server of this test's own), as docker/compose.yml runs them. The per-account limit (5
 * failures in 15 minutes) holds across both: not 5 on each.
 */
const postgres = STORE_TARGETS.find((t) => t.name === 'PostgreSQL')!;

describe('sign-in throttling across two API instances sharing Redis', () => {
  let redis: TestRedisServer;
  let first: RunningApp;
  let second: RunningApp;
  let admin: TestSession & { password: string };

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    const env = { REDIS_URL: redis.url, JIXIAO_PROCESS_JOBS: 'false' };
    first = await startAppOn(postgres, { env });
    second = await startApp({ storeUrl: first.storeUrl, env });
    admin = await bootstrapAdmin(first);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await redis?.stop();
  });

  const login = async (running: RunningApp, username: string, password: string) => {
    const res = await fetch(`${running.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
  };

  it('5 failures spread over both instances block the account on both, even for the right password', async () => {
    const user = await createUserViaApi(first, admin, { username: 'target', roles: ['office'] });
    // The second instance knows the user too (its projection follows the same store).
    await eventually(async () => (await login(second, 'target', user.password)).status === 200);

    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(i % 2 ? second : first, 'target', `Wrong-${i}-password`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    for (const running of [first, second]) {
      const blocked = await login(running, 'target', user.password);
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('too-many-requests');
      expect(Number(blocked.retryAfter)).toBeGreaterThan(14 * 60);
    }
    // The block is in the Redis of REDIS_URL (this test's own), shared by both.
    const own = new Redis(redis.url);
    try {
      expect(await own.pttl('jixiao:login:login-account:target:blocked')).toBeGreaterThan(14 * 60_000);
    } finally {
      own.disconnect();
    }
    // Other accounts are not affected.
    expect((await login(second, 'admin', admin.password)).status).toBe(200);
  });

  it('while Redis is down, signing in still works, counted in each process until it is back', async () => {
    await redis.stop();
    try {
      expect((await login(first, 'admin', admin.password)).status).toBe(200);
      expect((await login(second, 'nobody', 'Wrong-password-1')).status).toBe(401);
    } finally {
      await redis.start();
    }
  });
});

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
