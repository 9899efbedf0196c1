import { ManualClock } from '../libs/engine/clock.js';
import { Engine } from '../libs/engine/nest/engine.js';
import { readEverything } from '../libs/engine/testing/fixtures.js';
import { bootstrapAdmin, createUserViaApi, relaxLoginLimits, STORE_TARGETS, startAppOn, type RunningApp, type TestSession } from './support/app.js';

const planId = 'ye-county-2023';
const period = '2023-06';
const report = `/plans/${planId}/reporting/reports/sthjj/${period}`;

/**
 * A month's report over HTTP, as the three people who handle it would send it: the reporter, the
 * unit head and the office — with a refusal, a four-eyes denial, a return, a correction, retries,
 * stale If-Match, bad input, and the deadline passing for the units that never reported.
 */
describe.each(STORE_TARGETS)('the monthly report over HTTP on $name', (target) => {
  let running: RunningApp;
  let clock: ManualClock;
  let reporter: TestSession;
  let head: TestSession;
  let office: TestSession;
  let other: TestSession;
  let admin: TestSession;

  beforeAll(async () => {
    clock = new ManualClock('2023-07-01T01:00:00.000Z');
    running = await startAppOn(target, { clock });
    relaxLoginLimits(running);
    admin = await bootstrapAdmin(running);
    reporter = await createUserViaApi(running, admin, { username: 'sthjj-reporter', name: '生态环境局 李', roles: ['reporter'], unitId: 'sthjj' });
    head = await createUserViaApi(running, admin, { username: 'sthjj-head', name: '生态环境局 王局长', roles: ['head'], unitId: 'sthjj' });
    office = await createUserViaApi(running, admin, { username: 'office-zhang', name: '推进办 张', roles: ['office'] });
    other = await createUserViaApi(running, admin, { username: 'fgw-reporter', name: '发改委 赵', roles: ['reporter'], unitId: 'fgw' });
  });
  afterAll(async () => {
    await running.close();
  });

  async function api(method: string, path: string, who: TestSession, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${running.url}/api/v1${path}`, {
      method,
      headers: { ...who.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
  }
  const eventCount = async () => (await readEverything(running.app.get(Engine).store)).length;
  const lines = (pm25: Record<string, unknown> = {}) => [
    { indicatorNo: 27, value: 78.5, rank: 2, problems: '无', nextSteps: '保持' },
    { indicatorNo: 28, value: 41, rank: 5, problems: '扬尘', nextSteps: '治理', ...pm25 },
    { indicatorNo: 29, value: 92, rank: 1, problems: '无', nextSteps: '保持' },
  ];

  it('takes June from opening to receipt, and every refusal is problem details that writes nothing', async () => {
    // The office opens the month: every unit's report, with its deadline timers.
    const opened = await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office, undefined, { 'idempotency-key': 'open-2023-06-once' });
    expect(opened.status).toBe(200);
    expect(opened.body.opened).toHaveLength(21);
    // A retry (same key) is answered as the first time; opening again (a new request) opens nothing more.
    const retry = await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office, undefined, { 'idempotency-key': 'open-2023-06-once' });
    expect(retry.body.opened).toEqual(opened.body.opened);
    const again = await api('POST', `/plans/${planId}/reporting/periods/${period}/open`, office);
    expect(again.body).toMatchObject({ opened: [], alreadyOpen: expect.arrayContaining(['sthjj', 'fgw']) });

    // What the unit fills: its three indicators and the deadline (before 6 July, Beijing time).
    const template = await api('GET', `${report}/template`, reporter);
    expect(template.body.indicators.map((i: { no: number }) => i.no)).toEqual([27, 28, 29]);
    expect(template.body.dueAt).toBe('2023-07-05T16:00:00.000Z');

    // Another unit's reporter may not read or write this report.
    expect((await api('GET', report, other)).status).toBe(403);
    const denied = await api('PUT', `${report}/draft`, other, { lines: lines() });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect(denied.body.code).toBe('forbidden');

    // Bad input names the field and writes nothing.
    const before = await eventCount();
    const bad = await api('PUT', `${report}/draft`, reporter, { lines: [{ ...lines()[0], rank: 9, value: 'high' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['lines[0].rank', 'lines[0].value']));
    const forged = await api('PUT', `${report}/draft`, reporter, { lines: lines(), actor: { userId: 'someone-else' } });
    expect(forged.status).toBe(400);
    expect(await eventCount()).toBe(before);

    // The draft, saved with If-Match: a stale revision is refused (412) and writes nothing.
    // (Read after the office's opening: the views are eventually consistent unless asked to wait.)
    const current = await api('GET', `${report}?minPosition=${encodeURIComponent(opened.body.position)}`, reporter);
    const etag = current.headers.get('etag')!;
    const saved = await api('PUT', `${report}/draft`, reporter, { lines: lines() }, { 'if-match': etag });
    expect(saved.status).toBe(200);
    const stale = await api('PUT', `${report}/draft`, reporter, { lines: lines() }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('precondition-failed');

    // Submitting is refused while the red PM2.5 line has no analysis, listing the indicator.
    const refused = await api('POST', `${report}/submit`, reporter);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'lagging-without-analysis', indicators: [28] });
    expect(refused.body.detail).toContain('28 PM2.5年均浓度');
    await api('PUT', `${report}/draft`, reporter, { lines: lines({ analysis: '施工扬尘管控不到位', countermeasures: '开展扬尘专项整治' }) });
    clock.set('2023-07-04T02:00:00.000Z');
    const submitted = await api('POST', `${report}/submit`, reporter, undefined, { 'idempotency-key': 'submit-sthjj-2023-06' });
    expect(submitted.status).toBe(200);
    const retried = await api('POST', `${report}/submit`, reporter, undefined, { 'idempotency-key': 'submit-sthjj-2023-06' });
    expect(retried.body).toMatchObject({ replayed: true, position: submitted.body.position }); // answered, not repeated
    const hash = submitted.body.events[0].data.contentHash as string;

    // Four eyes: the submitter may not sign, even given the head role; the head signs exactly this content.
    await api('POST', `/users/${reporter.userId}/roles`, admin, { role: 'head', unitId: 'sthjj' });
    expect((await api('POST', `${report}/sign`, reporter, { contentHash: hash })).status).toBe(403);
    expect((await api('POST', `${report}/sign`, head, { contentHash: 'f'.repeat(64) })).body.code).toBe('content-changed');
    expect((await api('POST', `${report}/sign`, head, { contentHash: hash })).status).toBe(200);

    // The office returns it once with a reason; the unit resubmits; the head signs again; received.
    expect((await api('POST', `${report}/return`, office, { reason: '第28项数据口径与市局不一致' })).status).toBe(200);
    await api('PUT', `${report}/draft`, reporter, { lines: lines({ value: 40.5, analysis: '施工扬尘管控不到位', countermeasures: '开展扬尘专项整治' }) });
    const resubmitted = await api('POST', `${report}/submit`, reporter);
    await api('POST', `${report}/sign`, head, { contentHash: resubmitted.body.events[0].data.contentHash });
    const received = await api('POST', `${report}/receive`, office);
    expect(received.status).toBe(200);

    // The deadline passes: the units that never reported become overdue (the clock moves, the timers fire).
    clock.set('2023-07-06T00:30:00.000Z');
    await running.app.get(Engine).timers.deliverDue();

    // The office corrects a received figure with a reason; the original stays.
    clock.set('2023-07-10T03:00:00.000Z');
    const noReason = await api('POST', `${report}/corrections`, office, { indicatorNo: 28, field: 'value', corrected: 41.5 });
    expect(noReason.status).toBe(400);
    const corrected = await api('POST', `${report}/corrections`, office, { indicatorNo: 28, field: 'value', corrected: 41.5, reason: '市生态环境局通报数据修正' });
    expect(corrected.status).toBe(200);
    const position = corrected.headers.get('x-position')!;

    // Every view shows it (read-your-writes with ?minPosition=).
    const view = await api('GET', `${report}?minPosition=${encodeURIComponent(position)}`, head);
    expect(view.body).toMatchObject({
      status: 'received',
      returns: [{ reason: '第28项数据口径与市局不一致', by: { userId: office.userId, role: 'office' } }],
      submitted: { late: null },
    });
    expect(view.body.lines.find((l: { indicatorNo: number }) => l.indicatorNo === 28).value).toBe(40.5);
    expect(view.body.corrections).toEqual([
      expect.objectContaining({ previous: 40.5, corrected: 41.5, reason: '市生态环境局通报数据修正', by: { userId: office.userId, role: 'office', name: '推进办 张' } }),
    ]);

    const board = await api('GET', `/plans/${planId}/reporting/compliance?from=2023-06&to=2023-06&minPosition=${encodeURIComponent(position)}`, office);
    const cell = (unitId: string) => board.body.units.find((u: { unitId: string }) => u.unitId === unitId).cells[period];
    expect(cell('sthjj')).toMatchObject({ onTime: true, received: true, signed: true, returned: 1, corrections: 1, overdue: false });
    expect(cell('fgw')).toMatchObject({ status: 'open', overdue: true });
    // Issue 14: ?unitId= answers that unit's row only; a unit the plan does not have is a 404.
    const one = await api('GET', `/plans/${planId}/reporting/compliance?from=2023-06&to=2023-06&unitId=sthjj&minPosition=${encodeURIComponent(position)}`, office);
    expect(one.body.units.map((u: { unitId: string }) => u.unitId)).toEqual(['sthjj']);
    expect(one.body.units[0].cells[period]).toEqual(cell('sthjj'));
    expect((await api('GET', `/plans/${planId}/reporting/compliance?unitId=no-such-unit`, office)).body).toMatchObject({ status: 404, code: 'unit-not-found' });

    const annex2 = await api('GET', `/plans/${planId}/annex2/${period}?minPosition=${encodeURIComponent(position)}`, head);
    const row = annex2.body.sections.flatMap((s: { rows: unknown[] }) => s.rows).find((r: { no: number }) => r.no === 28);
    expect(row).toMatchObject({ result: 41.5, rank: 5, warning: 'red', points: 2 });
    // As known before the correction: the submitted figure.
    const then = await api('GET', `/plans/${planId}/annex2/${period}?asOf=2023-07-08T00:00:00Z`, head);
    expect(then.body.sections.flatMap((s: { rows: unknown[] }) => s.rows).find((r: { no: number }) => r.no === 28).result).toBe(40.5);

    // The unit's own dashboard.
    const mine = await api('GET', `/plans/${planId}/reporting/units/sthjj/reports`, reporter);
    expect(mine.body).toEqual({ items: [expect.objectContaining({ period, status: 'received', signed: true, corrections: 1 })], next: null });
  });

  it('issue 12: the office enters a paper report on the unit’s behalf; the month must have ended; the signature decides timeliness; an administrator corrects', async () => {
    // 经主要负责人签字并加盖单位印章后，于次月6日前报送: timeliness is judged when the signed and sealed report is in.
    const fgwHead = await createUserViaApi(running, admin, { username: 'fgw-head', name: '发改委 钱主任', roles: ['head'], unitId: 'fgw' });
    const aug = `/plans/${planId}/reporting/reports/fgw/2023-08`;
    clock.set('2023-08-01T01:00:00.000Z');
    expect((await api('POST', `/plans/${planId}/reporting/periods/2023-08/open`, office)).status).toBe(200);
    const template = await api('GET', `${aug}/template`, office);
    const paper = template.body.indicators.map((i: { no: number }) => ({ indicatorNo: i.no, value: null, rank: null, problems: '纸质报表', nextSteps: '按期推进' }));
    const onBehalf = { 'x-on-behalf-of': 'fgw' };

    // The office may enter it only naming the unit, never for another one.
    expect((await api('PUT', `${aug}/draft`, office, { lines: paper })).status).toBe(403);
    expect((await api('PUT', `${aug}/draft`, office, { lines: paper }, { 'x-on-behalf-of': 'sthjj' })).status).toBe(403);
    expect((await api('PUT', `${aug}/draft`, office, { lines: paper }, onBehalf)).status).toBe(200);

    // Its figures are "as of month end": not before the month has ended.
    clock.set('2023-08-30T02:00:00.000Z');
    const early = await api('POST', `${aug}/submit`, office, undefined, onBehalf);
    expect(early.status).toBe(422);
    expect(early.body.code).toBe('period-not-ended');

    // Submitted on the 5th, signed on the 7th: late by the time after the deadline (6 September 00:00 Beijing).
    clock.set('2023-09-05T02:00:00.000Z');
    const submitted = await api('POST', `${aug}/submit`, office, undefined, onBehalf);
    expect(submitted.status).toBe(200);
    clock.set('2023-09-07T04:30:00.000Z');
    const signed = await api('POST', `${aug}/sign`, fgwHead, { contentHash: submitted.body.events[0].data.contentHash });
    expect(signed.status).toBe(200);
    expect(signed.body.events[0].data.late).toEqual({ dueAt: '2023-09-05T16:00:00.000Z', byMinutes: 36 * 60 + 30 });
    expect((await api('POST', `${aug}/receive`, office)).status).toBe(200);
    // 纸质版一式两份: the paper copies are recorded as a fact of their own (optional).
    expect((await api('POST', `${aug}/paper-copies`, office, { copies: 2 })).status).toBe(200);

    // An administrator corrects a received figure with a reason, like the office.
    const first = paper[0].indicatorNo as number;
    const fixed = await api('POST', `${aug}/corrections`, admin, { indicatorNo: first, field: 'value', corrected: 12.5, reason: '据原始台账更正' });
    expect(fixed.status).toBe(200);
    const position = fixed.headers.get('x-position')!;

    // Every view shows who typed it and for whom, and the lateness of the signed report.
    const view = await api('GET', `${aug}?minPosition=${encodeURIComponent(position)}`, fgwHead);
    expect(view.body.submitted).toMatchObject({ by: { userId: office.userId, role: 'office', name: '推进办 张' }, onBehalfOf: 'fgw' });
    expect(view.body.steps.filter((s: { onBehalfOf?: string }) => s.onBehalfOf === 'fgw').map((s: { type: string }) => s.type)).toEqual(['ReportDraftSaved', 'ReportSubmitted']);
    expect(view.body.paperCopies).toMatchObject({ copies: 2, by: { userId: office.userId, role: 'office', name: '推进办 张' } });
    expect(view.body.timeliness).toMatchObject({ judgedAt: 'signature', late: { byMinutes: 36 * 60 + 30 } });
    expect(view.body.corrections).toEqual([expect.objectContaining({ corrected: 12.5, reason: '据原始台账更正' })]);
    const board = await api('GET', `/plans/${planId}/reporting/compliance?from=2023-08&to=2023-08&minPosition=${encodeURIComponent(position)}`, office);
    const cell = board.body.units.find((u: { unitId: string }) => u.unitId === 'fgw').cells['2023-08'];
    expect(cell).toMatchObject({ onTime: false, lateByMinutes: 36 * 60 + 30, signed: true, received: true, corrections: 1 });
  });

  it('documents every reporting endpoint in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${running.url}/api/docs-json`)).json()) as { paths: Record<string, unknown> };
    for (const path of ['draft', 'submit', 'sign', 'receive', 'paper-copies', 'return', 'corrections']) {
      expect(Object.keys(doc.paths)).toContain(`/api/v1/plans/{planId}/reporting/reports/{unitId}/{period}/${path}`);
    }
    expect(Object.keys(doc.paths)).toContain('/api/v1/plans/{planId}/reporting/compliance');
  });
});
