import createClient from 'openapi-fetch';
import type { components, paths } from '../apps/web/src/api/schema.js';
import { ManualClock } from '../libs/engine/clock.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

/**
 * Issue 14, done when: a client generated from the OpenAPI document (openapi-fetch over the
 * committed schema.d.ts, no hand-written type) performs the newcomer's four journeys against the
 * running app on SQLite — the monthly report, a correction, a supervision case to 结案, and the
 * auditor's reads. Every call is typed by its path, method, parameters and body; every answer is
 * read through the document's types.
 */
const planId = 'ye-county-2023';
const unitId = 'sthjj';
const period = '2023-06';
const Q3 = '2023-Q3';
const COUNTIES = ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'];
const figures = (ours: number, others: number[]) => COUNTIES.map((countyId, i) => ({ countyId, value: i === 0 ? ours : others[i - 1]!, rank: null }));

describe('a client generated from the document performs the four journeys (SQLite)', () => {
  let running: RunningApp;
  let clock: ManualClock;
  let client: ReturnType<typeof createClient<paths>>;
  const people: Record<'reporter' | 'head' | 'office' | 'supervisor' | 'auditor', TestSession> = {} as never;

  beforeAll(async () => {
    clock = new ManualClock('2023-07-01T01:00:00.000Z');
    running = await startAppOn(STORE_TARGETS[0]!, { clock });
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    people.reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', name: '生态环境局 李', roles: ['reporter'], unitId });
    people.head = await createUserViaApi(running, admin, { username: 'sthjj-head', name: '生态环境局 王局长', roles: ['head'], unitId });
    people.office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    people.supervisor = await createUserViaApi(running, admin, { username: 'dcj-zhao', name: '督查局 赵', roles: ['supervisor'] });
    people.auditor = await createUserViaApi(running, admin, { username: 'audit-qian', name: '审计局 钱', roles: ['auditor'] });
    client = createClient<paths>({ baseUrl: running.url });
  }, 60_000);
  afterAll(async () => {
    await running?.close();
  });

  /** Signed in as someone (the bearer token an API client sends). */
  const as = (who: keyof typeof people) => ({ headers: people[who].headers });
  /** The answer's data, or the test fails with the problem the server sent. */
  async function ok<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<{ data: D; response: Response }> {
    const r = await call;
    if (!r.response.ok) throw new Error(`${r.response.status} ${r.response.url}: ${JSON.stringify(r.error)}`);
    return { data: r.data as D, response: r.response };
  }
  const report = { path: { planId, unitId, period } };

  it('(a) a unit’s monthly report: drafted, submitted, signed by the head, received by the office', async () => {
    const opened = await ok(
      client.POST('/api/v1/plans/{planId}/reporting/periods/{period}/open', {
        params: { path: { planId, period }, header: { 'Idempotency-Key': 'open-2023-06-journey' } },
        ...as('office'),
      }),
    );
    expect(opened.data.opened).toContain(unitId);

    const template = await ok(client.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/template', { params: report, ...as('reporter') }));
    expect(template.data.indicators.map((i) => i.no)).toEqual([27, 28, 29]);
    expect(template.data.dueAt).toBe('2023-07-05T16:00:00.000Z');

    const before = await ok(
      client.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}', { params: { ...report, query: { minPosition: opened.data.position } }, ...as('reporter') }),
    );
    expect(before.data.status).toBe('open');
    const etag = before.response.headers.get('etag')!;
    expect(etag).toBe(`"${before.data.revision}"`);
    const lines = [
      { indicatorNo: 27, value: 78.5, rank: 2, problems: '无', nextSteps: '保持' },
      { indicatorNo: 28, value: 40.5, rank: 5, problems: '扬尘', nextSteps: '治理', analysis: '施工扬尘管控不到位', countermeasures: '开展扬尘专项整治' },
      { indicatorNo: 29, value: 92, rank: 1, problems: '无', nextSteps: '保持' },
    ];
    await ok(
      client.PUT('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/draft', { params: { ...report, header: { 'If-Match': etag } }, body: { lines }, ...as('reporter') }),
    );
    // The same stale If-Match again is refused as problem details the document declares.
    const stale = await client.PUT('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/draft', {
      params: { ...report, header: { 'If-Match': etag } },
      body: { lines },
      ...as('reporter'),
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ status: 412, code: 'precondition-failed' });

    clock.set('2023-07-04T02:00:00.000Z');
    const submitted = await ok(client.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/submit', { params: report, ...as('reporter') }));
    expect(submitted.data.events.map((e) => e.type)).toEqual(['ReportSubmitted']);
    // The head reads what was submitted and signs exactly that content.
    const toSign = await ok(
      client.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}', { params: { ...report, query: { minPosition: submitted.data.position } }, ...as('head') }),
    );
    expect(toSign.data.status).toBe('submitted');
    const contentHash = toSign.data.contentHash!;
    expect(contentHash).toMatch(/^[0-9a-f]{64}$/);
    const signed = await ok(client.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/sign', { params: report, body: { contentHash }, ...as('head') }));
    expect(signed.data.events.map((e) => e.type)).toContain('ReportSigned');
    const received = await ok(client.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/receive', { params: report, ...as('office') }));

    const view = await ok(
      client.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}', { params: { ...report, query: { minPosition: received.data.position } }, ...as('head') }),
    );
    expect(view.data).toMatchObject({
      status: 'received',
      submitted: { late: null, by: { userId: people.reporter.userId, role: 'reporter', name: '生态环境局 李' } },
      received: { by: { userId: people.office.userId, role: 'office', name: '推进办 张' } },
    });
    expect(view.data.lines.find((l) => l.indicatorNo === 28)?.value).toBe(40.5);
    expect(view.data.steps.map((s) => s.type)).toEqual(expect.arrayContaining(['ReportSubmitted', 'ReportSigned', 'ReportReceived']));
    const mine = await ok(client.GET('/api/v1/plans/{planId}/reporting/units/{unitId}/reports', { params: { path: { planId, unitId } }, ...as('reporter') }));
    expect(mine.data.items.find((r) => r.period === period)).toMatchObject({ status: 'received', signed: true, corrections: 0 });
  });

  it('(b) the office corrects a received figure with a reason, and the report shows the correction', async () => {
    clock.set('2023-07-10T03:00:00.000Z');
    const noReason = await client.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/corrections', {
      params: report,
      // Deliberately without the reason the document requires (the type-checker would refuse it).
      body: { indicatorNo: 28, field: 'value', corrected: 41.5 } as never,
      ...as('office'),
    });
    expect(noReason.response.status).toBe(400);
    expect(noReason.error?.errors?.map((e) => e.field)).toContain('reason');

    const corrected = await ok(
      client.POST('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/corrections', {
        params: report,
        body: { indicatorNo: 28, field: 'value', corrected: 41.5, reason: '市生态环境局通报数据修正' },
        ...as('office'),
      }),
    );
    const position = corrected.response.headers.get('x-position')!;
    expect(position).toBe(corrected.data.position);
    const view = await ok(client.GET('/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}', { params: { ...report, query: { minPosition: position } }, ...as('head') }));
    expect(view.data.status).toBe('received');
    expect(view.data.lines.find((l) => l.indicatorNo === 28)?.value).toBe(40.5); // what the unit reported stays
    expect(view.data.corrections).toEqual([
      expect.objectContaining({
        indicatorNo: 28,
        field: 'value',
        previous: 40.5,
        corrected: 41.5,
        reason: '市生态环境局通报数据修正',
        by: { userId: people.office.userId, role: 'office', name: '推进办 张' },
      }),
    ]);
    const mine = await ok(client.GET('/api/v1/plans/{planId}/reporting/units/{unitId}/reports', { params: { path: { planId, unitId } }, ...as('reporter') }));
    expect(mine.data.items.find((r) => r.period === period)?.corrections).toBe(1);
  });

  it('(c) a supervision case from a red warning through its steps to 结案', async () => {
    clock.set('2023-10-09T02:00:00.000Z');
    await ok(
      client.POST('/api/v1/plans/{planId}/ranking/scoring-rules', {
        params: { path: { planId } },
        body: { coefficients: [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((coefficient, i) => ({ rank: i + 1, coefficient })), missingRankCoefficient: 0, note: '试行' },
        ...as('office'),
      }),
    );
    const recorded = await ok(
      client.POST('/api/v1/plans/{planId}/ranking/figures', {
        params: { path: { planId } },
        body: { indicatorNo: 28, period: Q3, figures: figures(47, [35, 38, 40, 42, 45]) },
        ...as('office'),
      }),
    );
    expect(recorded.response.status).toBe(201);
    const quarter = { path: { planId, quarter: Q3 } };
    const prepared = await ok(client.POST('/api/v1/plans/{planId}/assessment/quarters/{quarter}/prepare', { params: quarter, body: {}, ...as('office') }));
    const preparedView = await ok(
      client.GET('/api/v1/plans/{planId}/assessment/quarters/{quarter}', { params: { ...quarter, query: { minPosition: prepared.data.position } }, ...as('office') }),
    );
    expect(preparedView.data.status).toBe('prepared');
    expect(preparedView.data.preparations[0]!.counts.red).toBe(1);
    await ok(
      client.PUT('/api/v1/plans/{planId}/assessment/quarters/{quarter}/meeting', {
        params: quarter,
        body: { date: '2023-10-08', attendees: ['文晓凡', '胡炜哲'], conclusions: 'PM2.5 排名靠后', nextSteps: '督查跟进', suggestions: '加强调度' },
        ...as('office'),
      }),
    );
    await ok(client.POST('/api/v1/plans/{planId}/assessment/quarters/{quarter}/publish', { params: quarter, body: {}, ...as('office') }));

    // The reactor opens the case just after the publication: the board shows it.
    let board = await ok(client.GET('/api/v1/plans/{planId}/supervision/board', { params: { path: { planId }, query: { status: 'all' } }, ...as('supervisor') }));
    for (let i = 0; i < 100 && !board.data.items.some((c) => c.unitId === unitId); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      board = await ok(client.GET('/api/v1/plans/{planId}/supervision/board', { params: { path: { planId }, query: { status: 'all' } }, ...as('supervisor') }));
    }
    const opened = board.data.items.find((c) => c.unitId === unitId)!;
    expect(opened).toMatchObject({ indicatorNo: 28, caseNo: 1, step: 'acknowledge', status: 'open', warnings: [Q3] });

    const theCase = { path: { planId, unitId, indicatorNo: '28', caseNo: '1' } };
    await ok(
      client.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/acknowledge', { params: theCase, body: { note: '分管副局长牵头' }, ...as('head') }),
    );
    await ok(
      client.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/plan', {
        params: theCase,
        body: { plan: '工地扬尘专项整治，每周通报', rectifyBy: '2023-11-30' },
        ...as('head'),
      }),
    );
    await ok(
      client.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/feedback', {
        params: theCase,
        body: { feedback: '已完成 42 个工地的整治' },
        ...as('head'),
      }),
    );
    // Closing as rectified before the feedback is accepted is refused, naming why.
    const early = await client.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/close', {
      params: theCase,
      body: { reason: 'rectification-accepted', text: '整改到位' },
      ...as('supervisor'),
    });
    expect(early.error).toMatchObject({ code: 'rectification-not-accepted' });
    await ok(
      client.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/review', { params: theCase, body: { decision: 'accept' }, ...as('supervisor') }),
    );
    const closed = await ok(
      client.POST('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}/close', {
        params: theCase,
        body: { reason: 'rectification-accepted', text: '整改到位，结案' },
        ...as('supervisor'),
      }),
    );
    expect(closed.data.events.map((e) => e.type)).toEqual(['CaseClosed']);

    const view = await ok(
      client.GET('/api/v1/plans/{planId}/supervision/cases/{unitId}/{indicatorNo}/{caseNo}', {
        params: { ...theCase, query: { minPosition: closed.data.position } },
        ...as('head'),
      }),
    );
    expect(view.data).toMatchObject({ status: 'closed', closure: { reason: 'rectification-accepted', text: '整改到位，结案' } });
    expect(view.data.history.map((h) => h.type)).toEqual([
      'CaseOpened',
      'CaseAcknowledged',
      'RectificationPlanSubmitted',
      'RectificationFeedbackSubmitted',
      'CaseReviewed',
      'CaseClosed',
    ]);
    expect(view.data.plans.map((p) => [p.text, p.rectifyBy])).toEqual([['工地扬尘专项整治，每周通报', '2023-11-30']]);
    expect(view.data.feedbacks.map((f) => f.text)).toEqual(['已完成 42 个工地的整治']);
    expect(view.data.history.find((h) => h.type === 'CaseClosed')?.by).toMatchObject({ userId: people.supervisor.userId, role: 'supervisor', name: '督查局 赵' });
  });

  it('(d) an auditor reads the unit’s timeline, Annex 2 as of a moment and a two-moment diff', async () => {
    const first = await ok(
      client.GET('/api/v1/plans/{planId}/audit/units/{unitId}/timeline', { params: { path: { planId, unitId }, query: { period, limit: 3 } }, ...as('auditor') }),
    );
    expect(first.data.items).toHaveLength(3);
    const rest = await ok(
      client.GET('/api/v1/plans/{planId}/audit/units/{unitId}/timeline', {
        params: { path: { planId, unitId }, query: { period, after: first.data.next!, limit: 50 } },
        ...as('auditor'),
      }),
    );
    const entries = [...first.data.items, ...rest.data.items];
    expect(entries.map((e) => e.type)).toEqual(expect.arrayContaining(['ReportSubmitted', 'ReportSigned', 'ReportReceived', 'FigureCorrected']));
    const correction = entries.find((e) => e.type === 'FigureCorrected')!;
    expect(correction).toMatchObject({ who: { userId: people.office.userId, role: 'office' }, why: '市生态环境局通报数据修正', indicatorNos: [28] });

    // Annex 2 for June as known between the receipt and the correction, and as known now.
    const row28 = (t: components['schemas']['Annex2Table']) => t.sections.flatMap((s) => s.rows).find((r) => r.no === 28)!;
    const then = await ok(
      client.GET('/api/v1/plans/{planId}/annex2/{period}', { params: { path: { planId, period }, query: { asOf: '2023-07-08T00:00:00.000Z' } }, ...as('auditor') }),
    );
    const now = await ok(client.GET('/api/v1/plans/{planId}/annex2/{period}', { params: { path: { planId, period } }, ...as('auditor') }));
    expect(row28(then.data).result).toBe(40.5);
    expect(row28(now.data).result).toBe(41.5);

    // The diff between the two moments names the changed figure and the event that changed it.
    const diff = await ok(
      client.GET('/api/v1/plans/{planId}/audit/diff/{view}', {
        params: { path: { planId, view: 'annex2' }, query: { from: '2023-07-08T00:00:00.000Z', to: '2023-07-11T00:00:00.000Z', period } },
        ...as('auditor'),
      }),
    );
    expect(diff.data).toMatchObject({ view: 'annex2', from: '2023-07-08T00:00:00.000Z', to: '2023-07-11T00:00:00.000Z' });
    const changed = diff.data.differences.filter((d) => d.fields.some((f) => f.before === 40.5 && f.after === 41.5));
    expect(changed).toHaveLength(1);
    expect(changed[0]!.causes.map((c) => c.type)).toContain('FigureCorrected');
  });
});
