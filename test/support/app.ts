import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { ManualClock, type Clock } from '../../libs/engine/clock.js';
import type { Principal } from '../../libs/engine/commands/command.js';
import type { CommandResult } from '../../libs/engine/commands/command-executor.js';
import { Engine } from '../../libs/engine/nest/engine.js';
import { readConfig } from '../../libs/engine/config.js';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/setup.js';
import { createPostgresDatabase, createSqliteDirectory } from '../../libs/engine/testing/databases.js';
import { Accounts } from '../../libs/workflows/accounts/accounts.service.js';
import { ACCOUNTS_SETTINGS, type AccountsSettings } from '../../libs/workflows/accounts/accounts.settings.js';

export interface RunningApp {
  app: INestApplication;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  storeUrl: string;
  close(): Promise<void>;
}

/** The API exactly as main.ts builds it, on a port of its own, over a store of its own. */
export async function startApp(options: { storeUrl: string; clock?: Clock; env?: NodeJS.ProcessEnv }): Promise<RunningApp> {
  const config = readConfig({ ...options.env, EVENT_STORE_URL: options.storeUrl, PORT: '0' });
  const app = await NestFactory.create(AppModule.forRoot({ config, ...(options.clock ? { clock: options.clock } : {}) }), { logger: ['error'] });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, storeUrl: options.storeUrl, close: () => app.close() };
}

/** The API on a fresh database of the target; close() stops it and drops the database. */
export async function startAppOn(target: StoreTarget, options: { clock?: Clock; env?: NodeJS.ProcessEnv } = {}): Promise<RunningApp> {
  const db = await target.create();
  const running = await startApp({ storeUrl: db.storeUrl, ...options });
  return {
    ...running,
    async close() {
      await running.close();
      await db.drop();
    },
  };
}

export interface StoreTarget {
  name: string;
  create(): Promise<{ storeUrl: string; drop(): Promise<void> }>;
}

/** Every end-to-end flow runs on both SQL stores. */
export const STORE_TARGETS: StoreTarget[] = [
  {
    name: 'SQLite',
    async create() {
      const dir = createSqliteDirectory('e2e');
      return { storeUrl: dir.url(), drop: async () => dir.drop() };
    },
  },
  {
    name: 'PostgreSQL',
    async create() {
      const db = await createPostgresDatabase('e2e');
      return { storeUrl: db.url, drop: () => db.drop() };
    },
  },
];

// Sessions for end-to-end tests (accounts, issue 5). Every endpoint but @Public() ones needs one.

/** What a signed-in client sends: the browser's cookie, or the bearer token an API client uses. */
export interface TestSession {
  userId: string;
  username: string;
  token: string;
  /** `jx_session=<token>`, for a Cookie header. */
  cookie: string;
  /** `{ Authorization: 'Bearer <token>' }`, to spread into fetch headers. */
  headers: Record<string, string>;
}

/** The running app's accounts settings (sign-in limits, session clock), live: change them in a test. */
/**
 * Follows a creation's Location with GET (issue 14), as the creator: read-your-writes through the
 * answer's X-Position. Answers the status and the body.
 */
export async function followLocation(
  running: RunningApp,
  created: { status: number; headers: Headers },
  session: TestSession,
  position = created.headers.get('x-position'),
): Promise<{ status: number; body: any }> {
  const location = created.headers.get('location');
  if (!location) throw new Error(`the answer (${created.status}) has no Location`);
  const url = `${running.url}${location}${position ? `${location.includes('?') ? '&' : '?'}minPosition=${position}` : ''}`;
  const res = await fetch(url, { headers: session.headers });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: type.includes('json') ? await res.json() : await res.arrayBuffer() };
}

export function accountsSettings(running: RunningApp): AccountsSettings {
  return running.app.get<symbol, AccountsSettings>(ACCOUNTS_SETTINGS);
}

/** Lifts the sign-in limits, for suites that sign in many times from 127.0.0.1 within a minute. */
export function relaxLoginLimits(running: RunningApp): void {
  Object.assign(accountsSettings(running), { loginAttemptsPerAddress: 10_000, loginFailuresPerAccount: 10_000 });
}

/** Signs in over HTTP; fails the test unless it succeeds. */
export async function loginAs(running: RunningApp, username: string, password: string): Promise<TestSession> {
  const res = await fetch(`${running.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { token?: string; user?: { userId: string; username: string } };
  if (res.status !== 200 || !body.token || !body.user) throw new Error(`sign-in as ${username} answered ${res.status}: ${JSON.stringify(body)}`);
  return sessionOf(body.token, body.user);
}

/** Replaces the signed-in user's password (after a one-time password); the session goes on. */
export async function changePassword(running: RunningApp, session: TestSession, current: string, next: string): Promise<void> {
  const res = await fetch(`${running.url}/api/v1/auth/password`, {
    method: 'POST',
    headers: { ...session.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ current, next }),
  });
  if (res.status !== 200) throw new Error(`password change for ${session.username} answered ${res.status}: ${await res.text()}`);
}

/**
 * A password that obeys the rules (8+ characters of three kinds, not containing the username, not
 * a common one) and is different every time.
 */
export function testPassword(): string {
  return `Jx-${randomBytes(4).toString('hex')}-Pw9`;
}

/**
 * The first administrator, as `npm run cli -- users add` creates it, signed in with its password
 * already changed from the one-time one. Once per app (the bootstrap is refused once users exist).
 */
export async function bootstrapAdmin(running: RunningApp, options: { username?: string; name?: string; password?: string } = {}): Promise<TestSession & { password: string }> {
  const username = options.username ?? 'admin';
  const password = options.password ?? testPassword();
  const created = await running.app.get(Accounts).bootstrapAdmin({ username, name: options.name ?? '系统管理员', roles: ['admin'] });
  const session = await loginAs(running, username, created.oneTimePassword);
  await changePassword(running, session, created.oneTimePassword, password);
  return { ...session, password };
}

/**
 * An administrator creates a user over the API; the user signs in with the one-time password and
 * sets `password` (default: a fresh testPassword()). Returns the user's live session.
 */
export async function createUserViaApi(
  running: RunningApp,
  admin: TestSession,
  user: { username: string; name?: string; roles: string[]; unitId?: string; password?: string },
): Promise<TestSession & { password: string }> {
  const res = await fetch(`${running.url}/api/v1/users`, {
    method: 'POST',
    headers: { ...admin.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, name: user.name ?? user.username, roles: user.roles, ...(user.unitId ? { unitId: user.unitId } : {}) }),
  });
  const body = (await res.json()) as { oneTimePassword?: string };
  if (res.status !== 201 || !body.oneTimePassword) throw new Error(`creating ${user.username} answered ${res.status}: ${JSON.stringify(body)}`);
  const password = user.password ?? testPassword();
  const session = await loginAs(running, user.username, body.oneTimePassword);
  await changePassword(running, session, body.oneTimePassword, password);
  return { ...session, password };
}

function sessionOf(token: string, user: { userId: string; username: string }): TestSession {
  return { userId: user.userId, username: user.username, token, cookie: `jx_session=${token}`, headers: { authorization: `Bearer ${token}` } };
}

// The application without HTTP, for workflows' integration tests (libs/workflows/*/*.int.spec.ts).

export interface AppContext {
  app: INestApplicationContext;
  storeUrl: string;
  engine: Engine;
  /** The injected clock; a test moves it. */
  clock: ManualClock;
  /** A command as the HTTP layer would send it, with a fresh command id and the clock's time. */
  run(actor: Principal, type: string, data: object, reason?: string): Promise<CommandResult>;
  close(): Promise<void>;
}

/** The application exactly as the API builds it (projections and timers running), minus HTTP, on a store of its own. */
export async function startAppContext(target: StoreTarget, start: string): Promise<AppContext> {
  const db = await target.create();
  const clock = new ManualClock(start);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: readConfig({ EVENT_STORE_URL: db.storeUrl }), clock }), { logger: ['error'] });
  await app.init();
  const engine = app.get(Engine);
  let n = 0;
  return {
    app,
    storeUrl: db.storeUrl,
    engine,
    clock,
    run: (actor, type, data, reason) =>
      engine.execute({
        type,
        data,
        meta: { commandId: `c-${++n}-${Math.random().toString(36).slice(2, 8)}`, actor, now: clock.now().toISOString(), ...(reason ? { reason } : {}) },
      }),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
