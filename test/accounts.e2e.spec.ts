import { Engine } from '../libs/engine/nest/engine.js';
import { readEverything } from '../libs/engine/testing/fixtures.js';
import { ForbiddenError } from '../libs/engine/commands/command.js';
import { Accounts } from '../libs/workflows/accounts/accounts.service.js';
import {
  accountsSettings,
  bootstrapAdmin,
  changePassword,
  createUserViaApi,
  loginAs,
  relaxLoginLimits,
  STORE_TARGETS,
  startAppOn,
  type RunningApp,
  type TestSession,
} from './support/app.js';

const HOUR = 60 * 60 * 1000;

describe.each(STORE_TARGETS)('accounts and sessions on $name', (target) => {
  let running: RunningApp;
  let admin: TestSession & { password: string };

  beforeAll(async () => {
    running = await startAppOn(target);
    relaxLoginLimits(running);
    admin = await bootstrapAdmin(running);
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, options: { session?: TestSession; body?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...(options.session?.headers ?? {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(options.headers ?? {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  const allEvents = async () => readEverything(running.app.get(Engine).store);
  const userEvents = async (userId: string) => running.app.get(Engine).store.readStream(`user-${userId}`);

  it('an administrator creates a user with a one-time password, shown once; the user must change it before anything else', async () => {
    const created = await api('POST', '/users', { session: admin, body: { username: 'fgw-reporter', name: '发改委填报员', unitId: 'fgw', roles: ['reporter'] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('etag')).toBe('"2"');
    const { userId, oneTimePassword } = created.body;
    expect(oneTimePassword).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/);
    // Issue 14: 201 + Location, where the created user is read.
    expect(created.headers.get('location')).toBe(`/api/v1/users/${userId}`);
    expect((await api('GET', created.headers.get('location')!.replace('/api/v1', ''), { session: admin })).body).toMatchObject({ userId, username: 'fgw-reporter' });
    expect(created.body.events.map((e: { type: string }) => e.type)).toEqual(['UserCreated', 'RoleGranted', 'PasswordSet']);

    const login = await fetch(`${running.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'FGW-Reporter', password: oneTimePassword }),
    });
    expect(login.status).toBe(200);
    const body = (await login.json()) as any;
    expect(body).toMatchObject({ mustChangePassword: true, idleTimeoutSeconds: 8 * 3600, user: { userId, username: 'fgw-reporter', roles: ['reporter'], unitId: 'fgw' } });
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toContain(`jx_session=${body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/api/);
    expect(cookie).not.toMatch(/Secure/i); // NODE_ENV is not production here
    const s: TestSession = { userId, username: 'fgw-reporter', token: body.token, cookie: `jx_session=${body.token}`, headers: { authorization: `Bearer ${body.token}` } };

    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['GET', '/users'],
    ] as const) {
      const r = await api(method, path, { session: s });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'password-change-required' });
    }
    expect(await api('POST', '/auth/password', { session: s, body: { current: oneTimePassword, next: 'Qz7!xy' } })).toMatchObject({
      status: 422,
      body: { code: 'password-rejected', errors: [{ field: 'next', code: 'password-too-short' }] },
    });
    expect(await api('POST', '/auth/password', { session: s, body: { current: oneTimePassword, next: 'Fgw-Reporter-1' } })).toMatchObject({
      status: 422,
      body: { code: 'password-rejected', errors: [{ field: 'next', code: 'password-contains-username' }] },
    });
    expect(await api('POST', '/auth/password', { session: s, body: { current: 'not-the-password', next: 'A good new password' } })).toMatchObject({
      status: 422,
      body: { code: 'wrong-password' },
    });

    await changePassword(running, s, oneTimePassword, 'A good new password');
    const me = await api('GET', '/auth/me', { headers: { cookie: s.cookie } });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ userId, username: 'fgw-reporter', name: '发改委填报员', roles: ['reporter'], unitId: 'fgw', disabled: false });
    expect(me.body.session).toEqual({ createdAt: expect.any(String), expiresAt: expect.any(String), idleExpiresAt: expect.any(String) });

    // The one-time password is gone; the new one works.
    expect((await api('POST', '/auth/login', { body: { username: 'fgw-reporter', password: oneTimePassword } })).status).toBe(401);
    const again = await loginAs(running, 'fgw-reporter', 'A good new password');

    // The record: created by the admin, the password first set by the admin (one-time), used once to sign in, then set by the user.
    const events = await userEvents(userId);
    expect(events.map((e) => [e.type, e.metadata.actor.userId, e.metadata.actor.role, e.data.by ?? null])).toEqual([
      ['UserCreated', admin.userId, 'admin', null],
      ['RoleGranted', admin.userId, 'admin', null],
      ['PasswordSet', admin.userId, 'admin', 'admin'],
      ['OneTimePasswordUsed', userId, 'self', null],
      ['PasswordSet', userId, 'self', 'self'],
    ]);
    expect(events[4]!.data).toEqual({ userId, by: 'self', mustChange: false });

    // Signing out ends that session at once; the other one lives on.
    expect((await api('POST', '/auth/logout', { session: again })).status).toBe(204);
    expect(await api('GET', '/auth/me', { session: again })).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect((await api('GET', '/auth/me', { session: s })).status).toBe(200);
  });

  it('a failed sign-in does not tell whether the username exists', async () => {
    const unknown = await api('POST', '/auth/login', { body: { username: 'no-such-user', password: 'whatever-it-is' } });
    const wrong = await api('POST', '/auth/login', { body: { username: 'admin', password: 'whatever-it-is' } });
    const malformed = await api('POST', '/auth/login', { body: { username: 'Не пользователь', password: 'whatever-it-is' } });
    for (const r of [unknown, wrong, malformed]) {
      expect(r.status).toBe(401);
      expect(r.headers.get('set-cookie')).toBeNull();
      const { instance: _, ...rest } = r.body;
      expect(rest).toEqual({
        type: 'urn:jixiao:problem:invalid-credentials',
        title: '登录失败', // zh-CN by default (issue 14); en-US: 'Sign-in failed'
        status: 401,
        code: 'invalid-credentials',
        detail: '用户名或密码不正确。',
        params: {},
      });
    }
  });

  it('a disabled user loses access at once and cannot sign in; enabled again, they can', async () => {
    const user = await createUserViaApi(running, admin, { username: 'gxj-head', roles: ['head'], unitId: 'gxj' });
    expect((await api('GET', '/auth/me', { session: user })).status).toBe(200);

    const disabled = await api('POST', `/users/${user.userId}/disable`, { session: admin, body: { reason: '调离 transferred' } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.events).toEqual([{ type: 'UserDisabled', data: { userId: user.userId, reason: '调离 transferred' } }]);
    expect(await api('GET', '/auth/me', { session: user })).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect(await api('POST', '/auth/login', { body: { username: 'gxj-head', password: user.password } })).toMatchObject({ status: 401, body: { code: 'invalid-credentials' } });
    const [event] = (await userEvents(user.userId)).filter((e) => e.type === 'UserDisabled');
    expect(event!.metadata).toMatchObject({ actor: { userId: admin.userId, role: 'admin' }, reason: '调离 transferred' });

    expect((await api('POST', `/users/${user.userId}/enable`, { session: admin, body: {} })).status).toBe(200);
    const back = await loginAs(running, 'gxj-head', user.password);
    expect((await api('GET', '/auth/me', { session: back })).body.user).toMatchObject({ disabled: false, roles: ['head'] });
    // Sessions ended by the disabling stay ended.
    expect((await api('GET', '/auth/me', { session: user })).status).toBe(401);
  });

  it('roles are read at every request: a revoked role stops working at once', async () => {
    const auditor = await createUserViaApi(running, admin, { username: 'auditor-1', roles: ['auditor'] });
    expect((await api('GET', '/users', { session: auditor })).status).toBe(200);
    const revoked = await api('DELETE', `/users/${auditor.userId}/roles/auditor`, { session: admin });
    expect(revoked).toMatchObject({ status: 200, body: { events: [{ type: 'RoleRevoked', data: { role: 'auditor' } }] } });
    expect(await api('GET', '/users', { session: auditor })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await api('GET', '/auth/me', { session: auditor })).body.user.roles).toEqual([]);

    const granted = await api('POST', `/users/${auditor.userId}/roles`, { session: admin, body: { role: 'auditor' } });
    expect(granted.status).toBe(200);
    expect((await api('GET', '/users', { session: auditor })).status).toBe(200);
  });

  it('a denied command answers 403 and writes nothing; a unit role for another unit is refused', async () => {
    const reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', roles: ['reporter'], unitId: 'sthjj' });
    const before = (await allEvents()).length;

    expect(await api('POST', '/users', { session: reporter, body: { username: 'sneaky', name: 'x', roles: ['admin'] } })).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
    expect(await api('POST', `/users/${reporter.userId}/roles`, { session: reporter, body: { role: 'admin' } })).toMatchObject({ status: 403 });
    expect(await api('POST', `/users/${admin.userId}/disable`, { session: reporter, body: { reason: 'x' } })).toMatchObject({ status: 403 });
    expect(await api('POST', `/users/${admin.userId}/password`, { session: reporter })).toMatchObject({ status: 403 });
    expect(await api('GET', '/users', { session: reporter })).toMatchObject({ status: 403 });

    expect(await api('POST', `/users/${reporter.userId}/roles`, { session: admin, body: { role: 'head', unitId: 'fgw' } })).toMatchObject({
      status: 409,
      body: { code: 'unit-mismatch', errors: [{ field: 'unitId', code: 'must-be', params: { value: 'sthjj' }, message: '须为 sthjj' }] },
    });
    expect(await api('POST', '/users', { session: admin, body: { username: 'no-unit', name: 'x', roles: ['reporter'] } })).toMatchObject({
      status: 422,
      body: { code: 'unit-required' },
    });
    expect(await api('POST', `/users/${admin.userId}/disable`, { session: admin, body: { reason: 'oops' } })).toMatchObject({ status: 409, body: { code: 'cannot-disable-self' } });
    expect((await allEvents()).length).toBe(before);
    expect(await running.app.get(Engine).store.readStream('username-sneaky')).toEqual([]);
  });

  it('usernames are unique, case-insensitively, even when two administrators create the same one at the same moment', async () => {
    const body = (username: string) => ({ username, name: '同名', roles: ['office'] });
    const [a, b, c] = await Promise.all([
      api('POST', '/users', { session: admin, body: body('same-name') }),
      api('POST', '/users', { session: admin, body: body('Same-Name') }),
      api('POST', '/users', { session: admin, body: body('SAME-NAME') }),
    ]);
    expect([a, b, c].map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect([a, b, c].filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(['username-taken', 'username-taken']);
    const list = await api('GET', '/users?limit=200', { session: admin });
    expect(list.body.items.filter((u: { username: string }) => u.username === 'same-name')).toHaveLength(1);
    // The losers wrote nothing: one reservation, one user.
    const reservation = await running.app.get(Engine).store.readStream('username-same-name');
    expect(reservation).toHaveLength(1);
    const users = (await allEvents()).filter((e) => e.type === 'UserCreated' && e.data.username === 'same-name');
    expect(users).toHaveLength(1);
  });

  it('a retried creation (same Idempotency-Key) creates the user once', async () => {
    const headers = { 'idempotency-key': 'create-user-retry-0001' };
    const first = await api('POST', '/users', { session: admin, headers, body: { username: 'retry-user', name: 'x', roles: ['leader'] } });
    const second = await api('POST', '/users', { session: admin, headers, body: { username: 'retry-user', name: 'x', roles: ['leader'] } });
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, body: { userId: first.body.userId, replayed: true } });
    expect(second.body.oneTimePassword).toBeUndefined();
    expect((await userEvents(first.body.userId)).filter((e) => e.type === 'UserCreated')).toHaveLength(1);
    // The first answer's password is still the one that works.
    expect((await loginAs(running, 'retry-user', first.body.oneTimePassword)).userId).toBe(first.body.userId);
  });

  it('a forged actor or principal in a request body is refused, or ignored where there is no body; it never becomes the actor', async () => {
    const target = await createUserViaApi(running, admin, { username: 'forgery-target', roles: ['office'] });
    const forged = { userId: 'forged-evil', name: 'Evil', roles: ['admin'], role: 'admin' };
    const a = await api('POST', '/users', { session: target, body: { username: 'evil-made', name: 'x', roles: ['admin'], actor: forged } });
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({ code: 'validation-failed', errors: expect.arrayContaining([expect.objectContaining({ field: 'actor' })]) });
    const b = await api('POST', `/users/${target.userId}/disable`, { session: admin, body: { reason: 'x', principal: forged, meta: { actor: forged } } });
    expect(b.status).toBe(400);
    // DELETE's body carries only the administrator's reason (issue 15): a forged actor in it is refused like any unknown field.
    const c = await api('DELETE', `/users/${target.userId}/roles/office`, { session: admin, body: { actor: forged, principal: forged } });
    expect(c.status).toBe(400);
    const c2 = await api('DELETE', `/users/${target.userId}/roles/office`, { session: admin, body: { reason: '调离推进办' } });
    expect(c2.status).toBe(200);
    const [revoked] = (await userEvents(target.userId)).filter((e) => e.type === 'RoleRevoked');
    expect(revoked!.metadata.actor).toEqual({ userId: admin.userId, role: 'admin', name: '系统管理员' });
    expect(revoked!.metadata.reason).toBe('调离推进办');
    // The reasons the web UI asks for are recorded with the grant and the password reset too.
    expect((await api('POST', `/users/${target.userId}/roles`, { session: admin, body: { role: 'leader', reason: '新任县领导' } })).status).toBe(200);
    expect((await api('POST', `/users/${target.userId}/password`, { session: admin, body: { reason: '本人遗忘密码' } })).status).toBe(200);
    const events = await userEvents(target.userId);
    expect(events.find((e) => e.type === 'RoleGranted' && (e.data as { role: string }).role === 'leader')!.metadata.reason).toBe('新任县领导');
    expect(events.filter((e) => e.type === 'PasswordSet').at(-1)!.metadata.reason).toBe('本人遗忘密码');
    // Without a session, a forged principal gets nothing at all.
    expect((await api('GET', '/users', { body: undefined, headers: { 'x-principal': JSON.stringify(forged) } })).status).toBe(401);
    const all = JSON.stringify(await allEvents());
    expect(all).not.toContain('forged-evil');
    expect(all).not.toContain('evil-made');
  });

  it('password hashes and passwords never enter an event', async () => {
    const all = JSON.stringify(await allEvents());
    expect(all).not.toMatch(/\$argon2/);
    expect(all).not.toContain(admin.password);
    expect(all).not.toContain('A good new password');
    expect(all).not.toContain('password_hash');
  });

  it('an administrator’s reset gives a new one-time password, shown once, and ends the user’s sessions', async () => {
    const user = await createUserViaApi(running, admin, { username: 'forgot-it', roles: ['supervisor'] });
    const reset = await api('POST', `/users/${user.userId}/password`, { session: admin });
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    expect(reset.body.events).toEqual([{ type: 'PasswordSet', data: { userId: user.userId, by: 'admin', mustChange: true } }]);
    expect((await api('GET', '/auth/me', { session: user })).status).toBe(401);
    expect((await api('POST', '/auth/login', { body: { username: 'forgot-it', password: user.password } })).status).toBe(401);
    const fresh = await loginAs(running, 'forgot-it', reset.body.oneTimePassword);
    expect((await api('GET', '/auth/me', { session: fresh })).body).toMatchObject({ code: 'password-change-required' });
  });

  it('changing one’s password ends one’s other sessions, not this one', async () => {
    const user = await createUserViaApi(running, admin, { username: 'two-browsers', roles: ['leader'] });
    const other = await loginAs(running, 'two-browsers', user.password);
    await changePassword(running, user, user.password, 'Another good password');
    expect((await api('GET', '/auth/me', { session: user })).status).toBe(200);
    expect((await api('GET', '/auth/me', { session: other })).status).toBe(401);
  });

  it('lists users for administrators; GET one user with its revision as ETag; a stale If-Match is refused with 412 and writes nothing', async () => {
    const list = await api('GET', '/users', { session: admin });
    expect(list.status).toBe(200);
    // Issue 14: one page of the list shape, the whole list here (fewer than the default 50).
    expect(list.body.next).toBeNull();
    expect(list.body.items.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['admin', 'fgw-reporter', 'gxj-head']));
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password_hash|passwordHash/);
    // Issue 14: the list filters on the server: ?q= a piece of the username or the name, any case; ?role= a role held.
    type Listed = { username: string; name: string; roles: string[] };
    const byUsername = (await api('GET', '/users?q=FGW', { session: admin })).body.items as Listed[];
    expect(byUsername.map((u) => u.username)).toContain('fgw-reporter');
    expect(byUsername.every((u) => `${u.username} ${u.name}`.toLowerCase().includes('fgw'))).toBe(true);
    expect(((await api('GET', `/users?q=${encodeURIComponent('发改委填报')}`, { session: admin })).body.items as Listed[]).map((u) => u.username)).toEqual(['fgw-reporter']);
    const admins = (await api('GET', '/users?role=admin', { session: admin })).body.items as Listed[];
    expect(admins.map((u) => u.username)).toContain('admin');
    expect(admins.every((u) => u.roles.includes('admin'))).toBe(true);
    expect(admins.length).toBeLessThan(list.body.items.length);
    expect((await api('GET', '/users?q=fgw&role=admin', { session: admin })).body).toEqual({ items: [], next: null });
    // Paged with the filters kept: one user a page, each page's `next` the `after` of the following, to the end.
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page = (await api('GET', `/users?role=admin&limit=1${after ? `&after=${after}` : ''}`, { session: admin })).body as { items: Listed[]; next: string | null };
      expect(page.items.length).toBe(1);
      paged.push(page.items[0]!.username);
      after = page.next;
    } while (after);
    expect(paged).toEqual(admins.map((u) => u.username));
    expect(await api('GET', '/users?role=boss', { session: admin })).toMatchObject({ status: 400, body: { errors: [{ field: 'role' }] } });

    const one = await api('GET', `/users/${admin.userId}`, { session: admin });
    expect(one.status).toBe(200);
    const etag = one.headers.get('etag')!;
    expect(etag).toBe(`"${one.body.revision}"`);
    const target = list.body.items.find((u: { username: string }) => u.username === 'fgw-reporter');
    const stale = await api('POST', `/users/${target.userId}/roles`, { session: admin, body: { role: 'head' }, headers: { 'if-match': '"0"' } });
    expect(stale).toMatchObject({ status: 412, body: { code: 'precondition-failed' } });
    expect((await api('GET', '/users/not-a-user-id', { session: admin })).status).toBe(404);
  });

  it('sessions end after 8 hours idle and 24 hours after sign-in, on the session clock (real time by default)', async () => {
    const settings = accountsSettings(running);
    const realClock = settings.sessionClock;
    let now = Date.now();
    settings.sessionClock = () => now;
    try {
      const idle = await loginAs(running, 'admin', admin.password);
      now += 8 * HOUR - 1000;
      expect((await api('GET', '/auth/me', { session: idle })).status).toBe(200);
      now += 8 * HOUR - 1000; // used just now, so it is still alive…
      expect((await api('GET', '/auth/me', { session: idle })).status).toBe(200);
      now += 8 * HOUR; // …until 8 hours pass without a request
      expect(await api('GET', '/auth/me', { session: idle })).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });

      const start = now;
      const busy = await loginAs(running, 'admin', admin.password);
      for (const h of [7, 14, 21]) {
        now = start + h * HOUR;
        expect((await api('GET', '/auth/me', { session: busy })).status).toBe(200);
      }
      now = start + 24 * HOUR; // used 3 hours ago, but signed in 24 hours ago
      expect(await api('GET', '/auth/me', { session: busy })).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    } finally {
      settings.sessionClock = realClock;
    }
  });

  it('the command line’s bootstrap is refused once any user exists, and writes nothing', async () => {
    const before = (await allEvents()).length;
    await expect(running.app.get(Accounts).bootstrapAdmin({ username: 'second-root', name: 'x', roles: ['admin'] })).rejects.toThrow(ForbiddenError);
    expect((await allEvents()).length).toBe(before);
  });
});
