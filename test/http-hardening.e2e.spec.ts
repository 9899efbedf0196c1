import { ManualClock } from '../libs/engine/clock.js';
import { Engine } from '../libs/engine/nest/engine.js';
import { readEverything } from '../libs/engine/testing/fixtures.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const report = `/plans/${planId}/reporting/reports/sthjj/2023-06`;
const METRICS_TOKEN = 'scrape-me-9b1c4f';

/** Issue 13: no input makes a 5xx, and the HTTP hardening. One store: this is the HTTP layer. */
describe('the HTTP pipeline (SQLite)', () => {
  let running: RunningApp;
  let admin: TestSession;
  let office: TestSession;
  let reporter: TestSession;
  let auditor: TestSession;

  beforeAll(async () => {
    running = await startAppOn(STORE_TARGETS[0]!, { clock: new ManualClock('2023-06-20T01:00:00.000Z'), env: { JIXIAO_METRICS_TOKEN: METRICS_TOKEN } });
    relaxLoginLimits(running);
    admin = await bootstrapAdmin(running);
    office = await createUserViaApi(running, admin, { username: 'office-zhang', roles: ['office'] });
    reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', roles: ['reporter'], unitId: 'sthjj' });
    auditor = await createUserViaApi(running, admin, { username: 'auditor-wu', roles: ['auditor'] });
    const opened = await fetch(`${running.url}/api/v1/plans/${planId}/reporting/periods/2023-06/open`, { method: 'POST', headers: office.headers });
    expect(opened.status).toBe(200);
  });
  afterAll(async () => {
    await running.close();
  });

  const eventCount = async () => (await readEverything(running.app.get(Engine).store)).length;
  const get = (path: string, who?: TestSession, headers: Record<string, string> = {}) => fetch(`${running.url}/api/v1${path}`, { headers: { ...who?.headers, ...headers } });
  async function problemOf(res: Response) {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return (await res.json()) as { code: string; status: number; detail: string };
  }

  describe('no input makes a 5xx', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

    it('a body of 20,000 nested arrays is a 400, with or without a session', async () => {
      const before = await eventCount();
      const login = await fetch(`${running.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: nested(20_000) });
      expect(login.status).toBe(400);
      expect((await problemOf(login)).code).toBe('nesting-too-deep');
      const wrapped = `{"lines":${nested(20_000)}}`;
      const draft = await fetch(`${running.url}/api/v1${report}/draft`, { method: 'PUT', headers: { ...reporter.headers, 'content-type': 'application/json' }, body: wrapped });
      expect(draft.status).toBe(400);
      expect((await problemOf(draft)).code).toBe('nesting-too-deep');
      expect(await eventCount()).toBe(before);
    });

    it('"consequences": null on a reward line amend is a 400', async () => {
      const res = await fetch(`${running.url}/api/v1/plans/${planId}/rewards/2023/lines/any-line/amend`, {
        method: 'POST',
        headers: { ...office.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ consequences: null, reason: '调整' }),
      });
      expect(res.status).toBe(400);
      expect((await problemOf(res)).code).toBe('validation-failed');
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('the audit view "%s" is a 404, not a lookup through Object.prototype', async (view) => {
      const res = await get(`/plans/${planId}/audit/views/${view}?asOf=2023-07-01T00:00:00Z`, auditor);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe('unknown-view');
    });

    it('?minPosition= that the store never issued is a 400 at once; one it did is read', async () => {
      const started = Date.now();
      for (const position of ['999999999', '1:1', 'abc', '-1']) {
        const res = await get(`${report}?minPosition=${encodeURIComponent(position)}`, reporter, { 'accept-language': 'en' });
        expect(res.status).toBe(400);
        const body = await problemOf(res);
        expect(body.code).toBe('invalid-position');
        expect(body.detail).toContain('not a position');
      }
      const board = await get(`/plans/${planId}/reporting/compliance?minPosition=999999999`, office);
      expect(board.status).toBe(400);
      expect((await problemOf(board)).detail).toContain('不是本系统给出的位置'); // zh-CN by default
      expect(Date.now() - started).toBeLessThan(3_000);
      const head = (await running.app.get(Engine).store.headPosition())!;
      expect((await get(`${report}?minPosition=${head}`, reporter)).status).toBe(200);
    });
  });

  describe('HTTP hardening', () => {
    it('sends CSP, frame-ancestors, X-Frame-Options, nosniff and HSTS, and no X-Powered-By', async () => {
      for (const res of [await get('/health'), await get('/auth/me', reporter), await fetch(`${running.url}/api/docs`)]) {
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).not.toMatch(/script-src[^;]*unsafe/);
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
        expect(res.headers.get('x-powered-by')).toBeNull();
      }
    });

    it('compresses answers and the UI’s assets: brotli when the client takes it, else gzip; small answers as they are', async () => {
      const annex2 = `/plans/${planId}/annex2/2023-06`;
      const br = await get(annex2, auditor, { 'accept-encoding': 'br' });
      expect(br.status).toBe(200);
      expect(br.headers.get('content-encoding')).toBe('br');
      const gz = await get(annex2, auditor, { 'accept-encoding': 'gzip' });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      // The same document either way (fetch decodes both).
      expect(await br.json()).toEqual(await gz.json());
      const plain = await get(annex2, auditor, { 'accept-encoding': 'identity' });
      expect(plain.headers.get('content-encoding')).toBeNull();
      // Under a kilobyte: not worth compressing.
      const small = await get(annex2, undefined, { 'accept-encoding': 'br, gzip' });
      expect(small.status).toBe(401);
      expect((await small.clone().text()).length).toBeLessThan(1024);
      expect(small.headers.get('content-encoding')).toBeNull();
    });

    it('marks every authenticated answer Cache-Control: no-store', async () => {
      for (const path of ['/auth/me', `${report}`, `/plans/${planId}/reporting/compliance`, '/plans']) {
        const res = await get(path, path === '/plans' ? office : reporter);
        expect(res.status).toBeLessThan(300);
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      const refused = await get('/users', reporter);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('cache-control')).toBe('no-store');
    });

    it('refuses a cookie-only submit from another site, and a command that is not JSON', async () => {
      const before = await eventCount();
      const cookie = { cookie: reporter.cookie };
      const forged = await fetch(`${running.url}/api/v1${report}/submit`, {
        method: 'POST',
        headers: { ...cookie, 'content-type': 'text/plain', origin: 'https://evil.example' },
        body: '',
      });
      expect(forged.status).toBe(403);
      expect((await problemOf(forged)).code).toBe('cross-site-request');
      const fetchSite = await fetch(`${running.url}/api/v1${report}/submit`, { method: 'POST', headers: { ...cookie, 'sec-fetch-site': 'cross-site' } });
      expect(fetchSite.status).toBe(403);
      const nullOrigin = await fetch(`${running.url}/api/v1${report}/submit`, { method: 'POST', headers: { ...cookie, origin: 'null' } });
      expect(nullOrigin.status).toBe(403);
      // Same origin, but not JSON: 415 — a form or text/plain body is what a cross-site form could send.
      const text = await fetch(`${running.url}/api/v1${report}/submit`, { method: 'POST', headers: { ...cookie, 'content-type': 'text/plain', origin: running.url }, body: 'x' });
      expect(text.status).toBe(415);
      expect((await problemOf(text)).code).toBe('unsupported-media-type');
      const form = await fetch(`${running.url}/api/v1${report}/draft`, {
        method: 'PUT',
        headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'lines=1',
      });
      expect(form.status).toBe(415);
      const multipart = new FormData();
      multipart.set('lines', '[]');
      expect((await fetch(`${running.url}/api/v1${report}/draft`, { method: 'PUT', headers: cookie, body: multipart })).status).toBe(415);
      const login = await fetch(`${running.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ username: 'admin', password: admin.token }),
      });
      expect(login.status).toBe(403);
      expect(await eventCount()).toBe(before);
      // The same request from our own page (same origin, JSON) goes through.
      const own = await fetch(`${running.url}/api/v1${report}/draft`, {
        method: 'PUT',
        headers: { ...cookie, 'content-type': 'application/json', origin: running.url, 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify({ lines: [{ indicatorNo: 27, value: 78.5, rank: 2, problems: '无', nextSteps: '保持' }] }),
      });
      expect(own.status).toBe(200);
    });

    it('answers /api/v1/metrics only with the metrics token', async () => {
      const none = await get('/metrics');
      expect(none.status).toBe(401);
      expect((await problemOf(none)).code).toBe('metrics-token-required');
      expect((await get('/metrics', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await get('/metrics', office)).status).toBe(401); // a session is not the token
      const scraped = await get('/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('jixiao_projection_lag_events');
    });

    it('shows a reporter only its own unit’s rows of the compliance and supervision boards', async () => {
      const mine = (await (await get(`/plans/${planId}/reporting/compliance`, reporter)).json()) as { units: { unitId: string }[] };
      expect(mine.units.map((u) => u.unitId)).toEqual(['sthjj']);
      const all = (await (await get(`/plans/${planId}/reporting/compliance`, office)).json()) as { units: { unitId: string }[] };
      expect(all.units.length).toBeGreaterThan(10);
      // A unit's reporter reads the board of its own unit only (with cases: assessment-supervision.e2e.spec.ts); none here yet.
      const board = (await (await get(`/plans/${planId}/supervision/board?status=all`, reporter)).json()) as { items: { unitId: string }[]; next: string | null };
      expect(board).toMatchObject({ items: [], next: null });
      expect((await get(`/plans/${planId}/supervision/board?unitId=fgw`, reporter)).status).toBe(403);
    });
  });
});
