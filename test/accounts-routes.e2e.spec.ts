import { spawnSync } from 'node:child_process';
import { readEverything } from '../libs/engine/testing/fixtures.js';
import { join } from 'node:path';
import { ForbiddenError } from '../libs/engine/commands/command.js';
import { Engine } from '../libs/engine/nest/engine.js';
import { Accounts } from '../libs/workflows/accounts/accounts.service.js';
import { ensureDemoUsers } from '../libs/workflows/accounts/demo-users.js';
import { passwordProblems } from '../libs/workflows/accounts/password-policy.js';
import { loadBuiltinPlan } from '../libs/workflows/plan/plans.js';
import { changePassword, loginAs, relaxLoginLimits, STORE_TARGETS, startApp, startAppOn, type RunningApp } from './support/app.js';

/** The only endpoints that answer without a session. Adding one means adding it here, on purpose. */
const PUBLIC = new Set(['GET /api/v1/health', 'GET /api/v1/metrics', 'POST /api/v1/auth/login', 'GET /api/v1/demo', 'GET /api/v1/clock']);

describe.each(STORE_TARGETS)('the API without a session, and the first users, on $name', (target) => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startAppOn(target);
    relaxLoginLimits(running);
  });
  afterAll(async () => {
    await running.close();
  });

  async function routes(): Promise<{ method: string; path: string; url: string }[]> {
    const doc = (await (await fetch(`${running.url}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const out = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
        // Any value will do for path parameters: the session is checked before anything else.
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => (/id$/i.test(name) ? '00000000-0000-4000-8000-000000000000' : 'x'));
        out.push({ method: method.toUpperCase(), path, url });
      }
    }
    return out;
  }

  it('every endpoint but the public ones answers 401 problem details without a session, or with a made-up one', async () => {
    const all = await routes();
    expect(all.length).toBeGreaterThan(10);
    const present = new Set(all.map((r) => `${r.method} ${r.path}`));
    for (const p of PUBLIC) expect(present).toContain(p);

    const failures: string[] = [];
    for (const r of all) {
      const key = `${r.method} ${r.path}`;
      if (PUBLIC.has(key)) continue;
      for (const headers of [{}, { authorization: `Bearer ${'A'.repeat(43)}` }, { cookie: 'jx_session=forged' }] as Record<string, string>[]) {
        const res = await fetch(`${running.url}${r.url}`, {
          method: r.method,
          headers: { ...headers, 'content-type': 'application/json' },
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: '{}' }),
        });
        const body = (await res.json().catch(() => ({}))) as { code?: string };
        if (res.status !== 401 || body.code !== 'unauthenticated' || !res.headers.get('content-type')?.includes('application/problem+json')) {
          failures.push(`${key} ${JSON.stringify(headers)} → ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The public ones do answer.
    expect((await fetch(`${running.url}/api/v1/health`)).status).toBe(200);
  });

  it('the demo users are created once, only while no user exists, each with a one-time password', async () => {
    const engine = running.app.get(Engine);
    const plan = loadBuiltinPlan('ye-county-2023');
    const demo = await ensureDemoUsers(engine, plan);
    expect(demo.map((u) => [u.username, u.role, u.unitId ?? null])).toEqual([
      ['admin', 'admin', null],
      ['office', 'office', null],
      ['leader', 'leader', null],
      ['supervisor', 'supervisor', null],
      ['auditor', 'auditor', null],
      ['fgw-reporter', 'reporter', 'fgw'],
      ['fgw-head', 'head', 'fgw'],
      ['gxj-reporter', 'reporter', 'gxj'],
      ['gxj-head', 'head', 'gxj'],
      ['sthjj-reporter', 'reporter', 'sthjj'],
      ['sthjj-head', 'head', 'sthjj'],
    ]);
    expect(new Set(demo.map((u) => u.password)).size).toBe(demo.length);
    expect(demo.find((u) => u.username === 'fgw-head')!.name).toBe('发改委单位主要负责人');

    const s = await loginAs(running, 'fgw-reporter', demo.find((u) => u.username === 'fgw-reporter')!.password);
    const me = await fetch(`${running.url}/api/v1/auth/me`, { headers: s.headers });
    expect(me.status).toBe(403); // one-time password: change it first
    await changePassword(running, s, demo.find((u) => u.username === 'fgw-reporter')!.password, 'Fgw reporter password');
    expect(await (await fetch(`${running.url}/api/v1/auth/me`, { headers: s.headers })).json()).toMatchObject({
      user: { username: 'fgw-reporter', roles: ['reporter'], unitId: 'fgw' },
    });

    // The demo's administrator created the others; the command line created the administrator.
    const events = await readEverything(engine.store);
    const created = events.filter((e) => e.type === 'UserCreated');
    const adminId = created.find((e) => e.data.username === 'admin')!.data.userId;
    expect(created.find((e) => e.data.username === 'admin')!.metadata.actor).toMatchObject({ userId: 'cli', role: 'admin' });
    expect(created.filter((e) => e.data.username !== 'admin').every((e) => e.metadata.actor.userId === adminId)).toBe(true);

    expect(await ensureDemoUsers(engine, plan)).toEqual([]);
    await expect(running.app.get(Accounts).bootstrapAdmin({ username: 'root', name: 'x', roles: ['admin'] })).rejects.toThrow(ForbiddenError);
  });
});

/** `npm run cli -- users …`, as an operator runs it (the built CLI, like the audit verify test). */
describe.each(STORE_TARGETS)('the users command line on $name', (target) => {
  const CLI = join(process.cwd(), 'dist/apps/api/src/cli.js');
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('adds the first administrator with a one-time password, refuses a second, lists and disables users', async () => {
    const db = await target.create();
    try {
      const store = ['--store', db.storeUrl];
      const add = cli('users', 'add', ...store, '--username', 'zhang.wei', '--name', '张伟', '--role', 'admin', '--role', 'office');
      expect(add.stderr).toBe('');
      expect(add.status).toBe(0);
      const password = /one-time password: (\S+)/.exec(add.stdout)![1]!;
      expect(password).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}$/);

      const second = cli('users', 'add', ...store, '--username', 'li.na', '--name', '李娜', '--role', 'admin');
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/users exist already/);

      const noAdmin = await target.create();
      try {
        const refused = cli('users', 'add', '--store', noAdmin.storeUrl, '--username', 'x1', '--name', 'x', '--role', 'office');
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(/must be an administrator/);
      } finally {
        await noAdmin.drop();
      }

      // The server signs the new administrator in, with a password change required first.
      const running = await startApp({ storeUrl: db.storeUrl });
      try {
        const s = await loginAs(running, 'zhang.wei', password);
        expect((await fetch(`${running.url}/api/v1/users`, { headers: s.headers })).status).toBe(403);
        await changePassword(running, s, password, 'Zhang-Wei password');
        const created = await fetch(`${running.url}/api/v1/users`, {
          method: 'POST',
          headers: { ...s.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'fgw-reporter', name: '发改委填报员', unitId: 'fgw', roles: ['reporter'] }),
        });
        expect(created.status).toBe(201);
      } finally {
        await running.close();
      }

      const list = cli('users', 'list', ...store);
      expect(list.status).toBe(0);
      expect(list.stdout).toMatch(/^fgw-reporter\t发改委填报员\treporter\tfgw\tactive\t/m);
      expect(list.stdout).toMatch(/^zhang\.wei\t张伟\tadmin,office\t-\tactive\t/m);

      const disable = cli('users', 'disable', 'fgw-reporter', ...store, '--reason', '账号泄露 compromised');
      expect(disable.status).toBe(0);
      expect(cli('users', 'list', ...store).stdout).toMatch(/^fgw-reporter\t.*DISABLED \(账号泄露 compromised\)/m);
    } finally {
      await db.drop();
    }
  });

  it('users reset-password: a locked-out administrator gets a new one-time password, printed once, obeying the rules, used once', async () => {
    const db = await target.create();
    try {
      const store = ['--store', db.storeUrl];
      const add = cli('users', 'add', ...store, '--username', 'zhang.wei', '--name', '张伟');
      const first = /one-time password: (\S+)/.exec(add.stdout)![1]!;

      const reset = cli('users', 'reset-password', ...store, '--username', 'Zhang.Wei');
      expect(reset.stderr).toBe('');
      expect(reset.status).toBe(0);
      const fresh = /one-time password: (\S+)/.exec(reset.stdout)![1]!;
      expect(fresh).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}$/);
      expect(fresh).not.toBe(first);
      expect(passwordProblems(fresh, { username: 'zhang.wei' })).toEqual([]);
      expect(reset.stdout.match(/one-time password: /g)).toHaveLength(1);
      expect(reset.stdout).toMatch(/within 24 hours/);

      const running = await startApp({ storeUrl: db.storeUrl });
      try {
        relaxLoginLimits(running);
        const login = (password: string) =>
          fetch(`${running.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'zhang.wei', password }),
          }).then((r) => r.status);
        expect(await login(first)).toBe(401); // replaced
        const s = await loginAs(running, 'zhang.wei', fresh);
        expect(await login(fresh)).toBe(401); // used once
        await changePassword(running, s, fresh, 'Ye-County-2023!');
        const created = await fetch(`${running.url}/api/v1/users`, {
          method: 'POST',
          headers: { ...s.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'fgw-reporter', name: '发改委填报员', unitId: 'fgw', roles: ['reporter'] }),
        });
        expect(created.status).toBe(201);
        // The record: the reset, from the command line, with why.
        const events = await running.app.get(Engine).store.readStream(`user-${s.userId}`);
        const byCli = events.filter((e) => e.type === 'PasswordSet' && e.data.by === 'cli');
        expect(byCli).toHaveLength(2);
        expect(byCli[1]!.metadata).toMatchObject({ actor: { userId: 'cli', role: 'admin' }, reason: expect.stringMatching(/locked out/) });
      } finally {
        await running.close();
      }

      const notAdmin = cli('users', 'reset-password', ...store, '--username', 'fgw-reporter');
      expect(notAdmin.status).toBe(1);
      expect(notAdmin.stderr).toMatch(/fgw-reporter is not an administrator/);
      expect(notAdmin.stdout).not.toMatch(/one-time password/);
      const unknown = cli('users', 'reset-password', ...store, '--username', 'nobody');
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toMatch(/no user nobody/);
    } finally {
      await db.drop();
    }
  });
});
