import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../../libs/engine/clock.js';
import { createSqliteDirectory } from '../../../libs/engine/testing/databases.js';
import { webDistDir } from '../../../apps/api/src/web/web-ui.module.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, startApp, type RunningApp, type TestSession } from '../../support/app.js';

/**
 * Browser journeys: the real app (API and the built UI it serves) on a SQLite store of its own,
 * with a ManualClock, driven by Debian's Chromium through playwright-core. One store is enough
 * here; the HTTP end-to-end tests cover both.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');
export const PLAN = 'ye-county-2023';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests drive Debian's Chromium (apt-get install -y chromium; .ci/run installs it), or set CHROMIUM_PATH`);
  }
  if (!existsSync(join(webDistDir(), 'index.html'))) {
    throw new Error(`the web UI is not built (${webDistDir()}): run npm run build first (npm test does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface WebUser extends TestSession {
  password: string;
  name: string;
}

export class WebWorld {
  running!: RunningApp;
  browser!: Browser;
  admin!: WebUser;
  readonly clock: ManualClock;
  #drop!: () => void;
  readonly #contexts: BrowserContext[] = [];
  readonly errors: string[] = [];

  constructor(start: string) {
    this.clock = new ManualClock(start);
  }

  async start(): Promise<this> {
    this.browser = await launchChromium();
    const dir = createSqliteDirectory('web');
    this.#drop = () => dir.drop();
    this.running = await startApp({ storeUrl: dir.url(), clock: this.clock });
    relaxLoginLimits(this.running);
    this.admin = { ...(await bootstrapAdmin(this.running)), name: '系统管理员' };
    mkdirSync(SCREENSHOTS, { recursive: true });
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.#contexts) await c.close().catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    await this.running?.close();
    this.#drop?.();
  }

  async user(username: string, roles: string[], name: string, unitId?: string): Promise<WebUser> {
    const session = await createUserViaApi(this.running, this.admin, { username, name, roles, ...(unitId ? { unitId } : {}) });
    return { ...session, name };
  }

  /** A page signed in as `user` by its session cookie (the sign-in form has its own journey). */
  async pageAs(user: TestSession | null, options: { width?: number; height?: number; mobile?: boolean; language?: 'zh-CN' | 'en-US' } = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: options.width ?? 1366, height: options.height ?? 900 },
      ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      locale: options.language ?? 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    this.#contexts.push(context);
    if (user) await context.addCookies([{ name: 'jx_session', value: user.token, url: `${this.running.url}/api` }]);
    if (options.language) await context.addInitScript({ content: `localStorage.setItem('jixiao.language', ${JSON.stringify(options.language)})` });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // A 4xx from the API is logged by the browser as a failed resource; journeys assert on those answers themselves.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) this.errors.push(`console: ${m.text()}`);
    });
    return page;
  }

  url(path: string): string {
    return `${this.running.url}${path}`;
  }

  /** Calls the API as `user` (setting up what a journey starts from). */
  async api<T = unknown>(user: TestSession, method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.running.url}/api/v1${path}`, {
      method,
      headers: { ...user.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export async function screenshot(page: Page, journey: string): Promise<string> {
  const path = join(SCREENSHOTS, `${journey}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
