import { Engine } from '../libs/engine/nest/engine.js';
import { accountsSettings, bootstrapAdmin, relaxLoginLimits, STORE_TARGETS, startAppOn, testPassword, type RunningApp, type TestSession } from './support/app.js';

const HOUR = 60 * 60 * 1000;

/** Issue 13: a one-time password signs in once, to the password change only, and expires; new passwords follow 等保 2.0. */
describe.each(STORE_TARGETS)('one-time passwords and the password rules on $name', (target) => {
  let running: RunningApp;
  let admin: TestSession & { password: string };
  let offset = 0;

  beforeAll(async () => {
    running = await startAppOn(target);
    relaxLoginLimits(running);
    accountsSettings(running).sessionClock = () => Date.now() + offset;
    admin = await bootstrapAdmin(running);
  });
  afterAll(async () => {
    await running.close();
  });
  afterEach(() => {
    offset = 0;
  });

  async function api(method: string, path: string, options: { session?: TestSession; body?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...(options.session?.headers ?? {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(options.headers ?? {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const login = (username: string, password: string) => api('POST', '/auth/login', { body: { username, password } });
  const sessionOf = (body: { token: string; user: { userId: string; username: string } }): TestSession => ({
    userId: body.user.userId,
    username: body.user.username,
    token: body.token,
    cookie: `jx_session=${body.token}`,
    headers: { authorization: `Bearer ${body.token}` },
  });
  const create = async (username: string) => {
    const r = await api('POST', '/users', { session: admin, body: { username, name: username, roles: ['office'] } });
    expect(r.status).toBe(201);
    return r.body as { userId: string; oneTimePassword: string };
  };

  it('signs in once, to the password change only; a second use is refused like a wrong password, and the record shows it was used', async () => {
    const { userId, oneTimePassword } = await create('once');
    const first = await login('once', oneTimePassword);
    expect(first.status).toBe(200);
    expect(first.body.mustChangePassword).toBe(true);
    const s = sessionOf(first.body);
    expect((await api('GET', '/auth/me', { session: s })).body).toMatchObject({ code: 'password-change-required' });

    // Again, as someone who saw it over a shoulder, or the same person 25 minutes later: refused.
    const again = await login('once', oneTimePassword);
    const wrong = await login('once', 'Not-the-password-1');
    expect(again.status).toBe(401);
    const { instance: _a, ...againBody } = again.body;
    const { instance: _w, ...wrongBody } = wrong.body;
    expect(againBody).toEqual(wrongBody);

    // The trail: the one-time password was used, by the user, with the why.
    const events = await running.app.get(Engine).store.readStream(`user-${userId}`);
    const used = events.filter((e) => e.type === 'OneTimePasswordUsed');
    expect(used).toHaveLength(1);
    expect(used[0]!.data).toEqual({ userId });
    expect(used[0]!.metadata).toMatchObject({ actor: { userId, role: 'self' }, reason: expect.stringContaining('one-time password'), commandId: expect.any(String) });
    expect(used[0]!.metadata.recordedAt).toEqual(expect.any(String));

    // The session it opened sets the user's own password; that one signs in as often as needed.
    const own = testPassword();
    expect((await api('POST', '/auth/password', { session: s, body: { current: oneTimePassword, next: own } })).status).toBe(200);
    expect((await login('once', own)).status).toBe(200);
    expect((await login('once', own)).status).toBe(200);
    expect((await login('once', oneTimePassword)).status).toBe(401);

    // An administrator's reset gives a new one-time password, used once as well.
    const reset = await api('POST', `/users/${userId}/password`, { session: admin });
    expect(reset.status).toBe(200);
    expect((await login('once', reset.body.oneTimePassword)).status).toBe(200);
    expect((await login('once', reset.body.oneTimePassword)).status).toBe(401);
  });

  it('expires after a configurable time, 24 hours unless set', async () => {
    expect(accountsSettings(running).oneTimePasswordTtlMs).toBe(24 * HOUR);
    const early = await create('early-bird');
    const late = await create('late-comer');
    offset = 24 * HOUR - 60_000;
    expect((await login('early-bird', early.oneTimePassword)).status).toBe(200);
    offset = 24 * HOUR + 1_000;
    expect((await login('late-comer', late.oneTimePassword)).status).toBe(401);

    accountsSettings(running).oneTimePasswordTtlMs = HOUR;
    try {
      offset = 0;
      const quick = await create('quick');
      offset = HOUR + 1_000;
      expect((await login('quick', quick.oneTimePassword)).status).toBe(401);
    } finally {
      accountsSettings(running).oneTimePasswordTtlMs = 24 * HOUR;
    }
  });

  it('a new password has 8 characters of three kinds, does not contain the username, is not common; reasons in Chinese, or English on request, each with its code', async () => {
    const { oneTimePassword } = await create('li.na');
    const s = sessionOf((await login('li.na', oneTimePassword)).body);
    const change = (next: string, headers: Record<string, string> = {}) => api('POST', '/auth/password', { session: s, body: { current: oneTimePassword, next }, headers });

    const zh = await change('adminadmin');
    expect(zh.status).toBe(422);
    expect(zh.body).toMatchObject({
      code: 'password-rejected',
      errors: [
        { field: 'next', code: 'password-too-simple', message: '密码须包含大写字母、小写字母、数字、符号中的至少三类' },
        { field: 'next', code: 'password-too-common', message: '这是常见密码，容易被猜中，请换一个' },
      ],
    });
    const en = await change('adminadmin', { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' });
    expect(en.body.errors).toEqual([
      { field: 'next', code: 'password-too-simple', message: 'must contain at least three of: upper-case letters, lower-case letters, digits, symbols' },
      { field: 'next', code: 'password-too-common', message: 'is a common password, easy to guess: choose another' },
    ]);
    const codes = async (next: string) => ((await change(next)).body.errors ?? []).map((e: { code: string }) => e.code);
    expect(await codes('Ab1!xyz')).toEqual(['password-too-short']);
    expect(await codes('Li.Na-2023-x')).toEqual(['password-contains-username']);
    expect(await codes('Adminadmin1!')).toEqual(['password-too-common']);
    expect(await codes('P@ssw0rd2023')).toEqual(['password-too-common']);
    expect(await codes('lowercase-only')).toEqual(['password-too-simple']);
    expect((await change('Yexian-Plan-9')).status).toBe(200);
  });
});
