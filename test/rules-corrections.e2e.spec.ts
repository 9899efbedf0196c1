import { ManualClock } from '../libs/engine/clock.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

/**
 * Issue 12 over HTTP, with the county document's rules:
 * - "Ye's value in the six-county table comes from its received report unless the city has published an official figure
 *   for Ye; if both exist and differ, the official one ranks and the difference is flagged on both views. A correction
 *   recomputes the rank and warning with the cause 'correction', and the as-known-at views show the old state before it."
 *   (四（一）: the report "经主要负责人签字并加盖单位印章后……报送至县推进办"; 附件2's columns 截至本月底完成情况 · 六县市排名 · 预警提示;
 *   四（三）: "排名1-2名的用绿色标识，排名3-4名的用黄色标识，排名5-6名的用红色标识").
 * - Provenance "names exactly what produced a figure … with who, when and why".
 * - Timelines "compare with the same indicator's previous period" and "filter by cause and event type".
 */
const planId = 'ye-county-2023';
const period = '2023-08';
const report = `/plans/${planId}/reporting/reports/sthjj/${period}`;

describe.each(STORE_TARGETS)('a correction reaches the ranking and Annex 2, with provenance and timelines, over HTTP on $name', (target) => {
  let running: RunningApp;
  let clock: ManualClock;
  let reporter: TestSession;
  let head: TestSession;
  let office: TestSession;
  let auditor: TestSession;

  beforeAll(async () => {
    clock = new ManualClock('2023-08-20T02:00:00.000Z');
    running = await startAppOn(target, { clock });
    relaxLoginLimits(running);
    const admin = await bootstrapAdmin(running);
    reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', name: '生态环境局 李', roles: ['reporter'], unitId: 'sthjj' });
    head = await createUserViaApi(running, admin, { username: 'sthjj-head', name: '生态环境局 王局长', roles: ['head'], unitId: 'sthjj' });
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    auditor = await createUserViaApi(running, admin, { username: 'auditor-qian', name: '审计 钱', roles: ['auditor'] });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, who: TestSession, body?: unknown) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...who.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const out = { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
    if (res.status >= 300 && method !== 'GET') throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return out;
  }
  /** The reported-figure reactor answers on its own checkpoint: poll until the standing shows what we wait for. */
  async function standingWhen(done: (v: any) => boolean) {
    for (let i = 0; ; i++) {
      const r = await api('GET', `/plans/${planId}/ranking/standings/28/${period}`, office);
      if ((r.status === 200 && done(r.body)) || i > 150) return r;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const row28 = async (query = '') => {
    const r = await api('GET', `/plans/${planId}/annex2/${period}${query}`, office);
    expect(r.status).toBe(200);
    return r.body.sections.flatMap((s: any) => s.rows).find((x: any) => x.no === 28);
  };
  const line = (indicatorNo: number, value: number) => ({ indicatorNo, value, rank: null, problems: '无', nextSteps: '保持', analysis: '扬尘管控', countermeasures: '专项整治' });

  it('the received report ranks Ye; the office’s correction re-ranks it (cause correction) and reaches Annex 2; the city’s own figure then ranks, flagged', async () => {
    // July's standing for no. 28 (PM2.5, lower is better): Ye 3rd, yellow — the "previous period" August compares with.
    await api('POST', `/plans/${planId}/ranking/figures`, office, {
      indicatorNo: 28,
      period: '2023-07',
      figures: ['ye', 'baofeng', 'jia', 'lushan', 'wugang', 'ruzhou'].map((countyId, i) => ({ countyId, value: [40, 38, 45, 52, 36, 41][i]! })),
    });
    // August: the city publishes five counties' figures, none for Ye.
    await api('POST', `/plans/${planId}/ranking/figures`, office, {
      indicatorNo: 28,
      period,
      figures: [
        { countyId: 'baofeng', value: 38.5 },
        { countyId: 'jia', value: 45 },
        { countyId: 'lushan', value: 52 },
        { countyId: 'wugang', value: 36 },
        { countyId: 'ruzhou', value: 41 },
      ],
    });

    // The month ends; the unit reports 47; the head signs; the office receives.
    clock.set('2023-09-01T02:00:00.000Z');
    await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office);
    await api('PUT', `${report}/draft`, reporter, { lines: [line(27, 80), line(28, 47), line(29, 92)] });
    const submitted = await api('POST', `${report}/submit`, reporter);
    await api('POST', `${report}/sign`, head, { contentHash: submitted.body.events[0].data.contentHash });
    const beforeReceipt = await row28(`?minPosition=${submitted.headers.get('x-position') ?? ''}`);
    expect(beforeReceipt.flags.map((f: any) => f.kind)).toContain('report-not-received');
    clock.set('2023-09-04T02:00:00.000Z');
    await api('POST', `${report}/receive`, office);

    // The reactor applies the received figure: 47 among 36, 38.5, 41, 45, 52 is 5th: red.
    const first = await standingWhen((v) => v.ours.rank === 5);
    expect(first.body.ours).toMatchObject({ rank: 5, warning: 'red', provisional: false });
    const received = await row28(`?minPosition=${first.headers.get('x-position') ?? ''}`);
    expect(received).toMatchObject({ result: 47, rank: 5, warning: 'red', rankSource: 'official', provisional: false, flags: [] });
    // Ye had no standing before its report: the first figures, from the report.
    expect(received.provenance.rank).toMatchObject({ source: 'reported', type: 'StandingChanged', cause: { kind: 'first-figures' } });
    const beforeCorrection = clock.now().toISOString();

    // The office corrects Ye's figure to 40 with a reason: 3rd, yellow, cause "correction", on the ranking and on Annex 2.
    clock.set('2023-09-12T02:00:00.000Z');
    await api('POST', `${report}/corrections`, office, { indicatorNo: 28, field: 'value', corrected: 40, reason: '市生态环境局通报数据修正' });
    const corrected = await standingWhen((v) => v.ours.rank === 3);
    expect(corrected.body.ours).toMatchObject({ rank: 3, warning: 'yellow' });
    expect(corrected.body.history.at(-1)).toMatchObject({ cause: { kind: 'correction', source: 'report', previous: 47, value: 40 } });
    const after = await row28(`?minPosition=${corrected.headers.get('x-position') ?? ''}`);
    expect(after).toMatchObject({ result: 40, rank: 3, warning: 'yellow', rankSource: 'official' });
    expect(after.provenance.result).toMatchObject({
      source: 'corrected',
      type: 'FigureCorrected',
      by: { userId: office.userId, role: 'office' },
      reason: '市生态环境局通报数据修正',
    });
    expect(after.provenance.rank).toMatchObject({ source: 'corrected', type: 'StandingChanged', cause: { kind: 'correction' } });
    // As known before the correction: the old state.
    expect(await row28(`?asOf=${encodeURIComponent(beforeCorrection)}`)).toMatchObject({ result: 47, rank: 5, warning: 'red' });

    // Provenance over HTTP: exactly the August figures stream and the tier rule, the correction named.
    const prov = await api('GET', `/plans/${planId}/audit/provenance/annex2/${period}/28/rank`, auditor);
    expect(prov.status).toBe(200);
    expect(prov.body).toMatchObject({ value: 3, rankPeriod: period, produced: { source: 'corrected', type: 'StandingChanged' } });
    expect(new Set(prov.body.events.map((e: any) => e.streamId))).toEqual(new Set([`figures-${planId}-28-${period}`, `plan-${planId}`]));
    expect(prov.body.events.map((e: any) => e.type)).toEqual(expect.arrayContaining(['PeerFiguresRecorded', 'ReportedFigureApplied', 'StandingChanged']));
    const result = await api('GET', `/plans/${planId}/audit/provenance/annex2/${period}/28/result`, auditor);
    expect(result.body.produced).toMatchObject({ source: 'corrected', reason: '市生态环境局通报数据修正' });
    expect(result.body.events.map((e: any) => e.type)).toEqual(['ReportSubmitted', 'ReportSigned', 'ReportReceived', 'FigureCorrected']);
    const baseline = await api('GET', `/plans/${planId}/audit/provenance/annex2/${period}/28/baseline`, auditor);
    expect(baseline.body.produced).toMatchObject({ source: 'plan', type: 'PlanPublished' });

    // The city then publishes Ye's own figure, 42: the official one ranks (4th), and the difference is flagged.
    clock.set('2023-09-15T02:00:00.000Z');
    await api('POST', `/plans/${planId}/ranking/figures`, office, { indicatorNo: 28, period, figures: [{ countyId: 'ye', value: 42 }] });
    const official = await standingWhen((v) => v.ours.rank === 4);
    expect(official.body).toMatchObject({ ours: { rank: 4, warning: 'yellow' }, discrepancy: { official: 42, reported: 40 } });
    const flagged = await row28(`?minPosition=${official.headers.get('x-position') ?? ''}`);
    expect(flagged).toMatchObject({ result: 40, rank: 4, provisional: false });
    expect(flagged.flags).toEqual([expect.objectContaining({ kind: 'discrepancy', reported: 40, official: 42 })]);
    expect(flagged.provenance.rank).toMatchObject({ source: 'official', cause: { kind: 'own-figure' } });

    // The unit's timeline: August's first standing compares with July's; filtered by cause and by type.
    const position = official.headers.get('x-position') ?? '';
    const changes = await api('GET', `/plans/${planId}/audit/units/sthjj/timeline?type=StandingChanged&indicatorNo=28&minPosition=${position}`, auditor);
    expect(changes.status).toBe(200);
    expect(changes.body.items.map((e: any) => [e.period, e.cause.kind])).toEqual([
      ['2023-07', 'first-figures'],
      [period, 'first-figures'],
      [period, 'correction'],
      [period, 'own-figure'],
    ]);
    const augustFirst = changes.body.items[1];
    expect(augustFirst.since).toEqual({ period: '2023-07', rank: 3, warning: 'yellow' });
    // Periods as people read them, in each language (issue 15), never as stored.
    expect(augustFirst.summary.en).toBe('indicator 28 Aug 2023: rank 3→5, warning yellow→red since Jul 2023 (first figures)');
    expect(augustFirst.summary.zh).toContain('指标28 2023年8月 排名 3→5');
    expect(augustFirst.summary.zh).toContain('较 2023年7月');
    const byCause = await api('GET', `/plans/${planId}/audit/units/sthjj/timeline?cause=correction&minPosition=${position}`, auditor);
    expect(byCause.body.items.map((e: any) => [e.type, e.period, e.why])).toEqual([['StandingChanged', period, '市生态环境局通报数据修正']]);
    const two = await api('GET', `/plans/${planId}/audit/indicators/28/timeline?type=FigureCorrected,ReportReceived&minPosition=${position}`, auditor);
    expect(two.body.items.map((e: any) => e.type)).toEqual(['FigureCorrected']);
    const unitTwo = await api('GET', `/plans/${planId}/audit/units/sthjj/timeline?type=FigureCorrected,ReportReceived&minPosition=${position}`, auditor);
    expect(unitTwo.body.items.map((e: any) => e.type)).toEqual(['ReportReceived', 'FigureCorrected']);
    // Unknown types and causes are refused, naming them.
    const badType = await api('GET', `/plans/${planId}/audit/units/sthjj/timeline?type=StandingChanged,Nope`, auditor);
    expect([badType.status, badType.body.errors?.[0]?.field ?? badType.body.field]).toEqual([400, 'type']);
    expect((await api('GET', `/plans/${planId}/audit/units/sthjj/timeline?cause=bad-luck`, auditor)).status).toBe(400);
  });
});
