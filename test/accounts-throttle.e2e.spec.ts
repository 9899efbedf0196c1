import { bootstrapAdmin, createUserViaApi, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

/** Sign-in limits as shipped: 5 failures per account per 15 minutes, 20 attempts per address per minute. */
describe.each(STORE_TARGETS)('sign-in throttling on $name', (target) => {
  let running: RunningApp;
  let admin: TestSession & { password: string };

  // A fresh app for each test: the counts are per process and must start from zero.
  beforeEach(async () => {
    running = await startAppOn(target);
    admin = await bootstrapAdmin(running); // one attempt from 127.0.0.1
  });
  afterEach(async () => {
    await running.close();
  });

  const login = async (username: string, password: string) => {
    const res = await fetch(`${running.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
  };

  it('per account: after 5 failures even the right password is refused with 429 for 15 minutes; unknown usernames are treated alike; other accounts are unaffected', async () => {
    const user = await createUserViaApi(running, admin, { username: 'target', roles: ['office'] }); // 2nd attempt
    for (let i = 0; i < 5; i++) expect((await login('target', `wrong-${i}-password`)).status).toBe(401);
    const blocked = await login('Target', user.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ status: 429, code: 'too-many-requests' });
    expect(Number(blocked.retryAfter)).toBeGreaterThan(14 * 60);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect(blocked.body.retryAfterSeconds).toBe(Number(blocked.retryAfter));

    // A username that does not exist answers exactly the same way, so the limit reveals nothing.
    const ghost = [];
    for (let i = 0; i < 6; i++) ghost.push((await login('ghost', `wrong-${i}-password`)).status);
    expect(ghost).toEqual([401, 401, 401, 401, 401, 429]);

    // The limit is the account's: the administrator still signs in (15 attempts from this address so far).
    expect((await login('admin', admin.password)).status).toBe(200);
  });

  it('per account: wrong current passwords at the password change count too', async () => {
    const change = (current: string) =>
      fetch(`${running.url}/api/v1/auth/password`, {
        method: 'POST',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ current, next: 'A brand new password' }),
      }).then((r) => r.status);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await change(`wrong-${i}-password`));
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429]);
    expect((await login('admin', admin.password)).status).toBe(429);
  });

  it('per address: the 21st attempt within a minute is refused with 429, whatever the account; sessions already open keep working', async () => {
    const statuses = [];
    for (let i = 1; i < 20; i++) statuses.push((await login(`nobody-${i}`, 'some-password-x')).status); // attempts 2..20
    expect(new Set(statuses)).toEqual(new Set([401]));
    const blocked = await login('admin', admin.password); // attempt 21, right password
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('too-many-requests');
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(60);
    const me = await fetch(`${running.url}/api/v1/auth/me`, { headers: admin.headers });
    expect(me.status).toBe(200);
  });
});
