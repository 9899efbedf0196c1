import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../../libs/engine/clock.js';
import { createSqliteDirectory } from '../../../libs/engine/testing/databases.js';
import { webDistDir } from '../../../apps/api/src/web/web-ui.module.js';
import type { DemoOutcome } from '../../../libs/workflows/demo/demo-year.js';
import { demoStore } from '../../support/demo-store.js';
import { bootstrapAdmin, changePassword, createUserViaApi, loginAs, relaxLoginLimits, startApp, testPassword, type RunningApp, type TestSession } from '../../support/app.js';
import { AxeLedger } from './axe.js';

/**
 * Browser journeys: the real app (API and the built UI it serves) on a SQLite store of its own,
 * with a ManualClock, driven by Debian's Chromium through playwright-core. One store is enough
 * here; the HTTP end-to-end tests cover both.
 *
 * The browser is Debian's old headless shell (package chromium-headless-shell, the same Blink as chromium): what
 * Playwright itself runs for headless tests. The full browser's headless mode spent a third more
 * CPU on the accessibility walk (132 against 99 CPU-seconds, counted in a cgroup), most of it
 * starting each page's renderer — and the browser suites are over half of `npm test`'s CPU on two
 * cores. Without the shell, Debian's chromium.
 */
const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium');
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');
export const PLAN = 'ye-county-2023';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests drive Debian's Chromium (apt-get install -y chromium-headless-shell chromium; .ci/run installs them), or set CHROMIUM_PATH`,
    );
  }
  if (!existsSync(join(webDistDir(), 'index.html'))) {
    throw new Error(`the web UI is not built (${webDistDir()}): run npm run build first (npm test does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
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
  /** Playwright's wait for each step; the demo-year survey waits longer on a loaded machine. */
  timeout = 30_000;
  /** axe-core on every page state the journey visits (support/axe.ts). */
  readonly axe: AxeLedger;
  /** The demo year's outcome (its users' one-time passwords), when started with { demo: true }. */
  demo?: DemoOutcome;

  constructor(start: string, journey = 'browser journey') {
    this.clock = new ManualClock(start);
    this.axe = new AxeLedger(journey);
  }

  /** `demo`: play the synthetic demo year first, as `npm start` does on a first start, the clock left at its end. */
  async start(options: { demo?: boolean } = {}): Promise<this> {
    this.browser = await launchChromium();
    // The demo year is played once per test run and copied (test/support/demo-store.ts).
    const dir = options.demo ? await demoStore('open') : createSqliteDirectory('web');
    this.#drop = () => dir.drop();
    const storeUrl = typeof dir.url === 'string' ? dir.url : dir.url();
    if ('outcome' in dir) {
      this.demo = dir.outcome;
      this.clock.set(dir.outcome.simulated.to);
    }
    this.running = await startApp({ storeUrl, clock: this.clock });
    relaxLoginLimits(this.running);
    if (!options.demo) this.admin = { ...(await bootstrapAdmin(this.running)), name: '系统管理员' };
    mkdirSync(SCREENSHOTS, { recursive: true });
    return this;
  }

  /** A demo user signed in, the one-time password replaced (`keepOneTime`: not replaced, so the app asks for a new one). */
  async demoUser(username: string, options: { keepOneTime?: boolean } = {}): Promise<WebUser> {
    const u = this.demo?.createdUsers.find((x) => x.username === username);
    if (!u) throw new Error(`no demo user ${username}`);
    const session = await loginAs(this.running, username, u.password);
    // A password the 等保 rules accept (not containing the username; three kinds of character).
    const password = options.keepOneTime ? u.password : testPassword();
    if (!options.keepOneTime) await changePassword(this.running, session, u.password, password);
    return { ...session, password, name: u.name };
  }

  async stop(): Promise<void> {
    this.axe.print();
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
    page.setDefaultTimeout(this.timeout);
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // A 4xx from the API is logged by the browser as a failed resource; journeys assert on those answers themselves.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) this.errors.push(`console: ${m.text()}`);
    });
    return page;
  }

  /** A page state the journey reached: screenshot it and run axe-core on it (asserted by expectAccessible). */
  async state(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    await this.axe.check(page, name);
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

/**
 * Full-page screenshots of the journeys' states are for a person to look at, and nothing asserts on
 * them: taken when asked (JIXIAO_SCREENSHOTS=1 npm test), not on every run — each one re-renders the
 * whole page in Chromium, on the two cores every browser suite shares.
 */
const SCREENSHOTS_WANTED = process.env.JIXIAO_SCREENSHOTS === '1';

export async function screenshot(page: Page, journey: string): Promise<string> {
  const path = join(SCREENSHOTS, `${journey}.png`);
  if (SCREENSHOTS_WANTED) await page.screenshot({ path, fullPage: true });
  return path;
}

/** A browser expression: is the element with this test id, or one inside it, focused? (A string: this file is compiled without the DOM's types.) */
interface PageElement {
  getAttribute(name: string): string | null;
  closest(selector: string): unknown;
}

export function focusIs(testId: string): boolean {
  // Runs in the page (passed as a function, not a string: the API's CSP forbids eval).
  // The server's tsconfig has no DOM library: reach the page's document through globalThis.
  const doc = (globalThis as unknown as { document: { activeElement: PageElement | null; body: unknown } }).document;
  const a = doc.activeElement;
  return !!a && a !== doc.body && (a.getAttribute('data-testid') === testId || !!a.closest(`[data-testid="${testId}"]`));
}

/** Waits until the element with this test id (or one inside it) has the focus. */
export async function waitForFocus(page: Page, testId: string): Promise<void> {
  await page.waitForFunction(focusIs, testId, { timeout: 10_000 });
}

/**
 * Keyboard only: Tab (or Shift+Tab) until the element with this test id, or one inside it, has the
 * focus; fails if it is not reached in `max` presses. Returns the number of presses.
 */
export async function tabTo(page: Page, testId: string, options: { max?: number; back?: boolean } = {}): Promise<number> {
  const max = options.max ?? 400;
  for (let i = 0; i <= max; i++) {
    if (await page.evaluate(focusIs, testId)) return i;
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${testId} was not reached by ${max} presses of ${options.back ? 'Shift+Tab' : 'Tab'}`);
}

/** The test id of the focused element (or its nearest ancestor with one). */
export async function focusedTestId(page: Page): Promise<string | null> {
  return (await page.evaluate(
    `(() => { const a = document.activeElement && document.activeElement.closest('[data-testid]'); return a ? a.getAttribute('data-testid') : null; })()`,
  )) as string | null;
}
