import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const PLAN = 'ye-county-2023';

/**
 * Errors in the reader's language (issue 14): every problem has a stable code and its params; the
 * title and detail follow Accept-Language (zh-CN by default); and the reviewer's cases answer as
 * they should.
 */
describe('problems over HTTP (SQLite)', () => {
  let running: RunningApp;
  let office: TestSession;

  beforeAll(async () => {
    running = await startAppOn(STORE_TARGETS[0]!);
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    office = await createUserViaApi(running, admin, { username: 'office-li', name: '推进办 李', roles: ['office'] });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, options: { as?: TestSession; body?: unknown; raw?: string; type?: string; language?: string } = {}) {
    const headers: Record<string, string> = { ...(options.as?.headers ?? {}) };
    if (options.language) headers['accept-language'] = options.language;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.type) headers['content-type'] = options.type;
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : options.raw !== undefined ? { body: options.raw } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
  }

  /** Chinese text: at least one CJK character and no run of three English words. */
  const chinese = (s: string) => /[\u4e00-\u9fff]/.test(s) && !/[A-Za-z]+ [A-Za-z]+ [A-Za-z]+/.test(s);

  it('every problem carries a stable code and params, and its title and detail follow Accept-Language (zh-CN by default)', async () => {
    const zh = await api('GET', `/plans/${PLAN}/annex2/2023-03?asOf=yesterday`, { as: office });
    const en = await api('GET', `/plans/${PLAN}/annex2/2023-03?asOf=yesterday`, { as: office, language: 'en-US,en;q=0.9' });
    for (const r of [zh, en]) {
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ code: 'invalid-as-of', params: { field: 'asOf', value: 'yesterday' }, errors: [{ field: 'asOf', code: 'not-date-time' }] });
    }
    expect(zh.headers.get('content-language')).toBe('zh-CN');
    expect(chinese(zh.body.title) && chinese(zh.body.detail)).toBe(true);
    expect(zh.body.detail).toContain('yesterday');
    expect(en.headers.get('content-language')).toBe('en-US');
    expect(en.body).toMatchObject({ title: 'Invalid request', detail: expect.stringContaining('is not an ISO-8601 date-time') });

    const unauthenticated = await api('GET', `/plans/${PLAN}/annex2/2023-03`);
    expect(unauthenticated.body).toMatchObject({ status: 401, code: 'unauthenticated', params: {} });
    expect(chinese(unauthenticated.body.title) && chinese(unauthenticated.body.detail)).toBe(true);
  });

  it('a bad asOf, from or to is `invalid-as-of` naming its parameter, not `invalid-event`', async () => {
    for (const [path, field] of [
      [`/plans/${PLAN}/ranking/standings?period=2023-03&asOf=2023-13-45`, 'asOf'],
      [`/plans/${PLAN}/audit/diff/annex2?period=2023-03&from=soon`, 'from'],
      [`/plans/${PLAN}/audit/units/czj/timeline?from=early`, 'from'],
    ] as const) {
      const r = await api('GET', path, { as: office, language: 'en-US' });
      expect(`${path}: ${r.status} ${r.body.code} ${r.body.params?.field}`).toBe(`${path}: 400 invalid-as-of ${field}`);
    }
  });

  it('a read that is refused is not titled as a refused command', async () => {
    const r = await api('GET', `/plans/${PLAN}/reporting/reports/czj/2031-01`, { as: office, language: 'en-US' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.title).not.toBe('The command was refused');
    const zh = await api('GET', `/plans/${PLAN}/reporting/reports/czj/2031-01`, { as: office });
    expect(chinese(zh.body.title)).toBe(true);
  });

  it('a missing field is one `required` error, not one per constraint; field errors are worded in the reader’s language', async () => {
    const zh = await api('POST', '/users', { as: office, body: { name: '王五', roles: ['reporter'] } });
    expect(zh.status).toBe(400);
    expect(zh.body.code).toBe('validation-failed');
    expect(zh.body.errors).toEqual([{ field: 'username', message: '必填', code: 'required' }]);
    expect(chinese(zh.body.detail)).toBe(true);
    const en = await api('POST', '/users', { as: office, body: { name: '王五', roles: ['reporter'] }, language: 'en-US' });
    expect(en.body.errors).toEqual([{ field: 'username', message: 'required', code: 'required' }]);
    const tooLong = await api('POST', `/plans/${PLAN}/supervision/cases/czj/15/1/review`, { as: office, body: { decision: 'accept', comment: 'x'.repeat(9000) } });
    expect(tooLong.body.errors).toEqual([{ field: 'comment', message: '最多 8000 个字符', code: 'too-long', params: { limit: 8000 } }]);
  });

  it('supervision: requesting more without a comment names the field `comment`', async () => {
    const r = await api('POST', `/plans/${PLAN}/supervision/cases/czj/15/1/review`, { as: office, body: { decision: 'request-more' }, language: 'en-US' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'comment', message: 'required', code: 'required' }]);
    const blank = await api('POST', `/plans/${PLAN}/supervision/cases/czj/15/1/review`, { as: office, body: { decision: 'request-more', comment: '   ' }, language: 'en-US' });
    expect(blank.body.errors.map((e: { field: string }) => e.field)).toEqual(['comment']);
  });

  it('an unknown unit is a 404 with a code, not an empty list', async () => {
    for (const path of [
      `/plans/${PLAN}/reporting/units/no-such-unit/reports`,
      `/plans/${PLAN}/audit/units/no-such-unit/timeline`,
      `/plans/${PLAN}/assessment/units/no-such-unit/notifications`,
      `/plans/${PLAN}/supervision/board?unitId=no-such-unit`,
    ]) {
      const r = await api('GET', path, { as: office });
      expect(`${path}: ${r.status} ${r.body.code}`).toBe(`${path}: 404 unit-not-found`);
      expect(r.body.params).toMatchObject({ planId: PLAN, unitId: 'no-such-unit' });
      expect(chinese(r.body.detail)).toBe(true);
    }
    expect((await api('GET', `/plans/${PLAN}/reporting/units/czj/reports`, { as: office })).status).toBe(200);
  });

  it('a body that is not JSON is 415, on commands and on sign-in alike', async () => {
    for (const [path, as] of [
      [`/plans/${PLAN}/reporting/reports/czj/2023-03/submit`, office],
      [`/plans/${PLAN}/supervision/cases/czj/15/1/review`, office],
      ['/auth/login', undefined],
    ] as const) {
      const r = await api('POST', path, { ...(as ? { as } : {}), raw: 'decision=accept', type: 'text/plain' });
      expect(`${path}: ${r.status} ${r.body?.code}`).toBe(`${path}: 415 unsupported-media-type`);
    }
  });
});
