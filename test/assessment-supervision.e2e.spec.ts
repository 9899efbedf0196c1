import { ManualClock } from '../libs/engine/clock.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const Q3 = '2023-Q3';
const COUNTIES = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];
const figures = (ours: number, others: number[]) => COUNTIES.map((countyId, i) => ({ countyId, value: i === 0 ? ours : others[i - 1]! }));

describe.each(STORE_TARGETS)('the quarterly assessment and supervision over HTTP on $name', (target) => {
  let running: RunningApp;
  let clock: ManualClock;
  let office: TestSession;
  let supervisor: TestSession;
  let sthjjHead: TestSession;
  let fgwReporter: TestSession;
  let leader: TestSession;

  beforeAll(async () => {
    clock = new ManualClock('2023-10-09T02:00:00.000Z');
    running = await startAppOn(target, { clock });
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    supervisor = await createUserViaApi(running, admin, { username: 'dcj-zhao', name: '督查局 赵', roles: ['supervisor'] });
    sthjjHead = await createUserViaApi(running, admin, { username: 'sthjj-head', name: '王局长', roles: ['head'], unitId: 'sthjj' });
    fgwReporter = await createUserViaApi(running, admin, { username: 'fgw-reporter', name: '发改委 李', roles: ['reporter'], unitId: 'fgw' });
    leader = await createUserViaApi(running, admin, { username: 'county-head', name: '县长', roles: ['leader'] });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, session: TestSession, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...session.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
  }
  const ok = async (p: Promise<{ status: number; body: any; headers: Headers }>, status = 200) => {
    const r = await p;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  };
  /** The reactor opens cases just after the publication it reacts to: poll the board until they are there. */
  async function boardWhen(session: TestSession, query: string, done: (cases: any[]) => boolean) {
    for (let i = 0; ; i++) {
      const r = await ok(api('GET', `/plans/${planId}/supervision/board${query}`, session));
      if (done(r.body.items) || i > 100) return r.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('prepares, records the meeting and publishes Q3; red warnings open cases the units answer and the bureau closes, all over HTTP', async () => {
    await ok(
      api('POST', `/plans/${planId}/ranking/scoring-rules`, office, {
        coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })),
        missingRankCoefficient: 0,
        note: '试行',
      }),
      201,
    );
    await ok(api('POST', `/plans/${planId}/ranking/figures`, office, { indicatorNo: 28, period: Q3, figures: figures(47, [35, 38, 40, 42, 45]) }), 201);
    await ok(api('POST', `/plans/${planId}/ranking/figures`, office, { indicatorNo: 15, period: Q3, figures: figures(1, [9, 8, 7, 6, 0]) }), 201);

    // Only the office prepares; it may prepare again until publishing.
    const denied = await api('POST', `/plans/${planId}/assessment/quarters/${Q3}/prepare`, fgwReporter, {});
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    const prepared = await ok(api('POST', `/plans/${planId}/assessment/quarters/${Q3}/prepare`, office, {}));
    expect(prepared.headers.get('etag')).toBe('"0"');
    expect(prepared.body.events[0].data.snapshot.counts).toMatchObject({ red: 2, missing: 47 });
    expect((await api('POST', `/plans/${planId}/assessment/quarters/2023-Q9/prepare`, office, {})).status).toBe(400);

    // The meeting: a bad record names its fields and writes nothing.
    const bad = await api('PUT', `/plans/${planId}/assessment/quarters/${Q3}/meeting`, office, {
      date: '2023-10-08',
      attendees: [],
      conclusions: '',
      nextSteps: '扬尘治理',
      suggestions: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['attendees', 'conclusions']));
    await ok(
      api('PUT', `/plans/${planId}/assessment/quarters/${Q3}/meeting`, office, {
        date: '2023-10-08',
        attendees: ['文晓凡', '胡炜哲'],
        conclusions: 'PM2.5 与战略性新兴产业排名靠后',
        nextSteps: '督查跟进',
        suggestions: '加强调度',
      }),
    );
    const published = await ok(api('POST', `/plans/${planId}/assessment/quarters/${Q3}/publish`, office));
    const position = published.headers.get('x-position')!;
    expect(position).toBeTruthy();

    // As presented at the meeting; the quarter's page; the notifications of a unit and of the leaders.
    const presented = await ok(api('GET', `/plans/${planId}/assessment/quarters/${Q3}/published?minPosition=${position}`, leader));
    expect(presented.body.snapshot.rows.find((r: any) => r.indicatorNo === 28)).toMatchObject({ value: 47, rank: 6, warning: 'red' });
    expect(presented.body.notified).toHaveLength(32);
    const page = await ok(api('GET', `/plans/${planId}/assessment/quarters/${Q3}?minPosition=${position}`, office));
    expect(page.body).toMatchObject({ status: 'published', meeting: { attendees: ['文晓凡', '胡炜哲'], heardLatestPreparation: true } });
    expect(page.body.steps.map((s: any) => s.type)).toEqual(['QuarterPrepared', 'MeetingRecorded', 'QuarterPublished']);
    const mine = await ok(api('GET', `/plans/${planId}/assessment/units/sthjj/notifications?minPosition=${position}`, sthjjHead));
    expect(mine.body).toMatchObject({ planId, unitId: 'sthjj', next: null });
    expect(mine.body.items.map((x: any) => [x.quarter, x.rows.find((r: any) => r.indicatorNo === 28).warning])).toEqual([[Q3, 'red']]);
    expect((await api('GET', `/plans/${planId}/assessment/units/sthjj/notifications`, fgwReporter)).status).toBe(403);
    // "县委县政府督查局要及时对各责任单位指标完成情况开展督查，特别要紧盯红色预警单位工作开展情况": every leader named in the plan file is sent every row, not only the red ones (issue 12).
    const toLeaders = (await ok(api('GET', `/plans/${planId}/assessment/leaders/notifications`, leader))).body.items;
    expect(toLeaders).toHaveLength(11);
    // One list shape (issue 14): a page of them, and the next from its cursor, without overlap.
    const firstFive = (await ok(api('GET', `/plans/${planId}/assessment/leaders/notifications?limit=5`, leader))).body;
    expect([firstFive.items, typeof firstFive.next]).toEqual([toLeaders.slice(0, 5), 'string']);
    const nextSix = (await ok(api('GET', `/plans/${planId}/assessment/leaders/notifications?limit=6&after=${firstFive.next}`, leader))).body;
    expect([nextSix.items, nextSix.next]).toEqual([toLeaders.slice(5), null]);
    expect(toLeaders[0].rows).toHaveLength(presented.body.snapshot.rows.length);
    expect((await api('POST', `/plans/${planId}/assessment/quarters/${Q3}/prepare`, office, { reason: '更正' })).body.code).toBe('quarter-published');

    // The cases: 生态环境局 for no. 28, and both 发改委 and 财政局 for no. 15.
    const board = await boardWhen(supervisor, '', (cases) => cases.length >= 3);
    expect(board.items.map((c: any) => `${c.unitId}/${c.indicatorNo}/${c.caseNo}:${c.step}`)).toEqual(['czj/15/1:acknowledge', 'fgw/15/1:acknowledge', 'sthjj/28/1:acknowledge']);
    expect(board.next).toBeNull();
    expect(board.items[0]).toMatchObject({ ageDays: 0, overdue: false, nextDeadline: { lastDay: '2023-10-12' }, warnings: [Q3] });

    // A unit sees its own cases only, and answers only its own.
    const own = await ok(api('GET', `/plans/${planId}/supervision/board`, sthjjHead));
    expect(own.body.items.map((c: any) => c.unitId)).toEqual(['sthjj']);
    expect((await api('GET', `/plans/${planId}/supervision/board?unitId=sthjj`, fgwReporter)).status).toBe(403);
    expect((await api('POST', `/plans/${planId}/supervision/cases/sthjj/28/1/acknowledge`, fgwReporter, {})).status).toBe(403);
    const acked = await ok(api('POST', `/plans/${planId}/supervision/cases/sthjj/28/1/acknowledge`, sthjjHead, { note: '分管副局长牵头' }));
    expect(acked.body.events[0]).toMatchObject({ type: 'CaseAcknowledged', data: { next: { step: 'plan', lastDay: '2023-10-23' } } });

    // A stale If-Match is refused; an escalation needs its reason.
    expect((await api('POST', `/plans/${planId}/supervision/cases/fgw/15/1/acknowledge`, fgwReporter, {}, { 'if-match': '"0"' })).status).toBe(412);
    expect((await api('POST', `/plans/${planId}/supervision/cases/fgw/15/1/escalations`, supervisor, { kind: 'public-notice' })).status).toBe(400);
    expect((await api('POST', `/plans/${planId}/supervision/cases/fgw/15/1/escalations`, supervisor, { kind: 'demotion', reason: '严重' })).status).toBe(400);
    await ok(api('POST', `/plans/${planId}/supervision/cases/fgw/15/1/escalations`, supervisor, { kind: 'public-notice', reason: '战略性新兴产业增速全市末位' }));
    expect((await api('POST', `/plans/${planId}/supervision/cases/fgw/15/1/escalations`, fgwReporter, { kind: 'public-notice', reason: '自我通报' })).status).toBe(403);

    // "Warning improved" is refused while Q3 is the latest and red.
    const still = await api('POST', `/plans/${planId}/supervision/cases/sthjj/28/1/close`, supervisor, { reason: 'warning-improved', text: '好转' });
    expect([still.status, still.body.code]).toEqual([409, 'warning-still-red']);

    // The city corrects our PM2.5 figure: Q3 as known now differs from Q3 as presented.
    clock.set('2023-10-19T03:00:00.000Z');
    const corrected = await ok(api('POST', `/plans/${planId}/ranking/figures/28/${Q3}/corrections`, office, { countyId: 'ye', value: 41, reason: '市生态环境局通报数据更正' }));
    expect(corrected.body.events.map((e: any) => e.type)).toContain('StandingChanged');
    const known = await ok(api('GET', `/plans/${planId}/assessment/quarters/${Q3}/known`, leader));
    expect(known.body.rows.find((r: any) => r.indicatorNo === 28)).toMatchObject({ value: 41, rank: 4, warning: 'yellow' });
    const asPresented = await ok(api('GET', `/plans/${planId}/assessment/quarters/${Q3}/published`, leader));
    expect(asPresented.body.snapshot.rows.find((r: any) => r.indicatorNo === 28)).toMatchObject({ value: 47, warning: 'red' });
    const diff = await ok(api('GET', `/plans/${planId}/assessment/quarters/${Q3}/diff`, leader));
    expect(diff.body.rows).toHaveLength(1);
    expect(diff.body.rows[0]).toMatchObject({ indicatorNo: 28, presented: { warning: 'red' }, now: { warning: 'yellow' } });
    expect(diff.body.rows[0].events.map((e: any) => [e.type, e.who.userId, e.reason])).toEqual([
      ['PeerFigureCorrected', office.userId, '市生态环境局通报数据更正'],
      ['StandingChanged', office.userId, '市生态环境局通报数据更正'],
    ]);
    const before = await ok(api('GET', `/plans/${planId}/assessment/quarters/${Q3}/known?asOf=2023-10-15T00:00:00Z`, leader));
    expect(before.body.rows.find((r: any) => r.indicatorNo === 28)).toMatchObject({ warning: 'red' });

    // The case closes as cleared by the correction; its page shows every step; the unit reads its own.
    const closed = await ok(api('POST', `/plans/${planId}/supervision/cases/sthjj/28/1/close`, supervisor, { reason: 'cleared-by-correction', text: '更正后为黄色预警' }));
    expect(closed.body.events[0]).toMatchObject({ type: 'CaseClosed', data: { evidence: { linked: [{ period: Q3, warning: 'yellow' }] } } });
    const reported = await ok(api('POST', `/plans/${planId}/supervision/cases/sthjj/28/1/leader-reports`, supervisor, { summary: 'PM2.5 红色预警因数据更正消除，已结案' }));
    const casePage = await ok(api('GET', `/plans/${planId}/supervision/cases/sthjj/28/1?minPosition=${reported.headers.get('x-position')}`, sthjjHead));
    expect(casePage.body).toMatchObject({
      status: 'closed',
      closure: { reason: 'cleared-by-correction', text: '更正后为黄色预警' },
      leaderReports: [{ summary: 'PM2.5 红色预警因数据更正消除，已结案' }],
    });
    expect(casePage.body.history.map((h: any) => h.type)).toEqual(['CaseOpened', 'CaseAcknowledged', 'CaseClosed', 'CaseReportedToLeaders']);
    expect((await api('GET', `/plans/${planId}/supervision/cases/sthjj/28/1`, fgwReporter)).status).toBe(403);
    expect((await api('GET', `/plans/${planId}/supervision/cases/sthjj/28/9`, supervisor)).status).toBe(404);
    // Also until czj's acknowledge deadline timer, due since the clock moved on, has fired and been applied.
    const after = await boardWhen(
      supervisor,
      '?status=all',
      (cases) => cases.some((c) => c.status === 'closed' && c.unitId === 'sthjj') && cases.some((c) => c.unitId === 'czj' && c.overdueSteps.length > 0),
    );
    expect(after.items.map((c: any) => `${c.unitId}:${c.status}:${c.closeReason}`)).toEqual(['czj:open:null', 'fgw:open:null', 'sthjj:closed:cleared-by-correction']);
    expect(after.items.find((c: any) => c.unitId === 'fgw').escalations).toEqual([expect.objectContaining({ kind: 'public-notice' })]);
    expect(after.items[0]).toMatchObject({ ageDays: 10, overdue: true, overdueSteps: ['acknowledge'] });
  });

  it('documents the endpoints in OpenAPI', async () => {
    const doc = (await (await fetch(`${running.url}/api/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/plans/{planId}/assessment/quarters/{quarter}/prepare',
        '/api/v1/plans/{planId}/assessment/quarters/{quarter}/meeting',
        '/api/v1/plans/{planId}/assessment/quarters/{quarter}/publish',
        '/api/v1/plans/{planId}/assessment/quarters/{quarter}/published',
        '/api/v1/plans/{planId}/assessment/quarters/{quarter}/known',
        '/api/v1/plans/{planId}/assessment/quarters/{quarter}/diff',
        '/api/v1/plans/{planId}/supervision/board',
        '/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/close',
      ]),
    );
  });
});
